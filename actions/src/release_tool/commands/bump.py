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
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from release_tool.adapters import split as monorepo
from release_tool.adapters.actions_io import append_step_summary, write_step_outputs
from release_tool.adapters.bump_tree import make_bump_commit, set_bump_branch
from release_tool.adapters.git import Checkout, ls_remote_tags
from release_tool.adapters.github import GithubAdapter
from release_tool.adapters.push import Origin, push_branch, read_remote_branch, token_forms
from release_tool.commands.context import read_project_config
from release_tool.core.bump import (
    PARTS,
    BumpTarget,
    bump_branch,
    choose_version,
    commit_message,
    read_project_version,
    release_versions,
    set_project_version,
)
from release_tool.core.github_context import GithubContext, read_github_context
from release_tool.core.pull_requests import PrOutcome, PullRequestSpec

GithubFactory = Callable[[GithubContext], GithubAdapter]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--package", required=True, metavar="NAME", help="the package to bump")
    how = parser.add_mutually_exclusive_group(required=True)
    how.add_argument("--version", metavar="V", help="the new version (PEP 440)")
    how.add_argument("--bump", choices=PARTS, help="compute the new version from the last release")
    parser.add_argument(
        "--dry-run", action="store_true", help="print the commit it would make; change nothing"
    )
    parser.add_argument(
        "--push",
        action="store_true",
        help="push the branch to origin and open or update its pull request "
        "(implied in GitHub Actions; needs a token)",
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")


def run(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    return bump(args, env, Path.cwd())


def bump(
    args: argparse.Namespace,
    env: Mapping[str, str],
    cwd: Path,
    github: GithubFactory = GithubAdapter,
) -> int:
    """The command in ``cwd``; ``github`` makes the GitHub adapter (tests pass a fast one)."""
    checkout = Checkout(cwd, env)
    root = checkout.root
    config = read_project_config(root, env)
    package = config.package(args.package)
    context = read_github_context(env, config.repository)
    to_github = context.should_push(bool(args.push)) and not args.dry_run
    if to_github:
        context.require_token()  # before anything is made
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
    result, head = ("dry-run", made.commit)
    if not args.dry_run:
        result, head = set_bump_branch(checkout, branch, base, made)
    out = sys.stderr if args.json else sys.stdout
    print(f"{package.name}: {current} -> {target.new} on {branch} ({result})", file=out)
    if args.dry_run:
        print(f"\n{message}\n{made.diff}", file=out)
    pull = None
    if to_github:
        spec = PullRequestSpec(
            branch=branch,
            base=config.default_branch,
            title=message.splitlines()[0],
            body=pull_request_body(target, made.changed),
            labels=("bump", f"package:{package.name}"),
        )
        pull = open_pull_request(root, context, spec, head, env=env, github=github)
        print(pull.summary_line(), file=out)
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
            "pull_request": None if pull is None else pull.as_dict(),
        }
        print(json.dumps(record))
    return 0


def pull_request_body(target: BumpTarget, files: Sequence[str]) -> str:
    since = f"its last release {target.last_release}" if target.last_release else "no release yet"
    return "\n".join(
        [
            f"Bumps **{target.package}** from {target.current} to **{target.new}** ({since}).",
            "",
            "Changes " + ", ".join(f"`{name}`" for name in files) + " in one commit: the",
            "version, and the root `uv.lock` re-locked for it.",
            "",
            "After merge, publish it (split, tag, push, and the dispatch that promotes it):",
            "",
            "```",
            f"release-tool publish --package {target.package} --push --notify",
            "```",
            "",
        ]
    )


def open_pull_request(
    root: Path,
    context: GithubContext,
    spec: PullRequestSpec,
    head: str,
    *,
    env: Mapping[str, str],
    github: GithubFactory,
) -> PrOutcome:
    """Push the bump branch (with a lease) and create or update its pull request."""
    origin = Origin(
        checkout=root,
        env=env,
        token=context.token,
        server_url=context.server_url,
        base_branch=spec.base,
        branch_prefix="bump/",
    )
    push_branch(origin, spec.branch, head, read_remote_branch(origin, spec.branch))
    outcome = github(context).ensure_pull_request(context.repository, spec)
    secrets = token_forms(context.token)
    write_step_outputs(env, outcome.as_outputs(), secrets)
    append_step_summary(env, outcome.summary_line(), secrets)
    return outcome
