"""``refresh`` trusts only the bot's own PRs from this repository (fake GitHub).

A fork's PR named ``release/prod/<pkg>`` with a crafted rollback block, and a
same-repository PR opened by a person with a crafted block, are both ignored: not
listed for the workflow matrix, not refreshed, and refused when named with --pr.
"""

from __future__ import annotations

import pytest
from release_tool.core.hidden_block import render_block
from release_tool.core.pull_requests import distrust_reason
from release_tool.core.render import PINS_KIND

from tests.support.fake_github import FakeGitHub
from tests.support.github_sandbox import REPO
from tests.support.release_github import Flow
from tests.support.sandbox import load_config

SHA = "0123456789abcdef0123456789abcdef01234567"


def _crafted(env: str, package: str, tag: str) -> str:
    block = {
        "env": env,
        "rollback": True,
        "pins": [
            {"package": package, "tag": tag, "commit": SHA, "repository": "evil/fork"},
        ],
    }
    return f"Please merge.\n\n{render_block(PINS_KIND, block)}\n"


def test_the_fake_speaks_as_the_configured_bot() -> None:
    bot: dict[str, str] = load_config()["bot"]  # type: ignore[assignment]
    assert bot["name"] == FakeGitHub.LOGIN


@pytest.mark.parametrize(
    ("author", "head_repo", "trusted"),
    [
        ("vlmhb-release-bot[bot]", REPO, True),
        ("vlmhb-release-bot[bot]", REPO.upper(), True),  # GitHub's names ignore case
        ("vlmhb-release-bot[bot]", "mallory/vlmhyperbench_playground", False),
        ("mallory", REPO, False),
        ("vlmhb-release-bot", REPO, False),  # a user named like the bot, without [bot]
        ("vlmhb-release-bot[bot]", "", False),  # the head repository was deleted
    ],
)
def test_distrust_reason(author: str, head_repo: str, trusted: bool) -> None:
    why = distrust_reason(author, head_repo, repository=REPO, bot_login="vlmhb-release-bot[bot]")
    assert (why is None) is trusted


@pytest.mark.uvlock
def test_fork_and_person_prs_are_ignored(flow: Flow) -> None:
    repo = str(flow.work)
    made = flow.cli("promote", "--env", "staging", "--pin", "hello-world=0.2.0", "--repo", repo)
    assert made.rc == 0, made.err
    fork = flow.fake.open_foreign_pull(
        REPO,
        "release/prod/hello-world",
        _crafted("prod", "hello-world", "0.0.1"),
        author="mallory",
        head_repo="mallory/vlmhyperbench_playground",
    )
    person = flow.fake.open_foreign_pull(
        REPO, "release/staging/print-utils", _crafted("staging", "print-utils", "0.0.1"),
        author="mallory",
    )  # fmt: skip
    writes_before = len(flow.fake.writes())

    listed = flow.cli("refresh", "--list", "--json")
    assert listed.rc == 0, listed.err
    assert [p["branch"] for p in listed.data] == ["release/staging/hello-world"]
    assert f"#{fork} (release/prod/hello-world) ignored: its head is in mallory/" in listed.err
    assert f"#{person} (release/staging/print-utils) ignored: it was opened by mallory" in (
        listed.err
    )

    prod = flow.cli("refresh", "--env", "prod", "--repo", repo, "--json")
    assert prod.rc == 0, prod.err
    assert prod.data == []
    assert flow.remote_sha("release/prod/hello-world") is None  # the bot pushed nothing

    named = flow.cli("refresh", "--env", "staging", "--pr", str(person), "--repo", repo)
    assert named.rc == 2 and f"#{person} is not refreshed: it was opened by mallory" in named.err
    assert flow.remote_sha("release/staging/print-utils") is None
    # No write request touched the two foreign PRs.
    for request in flow.fake.writes()[writes_before:]:
        assert f"/issues/{fork}" not in request.path and f"/pulls/{fork}" not in request.path
        assert f"/issues/{person}" not in request.path and f"/pulls/{person}" not in request.path
