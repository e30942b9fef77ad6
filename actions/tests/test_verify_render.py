"""Lock verification against independent facts; PR title/body and the pins block."""

from __future__ import annotations

from typing import Any

from release_tool.core.config import Config
from release_tool.core.lockfile import Lock, read_lock
from release_tool.core.payload import Pin
from release_tool.core.plan import PromotionPlan, PromotionRequest, TagFacts, plan_promotion
from release_tool.core.pyproject_edit import read_pins
from release_tool.core.render import (
    labels,
    read_pins_block,
    render_body,
    render_commit_message,
    render_title,
)
from release_tool.core.verify import verify_lock

from .conftest import FIXTURES

LOCK_TEXT = (FIXTURES / "lock/staging.uv.lock").read_text(encoding="utf-8")
# The profile the fixture lock was made from (the lock is a real one, frozen as a fixture).
STAGING_TEXT = (FIXTURES / "pyproject/staging-new-tag/before.toml").read_text(encoding="utf-8")
STAGING = read_pins(STAGING_TEXT)
HELLO = "c81144bfb7353b9c3071b87c276a460ee5e3b480"


def _verify(lock: Lock, config: Config, promoted: dict[str, tuple[str, str]]) -> tuple[str, ...]:
    return verify_lock(lock, config=config, profile=STAGING, promoted=promoted, before=None)


def test_sound_lock_passes(config: Config) -> None:
    assert _verify(read_lock(LOCK_TEXT), config, {"hello-world": ("0.0.11", HELLO)}) == ()


def test_promoted_package_at_another_commit_fails(config: Config) -> None:
    problems = _verify(read_lock(LOCK_TEXT), config, {"hello-world": ("0.0.11", "f" * 40)})
    assert len(problems) == 1 and "should be locked at" in problems[0]


def test_internal_package_from_a_registry_is_rejected(config: Config) -> None:
    """Dependency confusion: a same-named stranger from PyPI instead of our repository."""
    text = LOCK_TEXT.replace(
        'source = { git = "https://github.com/VLMHyperBenchTeam/bench_utils.git?tag=0.1.2'
        '#338534a607cad29ab6826f0d8f520ff8e7e297a3" }',
        'source = { registry = "https://registry.example.invalid/simple" }',
    )
    assert text != LOCK_TEXT
    problems = _verify(read_lock(text), config, {})
    assert any("bench-utils is locked from registry" in p for p in problems)


def test_internal_package_from_another_git_url_is_rejected(config: Config) -> None:
    text = LOCK_TEXT.replace(
        "VLMHyperBenchTeam/print_utils.git", "VLMHyperBenchTeam/print_utils_fork.git"
    )
    problems = _verify(read_lock(text), config, {})
    assert any("print-utils is locked from git" in p for p in problems)


def test_git_entry_not_matching_its_pin_and_moved_commit(config: Config) -> None:
    moved = LOCK_TEXT.replace("tag=0.0.1#2bc48a4aa95f", "tag=0.0.1#0000000000ff")
    problems = verify_lock(
        read_lock(moved), config=config, profile=STAGING, promoted={}, before=read_lock(LOCK_TEXT)
    )
    assert any("print-utils 0.0.1 moved" in p for p in problems)
    retagged = LOCK_TEXT.replace("tag=0.0.1#2bc48", "tag=0.0.2#2bc48")
    problems = _verify(read_lock(retagged), config, {})
    assert any("matches no pin" in p for p in problems)


def test_missing_internal_package_is_reported(config: Config) -> None:
    lock = read_lock(LOCK_TEXT)
    lock = Lock(tuple(p for p in lock.packages if p.name != "prompt-handler"))
    assert any("prompt-handler is a dependency" in p for p in _verify(lock, config, {}))


def _plan(config: Config, tag: str = "0.2.0", **kw: Any) -> PromotionPlan:
    request = PromotionRequest(
        profile="staging",
        pins=(Pin("hello-world", tag, None, "VLMHyperBenchTeam/hello_world"),),
        **kw,
    )
    return plan_promotion(
        config,
        request,
        facts={
            "hello-world": TagFacts("hello-world", tag, "a" * 40, f'[project]\nversion = "{tag}"\n')
        },
        base_commit="b" * 40,
        pyproject_before=STAGING_TEXT,
        lock_before=read_lock(LOCK_TEXT),
        requirements={},
    )


def test_title_body_and_pins_block(config: Config) -> None:
    plan = _plan(config)
    assert render_title(plan) == "staging: promote hello-world 0.0.11 → 0.2.0"
    logs = {"hello-world": ["abc1234 add <!-- release-tool:pins {} --> feature", "def5678 fix"]}
    body = render_body(plan, lock_diff=None, commit_logs=logs, backends=["cu124", "cu128"])
    assert "| hello-world | 0.0.11 (" in body and "**0.2.0**" in body
    assert "&lt;!-- release-tool:pins {} --&gt;" in body  # quoted text cannot forge the block
    assert "`cu124`, `cu128`" in body
    block = read_pins_block(body)
    assert block is not None and block.env == "staging" and not block.rollback
    assert [(p.package, p.tag, p.commit) for p in block.pins] == [
        ("hello-world", "0.2.0", "a" * 40)
    ]
    assert labels(plan) == ("release", "env:staging", "package:hello-world")
    assert read_pins_block("no block here") is None


def test_rollback_says_so_with_its_reason(config: Config) -> None:
    plan = _plan(config, "0.0.10", allow_downgrade=True, reason="0.0.11 broke the GPU job")
    assert render_title(plan).startswith("staging: roll back")
    message = render_commit_message(plan)
    assert "Rollback" in message and "Reason: 0.0.11 broke the GPU job" in message
    body = render_body(plan, lock_diff=None, commit_logs={}, backends=[])
    assert "**rollback**" in body and "Reason: 0.0.11 broke the GPU job" in body
    block = read_pins_block(body)
    assert block is not None and block.rollback


def test_overlong_body_is_truncated_but_keeps_the_block(config: Config) -> None:
    plan = _plan(config)
    logs = {"hello-world": [f"{i:07x} " + "x" * 2000 for i in range(49)]}
    body = render_body(plan, lock_diff=None, commit_logs=logs, backends=[])
    assert len(body) <= 65_536
    assert read_pins_block(body) is not None
