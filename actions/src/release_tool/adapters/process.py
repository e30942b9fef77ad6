"""The one subprocess helper: echoes the command, keeps its output on failure.

Secrets never reach the echo or an error message: every value given in
``secrets`` (and every token-looking environment value passed in) is masked.
"""

from __future__ import annotations

import contextlib
import enum
import shlex
import signal
import subprocess
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO, TypeAlias

from release_tool.errors import OperationalError

MASK = "***"
STOP_GRACE_SECONDS = 10.0  # how long a signalled child may take to exit before it is killed


def redact(text: str, secrets: Iterable[str]) -> str:
    """Replace every non-empty secret in ``text`` with ``***``."""
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        text = text.replace(secret, MASK)
    return text


class _Stderr(enum.Enum):
    CURRENT = "the process's stderr at call time"


# The echo default everywhere: sys.stderr looked up per call, since a stream bound as a
# default at import outlives a redirect (pytest's capture, contextlib.redirect_stderr).
STDERR = _Stderr.CURRENT
Echo: TypeAlias = TextIO | _Stderr | None


class CommandFailed(OperationalError):
    """A command exited non-zero; ``detail`` is its own (redacted) message."""

    def __init__(self, what: str, returncode: int, detail: str) -> None:
        super().__init__(f"{what} failed (exit {returncode}): {detail or 'no output'}")
        self.returncode = returncode
        self.detail = detail


@dataclass(frozen=True)
class Result:
    argv: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str


def run(
    argv: Sequence[str],
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    what: str | None = None,
    check: bool = True,
    secrets: Iterable[str] = (),
    echo: Echo = STDERR,
    input_text: str | None = None,
) -> Result:
    """Run ``argv`` (never through a shell); on failure raise OperationalError naming ``what``."""
    secrets = tuple(secrets)
    shown = redact(shlex.join(argv), secrets)
    if echo is STDERR:
        echo = sys.stderr
    if echo is not None:
        print(f"$ {shown}", file=echo)
    try:
        child = subprocess.Popen(
            list(argv),
            cwd=cwd,
            env=dict(env) if env is not None else None,
            stdin=subprocess.PIPE if input_text is not None else None,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
    except FileNotFoundError:
        raise OperationalError(f"{argv[0]} is not installed or not on PATH") from None
    with child:
        try:
            stdout, stderr = child.communicate(input_text)
        except BaseException:  # SIGTERM (signals.Terminated), Ctrl-C: stop the child first
            stop(child)
            raise
    result = Result(tuple(argv), child.returncode, stdout, stderr)
    if check and child.returncode:
        detail = redact((stderr.strip() or stdout.strip()), secrets)
        raise CommandFailed(what or shown, child.returncode, detail)
    return result


def stop(child: subprocess.Popen[str], grace: float = STOP_GRACE_SECONDS) -> None:
    """Forward SIGTERM to ``child`` and wait for it, at most ``grace`` seconds, then kill it.

    SIGTERM reaches only the tool's process; git and uv clean up their own lock and
    temporary files when they get it too.
    """
    if child.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        child.send_signal(signal.SIGTERM)
    try:
        child.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            child.kill()
        child.wait()
