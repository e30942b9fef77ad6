"""Re-lock a profile without moving any internal pin, in a throwaway worktree.

Plain: ``uv lock`` (after a hand edit: a torch range, a test group; or the first lock).
``upgrade``: ``uv lock --upgrade-package`` for every third-party package of the old
lock, so uv re-reads none of the git pins. Either way the new lock is verified:
every internal package at its tag and at the commit it was locked at before (the
commit ``git ls-remote`` gives for a first lock). One commit on ``release/<env>/relock``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from release_tool.adapters.git import Checkout, ls_remote_tags
from release_tool.adapters.profile_files import base_state
from release_tool.core.branch_proposal import BranchStatus
from release_tool.core.config import Config
from release_tool.core.lockfile import LockDiff
from release_tool.core.profile_state import ProfileState
from release_tool.core.relock_render import (
    KeptPin,
    relock_body,
    relock_branch,
    relock_commit_message,
    relock_title,
)
from release_tool.errors import InputRejected
from release_tool.operations.branch_commit import (
    BranchCommit,
    commit_on_branch,
    lock_and_verify,
    read_profile_lock,
)
from release_tool.operations.workspace import Workspace


@dataclass(frozen=True)
class RelockRequest:
    profile: str  # the profile re-locked
    upgrade: bool = False  # take third-party updates
    dry_run: bool = False


@dataclass(frozen=True)
class RelockOutcome(BranchCommit):
    """A re-lock's branch commit (``noop``: the lock already is what uv makes of it)."""

    pins: tuple[KeptPin, ...]
    moved: tuple[str, ...]  # third-party packages whose entry changed in some set
    warnings: tuple[str, ...]
    lock_diff: LockDiff | None

    def as_json(self) -> dict[str, Any]:
        return {
            **super().as_json(),
            "pins": [{"package": p.package, "tag": p.tag, "commit": p.commit} for p in self.pins],
            "moved": list(self.moved),
            "warnings": list(self.warnings),
            "lock_initial": bool(self.lock_diff and self.lock_diff.initial),
        }


def _kept_pins(
    state: ProfileState, config: Config, env: Mapping[str, str]
) -> tuple[tuple[KeptPin, ...], tuple[str, ...]]:
    """Each internal pin at the commit it must stay at; warnings for tags moved upstream."""
    pins: list[KeptPin] = []
    warnings: list[str] = []
    for name, pin in sorted(state.pins.pins.items()):
        if name not in config.packages:
            continue
        tags = ls_remote_tags(pin.url, env)
        if pin.tag not in tags:
            raise InputRejected(f"tag {pin.tag} of {name} was not found in {pin.url}")
        locked = state.locked_commit(name)
        if locked is not None and locked != tags[pin.tag]:
            warnings.append(
                f"{name} {pin.tag} now points at {tags[pin.tag][:10]} in its repository; the "
                f"lock keeps {locked[:10]} (promote it with --allow-downgrade to take the move)"
            )
        pins.append(KeptPin(name, pin.tag, locked or tags[pin.tag]))
    return tuple(pins), tuple(warnings)


def relock(workspace: Workspace, request: RelockRequest) -> RelockOutcome:
    """Re-lock ``request.profile`` on the base branch head and commit it on its branch."""
    config, env, say = workspace.config, workspace.environ, workspace.say
    profile_name, upgrade = request.profile, request.upgrade
    checkout = Checkout(workspace.checkout, env)
    profile = config.profile(profile_name)
    base = checkout.resolve_base(config.default_branch)
    branch = relock_branch(profile_name, config.release_prefix)
    pyproject_path = f"{profile.directory}/pyproject.toml"
    lock_path = f"{profile.directory}/uv.lock"
    say(f"reading {profile_name}'s pins and resolving their tags")
    state = base_state(checkout, config, profile_name, base)
    pins, warnings = _kept_pins(state, config, env)
    previous = checkout.branch_commit(branch)
    label = profile.label
    backends = [b.extra for b in config.backends.values()]
    with checkout.temporary_worktree(base) as tree:
        project = tree / profile.directory
        before = read_profile_lock(project, config, env, label)
        third_party = sorted(
            {p.name for p in before.lock.packages if p.source_kind == "registry"}
            if before and upgrade
            else set()
        )
        say(f"locking {label}" + (", taking third-party updates" if third_party else ""))
        after, lock_diff = lock_and_verify(
            project,
            config,
            env,
            label=label,
            upgrade=third_party,
            profile=state.pins,
            promoted={p.package: (p.tag, p.commit) for p in pins},
            before=before,
        )
        moved = lock_diff.collateral(p.package for p in pins)
        initial = before is None
        title = relock_title(profile_name, upgrade=upgrade, initial=initial)
        body = relock_body(
            profile_name,
            profile.directory,
            config.default_branch,
            pins,
            upgrade=upgrade,
            lock_diff=lock_diff,
            warnings=warnings,
            backends=backends,
        )

        # The BranchCommit fields, in order; each outcome below sets its status and commit.
        head = BranchCommit(
            "noop", profile_name, branch, config.default_branch, base, None, previous, title, body
        )

        def outcome(status: BranchStatus, commit: str | None) -> RelockOutcome:
            fields = replace(head, status=status, commit=commit).branch_fields()
            return RelockOutcome(
                **fields, pins=pins, moved=moved, warnings=warnings, lock_diff=lock_diff
            )

        if before is not None and before.text == after.text:
            say(f"{label}: the lock is already what uv makes of it; nothing to commit")
            return outcome("noop", None)
        if request.dry_run:
            return outcome("dry-run", None)
        tree_id = checkout.write_tree(tree, [pyproject_path, lock_path])
    message = relock_commit_message(
        profile_name, pins, upgrade=upgrade, initial=initial, moved=moved
    )
    written = commit_on_branch(
        checkout,
        branch,
        tree=tree_id,
        base=base,
        previous=previous,
        message=message,
        bot=config.bot,
        say=say,
    )
    return outcome(written.status, written.head)
