"""Supersession, late older tags, human commits, refresh, failure issues closed on success.

Real git (a sandbox monorepo whose bare origin the fake serves), real uv, real
PyGithub against the in-process fake GitHub; explicit environments only.
"""

from __future__ import annotations

import json

import pytest

from tests.support.github_sandbox import REPO
from tests.support.release_github import Flow, Published
from tests.support.sandbox import git

pytestmark = pytest.mark.uvlock
BRANCH = "release/staging/hello-world"
DEV = {
    "GIT_AUTHOR_NAME": "Dev Eloper",
    "GIT_AUTHOR_EMAIL": "dev@example.invalid",
    "GIT_COMMITTER_NAME": "Dev Eloper",
    "GIT_COMMITTER_EMAIL": "dev@example.invalid",
}


def promote(flow: Flow, *pins: str, **env: str) -> Published:
    args = [a for pin in pins for a in (("--pin", pin) if "=" in pin else (pin,))]
    return flow.cli(
        "promote",
        "--env",
        "staging",
        *args,
        "--json",
        "--repo",
        str(flow.work),
        env=flow.env(**env),
    )


def test_newer_tag_supersedes_older_is_rejected_human_commit_is_kept(flow: Flow) -> None:
    first = promote(flow, "hello-world=0.2.0")
    assert first.rc == 0, first.err
    newer = promote(flow, "hello-world=0.4.0")
    assert newer.rc == 0, newer.err
    assert newer.data["pull_request"]["operation"] == "updated" and newer.data["pushed"]
    assert newer.data["superseded"] == [
        {"package": "hello-world", "old_tag": "0.2.0", "new_tag": "0.4.0"}
    ]
    assert flow.commits_on(BRANCH) == 1
    assert 'tag = "0.4.0"' in flow.remote_file(BRANCH, "staging/pyproject.toml")
    (pull,) = flow.fake.repo(REPO).pulls()
    assert pull["title"] == "staging: promote hello-world 0.0.11 → 0.4.0"
    (comment,) = flow.fake.repo(REPO).comments.values()
    assert "hello-world 0.2.0 → 0.4.0" in comment["body"]

    # A late, older tag: refused, nothing written anywhere, the local branch as it was.
    head, local = flow.remote_sha(BRANCH), git("rev-parse", BRANCH, cwd=flow.work)
    writes = len(flow.fake.writes())
    late = promote(flow, "hello-world=0.3.0")
    assert late.rc == 2 and "older than 0.4.0, already proposed" in late.err
    assert [ln for ln in late.err.splitlines() if ln.startswith("release-tool promote:")]
    assert flow.remote_sha(BRANCH) == head and len(flow.fake.writes()) == writes
    assert git("rev-parse", BRANCH, cwd=flow.work) == local

    # Someone pushes a fix onto the release branch: never force-pushed over.
    work = flow.clone("dev")
    git("checkout", "-q", "-b", "fix", f"origin/{BRANCH}", cwd=work)
    (work / "NOTE.md").write_text("a human fix\n", encoding="utf-8")
    git("add", "NOTE.md", cwd=work)
    git("commit", "-q", "-m", "fix by hand", cwd=work, env=DEV)
    git("push", "-q", "origin", f"HEAD:{BRANCH}", cwd=work)
    human = flow.remote_sha(BRANCH)
    refused = promote(flow, "hello-world=0.4.0", "--reason", "again")
    assert refused.rc == 1, refused.err
    assert (
        "by Dev Eloper <dev@example.invalid>" in refused.err and "(commented on #1)" in refused.err
    )
    assert flow.remote_sha(BRANCH) == human
    bodies = [c["body"] for c in flow.fake.repo(REPO).comments.values()]
    assert len(bodies) == 2 and "never force-pushes" in bodies[1]
    assert promote(flow, "hello-world=0.4.0", "--reason", "again").rc == 1
    assert len(flow.fake.repo(REPO).comments) == 2  # the same sticky comment


