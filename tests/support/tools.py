"""Run real uv and read its results in tests."""

from __future__ import annotations

import os
import shutil
import subprocess
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any


def uv_binary() -> str:
    found = os.environ.get("UV") or shutil.which("uv")
    if not found:
        raise RuntimeError("uv is not on PATH; run the tests through scripts/test or `uv run`")
    return found


def run_uv(
    *args: str, cwd: Path, env: Mapping[str, str], check: bool = True
) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [uv_binary(), *args], cwd=cwd, env=dict(env), capture_output=True, text=True, check=False
    )
    if check and done.returncode:
        raise AssertionError(f"uv {' '.join(args)} failed ({done.returncode}):\n{done.stderr}")
    return done


def read_lock(path: Path) -> dict[str, dict[str, Any]]:
    """Lock packages by name (the last entry wins for names locked twice, e.g. torch)."""
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    return {pkg["name"]: pkg for pkg in data.get("package", [])}


def lock_entries(path: Path, name: str) -> list[dict[str, Any]]:
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    return [pkg for pkg in data.get("package", []) if pkg["name"] == name]
