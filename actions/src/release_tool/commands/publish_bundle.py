"""Publish a release bundle made by `promote`, `relock` or `refresh` with --bundle-out.

  release-tool publish-bundle --bundle DIR [--repo .] [--json]

The workflows' publish job runs it: the job that holds the App token never runs uv
nor any code of a package. DIR holds `release.bundle` (the release branch's one
commit; absent when the plan's status is noop) and `plan.json`. Before anything is
pushed the bundle is checked with pure code (docs/security.md): the commit's only
parent is the plan's base, which is on the default branch; it changes nothing but
the profile's pyproject.toml and uv.lock; it is the bot's; no CI skip marker is in
its message or the PR title; the profile pins exactly the planned tags and the lock
holds exactly the planned tag commits (every other git pin as the base locked it);
the PR body's pins block names the same pins; and each promoted tag still points at
its commit (`git ls-remote`). Then the branch is pushed with a lease and its pull
request created, updated or closed, exactly as `promote --push` does.

Run it in a checkout of the default branch with full history (fetch-depth 0).
Exit codes: 0 published, 2 bundle refused or malformed, 1 git/GitHub failure.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping
from pathlib import Path

from release_tool.adapters.config_file import load_project_config
from release_tool.commands.context import say
from release_tool.commands.options import add_json_option, add_repo_option
from release_tool.errors import InputRejected
from release_tool.operations.bundles import publish_bundle
from release_tool.operations.publication import publication_context, report_publication


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--bundle", type=Path, required=True, metavar="DIR", help="the prepare job's bundle"
    )
    add_json_option(parser)
    add_repo_option(parser)


def run(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    root, config = load_project_config(args.repo, env)
    context = publication_context(env, config, push=True, dry_run=False)
    if context is None:
        raise InputRejected("publish-bundle needs GitHub: a token and the repository")
    published = publish_bundle(root, config, args.bundle, context, env, say=say)
    report_publication(published, context, env)
    if args.json:
        print(json.dumps(published.as_json(), indent=2))
    else:
        outcome = published.outcome
        print(f"{outcome.status}: {outcome.branch} at {outcome.commit or '(none)'}")
        print(published.pull_request.summary_line())
    return 0
