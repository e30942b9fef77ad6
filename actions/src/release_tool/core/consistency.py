"""Offline consistency of the configuration, the profiles and their locks. Pure.

A *problem* makes ``check`` fail; *information* is what is normal in a living
repository (pins lagging behind packages/*, a profile not locked yet, a package not
in a profile yet) and is only reported.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from packaging.version import Version

from release_tool.core import toml_shape
from release_tool.core.config import Config
from release_tool.core.profile_state import NOT_LOCKED, ProfileState, lock_disagreements
from release_tool.core.pyproject_edit import GitPin
from release_tool.core.versions import is_prerelease, parse_tag
from release_tool.errors import InputRejected


@dataclass(frozen=True)
class Finding:
    problem: bool  # False: information
    message: str


def _problem(message: str) -> Finding:
    return Finding(True, message)


def _info(message: str) -> Finding:
    return Finding(False, message)


def _check_pin(
    config: Config, env: str, name: str, pin: GitPin, *, listed: bool, current: Version | None
) -> list[Finding]:
    package = config.packages[name]
    found: list[Finding] = []
    if not listed:
        found.append(_problem(f"{env}: {name} has a git source but is not a dependency"))
    if pin.url != package.url:
        found.append(
            _problem(
                f"{env}: {name} comes from {pin.url}, not its configured repository {package.url}"
            )
        )
    try:
        tag_version = parse_tag(pin.tag)
    except InputRejected as exc:
        return [*found, _problem(f"{env}: {name}: {exc}")]
    if is_prerelease(tag_version) and not config.profile(env).allow_prerelease:
        found.append(_problem(f"{env}: {name} is pinned to the pre-release {pin.tag}"))
    if current is not None and tag_version < current:
        found.append(_info(f"{env}: pins {name} {pin.tag}; {package.directory} has {current}"))
    return found


def _check_lock(config: Config, state: ProfileState) -> list[Finding]:
    env = state.env
    if state.lock is None:
        return [_info(f"{env}: {state.directory}/uv.lock {NOT_LOCKED}")]
    found = [_problem(f"{env}: {d}") for d in lock_disagreements(state)]
    for name, package in config.packages.items():
        for entry in state.lock.named(name):
            if entry.source_kind != "git" or entry.git_url != package.url:
                found.append(
                    _problem(
                        f"{env}: internal package {name} is locked from "
                        f"{entry.source_kind} {entry.source}"
                    )
                )
    return found


def check_profile(
    config: Config, state: ProfileState, versions: Mapping[str, Version | None]
) -> list[Finding]:
    """Sources against the config, tags, lag behind packages/*, lock against pyproject.
    ``versions``: package -> the version its directory declares (None: unreadable)."""
    env = state.env
    found: list[Finding] = []
    pins = state.pins
    for name, package in config.packages.items():
        pin = pins.pins.get(name)
        other = pins.other_sources.get(name)
        listed = name in pins.dependencies
        if other is not None:
            found.append(
                _problem(
                    f"{env}: {name}'s source is {other!r}, not "
                    f'{{ git = "{package.url}", tag = ... }}'
                )
            )
            continue
        if pin is None:
            if listed:
                found.append(
                    _problem(
                        f"{env}: {name} is a dependency without its git source; uv would take "
                        "a same-named package from PyPI"
                    )
                )
            else:
                found.append(_info(f"{env}: {name} is not in the profile yet"))
            continue
        found += _check_pin(config, env, name, pin, listed=listed, current=versions.get(name))
    found += _check_lock(config, state)
    for name in pins.pins:
        if name not in config.packages:
            found.append(_info(f"{env}: {name} is pinned to git but is not a configured package"))
    return found


def required_uv(pyproject: str, file: str = "pyproject.toml") -> str | None:
    """``[tool.uv] required-version`` of a pyproject (None: unset or not TOML)."""
    try:
        doc = toml_shape.parse(pyproject, file)
    except toml_shape.ShapeError:
        return None
    return doc.table("tool").table("uv").optional_text("required-version")


def check_uv_pins(pins: Mapping[str, str | None]) -> list[Finding]:
    """Every file's ``required-version`` equal (``pins``: file -> its value)."""
    values = {v for v in pins.values() if v is not None}
    found = [
        _problem(f"{path} sets no [tool.uv] required-version")
        for path, v in pins.items()
        if v is None
    ]
    if len(values) > 1:
        shown = ", ".join(f"{path}: {v}" for path, v in pins.items())
        found.append(_problem(f"the uv version pins differ ({shown})"))
    return found


def check_remote(
    state: ProfileState, config: Config, remote: Mapping[str, Mapping[str, str] | str]
) -> list[Finding]:
    """Each locked internal commit against the commit its tag names in the repository.
    ``remote``: URL -> tag -> commit, or the reason the repository was not reachable."""
    found: list[Finding] = []
    for name, pin in sorted(state.pins.pins.items()):
        if name not in config.packages:
            continue
        commit = state.locked_commit(name)
        if commit is None:
            continue
        tags = remote.get(pin.url)
        if isinstance(tags, str) or tags is None:
            found.append(_problem(f"{state.env}: cannot check {name}: {tags or 'not read'}"))
        elif pin.tag not in tags:
            found.append(_problem(f"{state.env}: {name}'s tag {pin.tag} is not in {pin.url}"))
        elif tags[pin.tag] != commit:
            found.append(
                _problem(
                    f"{state.env}: {state.directory}/uv.lock locks {name} {pin.tag} at "
                    f"{commit[:12]}, but the tag names {tags[pin.tag][:12]} in {pin.url}"
                )
            )
    return found
