"""Execute a promotion: gather facts, plan (pure), lock and verify in a throwaway
worktree, commit on the release branch. Returns a :class:`PromotionOutcome`.

The user's working tree, index and current branch are never touched: everything
happens in a temporary worktree on the base branch head, and the only lasting write
is one ``update-ref`` of ``release/<env>/...`` at the very end.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from release_tool.adapters.git import Checkout, TagStore, ls_remote_tags
from release_tool.adapters.profile_files import base_files
from release_tool.core.branch_proposal import BranchStatus
from release_tool.core.config import Config
from release_tool.core.env_forms import untested_note
from release_tool.core.lockfile import (
    ExportedPackage,
    Lock,
    LockDiff,
    read_lock,
)
from release_tool.core.payload import Pin
from release_tool.core.plan import (
    PlannedPin,
    PromotionPlan,
    PromotionRequest,
    TagFacts,
    declared,
    plan_promotion,
)
from release_tool.core.pyproject_edit import GitPin, read_pins
from release_tool.core.render import (
    labels,
    render_body,
    render_commit_message,
    render_title,
)
from release_tool.core.versions import parse_tag, resolve_tag
from release_tool.errors import InputRejected, OperationalError
from release_tool.operations.branch_commit import (
    BranchCommit,
    commit_on_branch,
    lock_and_verify,
    read_profile_lock,
)
from release_tool.operations.workspace import Progress, Workspace


@dataclass(frozen=True)
class PromotionOutcome(BranchCommit):
    """A promotion's branch commit (``noop``: the base already pins every requested tag at
    its commit), with the pins it moves and what its lock changed."""

    labels: tuple[str, ...]
    pins: tuple[PlannedPin, ...]
    rollback: bool
    warnings: tuple[str, ...]
    pyproject_diff: str
    lock_diff: LockDiff | None = field(default=None, repr=False)

    def as_json(self) -> dict[str, Any]:
        sets: dict[str, Any] = {}
        if self.lock_diff is not None:
            for diff in self.lock_diff.sets:
                sets[diff.label] = {
                    "added": [_exported(p) for p in diff.added],
                    "removed": [_exported(p) for p in diff.removed],
                    "changed": [
                        {"name": c.name, "before": _exported(c.before), "after": _exported(c.after)}
                        for c in diff.changed
                    ],
                }
        return {
            **super().as_json(),
            "labels": list(self.labels),
            "rollback": self.rollback,
            "warnings": list(self.warnings),
            "pins": [
                {
                    "package": p.package,
                    "tag": p.tag,
                    "commit": p.commit,
                    "repository": p.slug,
                    "previous_tag": p.previous_tag,
                    "previous_commit": p.previous_commit,
                    "change": p.change,
                }
                for p in self.pins
            ],
            "lock_diff": sets,
            "lock_initial": bool(self.lock_diff and self.lock_diff.initial),
            "collateral": list(self.lock_diff.collateral(p.package for p in self.pins))
            if self.lock_diff
            else [],
            "pyproject_diff": self.pyproject_diff,
        }


def _exported(p: ExportedPackage) -> dict[str, str | None]:
    return {"name": p.name, "version": p.version, "url": p.url, "commit": p.commit}


def _diff_text(before: str, after: str, path: str) -> str:
    return "".join(
        difflib.unified_diff(
            before.splitlines(keepends=True),
            after.splitlines(keepends=True),
            f"a/{path}",
            f"b/{path}",
        )
    )


def _resolve(
    config: Config, pins: Sequence[Pin], store: TagStore, env: Mapping[str, str], say: Progress
) -> tuple[tuple[Pin, ...], dict[str, TagFacts], dict[str, dict[str, str]]]:
    """Each pin with the tag spelled as its repository spells it, its facts, remote tags."""
    resolved: list[Pin] = []
    facts: dict[str, TagFacts] = {}
    remote_tags: dict[str, dict[str, str]] = {}
    for pin in pins:
        url = config.packages[pin.package].url
        say(f"resolving {pin.package} {pin.tag} in {url}")
        tags = ls_remote_tags(url, env)
        remote_tags[pin.package] = tags
        tag = resolve_tag(pin.tag, tags, pin.package)
        if tag is None:
            raise InputRejected(f"tag {pin.tag} of {pin.package} was not found in {url}")
        if tag != pin.tag:
            say(f"{pin.package}'s repository spells the tag {pin.tag} as {tag}")
            pin = replace(pin, tag=tag)  # noqa: PLW2901 - the pin as the repository has it
        store.fetch(url, [pin.tag])
        commit = store.commit_of(url, pin.tag)
        if commit != tags[pin.tag]:
            raise OperationalError(f"{pin.package} tag {pin.tag} moved while it was being read")
        facts[pin.package] = TagFacts(
            pin.package, pin.tag, commit, store.read(commit, "pyproject.toml")
        )
        resolved.append(pin)
    return tuple(resolved), facts, remote_tags


def _missing_pinned_tag(pins: Mapping[str, GitPin], env: Mapping[str, str], label: str) -> None:
    """After a failed fetch or ``uv lock``: refuse, in one sentence, a pin at a tag that
    does not exist (git and uv report it in many lines); return when every tag exists."""
    for name, pin in sorted(pins.items()):
        try:
            tags = ls_remote_tags(pin.url, env)
        except OperationalError:
            continue
        if pin.tag not in tags:
            raise InputRejected(
                f"{label} pins {name} at tag {pin.tag}, which does not exist in {pin.url}; "
                "pin an existing tag"
            )


def _other_requirements(
    config: Config,
    store: TagStore,
    env: Mapping[str, str],
    say: Progress,
    *,
    pyproject: str,
    lock: Lock | None,
    promoted: set[str],
    label: str,
) -> dict[str, tuple[str, ...]]:
    """Declared dependencies of the profile's other internal packages that could be affected."""
    result: dict[str, tuple[str, ...]] = {}
    for name, pin in read_pins(pyproject).pins.items():
        if name in promoted or name not in config.packages:
            continue
        if lock is not None:
            entries = lock.named(name)
            if entries and not set(entries[0].dependencies) & promoted:
                continue
        say(f"reading {name} {pin.tag}'s requirements")
        try:
            store.fetch(pin.url, [pin.tag])
        except OperationalError:
            _missing_pinned_tag({name: pin}, env, label)
            raise
        commit = store.commit_of(pin.url, pin.tag)
        where = f"pyproject.toml at {name} {pin.tag}"
        result[name] = declared(store.read(commit, "pyproject.toml"), where)[1]
    return result


