"""Rehearse the whole release flow locally, in a throwaway directory.

  release-tool rehearse                      stand-in torch indexes; the directory is removed
  release-tool rehearse --keep DIR           keep everything in DIR (must be new or empty)
  release-tool rehearse --torch-index real   the real PyTorch indexes (network needed)

It builds bare package repositories holding synthetic copies of the tags the profiles
pin today, a bare clone of this monorepo's HEAD as origin and a working clone whose
GitHub URLs git redirects to those repositories (the monorepo's files are unmodified),
then runs the bootstrap (publish --adopt --all, publish --all at 0.2.0, one batch
promotion into staging, merged), a later single-package release (bump, merge,
publish, promote into staging, merged), staging -> prod (--from-env staging, merged),
a rollback in prod (--allow-downgrade --reason, merged) and check --remote, then
prints a summary: steps, timings, branches, PR titles, lock diffs; the PR bodies are
files under DIR/pull-requests/.

It never pushes or calls any API outside its directory, even in GitHub Actions with a
token set: GitHub variables and tokens are dropped, git may use file:// only, and
dispatches are recorded locally. The stand-in torch wheels raise an ImportError saying
they are rehearsal stand-ins. Needs only PyPI (for the third-party packages).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, TextIO

from rich.console import Console
from rich.table import Table

from release_tool.adapters.config_file import load_project_config
from release_tool.adapters.git import run_git
from release_tool.commands.options import add_json_option, add_repo_option
from release_tool.errors import InputRejected, ReleaseToolError
from release_tool.operations.rehearsal import Rehearsal, Step, dump, now, rehearse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--keep", type=Path, metavar="DIR", help="rehearse in DIR and keep it (new or empty)"
    )
    parser.add_argument(
        "--torch-index",
        choices=("stand-in", "real"),
        default="stand-in",
        help="stand-in (default): local indexes of labelled stand-in wheels; real: PyTorch's",
    )
    add_json_option(parser)
    add_repo_option(parser)


@contextlib.contextmanager
def _directory(keep: Path | None) -> Iterator[Path]:
    if keep is None:
        path = Path(tempfile.mkdtemp(prefix="release-rehearsal-"))
        try:
            yield path
        finally:
            shutil.rmtree(path, ignore_errors=True)
        return
    path = keep.resolve()
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise InputRejected(f"--keep {keep} exists and is not an empty directory; name a new one")
    path.mkdir(parents=True, exist_ok=True)
    yield path


def _timed(console: Console, logs: Path) -> Callable[[Step, Callable[[], None]], None]:
    def timed(step: Step, action: Callable[[], None]) -> None:
        logs.mkdir(parents=True, exist_ok=True)
        log = logs / log_name(len(list(logs.iterdir())) + 1, step.name)
        start = now()
        with (
            console.status(f"[bold]{step.name}[/] …"),
            log.open("w", encoding="utf-8") as out,
            contextlib.redirect_stdout(out),
            contextlib.redirect_stderr(out),
        ):
            try:
                action()
            except ReleaseToolError as exc:
                out.write(f"failed: {exc}\n")
                failed = True
            else:
                failed = False
        step.seconds = now() - start
        if failed:
            console.print(
                f"[red]✗[/] {step.name} ({step.seconds:.1f} s): see {log}", soft_wrap=True
            )
            console.print(log.read_text(encoding="utf-8")[-3000:], highlight=False, markup=False)
            raise _StepFailed(f"the step '{step.name}' failed; its log is {log}")
        detail = f"  {step.branch or ''}  {step.title or step.note}".rstrip()
        console.print(
            f"[green]✓[/] {step.name} [dim]({step.seconds:.1f} s)[/]{detail}",
            highlight=False,
            soft_wrap=True,
        )

    return timed


class _StepFailed(ReleaseToolError):
    exit_code = 1


def log_name(number: int, step: str) -> str:
    """``05-promote-into-staging.log``: the step's words, lower case, joined by single dashes."""
    words = re.sub(r"[^a-z0-9.]+", "-", step.split(" (", maxsplit=1)[0].lower()).strip("-")
    return f"{number:02d}-{words}.log"


def _closing(result: Mapping[str, Any], *, kept: bool) -> list[str]:
    outcomes = result["outcomes"]
    total = sum(s["seconds"] for s in result["steps"])
    lines = [
        f"• staging pins {p['package']} {p['tag']} at {p['commit'][:10]}"
        for p in outcomes["staging_single"]["pins"]
    ]
    lines += [f"• prod took {len(outcomes['prod_from_staging']['pins'])} pins from staging"]
    lines += [
        f"• prod rolled back {p['package']} {p['previous_tag']} → {p['tag']} at {p['commit'][:10]}"
        for p in outcomes["prod_rollback"]["pins"]
    ]
    where = result["directory"]
    if kept:
        lines.append(f"PR bodies: {where}/pull-requests/; logs: {where}/logs/")
        lines.append(f"rehearsed in {total:.1f} s; everything is kept in {where}")
    else:
        lines.append(f"rehearsed in {total:.1f} s; {where} removed (--keep DIR keeps it)")
    return lines


def _plain(stream: TextIO, result: Mapping[str, Any], *, kept: bool) -> None:
    """One block per step, no table and no wrapping: for pipes, logs and CI."""
    print("release rehearsal", file=stream)
    for i, step in enumerate(result["steps"], 1):
        print(f"{i:>2}  {step['name']} ({step['seconds']:.1f} s)", file=stream)
        for label, key in (
            ("branch", "branch"),
            ("PR title", "title"),
            ("lock diff", "lock_diff"),
            ("result", "note"),
        ):
            if step.get(key):
                print(f"      {label + ':':<10} {step[key]}", file=stream)
    for line in _closing(result, kept=kept):
        print(line, file=stream)


def summary(
    stream: TextIO, result: Mapping[str, Any], *, kept: bool, width: int | None = None
) -> None:
    """The summary: a table as wide as the terminal, or plain blocks when not a terminal."""
    if not stream.isatty():
        _plain(stream, result, kept=kept)
        return
    console = Console(file=stream, width=width)
    table = Table(title="release rehearsal", show_lines=True)
    for column in ("#", "step", "s", "branch", "PR title", "lock diff / result"):
        table.add_column(column, overflow="fold")
    for i, step in enumerate(result["steps"], 1):
        table.add_row(
            str(i),
            step["name"],
            f"{step['seconds']:.1f}",
            step["branch"] or "",
            step["title"] or "",
            step["lock_diff"] or step.get("note") or "",
        )
    console.print(table)
    for line in _closing(result, kept=kept):
        console.print(line, highlight=False, markup=False, soft_wrap=True)


def run(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    project, config = load_project_config(args.repo, env)
    console = Console(file=sys.stderr)
    if run_git("status", "--porcelain", "--untracked-files=no", cwd=project, env=env):
        console.print("note: uncommitted changes are not rehearsed; it uses the committed HEAD")
    with _directory(args.keep) as root:
        console.print(f"rehearsing in {root}", highlight=False)
        rehearsal = Rehearsal(project, config, root, env, args.torch_index == "stand-in")
        result = rehearse(rehearsal, _timed(console, root / "logs"))
        if args.keep is not None:
            dump(result, root / "rehearsal.json")
        stream = sys.stderr if args.json else sys.stdout
        summary(stream, result, kept=args.keep is not None)
        if args.json:
            print(json.dumps(result, indent=2))
    return 0
