"""The options several commands share, written once: the checkout, ``--json``,
``--dry-run`` and ``--push``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO_HELP = "the monorepo checkout to work in (default: the current directory)"
JSON_HELP = "print the result as JSON on stdout (progress and reports go to stderr)"
DRY_RUN_HELP = "print what would be done and change nothing"
PUSH_HELP = (
    "push the branch to origin and create or update its pull request "
    "(implied in GitHub Actions; needs a token)"
)


def _deprecated_root(value: str) -> Path:
    """``--root DIR``: the old spelling of ``--repo DIR``, kept for one release."""
    print(
        "release-tool: --root is deprecated and will be removed in the next release; use --repo",
        file=sys.stderr,
    )
    return Path(value)


def add_repo_option(parser: argparse.ArgumentParser) -> None:
    """``--repo DIR`` (into ``args.repo``); ``--root DIR`` still works, with a notice."""
    parser.add_argument("--repo", type=Path, default=Path(), metavar="DIR", help=REPO_HELP)
    parser.add_argument(
        "--root", dest="repo", type=_deprecated_root, metavar="DIR", help="deprecated: --repo"
    )


def add_json_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help=JSON_HELP)


def add_dry_run_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dry-run", action="store_true", help=DRY_RUN_HELP)


def add_push_option(parser: argparse.ArgumentParser, help_text: str = PUSH_HELP) -> None:
    parser.add_argument("--push", action="store_true", help=help_text)


def add_branch_options(parser: argparse.ArgumentParser) -> None:
    """What every command that writes a branch takes: dry-run, JSON, push, the checkout."""
    add_dry_run_option(parser)
    add_json_option(parser)
    add_push_option(parser)
    add_repo_option(parser)


BUNDLE_OUT_HELP = (
    "write the release commit (a git bundle) and plan.json to DIR for `release-tool "
    "publish-bundle`, and push nothing, even in Actions (the workflows' prepare job)"
)


def add_bundle_out_option(
    parser: argparse.ArgumentParser, help_text: str = BUNDLE_OUT_HELP
) -> None:
    """``--bundle-out DIR`` (into ``args.bundle_out``): the prepare side of the split."""
    parser.add_argument("--bundle-out", type=Path, metavar="DIR", help=help_text)


def check_bundle_out(args: argparse.Namespace) -> None:
    """``--bundle-out`` hands the commit on: it excludes ``--push`` and ``--dry-run``."""
    from release_tool.errors import InputRejected  # noqa: PLC0415

    if args.bundle_out is not None and (args.push or args.dry_run):
        raise InputRejected(
            "--bundle-out hands the commit to publish-bundle: drop --push/--dry-run"
        )
