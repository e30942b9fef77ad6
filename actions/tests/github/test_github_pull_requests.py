"""Create-or-update of release PRs through real PyGithub against the fake GitHub."""

from __future__ import annotations

import pytest
from release_tool.adapters.github import GithubAdapter
from release_tool.core.pull_requests import PullRequestSpec, release_labels
from release_tool.errors import OperationalError

from tests.support.fake_github import FakeGitHub
from tests.support.github_sandbox import BRANCH, REPO, TOKEN, Sleeps, fast_policy, make_context

LABELS = release_labels("staging", ["hello-world"])


def spec(
    body: str = "hello-world 0.2.0 -> 0.3.0 at abc", title: str = "Promote"
) -> PullRequestSpec:
    return PullRequestSpec(BRANCH, "main", title, body, LABELS)


@pytest.fixture
def repo(fake: FakeGitHub) -> FakeGitHub:
    fake.add_repo(REPO).refs[BRANCH] = "1" * 40
    return fake


def test_create_opens_one_labelled_pr(repo: FakeGitHub, adapter: GithubAdapter) -> None:
    outcome = adapter.ensure_pull_request(REPO, spec())
    state = repo.repo(REPO)
    (pull,) = state.pulls()
    assert outcome.operation == "created"
    assert outcome.number == pull["number"] == 1
    assert outcome.url == repo.base.removesuffix("/api/v3") + f"/{REPO}/pull/1"
    assert (pull["head"], pull["base"], pull["title"]) == (BRANCH, "main", "Promote")
    assert pull["body"] == spec().body
    assert pull["label_names"] == list(LABELS)
    assert {n: state.labels[n]["color"] for n in LABELS} == {
        "release": "0e8a16",
        "env:staging": "1d76db",
        "package:hello-world": "5319e7",
    }
    posts = [r.body for r in repo.requests if r.method == "POST" and r.path.endswith("/pulls")]
    assert posts == [{"title": "Promote", "head": BRANCH, "base": "main", "body": spec().body}]
    # Every request carried the token in the header, never in the URL.
    assert all(r.headers.get("Authorization") == f"token {TOKEN}" for r in repo.requests)


def test_unchanged_rerun_makes_no_write(repo: FakeGitHub, adapter: GithubAdapter) -> None:
    adapter.ensure_pull_request(REPO, spec())
    before = len(repo.requests)
    outcome = adapter.ensure_pull_request(REPO, spec())
    assert outcome.operation == "unchanged"
    assert outcome.number == 1
    assert repo.requests[before:] and not [r for r in repo.requests[before:] if r.is_write]


def test_update_rewrites_title_and_body_only(repo: FakeGitHub, adapter: GithubAdapter) -> None:
    adapter.ensure_pull_request(REPO, spec())
    before = len(repo.requests)
    outcome = adapter.ensure_pull_request(REPO, spec(body="0.2.0 -> 0.4.0", title="Promote 0.4"))
    assert outcome.operation == "updated"
    writes = [(r.method, r.path, r.body) for r in repo.requests[before:] if r.is_write]
    assert writes == [
        ("PATCH", f"/repos/{REPO}/pulls/1", {"title": "Promote 0.4", "body": "0.2.0 -> 0.4.0"})
    ]
    (pull,) = repo.repo(REPO).pulls()
    assert (pull["title"], pull["body"]) == ("Promote 0.4", "0.2.0 -> 0.4.0")


def test_labels_are_applied_once_and_missing_ones_added(
    repo: FakeGitHub, adapter: GithubAdapter
) -> None:
    state = repo.repo(REPO)
    # GitHub's description has a PR list's labels carry a string description (never null).
    state.labels["release"] = {"id": 1, "name": "release", "color": "ffffff", "description": "x"}
    adapter.ensure_pull_request(REPO, spec())
    assert state.labels["release"]["color"] == "ffffff"  # an existing label is left alone
    state.issues[1]["label_names"].remove("env:staging")  # a human removed one
    outcome = adapter.ensure_pull_request(REPO, spec())
    assert outcome.operation == "updated"
    assert sorted(state.issues[1]["label_names"]) == sorted(LABELS)
    label_posts = [r.body for r in repo.requests if r.path.endswith("/issues/1/labels")]
    assert label_posts == [{"labels": list(LABELS)}, {"labels": ["env:staging"]}]
    assert not [r for r in repo.requests if r.method == "POST" and r.body == {"name": "release"}]


