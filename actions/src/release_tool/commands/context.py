"""What every command needs: input files, progress lines, where its report goes."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, Protocol, TextIO

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
