"""Bump a package's version on a branch `bump/<package>-<version>`, ready for review.

Sets `version` in packages/<dir>/pyproject.toml, re-locks the root uv.lock (a
bump makes it stale), and commits both as one commit by the bot identity on
origin/<default>, in a temporary worktree: your checkout is never touched.
The version must be greater than the package's last release (the highest
version tag in its repository). --bump computes it from that release:
patch/minor/major, or dev (0.2.0 -> 0.2.1.dev0, 0.2.1.dev0 -> 0.2.1.dev1).
Re-running the same bump keeps the branch as it is (`unchanged`).

Examples:
  release-tool bump --package hello-world --bump patch
  release-tool bump --package bench-utils --version 0.3.0 --dry-run
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from pathlib import Path

from release_tool.adapters.github import GithubAdapter
from release_tool.commands.context import print_result, report_stream
from release_tool.commands.options import add_branch_options
from release_tool.core.bump import PARTS
from release_tool.operations.bumping import BumpRequest, GithubFactory
from release_tool.operations.bumping import bump as bump_package


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--package", required=True, metavar="NAME", help="the package to bump")
    how = parser.add_mutually_exclusive_group(required=True)
    how.add_argument("--version", metavar="V", help="the new version (PEP 440)")
    how.add_argument("--bump", choices=PARTS, help="compute the new version from the last release")
    add_branch_options(parser)


def run(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    return bump(args, env, args.repo)


def request_from(args: argparse.Namespace) -> BumpRequest:
    return BumpRequest(
        package=args.package,
        version=args.version,
        part=args.bump,
        dry_run=bool(args.dry_run),
        push=bool(args.push),
    )


def bump(
    args: argparse.Namespace,
    env: Mapping[str, str],
    cwd: Path,
    github: GithubFactory = GithubAdapter,
) -> int:
    """The command in ``cwd``; ``github`` makes the GitHub adapter (tests pass a fast one)."""
    report = report_stream(args)
    return print_result(
        args, bump_package(request_from(args), env, cwd, github=github, report=report)
    )
