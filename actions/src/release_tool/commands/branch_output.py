"""What ``promote`` and ``relock`` do around their operation: decide before it runs whether
this run publishes, then hand its outcome over (a release bundle, a published branch, or
neither) and print it."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TypeVar

from release_tool.adapters.git import Checkout
from release_tool.commands.context import say
from release_tool.commands.options import check_bundle_out
from release_tool.core.config import Config
from release_tool.core.github_context import GithubContext
from release_tool.operations import publication
from release_tool.operations.bundles import write_bundle
from release_tool.operations.promotion import PromotionOutcome
from release_tool.operations.relocking import RelockOutcome

BranchOutcome = TypeVar("BranchOutcome", PromotionOutcome, RelockOutcome)


def publication_target(
    args: argparse.Namespace, config: Config, env: Mapping[str, str]
) -> GithubContext | None:
    """Where this run publishes (None: nowhere; always with ``--bundle-out``), checked
    before the operation makes anything, so a missing token fails at once."""
    check_bundle_out(args)
    if args.bundle_out is not None:
        return None
    return publication.publication_context(env, config, push=args.push, dry_run=args.dry_run)


def hand_over(
    args: argparse.Namespace,
    root: Path,
    config: Config,
    outcome: BranchOutcome,
    context: GithubContext | None,
    *,
    env: Mapping[str, str],
    allow_older: bool,
    show: Callable[[BranchOutcome], None],
) -> int:
    """Write ``outcome`` as a release bundle (``--bundle-out``) or publish it to
    ``context``, then print it: ``--json``, or ``show`` and the pull request's line."""
    if args.bundle_out is not None:
        written = write_bundle(
            Checkout(root, env), outcome, args.bundle_out, allow_older=allow_older
        )
        say(f"wrote the release bundle: {written}")
    outcome, published = publication.publish_if_asked(
        root, config, outcome, context, env, allow_older=allow_older, say=say
    )
    if args.json:
        print(json.dumps(publication.result_json(outcome, published), indent=2))
        return 0
    show(outcome)
    if published is not None:
        print(published.pull_request.summary_line())
    return 0
