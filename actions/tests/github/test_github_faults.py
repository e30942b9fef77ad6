"""Every fault at every API call in turn: the final state on GitHub is still right.

For each scenario a clean run is counted first; then, for each request index
of that run, a fresh fake injects one fault there (500, 502 after doing the
work, 429 with Retry-After, 403 secondary rate limit with Retry-After or with
x-ratelimit-reset, a dropped connection before or after doing the work). The
retry layer must absorb it in the same run; the state GitHub ends in is
checked, and the injected sleep shows the waits without sleeping.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from release_tool.adapters.github import GithubAdapter
from release_tool.core.pull_requests import (
    PullRequestSpec,
    hidden_marker,
    label_description,
    release_labels,
)
from release_tool.errors import OperationalError

from tests.support.fake_github import FakeGitHub, Fault
from tests.support.github_sandbox import BRANCH, REPO, Sleeps, fast_policy, make_context

LABELS = release_labels("staging", ["hello-world"])
COLOURS = {"release": "0e8a16", "env:staging": "1d76db", "package:hello-world": "5319e7"}
SPEC = PullRequestSpec(BRANCH, "main", "Promote hello-world 0.3.0", "new body", LABELS)
PAYLOAD = {"package": "hello-world", "tag": "0.3.0", "sha": "a" * 40, "repository": "o/r"}
FAULTS = {
    "500": Fault("500"),
    "502-after": Fault("502-after"),
    "429": Fault("429", retry_after=3),
    "403-retry-after": Fault("403-secondary", retry_after=3),
    "403-reset": Fault("403-secondary", retry_after=None),
    "drop": Fault("drop"),
    "drop-after": Fault("drop-after"),
}
# What the injected sleep must have been asked to wait for the rate-limit faults.
EXPECTED_WAIT = {"429": 3.0, "403-retry-after": 3.0, "403-reset": 6.0}


def seed(fake: FakeGitHub) -> None:
    fake.add_repo(REPO).refs[BRANCH] = "1" * 40


def seed_pr(fake: FakeGitHub, body: str = "old body") -> None:
    seed(fake)
    repo = fake.repo(REPO)
    pull = fake.new_issue(repo, SPEC.title, body, head=BRANCH, base="main", _merged=False)
    for name in LABELS:
        # As the tool made them: a PR list's labels carry a string description in GitHub's
        # description (its `pull-request-simple` schema), never null.
        fake.ensure_label(repo, name, COLOURS[name], label_description(name))
        pull["label_names"].append(name)


def seed_issue(fake: FakeGitHub) -> None:
    seed(fake)
    fake.new_issue(fake.repo(REPO), "Rejected", f"{hidden_marker('failure:x')}\nold")


def check_pr(fake: FakeGitHub, closed: bool = False) -> None:
    repo = fake.repo(REPO)
    pulls = [p for p in repo.pulls() if p["head"] == BRANCH]
    assert len(pulls) == 1, pulls
    (pull,) = pulls
    assert pull["state"] == ("closed" if closed else "open")
    assert (pull["title"], pull["body"]) == (SPEC.title, "new body" if not closed else "old body")
    assert sorted(pull["label_names"]) == sorted(LABELS)  # once each
    assert {n: repo.labels[n]["color"] for n in LABELS} == COLOURS


def marked_comments(fake: FakeGitHub, key: str) -> list[str]:
    marker = hidden_marker(key)
    return [c["body"] for c in fake.repo(REPO).comments.values() if marker in c["body"]]


def check_closed(fake: FakeGitHub) -> None:
    check_pr(fake, closed=True)
    assert marked_comments(fake, "closed") == [f"{hidden_marker('closed')}\nnothing to promote"]
    assert BRANCH not in fake.repo(REPO).refs


def check_comment(fake: FakeGitHub) -> None:
    assert marked_comments(fake, "gpu") == [f"{hidden_marker('gpu')}\n| cu128 | ok |"]


def open_marked_issues(fake: FakeGitHub) -> list[dict[str, object]]:
    marker = hidden_marker("failure:x")
    return [
        i
        for i in fake.repo(REPO).issues.values()
        if i["state"] == "open" and marker in str(i["body"])
    ]


def check_issue(fake: FakeGitHub) -> None:
    (issue,) = open_marked_issues(fake)
    assert (issue["title"], issue["body"]) == ("Rejected", f"{hidden_marker('failure:x')}\nnew")
    assert issue["label_names"] == ["release"]


def check_issue_closed(fake: FakeGitHub) -> None:
    assert open_marked_issues(fake) == []
    assert fake.repo(REPO).issues[1]["state"] == "closed"
    assert len(marked_comments(fake, "failure:x:closing")) == 1


@dataclass(frozen=True)
class Scenario:
    setup: Callable[[FakeGitHub], None]
    act: Callable[[GithubAdapter], object]
    check: Callable[[FakeGitHub], None]


SCENARIOS = {
    "create": Scenario(seed, lambda a: a.ensure_pull_request(REPO, SPEC), check_pr),
    "update": Scenario(seed_pr, lambda a: a.ensure_pull_request(REPO, SPEC), check_pr),
    "unchanged": Scenario(
        lambda f: seed_pr(f, "new body"), lambda a: a.ensure_pull_request(REPO, SPEC), check_pr
    ),
    "close": Scenario(
        seed_pr, lambda a: a.close_pull_request(REPO, BRANCH, "nothing to promote"), check_closed
    ),
    "dispatch": Scenario(
        seed, lambda a: a.send_dispatch(REPO, "package-released", PAYLOAD), lambda f: None
    ),
    "comment": Scenario(
        seed_pr, lambda a: a.upsert_comment(REPO, 1, "gpu", "| cu128 | ok |"), check_comment
    ),
    "issue": Scenario(
        seed_issue,
        lambda a: a.upsert_issue(REPO, "failure:x", "Rejected", "new", ("release",)),
        check_issue,
    ),
    "close-issue": Scenario(
        seed_issue, lambda a: a.close_issue(REPO, "failure:x", "promoted now"), check_issue_closed
    ),
}


def _adapter(fake: FakeGitHub, sleeps: Sleeps) -> GithubAdapter:
    return GithubAdapter(make_context(fake), fast_policy(sleeps))


@pytest.mark.parametrize("fault_name", list(FAULTS))
@pytest.mark.parametrize("scenario_name", list(SCENARIOS))
def test_fault_at_each_call(fake: FakeGitHub, scenario_name: str, fault_name: str) -> None:
    scenario, fault = SCENARIOS[scenario_name], FAULTS[fault_name]
    fake.clock = lambda: 1_700_000_000.0
    scenario.setup(fake)
    first = scenario.act(_adapter(fake, Sleeps([])))
    clean_calls = fake.calls()
    scenario.check(fake)
    if scenario_name == "unchanged":
        assert not fake.writes()
    for index, call in enumerate(clean_calls):
        fake.reset()
        scenario.setup(fake)
        fake.fail_at(index, fault)
        sleeps = Sleeps([])
        where = f"{fault_name} at request {index} ({call})"
        outcome = scenario.act(_adapter(fake, sleeps))
        assert fake.requests[index].fault == fault.kind, where
        scenario.check(fake)
        assert outcome == first or scenario_name == "comment", where  # comment ids differ
        if scenario_name == "unchanged":
            assert not fake.writes(), where
        if scenario_name == "dispatch":
            dispatches = fake.repo(REPO).dispatches
            # A POST that landed before its answer was lost is sent again: GitHub offers no
            # way to tell, and the promotion it starts is idempotent.
            landed_twice = fault.kind in {"502-after", "drop-after"}
            assert len(dispatches) == (2 if landed_twice else 1), where
            assert all(
                d == {"event_type": "package-released", "client_payload": PAYLOAD}
                for d in dispatches
            ), where
        assert sum(sleeps.waits) <= 60, where
        if fault_name in EXPECTED_WAIT:
            assert sleeps.waits == [EXPECTED_WAIT[fault_name]], where
        else:
            assert sleeps.waits == [], where  # urllib3 retries a first failure at once


def test_persistent_5xx_stops_within_the_wait_budget(fake: FakeGitHub) -> None:
    seed(fake)
    fake.persistent_fault = Fault("500")
    sleeps = Sleeps([])
    with pytest.raises(OperationalError) as caught:
        _adapter(fake, sleeps).ensure_pull_request(REPO, SPEC)
    message = str(caught.value)
    assert message.startswith(f"GitHub API: creating or updating the pull request of {BRANCH}")
    assert "beyond the retry budget of 60 s" in message
    assert sum(sleeps.waits) <= 60
    assert 2 <= len(fake.requests) <= 10
    waits = sleeps.waits
    assert all(b >= a for a, b in itertools.pairwise(waits))  # backing off


def test_persistent_5xx_stops_after_ten_attempts(fake: FakeGitHub) -> None:
    seed(fake)
    fake.persistent_fault = Fault("502-after")
    sleeps = Sleeps([])
    adapter = GithubAdapter(make_context(fake), fast_policy(sleeps, max_wait_total=10_000))
    with pytest.raises(OperationalError, match=r"failed with 502 Bad Gateway after 10 attempts$"):
        adapter.find_open_pull_request(REPO, BRANCH)
    assert len(fake.requests) == 10
    assert adapter.budget.retries == 9
    assert len(sleeps.waits) == 8  # the first retry goes at once


def test_dropped_connections_stop_after_ten_attempts(fake: FakeGitHub) -> None:
    seed(fake)
    fake.persistent_fault = Fault("drop")
    adapter = GithubAdapter(make_context(fake), fast_policy(Sleeps([]), max_wait_total=10_000))
    with pytest.raises(OperationalError, match=r"could not be reached \(ConnectionError\)"):
        adapter.send_dispatch(REPO, "package-released", PAYLOAD)
    assert len(fake.requests) == 10
    assert fake.repo(REPO).dispatches == []


def test_a_retry_after_beyond_the_budget_fails_at_once(fake: FakeGitHub) -> None:
    seed(fake)
    fake.fail_at(0, Fault("429", retry_after=3600))
    sleeps = Sleeps([])
    with pytest.raises(OperationalError, match="the next retry would wait 3600 s, beyond"):
        _adapter(fake, sleeps).ensure_pull_request(REPO, SPEC)
    assert sleeps.waits == []
    assert len(fake.requests) == 1


def test_the_budget_is_shared_by_all_requests_of_a_run(fake: FakeGitHub) -> None:
    seed(fake)
    for index in (0, 2, 4):
        fake.fail_at(index, Fault("429", retry_after=25))
    sleeps = Sleeps([])
    with pytest.raises(OperationalError, match=r"beyond the retry budget of 60 s \(50 s already"):
        _adapter(fake, sleeps).ensure_pull_request(REPO, SPEC)
    assert sleeps.waits == [25, 25]


def test_a_permission_error_is_not_retried(fake: FakeGitHub) -> None:
    seed(fake)
    fake.persistent_fault = Fault("403-forbidden")
    sleeps = Sleeps([])
    with pytest.raises(OperationalError) as caught:
        _adapter(fake, sleeps).ensure_pull_request(REPO, SPEC)
    assert str(caught.value) == (
        f"GitHub API: creating or updating the pull request of {BRANCH} failed with "
        "403 Resource not accessible by integration: check that the token may access it"
    )
    assert len(fake.requests) == 1
    assert sleeps.waits == []