def test_failure_issue_closed_by_a_successful_promotion(
    flow: Flow, tmp_path_factory: pytest.TempPathFactory
) -> None:
    log = tmp_path_factory.mktemp("log") / "log.txt"
    log.write_text("release-tool promote: the GPU job failed\n", encoding="utf-8")
    report = (
        "report-failure",
        "--package",
        "hello-world",
        "--tag",
        "0.2.0",
        "--env",
        "staging",
        "--run-url",
        "https://example.invalid/runs/7",
        "--file",
        str(log),
    )
    assert flow.cli(*report, env=flow.env(actions=False)).rc == 0
    assert flow.cli(*report, env=flow.env(actions=False)).rc == 0
    (issue,) = flow.fake.repo(REPO).issues.values()
    assert issue["state"] == "open"
    done = promote(flow, "hello-world=0.2.0")
    assert done.rc == 0, done.err
    assert flow.fake.repo(REPO).issues[1]["state"] == "closed"
    closing = [c["body"] for c in flow.fake.repo(REPO).comments.values() if c["issue_number"] == 1]
    assert len(closing) == 1 and "was promoted into `staging` (#2)" in closing[0]


def test_refresh_rewrites_the_stale_pr_and_closes_the_emptied_one(flow: Flow) -> None:
    assert promote(flow, "hello-world=0.2.0").rc == 0
    assert promote(flow, "print-utils=0.2.0").rc == 0
    listed = flow.cli("refresh", "--list", "--json", "--env", "staging", env=flow.env())
    assert listed.rc == 0, listed.err
    assert [(p["number"], p["branch"], p["packages"]) for p in listed.data] == [
        (1, BRANCH, ["hello-world"]),
        (2, "release/staging/print-utils", ["print-utils"]),
    ]
    # A maintainer's batch (print-utils + prompt-handler) is merged: both PRs go stale,
    # and the print-utils one has nothing left to change.
    batch = promote(flow, "print-utils=0.2.0", "prompt-handler=0.2.0", actions=False)
    assert batch.rc == 0, batch.err
    git("merge", "-q", "--ff-only", batch.data["branch"], cwd=flow.work)
    git("push", "-q", "origin", "main", cwd=flow.work)
    main = git("rev-parse", "main", cwd=flow.work)
    stale = flow.remote_sha(BRANCH)

    done = flow.cli(
        "refresh", "--env", "staging", "--json", "--repo", str(flow.work), env=flow.env()
    )
    assert done.rc == 0, done.err
    by_number = {r["number"]: r for r in done.data}
    assert by_number[1]["pull_request"]["operation"] in {"updated", "unchanged"}
    assert by_number[1]["pushed"] is True
    assert (
        by_number[2]["status"] == "noop" and by_number[2]["pull_request"]["operation"] == "closed"
    )
    assert flow.remote_sha(BRANCH) != stale and flow.commits_on(BRANCH) == 1
    assert git("rev-parse", f"refs/heads/{BRANCH}^", cwd=flow.origin) == main
    lock = flow.remote_file(BRANCH, "staging/uv.lock")
    assert "prompt_handler.git?tag=0.2.0#" in lock and "hello_world.git?tag=0.2.0#" in lock
    assert flow.remote_sha("release/staging/print-utils") is None
    pulls = {p["number"]: p for p in flow.fake.repo(REPO).pulls()}
    assert pulls[1]["state"] == "open" and pulls[2]["state"] == "closed"

    again = flow.cli(
        "refresh",
        "--env",
        "staging",
        "--pr",
        "1",
        "--json",
        "--repo",
        str(flow.work),
        env=flow.env(),
    )
    assert again.rc == 0, again.err
    assert (
        again.data[0]["status"] == "unchanged"
        and again.data[0]["pull_request"]["operation"] == "unchanged"
    )
    assert json.loads(flow.cli("refresh", "--list", "--json", env=flow.env()).out) == [
        listed.data[0]
    ]
