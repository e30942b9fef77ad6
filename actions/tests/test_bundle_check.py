"""The pure bundle check: plan parsing and the commit-shape rules (no git, no uv)."""

from __future__ import annotations

import dataclasses
import json

import pytest
from release_tool.core.bundle_check import (
    BundleFacts,
    BundlePlan,
    check_bundle,
    parse_plan,
    plan_json,
)
from release_tool.core.config import Config
from release_tool.core.plan import PlannedPin, branch_name
from release_tool.errors import InputRejected

BASE = "a" * 40
COMMIT = "b" * 40
TAG_COMMIT = "c" * 40


def _plan(config: Config, **changes: object) -> BundlePlan:
    pin = PlannedPin(
        package="hello-world",
        tag="0.2.0",
        version="0.2.0",
        commit=TAG_COMMIT,
        url=config.packages["hello-world"].url,
        slug=config.packages["hello-world"].slug,
        previous_tag="0.0.11",
        previous_commit=None,
        change="upgrade",
        declared_version="0.2.0",
    )
    plan = BundlePlan(
        kind="promote",
        status="committed",
        env="staging",
        branch=branch_name("staging", [("hello-world", "0.2.0", TAG_COMMIT)]),
        base_branch=config.default_branch,
        base_commit=BASE,
        commit=COMMIT,
        previous_branch_commit=None,
        title="staging: promote hello-world 0.0.11 → 0.2.0",
        body="",
        labels=("release",),
        closing_reason="closed",
        pins=(pin,),
        kept=(),
        allow_older=False,
        outcome={"status": "committed"},
    )
    return dataclasses.replace(plan, **changes)  # type: ignore[arg-type]


def _facts(config: Config, **changes: object) -> BundleFacts:
    bot = f"{config.bot.name} <{config.bot.email}>"
    facts = BundleFacts(
        parents=(BASE,),
        changed=("staging/pyproject.toml", "staging/uv.lock"),
        author=bot,
        committer=bot,
        message="staging: promote hello-world 0.2.0\n",
        pyproject_before=None,
        pyproject_after=None,
        lock_before=None,
        lock_after=None,
        base_on_default_branch=True,
    )
    return dataclasses.replace(facts, **changes)  # type: ignore[arg-type]


def test_a_plan_round_trips(config: Config) -> None:
    plan = _plan(config)
    assert parse_plan(plan_json(plan)) == plan


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        ({"format": 2}, "format 1"),
        ({"kind": "bump"}, "not publishable"),
        ({"status": "dry-run"}, "not publishable"),
        ({"commit": "xyz"}, "commit is not a full commit hash"),
        ({"base_commit": BASE.upper()}, "base_commit is not a full commit hash"),
        ({"labels": "release"}, "labels is missing or not a list"),
    ],
)
def test_a_malformed_plan_is_refused(config: Config, edit: dict[str, object], message: str) -> None:
    data = {**json.loads(plan_json(_plan(config))), **edit}
    with pytest.raises(InputRejected, match=message):
        parse_plan(json.dumps(data))
    with pytest.raises(InputRejected, match="not JSON"):
        parse_plan("{")


@pytest.mark.parametrize(
    ("plan_edit", "facts_edit", "problem"),
    [
        ({"branch": "release/staging/other"}, {}, "is not the planned"),
        ({"base_branch": "dev"}, {}, "its base branch is dev"),
        ({}, {"base_on_default_branch": False}, "is not on main"),
        ({}, {"parents": (BASE, COMMIT)}, "parents are not exactly the base"),
        ({}, {"parents": ()}, "parents are not exactly the base"),
        ({}, {"changed": ()}, "changes nothing"),
        ({}, {"changed": ("staging/uv.lock", "prod/uv.lock")}, "other than"),
        ({}, {"changed": ("staging/uv.lock", ".github/workflows/ci.yml")}, "other than"),
        ({}, {"author": "Mallory <m@x>"}, "is not the bot's"),
        ({}, {"committer": "Mallory <m@x>"}, "is not the bot's"),
        ({}, {"message": "x\n\nskip-checks: true"}, "CI skip marker"),
        ({"title": "x [no ci]"}, {}, "CI skip marker"),
        ({}, {}, "lacks staging/pyproject.toml or uv.lock"),
    ],
)
def test_each_shape_rule_can_fail(
    config: Config, plan_edit: dict[str, object], facts_edit: dict[str, object], problem: str
) -> None:
    problems = check_bundle(config, _plan(config, **plan_edit), _facts(config, **facts_edit))
    assert any(problem in p for p in problems), problems
