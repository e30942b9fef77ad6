"""The pure decisions: older/newer tags, foreign commits, the failure issue's text."""

from __future__ import annotations

import pytest
from release_tool.core.config import BotIdentity
from release_tool.core.failures import failure_key, parse_failure
from release_tool.core.plan import PlannedPin
from release_tool.core.pyproject_edit import GitPin
from release_tool.core.supersession import (
    BranchCommit,
    check_not_older,
    foreign_commits,
    transitions,
)
from release_tool.errors import InputRejected

BOT = BotIdentity("bot[bot]", "bot[bot]@users.noreply.github.com")


def planned(package: str, tag: str) -> PlannedPin:
    return PlannedPin(package, tag, tag, "c" * 40, "url", "o/r", None, None, "new", tag)


@pytest.mark.parametrize(
    ("proposed", "new", "older"),
    [
        ("0.2.0", "0.4.0", False),
        ("0.4.0", "0.3.0", True),
        ("v0.4.0", "0.4.1rc1", False),
        ("0.4.0", "0.4.0.dev1", True),
        ("not-a-tag", "0.1.0", False),
    ],
)
def test_older_than_proposed(proposed: str, new: str, older: bool) -> None:
    changes = transitions({"x": GitPin("url", proposed)}, [planned("x", new)])
    assert [c.describe() for c in changes] == [f"x {proposed} → {new}"]
    if older:
        with pytest.raises(InputRejected, match=f"x {new} is older than {proposed}"):
            check_not_older(changes, branch="release/staging/x", allow_older=False)
        check_not_older(changes, branch="release/staging/x", allow_older=True)
    else:
        check_not_older(changes, branch="release/staging/x", allow_older=False)


def test_same_tag_and_other_packages_are_no_transition() -> None:
    proposed = {"x": GitPin("url", "0.2.0"), "y": GitPin("url", "9.0")}
    assert transitions(proposed, [planned("x", "0.2.0"), planned("z", "1.0")]) == ()


def test_foreign_commits_by_author_email() -> None:
    commits = [
        BranchCommit("a" * 40, "bot", "BOT[bot]@users.noreply.github.com", "promote"),
        BranchCommit("b" * 40, "Dev", "dev@example.invalid", "fix"),
    ]
    assert [c.sha for c in foreign_commits(commits, BOT)] == ["b" * 40]


def test_failure_report_text_and_checks() -> None:
    excerpt = "x\n" * 300 + "release-tool promote: tag 0.9.0 was not found\n```\nend\n"
    report = parse_failure(
        package="hello-world",
        tag="V0.9.0",
        env="staging",
        run_url="https://h/o/r/actions/runs/1",
        excerpt=excerpt,
        reason=None,
    )
    assert (
        report.key
        == failure_key("staging", "hello-world", "V0.9.0")
        == ("failure:staging:hello-world@v0.9.0")
    )
    body = report.body()
    assert "**Reason:** release-tool promote: tag 0.9.0 was not found" in body
    assert "````text" in body and "(earlier lines cut)" in body
    for bad in ({"package": "a b"}, {"env": "Prod"}, {"run_url": "ftp://x"}, {"tag": "-x"}):
        args = {"package": "p", "tag": "1", "env": "staging", "run_url": "https://x/1"} | bad
        with pytest.raises(InputRejected):
            parse_failure(**args, excerpt="", reason=None)
