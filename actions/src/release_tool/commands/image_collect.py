"""Collect the image records of a publish run, check them, and (with --tag) move the tags.

  release-tool image-collect records --expect "$MATRIX"          the collect job
  release-tool image-collect smoked --expect "$MATRIX" --tag --require-all
                                                                 the tag job

DIR holds `smoke-<variant>.json` files side by side, as download-artifact with
merge-multiple leaves them (for one artifact as for several). Each is checked; the
list (sorted by variant) is printed as JSON and, in GitHub Actions, written as the step
output `images`, the variants of --expect without a record as `missing`. No record at
all, or a file that is empty or not a record, fails with one sentence. --tag moves each
record's tags onto its digest (`docker buildx imagetools create`), one variant after the
other; --require-all then fails if a variant of --expect had no record (its build or
smoke failed), after every other variant was tagged.
Exit codes: 0 done, 1 nothing collected / a variant missing with --require-all / a tag
command failed, 2 a malformed record or matrix, 3 bug, 130 interrupted.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from release_tool.adapters import process
from release_tool.adapters.actions_io import write_step_outputs
from release_tool.commands.options import add_repo_option
from release_tool.core import image_publication as publication
from release_tool.core.json_text import parse_json
from release_tool.errors import InputRejected, OperationalError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dir", type=Path, help="the directory the records were downloaded to")
    parser.add_argument(
        "--expect", default="[]", help="the build matrix (image-matrix's JSON list)"
    )
    parser.add_argument("--tag", action="store_true", help="move each record's tags")
    parser.add_argument(
        "--require-all",
        action="store_true",
        help="fail when a variant of --expect has no record (after tagging the others)",
    )
    add_repo_option(parser)


def read_records(directory: Path) -> list[dict[str, Any]]:
    """Every ``smoke-*.json`` directly in ``directory``, checked, sorted by variant."""
    files = (
        sorted(directory.glob(f"{publication.RECORD_PREFIX}*.json")) if directory.is_dir() else []
    )
    if not files:
        nested = sorted(directory.glob(f"*/{publication.RECORD_PREFIX}*.json"))
        hint = (
            f" (records found one level down, e.g. {nested[0].relative_to(directory)}: download "
            "with merge-multiple: true)"
            if nested
            else ""
        )
        raise OperationalError(f"no image record in {directory}{hint}")
    records = []
    for path in files:
        text = path.read_text(encoding="utf-8")
        if not text.strip():
            raise InputRejected(f"{path} is empty")
        data = parse_json(text, str(path))
        records.append(publication.check_record(data, file=path.name))
    return records


def _expected(text: str) -> list[str]:
    matrix = parse_json(text, "--expect")
    if not isinstance(matrix, list) or not all(isinstance(e, dict) and "name" in e for e in matrix):
        raise InputRejected("--expect must be image-matrix's list of entries")
    return [str(e["name"]) for e in matrix]


def run(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    expected = _expected(args.expect)
    records = read_records(args.dir)
    names = [r["name"] for r in records]
    unexpected = sorted(set(names) - set(expected)) if expected else []
    if unexpected:
        raise InputRejected(f"records of variants the matrix does not name: {unexpected}")
    missing = [name for name in expected if name not in names]
    text = publication.dump(records)
    print(text)
    write_step_outputs(
        env, {"images": text, "missing": publication.dump([{"name": n} for n in missing])}
    )
    for name in missing:
        print(f"release-tool: {name}: no record (its build or smoke did not pass)", file=sys.stderr)
    failed = []
    if args.tag:
        # One variant's failure does not keep the others' tags from moving.
        for record in records:
            try:
                process.run(
                    publication.tag_commands(record), env=env, what=f"tagging {record['name']}"
                )
            except OperationalError as exc:
                print(f"release-tool: {exc}", file=sys.stderr)
                failed.append(record["name"])
    if failed:
        raise OperationalError(f"moving the tags failed for {', '.join(failed)}")
    if missing and args.require_all:
        raise OperationalError(
            f"{len(missing)} image variant(s) not published: {', '.join(missing)}; "
            f"{len(records)} other(s) were" + (" tagged" if args.tag else " collected")
        )
    return 0
