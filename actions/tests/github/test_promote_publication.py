"""``promote`` on GitHub: push with a lease, one labelled PR, unchanged/updated/closed.

Real git (a sandbox monorepo whose bare origin the fake serves), real uv, real
PyGithub against the in-process fake GitHub; explicit environments only.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from release_tool.adapters import release_branch

from tests.support.github_sandbox import REPO, TOKEN
from tests.support.release_github import Flow
from tests.support.sandbox import git

pytestmark = pytest.mark.uvlock
BRANCH = "release/staging/hello-world"
PROMOTE = ("promote", "--env", "staging", "--package", "hello-world", "--json")


def _promote(flow: Flow, tag: str, *extra: str, **env: str) -> object:
    return flow.cli(*PROMOTE, "--tag", tag, "--repo", str(flow.work), *extra, env=flow.env(**env))


def test_acceptance_in_actions_created_then_unchanged(flow: Flow) -> None:
    commit = flow.sandbox.packages["hello-world"].tags["0.2.0"]
    first = flow.cli(*PROMOTE, "--tag", "0.2.0", "--sha", commit, "--repo", str(flow.work))
    assert first.rc == 0, first.err
    assert first.data["pull_request"]["operation"] == "created"
    head = flow.remote_sha(BRANCH)
    assert head == first.data["commit"] and flow.commits_on(BRANCH) == 1
    (pull,) = flow.fake.repo(REPO).pulls()
    assert pull["head"] == BRANCH and pull["base"] == "main" and pull["state"] == "open"
    assert "**0.2.0**" in pull["body"] and commit[:10] in pull["body"]
    assert pull["label_names"] == ["release", "env:staging", "package:hello-world"]
    assert flow.step_outputs()[0]["operation"] == "created"
    assert flow.step_outputs()[0]["pr-number"] == str(pull["number"])
    assert "**created**" in flow.summary.read_text(encoding="utf-8")

    # A second runner, a fresh checkout, the same dispatch: nothing is written anywhere.
    writes = len(flow.fake.writes())
    again = flow.cli(
        *PROMOTE, "--tag", "0.2.0", "--sha", commit, "--repo", str(flow.clone("runner2"))
    )
    assert again.rc == 0, again.err
    assert again.data["pull_request"]["operation"] == "unchanged"
    assert again.data["status"] == "unchanged" and again.data["commit"] == head
    assert len(flow.fake.writes()) == writes
    assert flow.remote_sha(BRANCH) == head
    assert [o["operation"] for o in flow.step_outputs()] == ["created", "unchanged"]
    for text in (first.out, first.err, again.out, again.err, flow.outputs.read_text("utf-8")):
        assert TOKEN not in text


@pytest.mark.parametrize(
    "clock",
    [
        # the same second: the fresh runner makes the very commit origin holds (same SHA)
        ("2026-01-05T10:00:00Z", "2026-01-05T10:00:00Z"),
        # a later second: another SHA, the same tree, parent and message
        ("2026-01-05T10:00:00Z", "2026-01-05T10:00:01Z"),
    ],
    ids=["same-second", "later-second"],
)
def test_fresh_runner_rerun_is_unchanged_whatever_the_clock(
    flow: Flow, clock: tuple[str, str]
) -> None:
    """Regression: a re-run on a fresh checkout within the clock's second used to report
    ``committed`` (its commit was byte for byte origin's), though it pushed nothing."""

    def at(when: str) -> dict[str, str]:
        return {"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}

    first = _promote(flow, "0.2.0", **at(clock[0]))
    assert first.rc == 0, first.err
    head = flow.remote_sha(BRANCH)
    writes = len(flow.fake.writes())
    runner = str(flow.clone("runner2"))
    again = flow.cli(*PROMOTE, "--tag", "0.2.0", "--repo", runner, env=flow.env(**at(clock[1])))
    assert again.rc == 0, again.err
    assert again.data["status"] == "unchanged" and again.data["pushed"] is False, again.err
    assert again.data["commit"] == head and flow.remote_sha(BRANCH) == head
    assert again.data["pull_request"]["operation"] == "unchanged"
    assert len(flow.fake.writes()) == writes
    # the runner's own branch is left at origin's commit
    assert git("rev-parse", f"refs/heads/{BRANCH}", cwd=Path(runner)) == head
    assert [o["status"] for o in flow.step_outputs()] == ["committed", "unchanged"]


def test_update_with_a_new_body(flow: Flow) -> None:
    first = _promote(flow, "0.2.0")
    assert first.rc == 0, first.err
    # The same files on the same base (promote keeps the commit); only the body changes.
    second = _promote(flow, "0.2.0", "--reason", "re-run for the GPU job")
    assert second.rc == 0, second.err
    assert second.data["pull_request"]["operation"] == "updated"
    assert second.data["pushed"] is False
    assert flow.remote_sha(BRANCH) == second.data["commit"] == first.data["commit"]
    assert flow.commits_on(BRANCH) == 1
    patches = [r for r in flow.fake.writes() if r.method == "PATCH"]
    assert len(patches) == 1 and set(patches[0].body) == {"body"}
    (pull,) = flow.fake.repo(REPO).pulls()
    assert "Reason: re-run for the GPU job" in pull["body"]
    assert pull["label_names"] == ["release", "env:staging", "package:hello-world"]


def test_empty_change_closes_the_pr_and_deletes_the_branch(flow: Flow) -> None:
    first = _promote(flow, "0.2.0")
    assert first.rc == 0, first.err
    flow.merge(BRANCH)
    closed = _promote(flow, "0.2.0")
    assert closed.rc == 0, closed.err
    assert closed.data["status"] == "noop"
    assert closed.data["pull_request"]["operation"] == "closed"
    (pull,) = flow.fake.repo(REPO).pulls()
    assert pull["state"] == "closed"
    comments = [c["body"] for c in flow.fake.repo(REPO).comments.values()]
    assert len(comments) == 1 and "already pins hello-world 0.2.0" in comments[0]
    assert flow.remote_sha(BRANCH) is None
    again = _promote(flow, "0.2.0")
    assert again.rc == 0 and again.data["pull_request"]["operation"] == "unchanged"


def test_concurrent_push_makes_the_lease_fail_cleanly(
    flow: Flow, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _promote(flow, "0.2.0").rc == 0
    other = flow.clone("other")
    real = release_branch.fetch_release_branch
    raced: list[str] = []

    def read_then_race(origin, branch):  # type: ignore[no-untyped-def]
        seen = real(origin, branch)
        # Another bot run pushes between this run's read and its push.
        tree = git("rev-parse", "origin/main^{tree}", cwd=other)
        sha = git(
            "commit-tree",
            tree,
            "-p",
            "origin/main",
            "-m",
            "other run",
            cwd=other,
            env={
                "GIT_AUTHOR_NAME": "vlmhb-release-bot[bot]",
                "GIT_AUTHOR_EMAIL": "vlmhb-release-bot[bot]@users.noreply.github.com",
            },
        )
        git("push", "-q", "--force", "origin", f"{sha}:refs/heads/{branch}", cwd=other)
        raced.append(sha)
        return seen

    monkeypatch.setattr(release_branch, "fetch_release_branch", read_then_race)
    writes = len(flow.fake.writes())
    failed = _promote(flow, "0.3.0")
    assert failed.rc == 1
    assert "changed concurrently" in failed.err and "nothing was overwritten" in failed.err
    assert flow.remote_sha(BRANCH) == raced[0]
    assert len(flow.fake.writes()) == writes
    assert "Traceback" not in failed.err


def test_no_push_without_push_outside_actions(flow: Flow) -> None:
    local = _promote(flow, "0.2.0", actions=False)
    assert local.rc == 0, local.err
    assert local.data["status"] == "committed" and "pull_request" not in local.data
    assert flow.remote_sha(BRANCH) is None and flow.fake.requests == []
    assert flow.outputs.read_text(encoding="utf-8") == ""
    pushed = flow.cli(
        *PROMOTE, "--tag", "0.2.0", "--repo", str(flow.work), "--push", env=flow.env(actions=False)
    )
    assert pushed.rc == 0, pushed.err
    assert pushed.data["pull_request"]["operation"] == "created"
    assert flow.remote_sha(BRANCH) == local.data["commit"]


def test_push_without_a_token_is_refused_before_anything_is_made(flow: Flow) -> None:
    before = git("for-each-ref", cwd=flow.work)
    refused = flow.cli(
        *PROMOTE, "--tag", "0.2.0", "--repo", str(flow.work), env=flow.env(RELEASE_TOOL_TOKEN="")
    )
    assert refused.rc == 2 and "no GitHub token" in refused.err
    assert git("for-each-ref", cwd=flow.work) == before