def test_an_existing_pr_found_after_422_is_updated_not_duplicated(
    repo: FakeGitHub, adapter: GithubAdapter
) -> None:
    state = repo.repo(REPO)
    # Another run opened it between our lookup and our POST: the fake answers the lookup
    # with nothing by making the first GET see an empty list.
    existing = repo.new_issue(state, "Old title", "old", head=BRANCH, base="main")
    existing["_merged"] = False
    existing["state"] = "closed"
    original_list = repo.requests.copy()
    assert not original_list

    def reopen_after_first_lookup() -> None:
        existing["state"] = "open"

    repo.after_request = {0: reopen_after_first_lookup}
    outcome = adapter.ensure_pull_request(REPO, spec())
    assert outcome.operation == "updated"
    assert [p["number"] for p in state.pulls() if p["state"] == "open"] == [1]
    assert (existing["title"], existing["body"]) == ("Promote", spec().body)
    assert [r.method for r in repo.requests if r.path.endswith("/pulls")] == ["GET", "POST", "GET"]


def test_close_comments_closes_and_deletes_the_branch(
    repo: FakeGitHub, adapter: GithubAdapter
) -> None:
    adapter.ensure_pull_request(REPO, spec())
    outcome = adapter.close_pull_request(REPO, BRANCH, "The base already pins hello-world 0.3.0.")
    state = repo.repo(REPO)
    assert (outcome.operation, outcome.number) == ("closed", 1)
    assert state.issues[1]["state"] == "closed"
    (comment,) = state.comments.values()
    assert comment["body"].endswith("The base already pins hello-world 0.3.0.")
    assert BRANCH not in state.refs
    before = len(repo.requests)
    again = adapter.close_pull_request(REPO, BRANCH, "The base already pins hello-world 0.3.0.")
    assert again.operation == "unchanged"
    assert not [r for r in repo.requests[before:] if r.is_write and r.path.endswith("/comments")]


def test_find_and_list_open_pull_requests(repo: FakeGitHub, adapter: GithubAdapter) -> None:
    assert adapter.find_open_pull_request(REPO, BRANCH) is None
    adapter.ensure_pull_request(REPO, spec())
    info = adapter.find_open_pull_request(REPO, BRANCH)
    assert info is not None
    assert (info.number, info.branch, info.base, info.head_sha) == (1, BRANCH, "main", "1" * 40)
    assert info.labels == LABELS
    assert [p.number for p in adapter.list_open_pull_requests(REPO, "release/")] == [1]
    assert adapter.list_open_pull_requests(REPO, "release/prod/") == []


def test_bad_token_is_one_sentence(repo: FakeGitHub, sleeps: Sleeps) -> None:
    context = make_context(repo, RELEASE_TOOL_TOKEN="ghs_wrong_token_value")
    adapter = GithubAdapter(context, fast_policy(sleeps))
    with pytest.raises(OperationalError) as caught:
        adapter.ensure_pull_request(REPO, spec())
    message = str(caught.value)
    assert "401 Bad credentials" in message
    assert "token from RELEASE_TOOL_TOKEN was refused" in message
    assert "ghs_wrong_token_value" not in message
    assert "\n" not in message


def test_unknown_repository_is_one_sentence(repo: FakeGitHub, adapter: GithubAdapter) -> None:
    with pytest.raises(OperationalError, match=r"failed with 404 Not Found: check that the token"):
        adapter.ensure_pull_request("Nobody/nothing", spec())
