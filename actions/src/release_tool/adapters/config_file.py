"""The project's configuration file: where it is, and what it says."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from release_tool.core.config import Config, load_config
from release_tool.errors import OperationalError

CONFIG_MARKER = "[tool.release-tool]"


def find_project_root(start: Path) -> Path:
    """The nearest directory at or above ``start`` whose pyproject.toml holds the config."""
    for directory in (start.resolve(), *start.resolve().parents):
        candidate = directory / "pyproject.toml"
        if candidate.is_file() and CONFIG_MARKER in candidate.read_text(encoding="utf-8"):
            return directory
    raise OperationalError(
        f"no pyproject.toml with {CONFIG_MARKER} at or above {start}; run in the monorepo"
    )


def read_project_config(root: Path, env: Mapping[str, str]) -> Config:
    """The configuration in ``root/pyproject.toml``."""
    path = root / "pyproject.toml"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise OperationalError(f"cannot read {path}: {exc.strerror}") from None
    return load_config(text, env)


def load_project_config(start: Path, env: Mapping[str, str]) -> tuple[Path, Config]:
    """The project root at or above ``start``, and its configuration."""
    root = find_project_root(start)
    return root, read_project_config(root, env)
