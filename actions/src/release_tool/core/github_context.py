"""Where the tool runs with respect to GitHub, read once from an environment mapping.

Pure: the caller passes the environment; nothing here reads ``os.environ``.
The token is held in :class:`Secret`, whose ``repr``/``str`` never show it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from release_tool.errors import InputRejected

# Highest precedence first: the workflows map a GitHub App installation token
# into the first; a maintainer's shell usually has GH_TOKEN.
TOKEN_VARIABLES = ("RELEASE_TOOL_TOKEN", "GH_TOKEN", "GITHUB_TOKEN")
DEFAULT_API_URL = "https://api.github.com"
DEFAULT_SERVER_URL = "https://github.com"
_REPOSITORY = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}\Z")


class Secret:
    """A string that never shows itself in a repr, str, format or log line."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        if not value:
            raise ValueError("a Secret needs a non-empty value")
        self._value = value

    def reveal(self) -> str:
        """The value itself: only for the one place that must hand it on."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    def __str__(self) -> str:
        return "***"

    def __format__(self, spec: str) -> str:
        return "***"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(("Secret", self._value))

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("a Secret cannot be pickled")


@dataclass(frozen=True)
class GithubContext:
    """The GitHub side of one run: who we are, which API, which repository."""

    repository: str
    api_url: str = DEFAULT_API_URL
    server_url: str = DEFAULT_SERVER_URL
    in_actions: bool = False
    token: Secret | None = field(default=None, repr=False)
    token_source: str | None = None

    def should_push(self, push_flag: bool) -> bool:
        """Push and talk to GitHub only when asked (``--push``) or inside GitHub Actions.

        A maintainer with a token in the shell never pushes by accident.
        """
        return push_flag or self.in_actions

    def require_token(self) -> Secret:
        if self.token is None:
            names = ", ".join(TOKEN_VARIABLES[:-1]) + " or " + TOKEN_VARIABLES[-1]
            raise InputRejected(f"no GitHub token: set {names} to push and open pull requests")
        return self.token

    def repository_url(self) -> str:
        """The repository's web address (links in summaries and messages)."""
        return f"{self.server_url}/{self.repository}"


def _url(env: Mapping[str, str], name: str, default: str) -> str:
    value = env.get(name, "").strip() or default
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise InputRejected(f"{name} must be an http(s) URL, got {value!r}")
    return value.rstrip("/")


def check_repository(value: str, *, source: str) -> str:
    """``OWNER/NAME`` as ``github.repository`` gives it; anything else is rejected."""
    if not _REPOSITORY.fullmatch(value) or value.endswith((".", "/")) or ".." in value:
        raise InputRejected(f"{source} must be OWNER/NAME, got {value!r}")
    return value


def target_repository(given: str | None, context: GithubContext) -> str:
    """The repository ``--repository`` names (checked), else the one this run is in."""
    return check_repository(given, source="--repository") if given else context.repository


def read_github_context(env: Mapping[str, str], default_repository: str) -> GithubContext:
    """The context of this run from ``env``; ``default_repository`` comes from the config.

    An empty variable counts as unset: Actions expands a missing secret to ``""``.
    """
    token: Secret | None = None
    source: str | None = None
    for name in TOKEN_VARIABLES:
        value = env.get(name, "").strip()
        if value:
            token, source = Secret(value), name
            break
    repo_env = env.get("GITHUB_REPOSITORY", "").strip()
    repository = check_repository(
        repo_env or default_repository,
        source="GITHUB_REPOSITORY" if repo_env else "the configured repository",
    )
    return GithubContext(
        repository=repository,
        api_url=_url(env, "GITHUB_API_URL", DEFAULT_API_URL),
        server_url=_url(env, "GITHUB_SERVER_URL", DEFAULT_SERVER_URL),
        in_actions=env.get("GITHUB_ACTIONS", "") == "true",
        token=token,
        token_source=source,
    )
