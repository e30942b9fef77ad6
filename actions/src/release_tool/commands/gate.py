"""Decide the GPU gate: the one required check of a pull request.

  release-tool gate --matrix matrix.json --results gpu-results/ [--fork true|false]
                    [--commit SHA] [--report gpu-report.md]

Reads the list `release-tool matrix` printed and every GPU result file under
--results (searched recursively, as actions/download-artifact lays them out).
Passes when the matrix is empty; otherwise only when each entry has exactly one
result, from the commit under test (default: HEAD), made with that commit's
<profile>/uv.lock, fresh, and successful. Each failure is one sentence; a failed
gate is an operational failure. --fork true fails a non-empty matrix: the
self-hosted jobs never run a fork's code. --report writes the sticky PR comment (Markdown), and
in GitHub Actions the same report goes to the job summary.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from collections.abc import Mapping
from pathlib import Path

from release_tool.adapters.git_changes import resolve_commit
from release_tool.commands.options import add_repo_option
from release_tool.core.gate import decide
from release_tool.core.gpu_report import render_report
from release_tool.core.gpu_result import GpuResult, parse_result
from release_tool.core.matrix import parse_matrix
from release_tool.errors import InputRejected, OperationalError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--matrix", type=Path, required=True, help="the JSON `matrix` printed")
    parser.add_argument(
        "--results", type=Path, required=True, help="folder holding the GPU result files"
    )
    parser.add_argument(
        "--fork",
        choices=("true", "false"),
        default="false",
        help="whether the pull request comes from a fork (default: false)",
    )
    parser.add_argument("--commit", metavar="SHA", help="the commit under test (default: HEAD)")
    add_repo_option(parser)
    parser.add_argument("--report", type=Path, help="write the PR comment (Markdown) here")
    parser.add_argument("--run-url", help="link to the workflow run, shown in the report")


def read_results(folder: Path) -> tuple[list[GpuResult], list[str]]:
    """Every result file under ``folder``, and a sentence for each unreadable one."""
    results: list[GpuResult] = []
    unreadable: list[str] = []
    if not folder.is_dir():
        return results, unreadable
    for path in sorted(folder.rglob("*.json")):
        try:
            results.append(parse_result(path.read_text(encoding="utf-8"), str(path)))
        except (InputRejected, UnicodeDecodeError) as exc:
            unreadable.append(f"unreadable result file: {exc}")
    return results, unreadable


def lock_sha256(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None


def run(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    try:
        matrix_text = args.matrix.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputRejected(f"cannot read the matrix file {args.matrix}: {exc.strerror}") from None
    entries = parse_matrix(matrix_text, str(args.matrix))
    root: Path = args.repo
    commit = resolve_commit(root, args.commit or "HEAD", env)
    results, unreadable = read_results(args.results)
    hashes = {e.directory: lock_sha256(root / e.directory / "uv.lock") for e in entries}
    decision = decide(
        entries,
        results,
        commit=commit,
        lock_hashes=hashes,
        fork=args.fork == "true",
        unreadable=unreadable,
    )
    report = render_report(decision, args.run_url)
    if args.report:
        args.report.write_text(report, encoding="utf-8")
    summary = env.get("GITHUB_STEP_SUMMARY")
    if summary:
        with Path(summary).open("a", encoding="utf-8") as fh:
            fh.write(report)
    if decision.passed:
        print(f"GPU gate passed: {len(entries)} job(s) at {commit[:12]}", file=sys.stderr)
        return 0
    for reason in decision.reasons:
        print(f"- {reason}", file=sys.stderr)
    raise OperationalError(f"the GPU gate failed at {commit[:12]} for the reasons above")