def _commit_logs(
    plan: PromotionPlan, remote_tags: Mapping[str, Mapping[str, str]], store: TagStore
) -> dict[str, list[str] | str]:
    logs: dict[str, list[str] | str] = {}
    for pin in plan.pins:
        old = pin.previous_tag
        if old is None:
            logs[pin.package] = "new in this profile"
            continue
        if old not in remote_tags[pin.package]:
            logs[pin.package] = f"the previous tag {old} no longer exists in the repository"
            continue
        store.fetch(pin.url, [old])
        old_commit = store.commit_of(pin.url, old)
        if pin.change in ("downgrade", "repin"):
            lines = store.log(pin.commit, old_commit)
            logs[pin.package] = [f"(rolled back) {line}" for line in lines] or "no commit removed"
        else:
            logs[pin.package] = store.log(old_commit, pin.commit) or "no new commit"
    return logs


def promote(workspace: Workspace, request: PromotionRequest) -> PromotionOutcome:
    """Plan and execute one promotion; raise InputRejected / OperationalError with a sentence."""
    config, env, say = workspace.config, workspace.environ, workspace.say
    if not request.pins:
        raise InputRejected("nothing to promote: give --package/--tag, --pin or --payload")
    for pin in request.pins:
        config.package(pin.package)
        parse_tag(pin.tag)
    checkout = Checkout(workspace.checkout, env)
    base = checkout.resolve_base(config.default_branch)
    pyproject_before, lock_text = base_files(checkout, config, request.profile, base)
    lock_before = read_lock(lock_text) if lock_text is not None else None
    promoted = {p.package for p in request.pins}
    with TagStore(env) as store:
        pins, facts, remote_tags = _resolve(config, request.pins, store, env, say)
        requirements = _other_requirements(
            config,
            store,
            env,
            say,
            pyproject=pyproject_before,
            lock=lock_before,
            promoted=promoted,
            label=config.profile(request.profile).label,
        )
        plan = plan_promotion(
            config,
            replace(request, pins=pins),
            facts=facts,
            base_commit=base,
            pyproject_before=pyproject_before,
            lock_before=lock_before,
            requirements=requirements,
        )
        logs = _commit_logs(plan, remote_tags, store)
    if request.tested_in is not None:
        note = untested_note([(p.package, p.tag, p.commit) for p in plan.pins], request.tested_in)
        if note is not None:
            plan = replace(plan, warnings=(*plan.warnings, note))
    return execute_plan(
        checkout, config, plan, logs=logs, env=env, dry_run=request.dry_run, say=say
    )


