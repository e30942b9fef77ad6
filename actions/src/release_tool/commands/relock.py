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
working tree is never touched. Nothing is pushed unless --push is given or the command
runs in GitHub Actions: then, as for `promote`, the branch goes to origin with a lease
and its pull request is created or updated, or closed (and the branch deleted) when
the re-lock changes nothing (docs/github.md).

With --bundle-out DIR nothing is pushed, in Actions too: the commit and plan.json go
to DIR for `release-tool publish-bundle` (the workflows' publish job; docs/security.md).

Results: committed, unchanged (the branch already holds this re-lock), noop (uv makes
the same lock: no branch), dry-run.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping

from release_tool.adapters.config_file import load_project_config
from release_tool.commands.branch_output import hand_over, publication_target
from release_tool.commands.context import say
from release_tool.commands.options import (
    add_branch_options,
    add_bundle_out_option,
)
from release_tool.operations.relocking import RelockOutcome, RelockRequest, relock
from release_tool.operations.workspace import Workspace


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--env", required=True, help="the profile to re-lock (staging, prod)")
    parser.add_argument(
        "--upgrade",
        action="store_true",
        help="take third-party updates; internal packages stay at their tag and commit",
    )
    add_branch_options(parser)
    add_bundle_out_option(parser)


def run(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    root, config = load_project_config(args.repo, env)
    config.profile(args.env)
    context = publication_target(args, config, env)
    request = RelockRequest(args.env, upgrade=args.upgrade, dry_run=args.dry_run)
    outcome = relock(Workspace(root, config, env, say), request)
    # A re-lock holds every internal pin: no tag of it can be "older" than a proposal.
    return hand_over(
        args, root, config, outcome, context, env=env, allow_older=False, show=_print_human
    )


def _print_human(outcome: RelockOutcome) -> None:
    if outcome.status == "noop":
        print(f"unchanged: {outcome.env}'s lock is already current; no branch written")
    elif outcome.status == "dry-run":
        print(f"dry run: would write one commit on {outcome.branch}\n\ntitle: {outcome.title}\n")
        print(outcome.body)
    else:
        print(f"{outcome.status}: {outcome.branch} at {outcome.commit}")
        print(f"title: {outcome.title}")
        if outcome.moved:
            print("third-party packages moved: " + ", ".join(outcome.moved))
