"""What every release-branch operation shares: the outcome type, the lock step, the commit.

Promote, relock and refresh lock a profile in a temporary worktree and verify the lock
(:func:`lock_and_verify`); promote, relock and bump record the result as one commit on a
branch (:func:`commit_on_branch`). A :class:`BranchCommit` is what each reports about it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, NamedTuple

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
from release_tool.operations.workspace import Progress, silent

# What a branch write did: a new branch, a moved one, or one that already held the change.
BranchWrite = Literal["created", "updated", "unchanged"]
ExportedSets = dict[str, dict[str, ExportedPackage]]
# What every promotion, re-lock and base-image outcome is built on (defined in core, where a
# checked release bundle's outcome shares it).
BranchCommit = BranchProposal


@dataclass(frozen=True)
class ProfileLock:
    """A profile's ``uv.lock``, before or after a re-lock: its text, its entries, and the
    package set of each backend extra and of no extra."""

    text: str
    lock: Lock
    sets: ExportedSets


def read_profile_lock(
    project: Path, config: Config, env: Mapping[str, str], label: str
) -> ProfileLock | None:
    """The lock of the profile at ``project`` (None: the profile has none yet)."""
    path = project / "uv.lock"
    if not path.is_file():
        return None
    text = path.read_text(encoding="utf-8")
    lock = read_lock(text)
    return ProfileLock(text, lock, _export_sets(project, lock, config, env, label))


def _export_sets(
    project: Path, lock: Lock, config: Config, env: Mapping[str, str], label: str
) -> ExportedSets:
    """The package set of each backend extra and of no extra, git entries tagged."""
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
    before: ProfileLock | None,
) -> tuple[ProfileLock, LockDiff]:
    """``uv lock`` the profile at ``project`` (re-reading ``upgrade``), refuse a lock that
    fails verification (exit 2); the new lock and what moved in its package sets."""
    uv.lock(project, list(upgrade), env, label=label)
    text = (project / "uv.lock").read_text(encoding="utf-8")
    lock = read_lock(text)
    problems = verify_lock(
        lock,
        config=config,
        profile=profile,
        promoted=promoted,
        before=before.lock if before else None,
    )
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise InputRejected(f"the new lock of {label} fails verification: {problems[0]}{more}")
    # the package sets are exported only from a lock that passed verification
    after = ProfileLock(text, lock, _export_sets(project, lock, config, env, label))
    return after, diff_lock(before.sets if before else None, after.sets)


class BranchWritten(NamedTuple):
    """What :func:`commit_on_branch` did to a branch, and the commit it now points at."""

    write: BranchWrite
    head: str

    @property
    def status(self) -> Literal["committed", "unchanged"]:
        """As an outcome's status: a new or moved branch holds a new commit."""
        return "unchanged" if self.write == "unchanged" else "committed"


def commit_on_branch(
    checkout: Checkout,
    branch: str,
    *,
    tree: str,
    base: str,
    previous: str | None,
    message: str,
    bot: BotIdentity,
    say: Progress = silent,
) -> BranchWritten:
    """Point ``branch`` (now at ``previous``) at a commit of ``tree`` on ``base`` by the bot,
    unless it already holds one; ``(what happened, branch head)``. A branch checked out in
    a worktree is never moved (exit 2)."""
    if previous is not None and checkout.tree_and_parents(previous) == (tree, (base,)):
        say(f"{branch} already holds this change: unchanged")
        return BranchWritten("unchanged", previous)
    if branch in checkout.checked_out_branches():
        raise InputRejected(
            f"{branch} is checked out in a worktree; switch away from it and run again"
        )
    commit = checkout.commit_tree(tree, base, message, bot)
    checkout.update_branch(branch, commit, previous)
    say(f"committed {commit[:10]} on {branch}")
    return BranchWritten("created" if previous is None else "updated", commit)
