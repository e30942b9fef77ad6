"""Re-lock a profile without moving any internal pin: one commit on release/<env>/relock.

  release-tool relock --env staging             after a hand edit of staging/pyproject.toml
  release-tool relock --env prod --upgrade      take third-party updates (security fixes)
  release-tool relock --env staging             a profile's first lock

Every internal package stays at its tag and at the commit its lock had (for a first
lock: the commit `git ls-remote` gives). Without --upgrade, `uv lock` keeps every
locked version and only adds what a hand edit requires; --upgrade re-resolves every
third-party package (`uv lock --upgrade-package` for each) but no git pin. The new
lock is verified as `promote` verifies it, and the PR body carries the lock diff per
backend extra. Work happens in a temporary worktree on the base branch head; your
working tree is never touched. Nothing is pushed.

Results: committed, unchanged (the branch already holds this re-lock), noop (uv makes
the same lock: no branch), dry-run.
Exit codes: 0 done, 2 input rejected, 1 git/uv/filesystem failure, 3 bug, 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping
from pathlib import Path

from release_tool.commands.context import load_project_config, say
from release_tool.relocking import relock


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--env", required=True, help="the profile to re-lock (staging, prod)")
    parser.add_argument(
        "--upgrade",
        action="store_true",
        help="take third-party updates; internal packages stay at their tag and commit",
    )
    parser.add_argument("--dry-run", action="store_true", help="print the result, change nothing")
    parser.add_argument("--json", action="store_true", help="print the outcome as JSON")
    parser.add_argument(
        "--repo", type=Path, default=Path(), metavar="DIR", help="the monorepo checkout"
    )


def run(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    root, config = load_project_config(args.repo, env)
    outcome = relock(
        root, config, args.env, env, upgrade=args.upgrade, dry_run=args.dry_run, say=say
    )
    if args.json:
        print(json.dumps(outcome.as_json(), indent=2))
        return 0
    if outcome.status == "noop":
        print(f"unchanged: {args.env}'s lock is already current; no branch written")
        return 0
    if outcome.status == "dry-run":
        print(f"dry run: would write one commit on {outcome.branch}\n\ntitle: {outcome.title}\n")
        print(outcome.body)
        return 0
    print(f"{outcome.status}: {outcome.branch} at {outcome.commit}")
    print(f"title: {outcome.title}")
    if outcome.moved:
        print("third-party packages moved: " + ", ".join(outcome.moved))
    return 0
