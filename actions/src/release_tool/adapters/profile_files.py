"""Read a profile's pyproject and uv.lock: at the base branch head (what a promotion
builds on) or in the working tree (what ``status`` and ``check`` look at)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from packaging.version import Version

from release_tool.adapters.git import Checkout, ls_remote_tags
from release_tool.core.bump import read_project_version
from release_tool.core.config import Config
from release_tool.core.profile_state import ProfileState, read_profile_state
from release_tool.errors import InputRejected, OperationalError


def base_files(
    checkout: Checkout, config: Config, profile: str, base: str
) -> tuple[str, str | None]:
    """The ``profile``'s pyproject and uv.lock texts at commit ``base`` (no lock: None)."""
    directory = config.profile(profile).directory
    pyproject = checkout.read_file(base, f"{directory}/pyproject.toml")
    if pyproject is None:
        raise OperationalError(
            f"{directory}/pyproject.toml does not exist on {config.default_branch}"
        )
    return pyproject, checkout.read_file(base, f"{directory}/uv.lock")


def base_state(checkout: Checkout, config: Config, profile: str, base: str) -> ProfileState:
    """The ``profile`` at commit ``base``."""
    pyproject, lock = base_files(checkout, config, profile, base)
    return read_profile_state(profile, config.profile(profile).directory, pyproject, lock)


def tree_state(root: Path, config: Config, profile: str) -> ProfileState:
    """The ``profile`` as the files under ``root`` hold it."""
    directory_name = config.profile(profile).directory
    pyproject = read_text(root, f"{directory_name}/pyproject.toml")
    lock_path = root / directory_name / "uv.lock"
    lock = read_text(root, f"{directory_name}/uv.lock") if lock_path.exists() else None
    return read_profile_state(profile, directory_name, pyproject, lock)


def read_text(root: Path, relative: str) -> str:
    """A project file's text: exit 1 when it cannot be read, 2 when it is not UTF-8."""
    try:
        return (root / relative).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputRejected(f"{relative} is not UTF-8 text") from None
    except OSError as exc:
        raise OperationalError(f"cannot read {relative}: {exc.strerror}") from None


def package_versions(root: Path, config: Config) -> dict[str, Version | None]:
    """package -> the version ``packages/<dir>/pyproject.toml`` declares (None: unreadable)."""
    versions: dict[str, Version | None] = {}
    for name, package in config.packages.items():
        path = root / package.directory / "pyproject.toml"
        try:
            versions[name] = read_project_version(path.read_text(encoding="utf-8"), str(path))
        except (OSError, InputRejected):
            versions[name] = None
    return versions


def remote_tags(
    states: list[ProfileState], env: Mapping[str, str]
) -> dict[str, dict[str, str] | str]:
    """URL -> its tags, or why it could not be read; each repository asked once."""
    found: dict[str, dict[str, str] | str] = {}
    for state in states:
        for pin in state.pins.pins.values():
            if pin.url in found:
                continue
            try:
                found[pin.url] = ls_remote_tags(pin.url, env)
            except OperationalError as exc:
                found[pin.url] = str(exc)
    return found
