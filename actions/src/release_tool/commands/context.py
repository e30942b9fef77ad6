"""What every command needs: input files, progress lines."""

from __future__ import annotations

import sys
from pathlib import Path

from release_tool.errors import InputRejected, OperationalError


def read_input(path: str) -> str:
    """A file's text, or standard input for ``-``."""
    if path == "-":
        return sys.stdin.read()
    try:
        return Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputRejected(f"{path} is not UTF-8 text") from None
    except OSError as exc:
        raise OperationalError(f"cannot read {path}: {exc.strerror}") from None


def say(message: str) -> None:
    """A progress line on stderr (stdout is kept for results)."""
    print(f"release-tool: {message}", file=sys.stderr, flush=True)
