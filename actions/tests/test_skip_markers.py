"""CI skip markers in outside text never reach a commit message, a tag message or a PR.

The markers are those GitHub's documentation lists for skipping workflow runs
(``[skip ci]``, ``[ci skip]``, ``[no ci]``, ``[skip actions]``, ``[actions skip]``)
and the ``skip-checks:true`` / ``skip-checks: true`` trailer (docs/security.md).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from release_tool.adapters.git import Checkout
from release_tool.core.config import BotIdentity
from release_tool.core.pull_requests import PullRequestSpec
from release_tool.core.skip_markers import find_skip_marker, neutralise

from tests.support.sandbox import git

TABLE = [
    # (outside text, marker found, neutralised)
    ("fix [skip ci]", "[skip ci]", "fix (skip ci)"),
    ("[ci skip] fix", "[ci skip]", "(ci skip) fix"),
    ("x [no ci]", "[no ci]", "x (no ci)"),
    ("x [skip actions]", "[skip actions]", "x (skip actions)"),
    ("x [actions skip]", "[actions skip]", "x (actions skip)"),
    ("x [SKIP CI]", "[SKIP CI]", "x (SKIP CI)"),
    ("x [ skip  ci ]", "[ skip  ci ]", "x (skip  ci)"),
    ("x\n\nskip-checks:true", "skip-checks:true", "x\n\nskip-checks true"),
    ("x\n\nskip-checks: true", "skip-checks: true", "x\n\nskip-checks true"),
    ("x\n\nSkip-Checks: TRUE\n", "Skip-Checks: TRUE", "x\n\nSkip-Checks TRUE\n"),
    ("a [skip ci] b [no ci]", "[skip ci]", "a (skip ci) b (no ci)"),
    ("skip ci without brackets", None, "skip ci without brackets"),
    ("[skip-ci] is not a marker", None, "[skip-ci] is not a marker"),
    ("skip-checks: false", None, "skip-checks: false"),
    ("", None, ""),
]


@pytest.mark.parametrize(("text", "marker", "inert"), TABLE)
def test_markers_are_found_and_neutralised(text: str, marker: str | None, inert: str) -> None:
    assert find_skip_marker(text) == marker
    assert neutralise(text) == inert
    assert find_skip_marker(neutralise(text)) is None
    assert neutralise(neutralise(text)) == neutralise(text)  # idempotent


@pytest.mark.parametrize(("text", "marker", "inert"), [t for t in TABLE if t[1]])
def test_a_pull_request_never_carries_one(text: str, marker: str, inert: str) -> None:
    spec = PullRequestSpec(branch="release/staging/x", base="main", title=text, body=text)
    assert (spec.title, spec.body) == (inert, inert)


def test_a_bot_commit_never_carries_one(checkout: tuple[Path, str]) -> None:
    root, head = checkout
    repo = Checkout(root, {"GIT_CONFIG_GLOBAL": "/dev/null"})
    tree, _ = repo.tree_and_parents(head)
    reason = "rollback: 0.3 breaks prod [skip ci]\n\nskip-checks: true"
    bot = BotIdentity("bot[bot]", "bot@example.invalid")
    commit = repo.commit_tree(tree, head, f"prod: roll back x\n\nReason: {reason}\n", bot)
    message = git("show", "-s", "--format=%B", commit, cwd=root)
    assert find_skip_marker(message) is None
    assert "(skip ci)" in message and "skip-checks true" in message
