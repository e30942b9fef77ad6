"""What every command needs: input files, progress lines, where its report goes."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, Protocol, TextIO

from release_tool.errors import InputRejected, OperationalError

MAX_INPUT_BYTES = 64 * 1024 * 1024  # any input file past this is not one of ours


def read_input(path: str, limit: int = MAX_INPUT_BYTES) -> str:
    """A file's text, or standard input for ``-``, refused past ``limit`` bytes.

    Reading stops one byte past the limit, so ``/dev/zero`` or an endless pipe is
    refused without being read into memory.
    """
    name = "standard input" if path == "-" else path
    try:
        if path == "-":
            stream = getattr(sys.stdin, "buffer", None)  # a test's replacement may lack one
            data = (
                stream.read(limit + 1)
                if stream is not None
                else sys.stdin.read(limit + 1).encode("utf-8")
            )
        else:
            with Path(path).open("rb") as stream:
                data = stream.read(limit + 1)
    except OSError as exc:
        raise OperationalError(f"cannot read {name}: {exc.strerror}") from None
    if len(data) > limit:
        raise InputRejected(f"{name} is longer than {limit} bytes; refused unread")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise InputRejected(f"{name} is not UTF-8 text") from None


def say(message: str) -> None:
    """A progress line on stderr (stdout is kept for results)."""
    print(f"release-tool: {message}", file=sys.stderr, flush=True)


class JsonResult(Protocol):
    def as_json(self) -> dict[str, Any]: ...


def report_stream(args: argparse.Namespace) -> TextIO:
    """Where a command's human report goes: stderr under ``--json`` (stdout holds the JSON)."""
    return sys.stderr if args.json else sys.stdout


def print_result(args: argparse.Namespace, result: JsonResult | None) -> int:
    """Print ``result`` as JSON on stdout when ``--json`` asks for it; exit 0."""
    if args.json and result is not None:
        print(json.dumps(result.as_json()))
    return 0
