"""Publish packages from the monorepo into their own repositories.

For each package, `git subtree split` of its directory at origin/<default> (the
same history always yields the same commits) fast-forwards the package
repository's default branch, and an annotated tag named as the package's
version marks it, with the changes since the previous tag as its message.
Work happens in scratch clones; --push pushes branch and tag, --notify then
sends one repository_dispatch for everything published (a batch for several
packages, so interdependent packages are promoted together).

Refused: a dirty working tree, HEAD other than origin/<default>, a version
already tagged (with --all such packages are skipped), a package repository
whose default branch is not an ancestor of the split (adopt it once with
--adopt --yes: its old branch is kept as legacy/<branch>, its tags untouched).

Examples:
  release-tool publish --package hello-world --dry-run
  release-tool publish --all --push --notify
  release-tool publish --adopt --all --yes
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from pathlib import Path

from release_tool.adapters.dispatch import DispatchSender
from release_tool.commands.context import print_result, report_stream
from release_tool.commands.options import (
    add_dry_run_option,
    add_json_option,
    add_push_option,
    add_repo_option,
)
from release_tool.operations.publishing import PublishRequest
from release_tool.operations.publishing import publish as publish_packages


def add_arguments(parser: argparse.ArgumentParser) -> None:
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument(
        "--package",
        action="append",
        metavar="NAME",
        help="the package to publish (repeatable: several packages, one batch dispatch)",
    )
    target.add_argument(
        "--all",
        action="store_true",
        help="every package whose version on the default branch has no tag yet",
    )
    add_push_option(
        parser, "push branch and tag to each package repository (implied in GitHub Actions)"
    )
    parser.add_argument(
        "--notify",
        action="store_true",
        help="after pushing, send one repository_dispatch for what was published",
    )
    add_dry_run_option(parser)
    parser.add_argument(
        "--adopt",
        action="store_true",
        help="one-time: replace an unrelated default branch with the split "
        "(the old one kept as legacy/<branch>, tags untouched); needs --yes",
    )
    parser.add_argument("--yes", action="store_true", help="confirm --adopt")
    add_json_option(parser)
    add_repo_option(parser)


def run(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    return publish(args, env, args.repo)


def request_from(args: argparse.Namespace) -> PublishRequest:
    return PublishRequest(
        packages=tuple(args.package or ()),
        every=bool(args.all),
        push=bool(args.push),
        notify=bool(args.notify),
        dry_run=bool(args.dry_run),
        adopt=bool(args.adopt),
        yes=bool(args.yes),
    )


def publish(
    args: argparse.Namespace,
    env: Mapping[str, str],
    cwd: Path,
    send: DispatchSender | None = None,
) -> int:
    """The command in ``cwd``; ``send`` replaces the GitHub dispatch sender (tests)."""
    report = report_stream(args)
    return print_result(
        args, publish_packages(request_from(args), env, cwd, send=send, report=report)
    )
