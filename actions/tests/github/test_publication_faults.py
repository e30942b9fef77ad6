"""A fault at each GitHub API call of promote's publication: the final state is still right.

One promotion is computed once (real git and uv); its publication (push with a
lease, create or update or close the PR, close failure issues) then runs against a
fresh fake for every request index of a clean run and every fault kind: 500, 502
after the work, 429 with Retry-After, 403 secondary rate limits, dropped connections
before and after the work. Retries absorb it, or one re-run of the same step does.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest
from release_tool.adapters.github import GithubAdapter
from release_tool.core.config import load_config
from release_tool.core.payload import Pin
from release_tool.core.plan import PromotionRequest
from release_tool.core.pull_requests import hidden_marker, label_description
from release_tool.errors import OperationalError
from release_tool.operations.promotion import PromotionOutcome, promote
from release_tool.operations.publication import publish_release_branch
from release_tool.operations.workspace import Workspace

from tests.support.fake_github import FakeGitHub, Fault
from tests.support.github_sandbox import REPO, Sleeps, fast_policy, make_context
from tests.support.sandbox import Sandbox, git, make_monorepo

pytestmark = pytest.mark.uvlock
FAULTS = [
    Fault("500"),
    Fault("502-after"),
    Fault("429", retry_after=3),
    Fault("403-secondary", retry_after=3),
    Fault("403-secondary", retry_after=None),
    Fault("drop"),
    Fault("drop-after"),
]
LABELS = ["release", "env:staging", "package:hello-world"]


class Setup:
    def __init__(self, sandbox: Sandbox, name: str) -> None:
        self.sandbox = sandbox
        self.work = make_monorepo(sandbox, name=name)
        self.origin = sandbox.root / f"{name}-origin.git"
        self.config = load_config((self.work / "pyproject.toml").read_text("utf-8"), {})

    def outcome(self, tag: str) -> PromotionOutcome:
        pin = Pin("hello-world", tag, None, "VLMHyperBenchTeam/hello_world")
        workspace = Workspace(self.work, self.config, self.sandbox.env())
        return promote(workspace, PromotionRequest("staging", (pin,)))

    def set_remote(self, branch: str, commit: str | None) -> None:
        if commit is None:
            git("update-ref", "-d", f"refs/heads/{branch}", cwd=self.origin)
        else:
            git("push", "-q", "--force", "origin", f"{commit}:refs/heads/{branch}", cwd=self.work)


Seed = Callable[[FakeGitHub, Setup, PromotionOutcome], None]


def seed_nothing(fake: FakeGitHub, setup: Setup, outcome: PromotionOutcome) -> None:
    setup.set_remote(outcome.branch, None)


def seed_stale_pr(fake: FakeGitHub, setup: Setup, outcome: PromotionOutcome) -> None:
    setup.set_remote(outcome.branch, outcome.commit)
    repo = fake.repo(REPO)
    pull = fake.new_issue(repo, "old title", "old body", head=outcome.branch, base="main")
    pull["_merged"] = False
    fake.ensure_label(repo, "release", "0e8a16", label_description("release"))
    pull["label_names"].append("release")


def seed_open_pr_for_noop(fake: FakeGitHub, setup: Setup, outcome: PromotionOutcome) -> None:
    # A branch and PR of an earlier promotion of the tag the base now pins.
    commit = git(
        "commit-tree",
        "main^{tree}",
        "-p",
        "main",
        "-m",
        "x",
        cwd=setup.work,
        env={"GIT_AUTHOR_NAME": setup.config.bot.name, "GIT_AUTHOR_EMAIL": setup.config.bot.email},
    )
    git("push", "-q", "origin", f"{commit}:refs/heads/{outcome.branch}", cwd=setup.work)
    fake.new_issue(fake.repo(REPO), "t", "b", head=outcome.branch, base="main", _merged=False)


def check_open(fake: FakeGitHub, setup: Setup, outcome: PromotionOutcome) -> None:
    pulls = [p for p in fake.repo(REPO).pulls() if p["head"] == outcome.branch]
    assert len(pulls) == 1, pulls
    (pull,) = pulls
    assert (pull["state"], pull["title"], pull["body"]) == ("open", outcome.title, outcome.body)
    assert sorted(pull["label_names"]) == sorted(LABELS)
    assert git("rev-parse", f"refs/heads/{outcome.branch}", cwd=setup.origin) == outcome.commit


def check_closed(fake: FakeGitHub, setup: Setup, outcome: PromotionOutcome) -> None:
    (pull,) = fake.repo(REPO).pulls()
    assert pull["state"] == "closed"
    marker = hidden_marker("closed")
    assert len([c for c in fake.repo(REPO).comments.values() if marker in c["body"]]) == 1
    assert not git("for-each-ref", f"refs/heads/{outcome.branch}", cwd=setup.origin)


SCENARIOS = {
    "create": ("0.2.0", seed_nothing, check_open),
    "update": ("0.2.0", seed_stale_pr, check_open),
    "close": ("0.2.0", seed_open_pr_for_noop, check_closed),
}


def publish_once(fake: FakeGitHub, setup: Setup, outcome: PromotionOutcome, sleeps: Sleeps) -> None:
    env = setup.sandbox.env({"GITHUB_API_URL": fake.base})
    context = make_context(fake)
    adapter = GithubAdapter(context, fast_policy(sleeps))
    publish_release_branch(setup.work, setup.config, outcome, context, env, github=adapter)


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_a_fault_at_each_call(scenario: str, flow_sandbox: Sandbox, fake: FakeGitHub) -> None:
    tag, seed, check = SCENARIOS[scenario]
    setup = Setup(flow_sandbox, f"faults-{scenario}")
    outcome = setup.outcome(tag)
    if scenario == "close":  # the base now pins the tag: the promotion became empty
        git("merge", "-q", "--ff-only", outcome.branch, cwd=setup.work)
        git("push", "-q", "origin", "main", cwd=setup.work)
        outcome = setup.outcome(tag)
        assert outcome.status == "noop"

    def fresh() -> None:
        fake.reset()
        fake.clock = lambda: 1_700_000_000.0  # the policy's clock: rate-limit resets agree
        fake.add_repo(REPO, git_dir=setup.origin)
        seed(fake, setup, outcome)

    fresh()
    publish_once(fake, setup, outcome, Sleeps([]))
    check(fake, setup, outcome)
    calls = len(fake.requests)
    assert calls >= 3
    reruns = 0
    for index, fault in itertools.product(range(calls), FAULTS):
        fresh()
        fake.fail_at(index, fault)
        sleeps = Sleeps([])
        try:
            publish_once(fake, setup, outcome, sleeps)
        except OperationalError as exc:
            assert "Traceback" not in str(exc)
            reruns += 1
            publish_once(fake, setup, outcome, Sleeps([]))
        check(fake, setup, outcome)
        assert fake.requests[index].fault == fault.kind
        if fault.kind in {"429", "403-secondary"} and fault.retry_after:
            assert float(fault.retry_after) in sleeps.waits
    print(f"{scenario}: {calls} calls x {len(FAULTS)} faults, {reruns} needed a re-run")
