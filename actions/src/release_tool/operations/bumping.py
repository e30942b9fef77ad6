"""Bump a package's version on a ``bump/<package>-<version>`` branch (see ``release-tool bump``)."""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TextIO

from release_tool.adapters import split as monorepo
from release_tool.adapters.bump_tree import make_bump_tree
from release_tool.adapters.config_file import read_project_config
from release_tool.adapters.git import Checkout, ls_remote_tags
from release_tool.adapters.github import GithubAdapter
from release_tool.core.branch_proposal import BranchChange
from release_tool.core.bump import (
    BumpPart,
    BumpTarget,
    bump_branch,
    choose_version,
    commit_message,
    read_project_version,
    release_versions,
    set_project_version,
)
from release_tool.core.github_context import GithubContext, read_github_context
from release_tool.core.pull_requests import PrOutcome
from release_tool.operations.branch_commit import BranchWrite, commit_on_branch
from release_tool.operations.publication import (
    origin_of,
    publish_branch,
    report_publication,
)

GithubFactory = Callable[[GithubContext], GithubAdapter]
BumpResult = BranchWrite | Literal["dry-run"]


@dataclass(frozen=True)
class BumpRequest:
    """Bump ``package`` to ``version``, or by ``part`` from its last release."""

    package: str
    version: str | None = None
    part: BumpPart | None = None
    dry_run: bool = False
    push: bool = False


@dataclass(frozen=True)
class BumpOutcome:
    target: BumpTarget
    branch: str
    commit: str | None
    result: BumpResult
    files: tuple[str, ...]
    pull_request: PrOutcome | None

    def as_json(self) -> dict[str, object]:
        target = self.target
        return {
            "package": target.package,
            "from": str(target.current),
            "to": str(target.new),
            "last_release": str(target.last_release) if target.last_release else None,
            "branch": self.branch,
            "commit": self.commit,
            "result": self.result,
            "files": list(self.files),
            "pull_request": None if self.pull_request is None else self.pull_request.as_dict(),
        }


def bump(
    request: BumpRequest,
    env: Mapping[str, str],
    cwd: Path,
    *,
    github: GithubFactory = GithubAdapter,
    report: TextIO | None = None,
) -> BumpOutcome:
    """Bump in the checkout at ``cwd``; ``github`` makes the GitHub adapter (tests pass a fast
    one). Progress goes to ``report``."""
    report = report or sys.stdout  # the current stdout (tests capture it)
    checkout = Checkout(cwd, env)
    root = checkout.root
    config = read_project_config(root, env)
    package = config.package(request.package)
    context = read_github_context(env, config.slug)
    to_github = context.should_push(request.push) and not request.dry_run
    if to_github:
        context.require_token()  # before anything is made
    base = monorepo.fetch_default(root, config.default_branch, env)
    path = f"{package.directory}/pyproject.toml"
    current = read_project_version(
        monorepo.read_file(root, base, path, env), f"{path} on origin/{config.default_branch}"
    )
    released = release_versions(ls_remote_tags(package.url, env))
    target = choose_version(
        package.name,
        current,
        released[-1] if released else None,
        version=request.version,
        part=request.part,
    )
    branch = bump_branch(package.name, target.new)
    message = commit_message(target)
    made = make_bump_tree(
        checkout,
        base,
        rewrites={path: lambda text: set_project_version(text, target.new)},
        env=env,
    )
    result: BumpResult = "dry-run"
    head = previous = checkout.branch_commit(branch)
    if not request.dry_run:
        result, head = commit_on_branch(
            checkout,
            branch,
            tree=made.tree,
            base=base,
            previous=previous,
            message=message,
            bot=config.bot,
        )
    print(f"{package.name}: {current} -> {target.new} on {branch} ({result})", file=report)
    if request.dry_run:
        print(f"\n{message}\n{made.diff}", file=report)
    pull = None
    if to_github and head is not None:
        change = BranchChange(
            status="unchanged" if result == "unchanged" else "committed",
            env="",  # a bump branch belongs to no profile
            branch=branch,
            base_branch=config.default_branch,
            base_commit=base,
            commit=head,
            previous_branch_commit=previous,
            title=message.splitlines()[0],
            body=pull_request_body(target, made.changed),
            labels=("bump", f"package:{package.name}"),
            closing_reason="",  # a bump always changes the version: never an empty change
        )
        origin = dataclasses.replace(origin_of(root, config, context, env), branch_prefix="bump/")
        published = publish_branch(
            origin, github(context), config, change, repository=context.repository
        )
        report_publication(published, context, env)
        head, pull = published.change.commit, published.pull_request
        print(pull.summary_line(), file=report)
    commit = None if request.dry_run else head
    return BumpOutcome(target, branch, commit, result, made.changed, pull)


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
