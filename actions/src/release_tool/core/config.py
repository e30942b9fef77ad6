"""The pipeline's configuration: ``[tool.release-tool]`` of the root pyproject, typed at load.

Every key is checked; an unknown or ill-typed key is a :class:`ConfigError` naming it
(``tool.release-tool.packages.hello-world.directory``). ``GITHUB_REPOSITORY`` in the
given environment mapping wins over the configured monorepo repository.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any, TypeVar

from packaging.utils import canonicalize_name
from packaging.version import Version

from release_tool.core.toml_shape import CONTROL
from release_tool.core.versions import show
from release_tool.errors import InputRejected

ROOT_KEY = "tool.release-tool"
SLUG_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9._-]+\Z")
# a normalized distribution name; never starts with ``-`` (it reaches uv's argv)
PACKAGE_NAME_RE = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?")
ENTRY_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
TAG_FORMATS = ("{version}", "v{version}")
DEFAULT_MANAGED_SINCE = "0.2.0"
Item = TypeVar("Item")


class ConfigError(InputRejected):
    """The configuration is wrong: fix ``[tool.release-tool]`` (exit 2, like any bad input)."""

    exit_code = 2


@dataclass(frozen=True)
class BotIdentity:
    name: str
    email: str


# The default of ``release-branch-prefix``: release/<profile>/<leaf> branches.
RELEASE_PREFIX = "release/"


@dataclass(frozen=True)
class ImagesConfig:
    registry: str
    name: str
    latest_backend: str


@dataclass(frozen=True)
class ProfileConfig:
    name: str
    directory: str
    allow_direct_dispatch: bool
    allow_prerelease: bool  # default: every profile but prod
    # whether `promote --package/--tag` may target it directly (else only --from-env
    # or a rollback); a direct promotion into prod warns that staging did not test it
    allow_direct_promotion: bool = True
    # the profile whose tested pins this one normally takes (prod <- staging)
    fed_by: str | None = None

    @property
    def label(self) -> str:
        """How progress and errors name the profile: ``staging (staging/)``."""
        return f"{self.name} ({self.directory}/)"


@dataclass(frozen=True)
class BackendConfig:
    name: str
    extra: str
    cuda: str
    runner_labels: tuple[str, ...]
    timeout_minutes: int


@dataclass(frozen=True)
class PackageConfig:
    name: str
    url: str  # the git URL (key ``repository``), written once here; profiles' sources equal it
    directory: str
    tag_format: str
    managed_since: Version

    @property
    def slug(self) -> str:
        """``OWNER/NAME`` as ``github.repository`` spells it, derived from the URL."""
        path = re.sub(r"^[a-z+]+://[^/]+/", "", self.url)
        return path.removesuffix("/").removesuffix(".git")

    def format_tag(self, version: Version | str) -> str:
        return self.tag_format.format(version=version)


@dataclass(frozen=True)
class Config:
    slug: str  # the monorepo's OWNER/NAME (key ``repository``, or GITHUB_REPOSITORY)
    default_branch: str
    bot: BotIdentity
    images: ImagesConfig
    profiles: Mapping[str, ProfileConfig]
    backends: Mapping[str, BackendConfig]
    packages: Mapping[str, PackageConfig]
    default_profile: str = "staging"  # where a dispatch without env promotes into
    release_prefix: str = RELEASE_PREFIX  # every release branch starts with it

    def release_branch(self, env: str, leaf: str) -> str:
        """``<prefix><env>/<leaf>``: the release branch of profile ``env`` named ``leaf``."""
        return f"{self.release_prefix}{env}/{leaf}"

    def package(self, name: str) -> PackageConfig:
        return _known(self.packages, name, "package", "configured packages")

    def profile(self, name: str) -> ProfileConfig:
        return _known(self.profiles, name, "environment", "configured")


def _known(table: Mapping[str, Item], name: str, what: str, listed: str) -> Item:
    """``table[name]``, or refuse (exit 2) naming what is configured."""
    found = table.get(name)
    if found is None:
        raise InputRejected(f"unknown {what} {show(name)}; {listed}: {', '.join(table)}")
    return found


class _Table:
    """A TOML table being read, remembering its dotted path and the keys taken."""

    def __init__(self, data: Mapping[str, Any], path: str) -> None:
        self.data = data
        self.path = path
        self.taken: set[str] = set()

    def _key(self, key: str) -> str:
        return f"{self.path}.{key}"

    def get(self, key: str, kind: type, default: Any = None, *, required: bool = False) -> Any:
        self.taken.add(key)
        if key not in self.data:
            if required:
                raise ConfigError(f"{self._key(key)} is missing")
            return default
        value = self.data[key]
        if kind is int and isinstance(value, bool):
            raise ConfigError(f"{self._key(key)} must be an integer, not {show(value)}")
        if not isinstance(value, kind):
            raise ConfigError(f"{self._key(key)} must be a {kind.__name__}, not {show(value)}")
        return value

    def text(self, key: str, default: str | None = None) -> str:
        value: str = self.get(key, str, default, required=default is None)
        if not value.strip():
            raise ConfigError(f"{self._key(key)} must not be empty")
        if CONTROL.search(value):
            raise ConfigError(f"{self._key(key)} must not hold a control character")
        # a name, extra, branch or directory reaches git's or uv's argv: never an option
        if value.startswith("-"):
            raise ConfigError(f"{self._key(key)} must not start with '-', not {show(value)}")
        return value

    def directory(self, key: str, default: str | None = None) -> str:
        """A directory relative to the project root that stays inside it."""
        value = self.text(key, default)
        parts = PurePosixPath(value).parts
        if value.startswith(("/", "\\")) or PureWindowsPath(value).drive or ".." in parts:
            raise ConfigError(
                f"{self._key(key)} must be a path inside the project (relative, no '..'), "
                f"not {show(value)}"
            )
        return value

    def table(self, key: str, *, required: bool = True) -> _Table:
        return _Table(self.get(key, dict, {}, required=required), self._key(key))

    def children(self, key: str) -> dict[str, _Table]:
        parent = self.table(key)
        result = {}
        for name in parent.data:
            if not ENTRY_NAME_RE.fullmatch(name):  # names reach branches, argv, job names
                raise ConfigError(f"{parent.path} has an entry named {show(name)}: not a name")
            result[name] = parent.table(name)
        if not result:
            raise ConfigError(f"{parent.path} must define at least one entry")
        return result

    def done(self) -> None:
        unknown = sorted(set(self.data) - self.taken)
        if unknown:
            raise ConfigError(f"unknown key {self._key(unknown[0])}")


def _package(name: str, table: _Table) -> PackageConfig:
    if not PACKAGE_NAME_RE.fullmatch(name) or canonicalize_name(name) != name:
        raise ConfigError(
            f"{table.path}: package names must be normalized ({canonicalize_name(name)!r})"
        )
    url = table.text("repository")
    if not re.fullmatch(r"(https|file)://[!-~]+", url):
        raise ConfigError(f"{table.path}.repository must be an https:// git URL")
    tag_format = table.text("tag-format", "{version}")
    if tag_format not in TAG_FORMATS:
        raise ConfigError(f"{table.path}.tag-format must be one of {', '.join(TAG_FORMATS)}")
    since_text = table.text("managed-since", DEFAULT_MANAGED_SINCE)
    try:
        since = Version(since_text)
    except ValueError:  # InvalidVersion, or an integer past 4300 digits
        raise ConfigError(f"{table.path}.managed-since is not a PEP 440 version") from None
    package = PackageConfig(name, url, table.directory("directory"), tag_format, since)
    table.done()
    return package


def _backend(name: str, table: _Table) -> BackendConfig:
    labels = table.get("runner-labels", list, required=True)
    if not labels or not all(
        isinstance(label, str) and label.strip() and not CONTROL.search(label) for label in labels
    ):
        raise ConfigError(f"{table.path}.runner-labels must be a non-empty list of strings")
    timeout: int = table.get("timeout-minutes", int, 60)
    if timeout <= 0:
        raise ConfigError(f"{table.path}.timeout-minutes must be positive")
    backend = BackendConfig(
        name, table.text("extra", name), table.text("cuda"), tuple(labels), timeout
    )
    table.done()
    return backend


def load_config(pyproject_text: str, env: Mapping[str, str]) -> Config:
    """Read and validate ``[tool.release-tool]``; raise ConfigError naming the bad key."""
    try:
        data = tomllib.loads(pyproject_text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"the root pyproject.toml is not valid TOML: {exc}") from None
    except ValueError:  # an integer past Python's 4300-digit conversion limit
        raise ConfigError("the root pyproject.toml holds an integer too long to read") from None
    tool_table = data.get("tool", {})
    tool = tool_table.get("release-tool") if isinstance(tool_table, dict) else None
    if not isinstance(tool, dict):
        raise ConfigError(f"[{ROOT_KEY}] is missing from the root pyproject.toml")
    root = _Table(tool, ROOT_KEY)
    slug = env.get("GITHUB_REPOSITORY") or root.text("repository")
    root.taken.add("repository")
    if not SLUG_RE.fullmatch(slug):
        raise ConfigError(f"{ROOT_KEY}.repository must be OWNER/NAME, not {show(slug)}")
    bot_table = root.table("bot")
    bot = BotIdentity(bot_table.text("name"), bot_table.text("email"))
    bot_table.done()
    images_table = root.table("images")
    images = ImagesConfig(
        images_table.text("registry"),
        images_table.text("name"),
        images_table.text("latest-backend"),
    )
    images_table.done()
    profiles = {}
    for name, table in root.children("profiles").items():
        profiles[name] = ProfileConfig(
            name,
            table.directory("directory", name),
            table.get("allow-direct-dispatch", bool, False),
            table.get("allow-prerelease", bool, name != "prod"),
            table.get("allow-direct-promotion", bool, True),
            table.get("fed-by", str, None),
        )
        table.done()
    for profile in profiles.values():
        if profile.fed_by is not None and profile.fed_by not in profiles:
            raise ConfigError(
                f"{ROOT_KEY}.profiles.{profile.name}.fed-by names no configured profile"
            )
    default_profile = root.text("default-profile", next(iter(profiles), "staging"))
    if profiles and default_profile not in profiles:
        raise ConfigError(f"{ROOT_KEY}.default-profile names no configured profile")
    release_prefix = root.text("release-branch-prefix", RELEASE_PREFIX)
    if not release_prefix.endswith("/"):
        raise ConfigError(f"{ROOT_KEY}.release-branch-prefix must end with /")
    backends = {name: _backend(name, t) for name, t in root.children("backends").items()}
    if images.latest_backend not in backends:
        raise ConfigError(f"{ROOT_KEY}.images.latest-backend names no configured backend")
    packages = {name: _package(name, t) for name, t in root.children("packages").items()}
    config = Config(
        slug=slug,
        default_branch=root.text("default-branch", "main"),
        bot=bot,
        images=images,
        profiles=profiles,
        backends=backends,
        packages=packages,
        default_profile=default_profile,
        release_prefix=release_prefix,
    )
    root.done()
    return config
