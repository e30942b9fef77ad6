"""uv through the one subprocess helper: lock a profile, export its package sets."""

from __future__ import annotations

import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path

from release_tool.adapters.process import run


def uv_binary(env: Mapping[str, str]) -> str:
    """The uv that runs us (``uv run`` sets ``UV``), else the one on PATH."""
    return env.get("UV") or shutil.which("uv", path=env.get("PATH")) or "uv"


def lock(project: Path, upgrade: Sequence[str], env: Mapping[str, str], *, label: str) -> str:
    """``uv lock`` re-reading ``upgrade`` packages (a moved tag must not survive); uv's stderr."""
    argv = [uv_binary(env), "lock", "--project", str(project)]
    for name in upgrade:
        argv += ["--upgrade-package", name]
    return run(argv, cwd=project, env=env, what=f"uv lock for {label}").stderr


def export(project: Path, extra: str | None, env: Mapping[str, str], *, label: str) -> str:
    """What ``uv export --frozen`` installs for ``extra`` (None: no extra), without hashes."""
    argv = [uv_binary(env), "export", "--frozen", "--project", str(project)]
    argv += ["--no-hashes", "--no-header", "--no-annotate", "--no-emit-project"]
    if extra is not None:
        argv += ["--extra", extra]
    return run(argv, cwd=project, env=env, what=f"uv export for {label}").stdout
