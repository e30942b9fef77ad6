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
import json
import sys
from collections.abc import Mapping
from pathlib import Path

from release_tool.adapters import split as monorepo
from release_tool.adapters.bump_tree import make_bump_commit, set_bump_branch
from release_tool.adapters.git import Checkout, ls_remote_tags
from release_tool.core.bump import (
    PARTS,
    bump_branch,
    choose_version,
    commit_message,
    read_project_version,
    release_versions,
    set_project_version,
)
from release_tool.core.config import load_config


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--package", required=True, metavar="NAME", help="the package to bump")
    how = parser.add_mutually_exclusive_group(required=True)
    how.add_argument("--version", metavar="V", help="the new version (PEP 440)")
    how.add_argument("--bump", choices=PARTS, help="compute the new version from the last release")
    parser.add_argument(
        "--dry-run", action="store_true", help="print the commit it would make; change nothing"
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")


def run(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    return bump(args, env, Path.cwd())


def bump(args: argparse.Namespace, env: Mapping[str, str], cwd: Path) -> int:
    checkout = Checkout(cwd, env)
    root = checkout.root
    config = load_config((root / "pyproject.toml").read_text(encoding="utf-8"), env)
    package = config.package(args.package)
    base = monorepo.fetch_default(root, config.default_branch, env)
    path = f"{package.directory}/pyproject.toml"
    current = read_project_version(
        monorepo.read_file(root, base, path, env), f"{path} on origin/{config.default_branch}"
    )
    released = release_versions(ls_remote_tags(package.repository, env))
    target = choose_version(
        package.name,
        current,
        released[-1] if released else None,
        version=args.version,
        part=args.bump,
    )
    branch = bump_branch(package.name, target.new)
    message = commit_message(target)
    made = make_bump_commit(
        checkout,
        base,
        rewrites={path: lambda text: set_project_version(text, target.new)},
        message=message,
        bot=config.bot,
        env=env,
    )
    result = "dry-run" if args.dry_run else set_bump_branch(checkout, branch, base, made)
    out = sys.stderr if args.json else sys.stdout
    print(f"{package.name}: {current} -> {target.new} on {branch} ({result})", file=out)
    if args.dry_run:
        print(f"\n{message}\n{made.diff}", file=out)
    if args.json:
        record = {
            "package": package.name,
            "from": str(current),
            "to": str(target.new),
            "last_release": str(target.last_release) if target.last_release else None,
            "branch": branch,
            "commit": None if args.dry_run else made.commit,
            "result": result,
            "files": list(made.changed),
        }
        print(json.dumps(record))
    return 0
