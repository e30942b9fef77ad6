"""A Python marked externally managed (PEP 668), as Debian 12 and recent Ubuntu ship it.

The system ``python3`` is used when it carries the ``EXTERNALLY-MANAGED`` marker in its
stdlib directory (what pip checks). Otherwise a copy of the running interpreter's
installation (its executable, its stdlib without site-packages and tests, its shared
library) is made under a temporary directory and the marker is written there, so the
real interpreter is never touched.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

MARKER = "EXTERNALLY-MANAGED"
_MARKER_TEXT = "[externally-managed]\nError=This Python is managed by the system; use a venv.\n"
_STDLIB = "import sysconfig; print(sysconfig.get_path('stdlib'))"


def _stdlib(python: Path) -> Path:
    out = subprocess.run([str(python), "-c", _STDLIB], capture_output=True, text=True, check=True)
    return Path(out.stdout.strip())


def _usable(python: Path) -> bool:
    if not python.is_file():
        return False
    done = subprocess.run(
        [str(python), "-c", "import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 11))"],
        capture_output=True,
        check=False,
    )
    return done.returncode == 0 and (_stdlib(python) / MARKER).is_file()


def _copy(dest: Path) -> Path:
    base = Path(sys.base_prefix)
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    (dest / "bin").mkdir(parents=True)
    shutil.copy2(Path(sys.base_prefix) / "bin" / version, dest / "bin" / version)
    (dest / "bin" / "python3").symlink_to(version)
    shutil.copytree(
        Path(sysconfig.get_path("stdlib")),
        dest / "lib" / version,
        symlinks=True,
        ignore=shutil.ignore_patterns("site-packages", "test", "__pycache__", "idlelib"),
    )
    (dest / "lib" / version / "site-packages").mkdir()
    for library in (base / "lib").glob("libpython3*"):
        shutil.copy2(library, dest / "lib" / library.name, follow_symlinks=False)
    python = dest / "bin" / "python3"
    stdlib = _stdlib(python)
    if not stdlib.is_relative_to(dest):
        raise RuntimeError(f"the copied Python at {dest} still uses the stdlib at {stdlib}")
    (stdlib / MARKER).write_text(_MARKER_TEXT, encoding="utf-8")
    return python


def externally_managed_python(workdir: Path, *, system: str | None = "/usr/bin/python3") -> Path:
    """A ``python3`` (>= 3.11, with venv and ensurepip) that PEP 668 marks as managed."""
    if system is not None and _usable(Path(system)):
        return Path(system)
    python = _copy(workdir / "marked-python")
    if not _usable(python):
        raise RuntimeError(f"{python} is not an externally managed Python with venv")
    return python
