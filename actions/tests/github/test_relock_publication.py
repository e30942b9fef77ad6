"""``relock`` on GitHub: the same publication as ``promote`` (push with a lease, one PR),
created, then unchanged on a re-run with no write request, then closed once empty.

Real git (a sandbox monorepo whose bare origin the fake serves), real uv, real
PyGithub against the in-process fake GitHub; explicit environments only.
"""

from __future__ import annotations

import pytest

from tests.support.github_sandbox import REPO, TOKEN
from tests.support.release_github import Flow
from tests.support.sandbox import git

pytestmark = pytest.mark.uvlock
BRANCH = "release/staging/relock"
RELOCK = ("relock", "--env", "staging", "--json")


def test_relock_in_actions_created_unchanged_then_closed(flow: Flow) -> None:
    first = flow.cli(*RELOCK, "--repo", str(flow.work))
    assert first.rc == 0, first.err
    assert first.data["status"] == "committed" and first.data["lock_initial"] is True
    assert first.data["pushed"] is True
    assert first.data["pull_request"]["operation"] == "created"
    head = flow.remote_sha(BRANCH)
    assert head == first.data["commit"] and flow.commits_on(BRANCH) == 1
    assert "version = 1" in flow.remote_file(BRANCH, "staging/uv.lock")
    (pull,) = flow.fake.repo(REPO).pulls()
    assert pull["head"] == BRANCH and pull["base"] == "main" and pull["state"] == "open"
    assert pull["title"] == "staging: first lock"
    assert "Every internal package stays at its tag and commit" in pull["body"]
    assert pull["label_names"] == ["release", "env:staging", "relock"]
    (outputs,) = flow.step_outputs()
    assert outputs["operation"] == "created" and outputs["pr-number"] == str(pull["number"])
    assert outputs["status"] == "committed" and outputs["branch"] == BRANCH
    assert outputs["commit"] == head
    assert "**created**" in flow.summary.read_text(encoding="utf-8")
    # A re-lock promotes no tag: no failure issue is looked up or closed.
    assert not [r for r in flow.fake.requests if r.path.endswith("/issues") and r.method == "GET"]

    # The next scheduled run, on a fresh runner: the same lock, nothing written anywhere.
    writes = len(flow.fake.writes())
    again = flow.cli(*RELOCK, "--repo", str(flow.clone("runner2")))
    assert again.rc == 0, again.err
    assert again.data["status"] == "unchanged" and again.data["commit"] == head
    assert again.data["pushed"] is False
    assert again.data["pull_request"]["operation"] == "unchanged"
    assert len(flow.fake.writes()) == writes
    assert flow.remote_sha(BRANCH) == head

    # Merged: the next re-lock changes nothing, so it closes the PR and deletes the branch.
    flow.merge(BRANCH)
    emptied = flow.cli(*RELOCK, "--repo", str(flow.clone("runner3")))
    assert emptied.rc == 0, emptied.err
    assert emptied.data["status"] == "noop"
    assert emptied.data["pull_request"]["operation"] == "closed"
    (pull,) = flow.fake.repo(REPO).pulls()
    assert pull["state"] == "closed"
    (comment,) = [c["body"] for c in flow.fake.repo(REPO).comments.values()]
    assert "`staging` lock is already what uv makes of it" in comment
    assert flow.remote_sha(BRANCH) is None
    assert [o["operation"] for o in flow.step_outputs()] == ["created", "unchanged", "closed"]
    for text in (first.out, first.err, emptied.out, emptied.err, flow.outputs.read_text("utf-8")):
        assert TOKEN not in text


def test_relock_outside_actions_pushes_only_with_push(flow: Flow) -> None:
    local = flow.cli(*RELOCK, "--repo", str(flow.work), env=flow.env(actions=False))
    assert local.rc == 0, local.err
    assert local.data["status"] == "committed" and "pull_request" not in local.data
    assert flow.remote_sha(BRANCH) is None and flow.fake.requests == []
    pushed = flow.cli(*RELOCK, "--push", "--repo", str(flow.work), env=flow.env(actions=False))
    assert pushed.rc == 0, pushed.err
    # The local branch already held this re-lock; --push publishes that commit.
    assert pushed.data["status"] == "unchanged"
    assert pushed.data["pull_request"]["operation"] == "created"
    assert flow.remote_sha(BRANCH) == local.data["commit"]


def test_relock_push_without_a_token_is_refused_before_anything_is_made(flow: Flow) -> None:
    before = git("for-each-ref", cwd=flow.work)
    refused = flow.cli(*RELOCK, "--repo", str(flow.work), env=flow.env(RELEASE_TOOL_TOKEN=""))
    assert refused.rc == 2 and "no GitHub token" in refused.err
    assert git("for-each-ref", cwd=flow.work) == before
    assert flow.fake.requests == []


def test_origin_holding_the_very_same_commit_is_unchanged(flow: Flow) -> None:
    # Two runners committing the same change in the same second make the same commit id:
    # fixed dates make that certain here. The second run pushes nothing and says unchanged.
    same_second = {
        "GIT_AUTHOR_DATE": "2026-01-02T03:04:05Z",
        "GIT_COMMITTER_DATE": "2026-01-02T03:04:05Z",
    }
    first = flow.cli(*RELOCK, "--repo", str(flow.work), env=flow.env(**same_second))
    assert first.rc == 0, first.err
    assert first.data["status"] == "committed" and first.data["pushed"] is True
    again = flow.cli(*RELOCK, "--repo", str(flow.clone("runner2")), env=flow.env(**same_second))
    assert again.rc == 0, again.err
    assert again.data["commit"] == first.data["commit"] == flow.remote_sha(BRANCH)
    assert again.data["status"] == "unchanged" and again.data["pushed"] is False
    assert again.data["pull_request"]["operation"] == "unchanged"
    assert flow.step_outputs()[-1]["status"] == "unchanged"
