"""SIGTERM handled like Ctrl-C, for the tool's own process.

A terminal's Ctrl-C reaches the whole process group, so a running git or uv child
stops by itself. SIGTERM (CI cancellation, ``timeout``) reaches only this process:
:func:`terminating` turns it into :class:`Terminated`, raised where the main thread
is, so every ``finally`` and context manager cleans up on the way out, and the one
subprocess helper forwards the signal to its child before re-raising (see
:mod:`release_tool.adapters.process`). The boundary prints one line and exits 143.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType

EXIT_CODE = 143  # 128 + SIGTERM, what shells report for a process it ended


class Terminated(BaseException):
    """SIGTERM arrived; unwinds like KeyboardInterrupt (not caught by ``except Exception``)."""


class _State:
    fired = False  # a second SIGTERM during clean-up is ignored: let the clean-up finish
    deferring = 0
    pending = False


def _handler(signum: int, frame: FrameType | None) -> None:
    del signum, frame
    if _State.fired:
        return
    _State.fired = True
    if _State.deferring:
        _State.pending = True
        return
    raise Terminated


@contextlib.contextmanager
def terminating() -> Iterator[None]:
    """Within this block SIGTERM raises :class:`Terminated` (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _handler)
    _State.fired = _State.pending = False
    _State.deferring = 0
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """Clean-up that a SIGTERM must not cut short: the signal takes effect after it."""
    _State.deferring += 1
    try:
        yield
    finally:
        _State.deferring -= 1
        if not _State.deferring and _State.pending:
            _State.pending = False
            raise Terminated
