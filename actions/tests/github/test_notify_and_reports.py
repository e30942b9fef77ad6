"""``notify``, ``comment`` and ``report-failure`` against the fake GitHub (explicit env)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.support.cli import run_cli
from tests.support.fake_github import FakeGitHub
from tests.support.github_sandbox import REPO, TOKEN, Sleeps, github_env
from tests.support.sandbox import ROOT

SHA = "0123456789abcdef0123456789abcdef01234567"
SHA2 = "89abcdef0123456789abcdef0123456789abcdef"


def cli(env: dict[str, str], *argv: str) -> tuple[int, str, str]:
    return run_cli(argv, env, cwd=ROOT).as_tuple()


def intake(event: dict[str, Any], tmp_path: Path) -> dict[str, Any]:
    path = tmp_path / "event.json"
    path.write_text(json.dumps({"action": event["event_type"], **event}), encoding="utf-8")
    rc, out, err = cli({}, "intake", "--payload", str(path))
    assert rc == 0, err
    return json.loads(out)  # type: ignore[no-any-return]


@pytest.fixture
def env(fake: FakeGitHub, fast_github: Sleeps, tmp_path: Path) -> dict[str, str]:
    fake.add_repo(REPO)
    (tmp_path / "out").touch()
    return github_env(fake, GITHUB_OUTPUT=str(tmp_path / "out"))


def test_notify_single_pin_is_what_intake_accepts(
    fake: FakeGitHub, env: dict[str, str], tmp_path: Path
) -> None:
    rc, out, err = cli(
        env,
        "notify",
        "--repository",
        REPO,
        "--package",
        "hello-world",
        "--tag",
        "0.3.0",
        "--sha",
        SHA,
    )
    assert rc == 0, err
    (event,) = fake.repo(REPO).dispatches
    assert event == {
        "event_type": "package-released",
        "client_payload": {
            "package": "hello-world",
            "tag": "0.3.0",
            "repository": "VLMHyperBenchTeam/hello_world",
            "sha": SHA,
        },
    }
    assert intake(event, tmp_path) == {**event["client_payload"], "env": "staging"}
    assert f"{REPO}/actions?query=event%3Arepository_dispatch" in out
    assert "watch-url<<" in (tmp_path / "out").read_text(encoding="utf-8")


def test_notify_batch_from_pins_and_from_a_file(
    fake: FakeGitHub, env: dict[str, str], tmp_path: Path
) -> None:
    rc, _, err = cli(
        env,
        "notify",
        "--pin",
        f"bench-utils=0.3.0@{SHA}",
        "--pin",
        f"model-interface=0.3.0@{SHA2}",
        "--json",
    )
    assert rc == 0, err
    pins_file = tmp_path / "pins.json"
    pins_file.write_text(
        json.dumps(
            [
                {"package": "print-utils", "tag": "0.2.0", "sha": SHA},
                {"package": "prompt-handler", "tag": "0.2.0", "sha": SHA2},
            ]
        ),
        encoding="utf-8",
    )
    rc, _, err = cli(env, "notify", "--pins", str(pins_file))
    assert rc == 0, err
    first, second = fake.repo(REPO).dispatches
    accepted = intake(first, tmp_path)
    assert [p["package"] for p in accepted["pins"]] == ["bench-utils", "model-interface"]
    assert accepted["env"] == "staging" and "env" not in first["client_payload"]
    assert [p["sha"] for p in intake(second, tmp_path)["pins"]] == [SHA, SHA2]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("--package", "nope", "--tag", "0.1.0", "--sha", SHA), "unknown package"),
        (("--package", "hello-world", "--tag", "0.1.0", "--sha", "abc"), "40-character"),
        (("--package", "hello-world", "--tag", "not a tag", "--sha", SHA), "malformed tag"),
        (("--package", "hello-world", "--tag", "0.1.0"), "missing --sha"),
        (("--pin", "hello-world=0.1.0"), "needs its commit"),
        (("--pin", f"hello-world=0.1.0@{SHA}", "--env", "prod"), "may not target prod"),
        (("--pin", f"hello-world=0.1.0@{SHA}", "--package", "x"), "exactly one of"),
        (("--repository", "not a repo", "--pin", f"hello-world=0.1.0@{SHA}"), "OWNER/NAME"),
    ],
)
def test_notify_refuses_what_intake_refuses(
    fake: FakeGitHub, env: dict[str, str], argv: tuple[str, ...], message: str
) -> None:
    rc, out, err = cli(env, "notify", *argv)
    assert rc == 2 and message in err, err
    assert fake.requests == [] and out == ""


def test_notify_without_a_token_sends_nothing(fake: FakeGitHub, env: dict[str, str]) -> None:
    rc, _, err = cli(
        {**env, "RELEASE_TOOL_TOKEN": ""}, "notify", "--pin", f"hello-world=0.1.0@{SHA}"
    )
    assert rc == 2 and "no GitHub token" in err and fake.requests == []


def test_sticky_comment_created_then_updated_then_unchanged(
    fake: FakeGitHub, env: dict[str, str], tmp_path: Path
) -> None:
    repo = fake.repo(REPO)
    fake.new_issue(repo, "PR", "body", head="release/staging/x", base="main", _merged=False)
    report = tmp_path / "gpu.md"
    report.write_text("| backend | result |\n|---|---|\n| cu128 | pass |\n", encoding="utf-8")
    args = ("comment", "--pr", "1", "--kind", "gpu-results", "--file", str(report), "--json")
    rc, out, err = cli(env, *args)
    assert rc == 0 and json.loads(out)["operation"] == "created", err
    report.write_text("| backend | result |\n|---|---|\n| cu128 | fail |\n", encoding="utf-8")
    rc, out, _ = cli(env, *args)
    assert json.loads(out)["operation"] == "updated"
    (comment,) = repo.comments.values()
    assert comment["body"].endswith("| cu128 | fail |\n")
    writes = len(fake.writes())
    rc, out, _ = cli(env, *args)
    assert json.loads(out)["operation"] == "unchanged" and len(fake.writes()) == writes
    other = tmp_path / "other.md"
    other.write_text("another kind\n", encoding="utf-8")
    assert cli(env, "comment", "--pr", "1", "--kind", "images", "--file", str(other))[0] == 0
    assert len(repo.comments) == 2
    assert cli(env, "comment", "--pr", "1", "--kind", "Bad Kind", "--file", str(other))[0] == 2


def test_failure_issue_opened_then_updated(
    fake: FakeGitHub, env: dict[str, str], tmp_path: Path
) -> None:
    log = tmp_path / "log.txt"
    log.write_text(
        f"$ release-tool promote ...\nusing {TOKEN}\n"
        "release-tool promote: tag 0.9.0 of hello-world was not found in https://x\n",
        encoding="utf-8",
    )
    args = (
        "report-failure",
        "--package",
        "hello-world",
        "--tag",
        "0.9.0",
        "--env",
        "staging",
        "--run-url",
        "https://github.com/o/r/actions/runs/1",
        "--file",
        str(log),
        "--json",
    )
    rc, out, err = cli(env, *args)
    assert rc == 0 and json.loads(out)["operation"] == "created", err
    (issue,) = fake.repo(REPO).issues.values()
    assert issue["title"] == "Release: hello-world 0.9.0 was not promoted into staging"
    assert (
        "**Reason:** release-tool promote: tag 0.9.0 of hello-world was not found" in issue["body"]
    )
    assert "actions/runs/1" in issue["body"] and TOKEN not in issue["body"]
    assert issue["label_names"] == ["release-failure", "env:staging", "package:hello-world"]
    again = [
        a
        if a != "https://github.com/o/r/actions/runs/1"
        else "https://github.com/o/r/actions/runs/2"
        for a in args
    ]
    rc, out, _ = cli(env, *again)
    assert json.loads(out)["operation"] == "updated"
    (issue,) = fake.repo(REPO).issues.values()
    assert "actions/runs/2" in issue["body"] and issue["state"] == "open"
    bad = [a if a != "staging" else "Staging Env" for a in args]
    assert cli(env, *bad)[0] == 2
