"""What every release-branch operation shares: the outcome type, the lock step, the commit.

Promote, relock and refresh lock a profile in a temporary worktree and verify the lock
(:func:`lock_and_verify`); promote, relock and bump record the result as one commit on a
branch (:func:`commit_on_branch`). A :class:`BranchCommit` is what each reports about it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from release_tool.adapters import uv
from release_tool.adapters.git import Checkout
from release_tool.core.branch_proposal import BranchProposal
from release_tool.core.config import BotIdentity, Config
from release_tool.core.lockfile import (
    NO_EXTRA,
    ExportedPackage,
    Lock,
    LockDiff,
    attach_tags,
    diff_lock,
    parse_export,
    read_lock,
)
from release_tool.core.pyproject_edit import ProfilePins
from release_tool.core.verify import verify_lock
from release_tool.errors import InputRejected

# What a branch write did: a new branch, a moved one, or one that already held the change.
BranchWrite = Literal["created", "updated", "unchanged"]
ExportedSets = dict[str, dict[str, ExportedPackage]]
Progress = Callable[[str], None]
# What every promotion, re-lock and base-image outcome is built on (defined in core, where a
# checked release bundle's outcome shares it).
BranchCommit = BranchProposal


@dataclass(frozen=True)
class LockedProfile:
    """A profile's lock after ``uv lock``, verified: its text and what moved in it."""

    text: str
    diff: LockDiff


def export_sets(project: Path, config: Config, env: Mapping[str, str], label: str) -> ExportedSets:
    """The package set of each backend extra and of no extra, git entries tagged."""
    lock = read_lock((project / "uv.lock").read_text(encoding="utf-8"))
    extras: list[str | None] = [None, *(b.extra for b in config.backends.values())]
    return {
        extra or NO_EXTRA: attach_tags(
            parse_export(uv.export(project, extra, env, label=label)), lock
        )
        for extra in extras
    }


def lock_and_verify(
    project: Path,
    config: Config,
    env: Mapping[str, str],
    *,
    label: str,
    upgrade: Collection[str],
    profile: ProfilePins,
    promoted: Mapping[str, tuple[str, str]],
    before: Lock | None,
    sets_before: ExportedSets | None,
) -> LockedProfile:
    """``uv lock`` the profile at ``project`` (re-reading ``upgrade``), refuse a lock that
    fails verification (exit 2), and diff its package sets against ``sets_before``."""
    uv.lock(project, list(upgrade), env, label=label)
    text = (project / "uv.lock").read_text("utf-8")
    problems = verify_lock(
        read_lock(text), config=config, profile=profile, promoted=promoted, before=before
    )
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise InputRejected(f"the new lock of {label} fails verification: {problems[0]}{more}")
    return LockedProfile(text, diff_lock(sets_before, export_sets(project, config, env, label)))


def commit_on_branch(
    checkout: Checkout,
    branch: str,
    *,
    tree: str,
    base: str,
    previous: str | None,
    message: str,
    bot: BotIdentity,
    say: Progress = lambda _msg: None,
) -> tuple[BranchWrite, str]:
    """Point ``branch`` (now at ``previous``) at a commit of ``tree`` on ``base`` by the bot,
    unless it already holds one; ``(what happened, branch head)``. A branch checked out in
    a worktree is never moved (exit 2)."""
    if previous is not None and checkout.tree_and_parents(previous) == (tree, (base,)):
        say(f"{branch} already holds this change: unchanged")
        return "unchanged", previous
    if branch in checkout.checked_out_branches():
        raise InputRejected(
            f"{branch} is checked out in a worktree; switch away from it and run again"
        )
    commit = checkout.commit_tree(tree, base, message, bot)
    checkout.update_branch(branch, commit, previous)
    say(f"committed {commit[:10]} on {branch}")
    return ("created" if previous is None else "updated"), commit


def branch_status(wrote: BranchWrite) -> Literal["committed", "unchanged"]:
    """A branch write as an outcome's status: a new or moved branch holds a new commit."""
    return "unchanged" if wrote == "unchanged" else "committed"
