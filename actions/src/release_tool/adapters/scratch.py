"""The tool's temporary directories: owned by a live run, removed when their run is gone.

Each directory (``release-tool-wt-*`` for a throwaway worktree, ``release-tool-tags-*``
for the tag store) holds an ``owner`` file that its run keeps ``flock``-ed for as long
as the directory is in use. The kernel drops the lock when the process ends, however
it ends (SIGKILL included), so at start a run removes exactly the directories whose
owner is gone and never one of a concurrent live run. The pid in the file is for
people reading it.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import tempfile
import time
from pathlib import Path

PREFIXES = ("release-tool-wt-", "release-tool-tags-")
OWNER = "owner"
# a directory with no owner file yet is being created, or was left by a run that
# recorded none; only one this old is taken for abandoned
UNOWNED_GRACE_SECONDS = 600.0
REMOVE_TRIES = 5


class Scratch:
    """A temporary directory held by this process until :meth:`remove`."""

    def __init__(self, prefix: str) -> None:
        if prefix not in PREFIXES:
            raise ValueError(prefix)
        self.path = Path(tempfile.mkdtemp(prefix=prefix))
        _LIVE.add(self)
        try:
            # locked under another name first, so no other run ever sees an unlocked owner
            draft = self.path / f"{OWNER}.new"
            self._owner = os.open(draft, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            fcntl.flock(self._owner, fcntl.LOCK_EX | fcntl.LOCK_NB)
            os.write(self._owner, f"{os.getpid()}\n".encode())
            draft.rename(self.path / OWNER)
        except BaseException:
            shutil.rmtree(self.path, ignore_errors=True)
            _LIVE.discard(self)
            raise

    def remove(self) -> None:
        # a child stopped by a signal may still be finishing a write in the directory:
        # a few tries, not one
        for _ in range(REMOVE_TRIES):
            shutil.rmtree(self.path, ignore_errors=True)
            if not self.path.exists():
                break
            time.sleep(0.1)
        _LIVE.discard(self)
        with contextlib.suppress(OSError, AttributeError):
            os.close(self._owner)


# The directories this process holds now: a signal that lands between creating one and
# entering the block that removes it would leak it, so the CLI's boundary removes
# whatever is still here when a command ends (remove_live).
_LIVE: set[Scratch] = set()


def remove_live() -> None:
    """Remove every directory this process still holds (the end of a command)."""
    for held in list(_LIVE):
        held.remove()


def _abandoned(directory: Path, now: float) -> bool:
    try:
        fd = os.open(directory / OWNER, os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        try:
            return now - directory.stat().st_mtime > UNOWNED_GRACE_SECONDS
        except OSError:
            return False
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return False  # a live run holds it
    finally:
        os.close(fd)  # also drops the probe's lock
    return True


def remove_abandoned(root: Path | None = None) -> list[Path]:
    """Remove the tool's temporary directories whose run is gone; return them."""
    base = Path(root or tempfile.gettempdir())
    removed = []
    now = time.time()
    try:
        entries = list(base.iterdir())
    except OSError:
        return []
    for entry in entries:
        if not entry.name.startswith(PREFIXES) or entry.is_symlink() or not entry.is_dir():
            continue
        if _abandoned(entry, now):
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
    return removed
