"""Version bumps: the next version, the refusals, and the one-file rewrite.

Versions are PEP 440 (``packaging``): ``0.2.1.dev0 < 0.2.1rc1 < 0.2.1``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, get_args

import tomlkit
from packaging.version import Version

from release_tool.core import toml_shape
from release_tool.errors import InputRejected

BumpPart = Literal["patch", "minor", "major", "dev"]
PARTS: tuple[BumpPart, ...] = get_args(BumpPart)


def parse_version(text: str, what: str) -> Version:
    """A PEP 440 version (a leading ``v`` accepted), or InputRejected naming ``what``."""
    try:
        return Version(text.strip().removeprefix("v"))
    except ValueError:  # InvalidVersion, or an integer past 4300 digits
        raise InputRejected(f"{what} {text!r} is not a PEP 440 version (e.g. 0.2.1)") from None


def release_versions(tag_names: Iterable[str]) -> list[Version]:
    """The versions among a repository's tags, lowest first; other tags are ignored."""
    found: set[Version] = set()
    for name in tag_names:
        try:
            found.add(Version(name.removeprefix("v")))
        except ValueError:  # InvalidVersion, or an integer past 4300 digits
            continue
    return sorted(found)


def _release(version: Version, length: int = 3) -> tuple[int, ...]:
    parts = version.release + (0,) * length
    return parts[:length]


def next_version(base: Version, part: str) -> Version:
    """The version after ``base`` for ``part`` (patch | minor | major | dev).

    A pre-release or dev ``base`` is finished by the smallest part that covers it
    (``0.3.0.dev2`` + minor = ``0.3.0``); ``dev`` counts dev releases up
    (``0.2.0`` + dev = ``0.2.1.dev0``, ``0.2.1.dev0`` + dev = ``0.2.1.dev1``).
    """
    major, minor, patch = _release(base)
    unfinished = base.is_prerelease
    if part == "patch":
        result = f"{major}.{minor}.{patch}" if unfinished else f"{major}.{minor}.{patch + 1}"
    elif part == "minor":
        done = unfinished and patch == 0
        result = f"{major}.{minor}.0" if done else f"{major}.{minor + 1}.0"
    elif part == "major":
        done = unfinished and minor == 0 and patch == 0
        result = f"{major}.0.0" if done else f"{major + 1}.0.0"
    elif part == "dev":
        if base.dev is not None:
            result = _with_dev(base, base.dev + 1)
        elif base.pre is not None:
            letter, number = base.pre
            result = f"{major}.{minor}.{patch}{letter}{number + 1}.dev0"
        else:
            result = f"{major}.{minor}.{patch + 1}.dev0"
    else:
        raise InputRejected(f"unknown bump {part!r}; choose one of {', '.join(PARTS)}")
    return Version(result)


def _with_dev(version: Version, dev: int) -> str:
    text = str(version)
    return text[: text.rindex(".dev")] + f".dev{dev}"


@dataclass(frozen=True)
class BumpTarget:
    package: str
    current: Version  # the version in the package's pyproject on the base branch
    last_release: Version | None  # the highest version tag in the package repository
    new: Version


def choose_version(
    package: str,
    current: Version,
    last_release: Version | None,
    *,
    version: str | None = None,
    part: str | None = None,
) -> BumpTarget:
    """The bump to make, or InputRejected when it would not move the package forward."""
    if (version is None) == (part is None):
        raise InputRejected("give exactly one of --version V and --bump patch|minor|major|dev")
    if part is not None:
        new = next_version(last_release if last_release is not None else current, part)
    else:
        new = parse_version(str(version), "--version")
    if last_release is not None and new <= last_release:
        raise InputRejected(
            f"{package} {new} is not greater than its last release {last_release}; "
            "choose a higher version"
        )
    if new == current:
        raise InputRejected(
            f"{package} is already at {current} on the default branch; "
            "publish it, or choose a higher version"
        )
    if new < current:
        raise InputRejected(
            f"{package} {new} is lower than {current}, the version already on the default "
            "branch; choose a version above it"
        )
    return BumpTarget(package, current, last_release, new)


def read_project_version(pyproject_text: str, where: str) -> Version:
    """``[project] version`` of a pyproject, or InputRejected naming ``where``."""
    try:
        text = toml_shape.parse(pyproject_text, where).table("project").text("version")
    except toml_shape.ShapeError as exc:
        raise InputRejected(f"{where} has no readable [project] version ({exc})") from None
    return parse_version(text, f"the version in {where}")


def set_project_version(pyproject_text: str, version: Version) -> str:
    """The pyproject text with ``[project] version`` set; comments and layout kept."""
    doc = tomlkit.parse(pyproject_text)
    doc["project"]["version"] = str(version)
    return tomlkit.dumps(doc)


def bump_branch(package: str, version: Version) -> str:
    return f"bump/{package}-{version}"


def commit_message(target: BumpTarget) -> str:
    since = f"last release {target.last_release}" if target.last_release else "no release yet"
    return (
        f"chore(release): bump {target.package} to {target.new}\n\n"
        f"Sets the version of {target.package} from {target.current} to {target.new} "
        f"({since}) and re-locks the workspace.\n"
        "Publish it after merge with `release-tool publish`.\n"
    )
