"""The hidden relock block of a re-lock PR's body, and how ``refresh --list`` reads it."""

from __future__ import annotations

import json

import pytest
from release_tool.adapters.github import PullRequestInfo
from release_tool.commands.refresh import describe, list_pulls
from release_tool.core.relock_render import (
    RelockBlock,
    read_relock_block,
    render_relock_block,
)


@pytest.mark.parametrize("upgrade", [True, False])
def test_the_block_reads_back(upgrade: bool) -> None:
    body = f"## Re-lock\n\ntext\n\n{render_relock_block('prod', upgrade=upgrade)}\n"
    assert read_relock_block(body) == RelockBlock("prod", upgrade)


@pytest.mark.parametrize(
    "body",
    [
        "no block at all",
        "<!-- release-tool:relock {not json} -->",
        '<!-- release-tool:relock {"upgrade": true} -->',
        '<!-- release-tool:relock {"env": 3} -->',
    ],
)
def test_a_missing_or_broken_block_reads_as_none(body: str) -> None:
    assert read_relock_block(body) is None


def test_the_last_block_wins() -> None:
    quoted = render_relock_block("staging", upgrade=False)
    body = f"> {quoted}\n\n{render_relock_block('staging', upgrade=True)}"
    assert read_relock_block(body) == RelockBlock("staging", upgrade=True)


def _pull(branch: str, body: str) -> PullRequestInfo:
    return PullRequestInfo(5, "https://x/5", branch, "main", "t", body, "0" * 40, ())


def test_list_entry_of_a_relock_pr() -> None:
    body = render_relock_block("staging", upgrade=True)
    assert describe(_pull("release/staging/relock", body)) == {
        "number": 5,
        "branch": "release/staging/relock",
        "url": "https://x/5",
        "env": "staging",
        "packages": [],
        "relock": True,
    }
    # A block naming another profile than the branch's is not taken at its word.
    stray = describe(_pull("release/prod/relock", body))
    assert stray["env"] is None and stray["relock"] is False


def test_list_leaves_out_release_prs_the_tool_did_not_open(
    capsys: pytest.CaptureFixture[str],
) -> None:
    relock = _pull("release/prod/relock", render_relock_block("prod", upgrade=True))
    foreign = _pull("release/staging/by-hand", "a release branch someone opened by hand")
    assert list_pulls([relock, foreign], {}, as_json=True) == 0
    captured = capsys.readouterr()
    listed = json.loads(captured.out)
    assert [item["branch"] for item in listed] == ["release/prod/relock"]
    assert "release/staging/by-hand" in captured.err
    assert "not listed" in captured.err
