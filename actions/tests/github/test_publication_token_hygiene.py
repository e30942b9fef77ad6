"""The canary token never shows across the promote, notify, refresh, comment and
report-failure paths: stdout, stderr (the subprocess helper's echo included), log
records, --json, step outputs, the job summary, the PR and comment texts."""

from __future__ import annotations

import base64
import logging
from pathlib import Path

import pytest
from release_tool.adapters import release_branch

from tests.support.fake_github import Fault
from tests.support.github_sandbox import REPO, TOKEN
from tests.support.release_github import Flow, Published
from tests.support.sandbox import git

pytestmark = pytest.mark.uvlock
BASIC = base64.b64encode(f"x-access-token:{TOKEN}".encode()).decode()
SHA = "0123456789abcdef0123456789abcdef01234567"


def test_the_token_never_leaks_from_the_commands(
    flow: Flow,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="github")
    runs: list[Published] = []
    repo = str(flow.work)

    def promote(*args: str, **env: str) -> Published:
        runs.append(
            flow.cli("promote", "--env", "staging", "--repo", repo, *args, env=flow.env(**env))
        )
        return runs[-1]

    assert promote("--pin", "hello-world=0.2.0", "--json").rc == 0  # created
    assert promote("--pin", "hello-world=0.2.0").rc == 0  # unchanged
    assert promote("--pin", "hello-world=0.4.0", "--json").rc == 0  # superseded
    assert promote("--pin", "hello-world=0.3.0").rc == 2  # late older tag
    flow.fake.persistent_fault = Fault("500")
    assert promote("--pin", "print-utils=0.2.0").rc == 1  # GitHub keeps failing
    flow.fake.persistent_fault = None
    assert promote("--pin", "print-utils=0.2.0", "--push", actions=False).rc == 0

    # a lease failure: another push lands between the read and the push
    other = flow.clone("other")
    real = release_branch.fetch_release_branch

    def read_then_race(origin, branch):  # type: ignore[no-untyped-def]
        seen = real(origin, branch)
        git("push", "-q", "--force", "origin", f"origin/main:refs/heads/{branch}", cwd=other)
        return seen

    monkeypatch.setattr(release_branch, "fetch_release_branch", read_then_race)
    lost = promote("--pin", "hello-world=0.2.0", "--allow-downgrade")
    assert lost.rc == 1 and "changed concurrently" in lost.err
    monkeypatch.setattr(release_branch, "fetch_release_branch", real)

    report = tmp_path / "report.md"
    report.write_text(f"GPU results (token {TOKEN} must not be echoed)\n", encoding="utf-8")
    env = flow.env()
    for argv in (
        ("notify", "--pin", f"hello-world=0.2.0@{SHA}", "--json"),
        ("notify", "--pin", "hello-world=0.2.0"),  # refused
        ("comment", "--pr", "1", "--kind", "gpu", "--file", str(report)),
        ("refresh", "--list", "--json"),
        ("refresh", "--env", "staging", "--repo", repo, "--json"),
        (
            "report-failure",
            "--package",
            "hello-world",
            "--tag",
            "0.9.0",
            "--env",
            "staging",
            "--run-url",
            "https://example.invalid/r/1",
            "--file",
            str(report),
        ),
    ):
        runs.append(flow.cli(*argv, env=env))
    flow.fake.persistent_fault = Fault("drop")
    runs.append(flow.cli("notify", "--pin", f"hello-world=0.2.0@{SHA}", env=env))
    flow.fake.persistent_fault = None
    assert runs[-1].rc == 1 and "GitHub API: sending the package-released" in runs[-1].err

    texts = [r.out + r.err for r in runs]
    texts += [rec.getMessage() for rec in caplog.records]
    texts += [flow.outputs.read_text("utf-8"), flow.summary.read_text("utf-8")]
    repo_state = flow.fake.repo(REPO)
    texts += [str(i.get("body")) + str(i.get("title")) for i in repo_state.issues.values()]
    texts += [c["body"] for c in repo_state.comments.values()]
    assert any("$ git push" in t for t in texts)  # the helper's echo was captured
    for text in texts:
        assert TOKEN not in text and BASIC not in text
    # ...and the GitHub side did get the token, in the header only
    assert all(r.headers.get("Authorization") == f"token {TOKEN}" for r in flow.fake.requests)