def execute_plan(
    checkout: Checkout,
    config: Config,
    plan: PromotionPlan,
    *,
    logs: Mapping[str, Sequence[str] | str],
    env: Mapping[str, str],
    dry_run: bool,
    say: Progress,
) -> PromotionOutcome:
    """Lock, verify, diff and commit ``plan`` in a temporary worktree."""
    pyproject_path = f"{plan.profile_dir}/pyproject.toml"
    lock_path = f"{plan.profile_dir}/uv.lock"
    previous = checkout.branch_commit(plan.branch)
    backends = [b.extra for b in config.backends.values()]

    title = render_title(plan)
    # The BranchCommit fields, in order; each outcome below sets its status, commit, body.
    head = BranchCommit(
        "noop", plan.env, plan.branch, plan.base_branch, plan.base_commit, None, previous, title, ""
    )
    pyproject_diff = _diff_text(plan.pyproject_before, plan.pyproject_after, pyproject_path)

    def outcome(
        status: BranchStatus, commit: str | None, lock_diff: LockDiff | None
    ) -> PromotionOutcome:
        body = render_body(plan, lock_diff=lock_diff, commit_logs=logs, backends=backends)
        fields = replace(head, status=status, commit=commit, body=body).branch_fields()
        return PromotionOutcome(
            **fields,
            labels=labels(plan),
            pins=plan.pins,
            rollback=plan.rollback,
            warnings=plan.warnings,
            pyproject_diff=pyproject_diff,
            lock_diff=lock_diff,
        )

    if plan.noop:
        say(f"{plan.env} already pins every requested tag at its commit: nothing to do")
        return outcome("noop", None, None)
    label = config.profile(plan.env).label
    with checkout.temporary_worktree(plan.base_commit) as tree:
        project = tree / plan.profile_dir
        before = read_profile_lock(project, config, env, label)
        (tree / pyproject_path).write_text(plan.pyproject_after, encoding="utf-8")
        say(f"locking {label}, re-reading {', '.join(plan.packages)}")
        pins_after = read_pins(plan.pyproject_after)
        try:
            _after, lock_diff = lock_and_verify(
                project,
                config,
                env,
                label=label,
                upgrade=plan.packages,
                profile=pins_after,
                promoted={p.package: (p.tag, p.commit) for p in plan.pins},
                before=before,
            )
        except OperationalError:
            _missing_pinned_tag(pins_after.pins, env, label)
            raise
        if dry_run:
            return outcome("dry-run", None, lock_diff)
        tree_id = checkout.write_tree(tree, [pyproject_path, lock_path])
    written = commit_on_branch(
        checkout,
        plan.branch,
        tree=tree_id,
        base=plan.base_commit,
        previous=previous,
        message=render_commit_message(plan),
        bot=config.bot,
        say=say,
    )
    return outcome(written.status, written.head, lock_diff)
