"""Sending the ``package-released`` repository_dispatch that starts a promotion.

``publish --notify`` takes the sender as a parameter (:data:`DispatchSender`) so
tests can hand it a recording one; :func:`send_dispatch` is the real one, through
PyGithub against ``GITHUB_API_URL`` with the token from ``RELEASE_TOOL_TOKEN``,
``GH_TOKEN`` or ``GITHUB_TOKEN``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from release_tool.core.payload import EVENT_TYPE
from release_tool.errors import OperationalError

TOKEN_VARIABLES = ("RELEASE_TOOL_TOKEN", "GH_TOKEN", "GITHUB_TOKEN")
DEFAULT_API = "https://api.github.com"

DispatchSender = Callable[[str, Mapping[str, Any], Mapping[str, str]], None]


def find_token(env: Mapping[str, str]) -> str:
    for name in TOKEN_VARIABLES:
        if env.get(name):
            return env[name]
    raise OperationalError(
        f"no GitHub token to send the dispatch: set one of {', '.join(TOKEN_VARIABLES)}"
    )


def send_dispatch(repository: str, payload: Mapping[str, Any], env: Mapping[str, str]) -> None:
    """POST one repository_dispatch to ``repository`` (``OWNER/NAME``)."""
    from github import Auth, Github, GithubException  # noqa: PLC0415 - only --notify needs it

    token = find_token(env)
    client = Github(
        base_url=env.get("GITHUB_API_URL") or DEFAULT_API,
        auth=Auth.Token(token),
        seconds_between_requests=0,
        seconds_between_writes=0,
    )
    try:
        client.get_repo(repository, lazy=True).create_repository_dispatch(EVENT_TYPE, dict(payload))
    except GithubException as exc:
        message = str(exc.data.get("message", "")) if isinstance(exc.data, dict) else ""
        detail = (message or f"HTTP {exc.status}").replace(token, "***")
        raise OperationalError(
            f"sending the {EVENT_TYPE} dispatch to {repository} failed: {detail}"
        ) from None
    except OSError as exc:  # requests' connection errors are OSErrors
        raise OperationalError(
            f"sending the {EVENT_TYPE} dispatch to {repository} failed: "
            f"{type(exc).__name__} (GitHub unreachable?)"
        ) from None
    finally:
        client.close()
