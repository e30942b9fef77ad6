"""A release bundle, read and checked with no subprocess: what the publish job may push.

The prepare job (no secret, no write token) runs intake, the rewrite, ``uv lock`` and
the verification, and hands over one commit (a git bundle) and ``plan.json``. The
package code that ``uv lock`` ran there could have rewritten both, so the publish job
(which holds the token) trusts neither: :func:`check_bundle` refuses unless the commit
sits on one parent, the base, changes exactly the profile's ``pyproject.toml`` and/or
``uv.lock``, is the bot's, carries no CI skip marker, pins in ``pyproject.toml`` exactly
the planned tags and locks exactly the planned tag commits (and every other git pin as
the base locked it), and the PR body's pins block says the same.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, cast, get_args

from release_tool.core.branch_proposal import BranchChange
from release_tool.core.config import Config
from release_tool.core.json_text import parse_json
from release_tool.core.lockfile import read_lock
from release_tool.core.plan import PinChange, PlannedPin, branch_name
from release_tool.core.pyproject_edit import read_pins
from release_tool.core.relock_render import read_relock_block, relock_branch
from release_tool.core.render import read_pins_block
from release_tool.core.skip_markers import find_skip_marker
from release_tool.core.verify import verify_lock
from release_tool.errors import InputRejected

FORMAT = 1
KINDS = ("promote", "relock")
Status = Literal["committed", "unchanged", "noop"]
STATUSES = get_args(Status)
_SHA_LEN = 40


@dataclass(frozen=True, kw_only=True)
class BundlePlan(BranchChange):
    """``plan.json``: the release branch change the prepare job made, typed.

    ``pins``: promote, the promoted tags; relock, none. ``previous_branch_commit`` is
    always None: the publish job's checkout holds no release branch yet.
    """

    status: Status  # a bundle is never a dry run
    kind: str  # promote | relock
    kept: tuple[tuple[str, str, str], ...]  # relock: (package, tag, commit) held
    allow_older: bool
    outcome: Mapping[str, Any]  # the outcome JSON as prepare printed it (for --json)


@dataclass(frozen=True)
class BundleFacts:
    """What git says about the bundle's commit (read by the publish job itself)."""

    parents: tuple[str, ...]
    changed: tuple[str, ...]  # paths that differ from the base
    author: str  # "name <email>"
    committer: str
    message: str
    pyproject_before: str | None
    pyproject_after: str | None
    lock_before: str | None
    lock_after: str | None
    base_on_default_branch: bool


def _need(data: Mapping[str, Any], key: str, kind: type) -> Any:
    value = data.get(key)
    if not isinstance(value, kind):
        raise InputRejected(f"plan.json: {key} is missing or not a {kind.__name__}")
    return value


def _sha(value: object, what: str) -> str:
    text = str(value)
    if len(text) != _SHA_LEN or any(c not in "0123456789abcdef" for c in text):
        raise InputRejected(f"plan.json: {what} is not a full commit hash")
    return text


def _change(value: object) -> PinChange:
    if value not in get_args(PinChange):
        raise InputRejected(
            f"plan.json: a pin's change {value!r} is not one of {get_args(PinChange)}"
        )
    return cast("PinChange", value)


def _pin(data: Mapping[str, Any]) -> PlannedPin:
    return PlannedPin(
        package=_need(data, "package", str),
        tag=_need(data, "tag", str),
        version=str(data.get("version", "")),
        commit=_sha(data.get("commit"), "a pin's commit"),
        url=_need(data, "url", str),
        slug=_need(data, "slug", str),
        previous_tag=data.get("previous_tag"),
        previous_commit=data.get("previous_commit"),
        change=_change(data.get("change")),
        declared_version=data.get("declared_version"),
    )


def parse_plan(text: str) -> BundlePlan:
    """``plan.json`` as a :class:`BundlePlan`; InputRejected naming what is wrong."""
    data = parse_json(text, "plan.json")
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise InputRejected(f"plan.json is not a release bundle plan of format {FORMAT}")
    kind, status = data.get("kind"), data.get("status")
    if kind not in KINDS or status not in STATUSES:
        raise InputRejected(f"plan.json: kind {kind!r} / status {status!r} is not publishable")
    commit = data.get("commit")
    return BundlePlan(
        kind=kind,
        status=cast("Status", status),
        env=_need(data, "env", str),
        branch=_need(data, "branch", str),
        base_branch=_need(data, "base_branch", str),
        base_commit=_sha(data.get("base_commit"), "base_commit"),
        commit=None if status == "noop" else _sha(commit, "commit"),
        previous_branch_commit=None,
        title=_need(data, "title", str),
        body=_need(data, "body", str),
        labels=tuple(str(x) for x in _need(data, "labels", list)),
        closing_reason=_need(data, "closing_reason", str),
        pins=tuple(_pin(p) for p in _need(data, "pins", list)),
        kept=tuple(
            (str(k["package"]), str(k["tag"]), _sha(k["commit"], "a kept pin's commit"))
            for k in _need(data, "kept", list)
        ),
        allow_older=bool(data.get("allow_older", False)),
        outcome=_need(data, "outcome", dict),
    )


