"""Write the result file of one GPU job (the artifact `release-tool gate` reads).

  release-tool gpu-result --entry "$MATRIX_ENTRY" --output result.json \\
      --lock-check success --sync success --smoke success --smoke-output smoke.jsonl \\
      --junit gpu-tests.xml [--started EPOCH] [--run-url URL] [--commit SHA]

--entry is the job's matrix entry as JSON (`toJSON(matrix)`); the outcomes are
the steps' outcomes (success, failure, cancelled, skipped). torch, CUDA and the
GPU name come from the JSON line `vlmhb smoke` printed, the test counts from
pytest's JUnit report; a missing file means that step never ran. The lock's
sha256 is read from <directory>/uv.lock under --root. Always exits 0 when the
file was written: the gate, not this step, decides.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections.abc import Mapping
from pathlib import Path

from release_tool.adapters.git_changes import resolve_commit
from release_tool.commands.options import add_repo_option
from release_tool.core.gpu_result import build_result
from release_tool.core.matrix import parse_matrix

OUTCOMES = ("success", "failure", "cancelled", "skipped")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--entry", required=True, help="the matrix entry of this job (JSON)")
    parser.add_argument("--output", type=Path, required=True, help="where to write the result")
    for name, what in (
        ("lock-check", "uv lock --check"),
        ("sync", "uv sync --locked"),
        ("smoke", "vlmhb smoke"),
    ):
        parser.add_argument(
            f"--{name}", choices=OUTCOMES, default="skipped", help=f"outcome of {what}"
        )
    parser.add_argument("--smoke-output", type=Path, help="what vlmhb smoke printed")
    parser.add_argument("--junit", type=Path, help="pytest --junitxml report of tests/gpu")
    parser.add_argument("--started", type=float, help="job start, seconds since the epoch")
    parser.add_argument("--run-url", help="link to this workflow run")
    parser.add_argument("--commit", metavar="SHA", help="the commit tested (default: HEAD)")
    add_repo_option(parser)


def _read(path: Path | None) -> str:
    if path is None or not path.is_file():
        return ""
    return path.read_text(encoding="utf-8", errors="replace")


def run(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    (entry,) = parse_matrix(f"[{args.entry}]", "--entry")
    root: Path = args.repo
    lock = root / entry.directory / "uv.lock"
    result = build_result(
        entry,
        commit=resolve_commit(root, args.commit or "HEAD", env),
        lock_sha256=hashlib.sha256(lock.read_bytes()).hexdigest() if lock.is_file() else None,
        lock_fresh=args.lock_check == "success",
        synced=args.sync == "success",
        smoke_outcome=args.smoke,
        smoke_output=_read(args.smoke_output),
        junit=_read(args.junit),
        job_seconds=time.time() - args.started if args.started else None,
        run_url=args.run_url or None,
    )
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result.to_json(), indent=2) + "\n", encoding="utf-8")
    state = "passed" if result.success else "failed: " + "; ".join(result.problems)
    print(f"{entry.profile}/{entry.backend} {state} (result in {args.output})", file=sys.stderr)
    return 0
