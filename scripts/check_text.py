"""Text hygiene checks for pre-commit: trailing whitespace, final newline, TOML syntax.

Usage: check_text.py (--trailing-whitespace | --end-of-file | --toml) FILE...
Exits 1 and names each offending file and line; changes nothing.
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from collections.abc import Sequence
from pathlib import Path


def problems(path: Path, check: str) -> list[str]:
    data = path.read_bytes()
    if check == "toml":
        try:
            tomllib.loads(data.decode("utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            return [f"{path}: invalid TOML: {exc}"]
        return []
    if check == "end_of_file":
        if data and not data.endswith(b"\n"):
            return [f"{path}: no newline at end of file"]
        if data.endswith(b"\n\n"):
            return [f"{path}: blank lines at end of file"]
        return []
    return [
        f"{path}:{number}: trailing whitespace"
        for number, line in enumerate(data.splitlines(), start=1)
        if line != line.rstrip()
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument(
        "--trailing-whitespace", action="store_const", const="trailing", dest="check"
    )
    group.add_argument("--end-of-file", action="store_const", const="end_of_file", dest="check")
    group.add_argument("--toml", action="store_const", const="toml", dest="check")
    parser.add_argument("files", nargs="*", type=Path)
    args = parser.parse_args(argv)
    found = [p for f in args.files for p in problems(f, args.check)]
    for line in found:
        print(line, file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