def plan_json(plan: BundlePlan) -> str:
    """The text :func:`parse_plan` reads back."""
    return json.dumps(
        {
            "format": FORMAT,
            "kind": plan.kind,
            "status": plan.status,
            "env": plan.env,
            "branch": plan.branch,
            "base_branch": plan.base_branch,
            "base_commit": plan.base_commit,
            "commit": plan.commit,
            "title": plan.title,
            "body": plan.body,
            "labels": list(plan.labels),
            "closing_reason": plan.closing_reason,
            "pins": [p.__dict__ for p in plan.pins],
            "kept": [{"package": n, "tag": t, "commit": c} for n, t, c in plan.kept],
            "allow_older": plan.allow_older,
            "outcome": dict(plan.outcome),
        },
        indent=2,
    )


def check_bundle(config: Config, plan: BundlePlan, facts: BundleFacts) -> tuple[str, ...]:
    """Every reason the bundle must not be published (empty: publish it)."""
    profile = config.profile(plan.env)
    allowed = {f"{profile.directory}/pyproject.toml", f"{profile.directory}/uv.lock"}
    problems: list[str] = []
    want_branch = (
        relock_branch(plan.env)
        if plan.kind == "relock"
        else branch_name(plan.env, [(p.package, p.tag, p.commit) for p in plan.pins])
    )
    if plan.branch != want_branch:
        problems.append(f"its branch {plan.branch} is not the planned {want_branch}")
    if plan.base_branch != config.default_branch:
        problems.append(f"its base branch is {plan.base_branch}, not {config.default_branch}")
    if not facts.base_on_default_branch:
        problems.append(f"its base {plan.base_commit[:12]} is not on {config.default_branch}")
    if facts.parents != (plan.base_commit,):
        problems.append(f"the commit's parents are not exactly the base {plan.base_commit[:12]}")
    if not facts.changed:
        problems.append("the commit changes nothing")
    others = sorted(set(facts.changed) - allowed)
    if others:
        problems.append(f"the commit changes files other than {sorted(allowed)}: {others}")
    bot = f"{config.bot.name} <{config.bot.email}>"
    if facts.author != bot or facts.committer != bot:
        problems.append(
            f"the commit is not the bot's ({facts.author}; committer {facts.committer})"
        )
    for what, text in (("commit message", facts.message), ("title", plan.title)):
        marker = find_skip_marker(text)
        if marker is not None:
            problems.append(f"the {what} carries the CI skip marker {marker!r}")
    if facts.pyproject_after is None or facts.lock_after is None:
        return (*problems, f"the commit lacks {profile.directory}/pyproject.toml or uv.lock")
    problems += _pins_problems(config, plan, facts)
    return tuple(problems)


def _body_problems(plan: BundlePlan) -> list[str]:
    """The PR body must say what the bundle does: ``refresh`` reads it back later."""
    pins_block = read_pins_block(plan.body)
    if plan.kind == "relock":
        problems = []
        if plan.pins or pins_block is not None:
            problems.append("a re-lock bundle names pins to promote")
        relocked = read_relock_block(plan.body)
        if relocked is None or relocked.env != plan.env:
            problems.append("the PR body's re-lock block does not name this profile")
        return problems
    planned = {(p.package, p.tag, p.commit) for p in plan.pins}
    problems = [] if plan.pins else ["a promotion bundle names no pin"]
    if (
        pins_block is None
        or pins_block.env != plan.env
        or {(p.package, p.tag, p.commit) for p in pins_block.pins} != planned
    ):
        problems.append("the PR body's pins block does not name exactly the planned pins")
    return problems


def _pins_problems(config: Config, plan: BundlePlan, facts: BundleFacts) -> list[str]:
    problems = _body_problems(plan)
    after = read_pins(facts.pyproject_after or "")
    before = read_pins(facts.pyproject_before or "")
    if plan.kind == "promote":
        expected = {p.package: (p.tag, p.commit) for p in plan.pins}
    else:
        expected = {name: (tag, commit) for name, tag, commit in plan.kept}
        if after.pins != before.pins:
            problems.append("a re-lock bundle changes the profile's pins")
    for name, pin in after.pins.items():
        if name not in config.packages:
            continue
        old = before.pins.get(name)
        if name in expected:
            if pin.tag != expected[name][0]:
                problems.append(
                    f"{name} is pinned to {pin.tag}, not the planned {expected[name][0]}"
                )
        elif old is None or (old.tag, old.url) != (pin.tag, pin.url):
            problems.append(f"{name}'s pin changed although the plan does not name it")
    missing = sorted(set(expected) - set(after.pins))
    if missing:
        problems.append(f"the profile does not pin {', '.join(missing)}")
    lock = read_lock(facts.lock_after or "")
    lock_before = read_lock(facts.lock_before) if facts.lock_before else None
    problems += verify_lock(
        lock, config=config, profile=after, promoted=expected, before=lock_before
    )
    return problems


def refused(problems: Sequence[str]) -> InputRejected:
    """The one sentence a refused bundle exits with."""
    more = (
        f" (and {len(problems) - 1} more: {'; '.join(problems[1:])})" if len(problems) > 1 else ""
    )
    return InputRejected(f"the release bundle is refused: {problems[0]}{more}")


@dataclass(frozen=True, kw_only=True)
class BundledOutcome(BranchChange):
    """A checked bundle as the publication step sees an outcome (promotion or re-lock)."""

    status: Status  # a bundle is never a dry run
    data: Mapping[str, Any]

    def as_json(self) -> dict[str, Any]:
        return {**self.data, "status": self.status, "commit": self.commit}


def bundled_outcome(plan: BundlePlan) -> BundledOutcome:
    """The outcome to publish for a checked ``plan`` (the checkout holds no branch yet)."""
    return BundledOutcome(**plan.change_fields(), data=plan.outcome)
