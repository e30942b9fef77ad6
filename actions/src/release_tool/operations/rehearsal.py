"""The release flow, rehearsed end to end in one local directory.

Package repositories are bare repos holding synthetic copies of the tags the
profiles pin today; the monorepo is a bare ``origin`` holding the project's HEAD
and a working clone whose GitHub URLs git redirects there (``insteadOf``); the
project's own files and refs are only read. Every git and uv call gets an
environment without any GitHub context or token and with ``GIT_ALLOW_PROTOCOL=file``,
dispatches are handed to a local recorder, and a "merge" is a merge of the release
branch into the clone's main pushed to the bare origin: nothing leaves the directory.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from release_tool.adapters.git import Checkout, run_git
from release_tool.adapters.process import CommandFailed
from release_tool.adapters.profile_files import (
    base_state,
    package_versions,
    remote_tags,
    tree_state,
)
from release_tool.core.config import Config
from release_tool.core.consistency import check_profile, check_remote
from release_tool.core.env_forms import pins_from_env
from release_tool.core.lockfile import LockDiff
from release_tool.core.payload import Pin, parse_client_payload
from release_tool.core.plan import PromotionRequest
from release_tool.errors import OperationalError
from release_tool.operations.bumping import BumpRequest, bump
from release_tool.operations.promotion import PromotionOutcome, promote
from release_tool.operations.publishing import PublishRequest, publish
from release_tool.operations.workspace import Workspace
from release_tool.sandbox.monorepo import clone_monorepo
from release_tool.sandbox.world import World, build_world

IndexPages = Literal["fetched", "uv's cache", "fetched (uv's cache missed)"]

DEVELOPER = {
    "GIT_AUTHOR_NAME": "Rehearsal Maintainer",
    "GIT_AUTHOR_EMAIL": "maintainer@rehearsal.invalid",
    "GIT_COMMITTER_NAME": "Rehearsal Maintainer",
    "GIT_COMMITTER_EMAIL": "maintainer@rehearsal.invalid",
}
SINGLE = "hello-world"  # the package of the later single-package release


@dataclass
class Step:
    name: str
    seconds: float = 0.0
    branch: str | None = None
    title: str | None = None  # a PR title, and only that
    lock_diff: str = ""
    note: str = ""  # what a step without a PR produced
    body: Path | None = None
    index_pages: IndexPages | None = None  # a promotion's lock: where uv read index pages


@dataclass
class Rehearsal:
    project: Path
    config: Config
    root: Path
    base_env: Mapping[str, str]
    standin: bool
    steps: list[Step] = field(default_factory=list)
    dispatches: list[Mapping[str, Any]] = field(default_factory=list)
    world: World | None = None
    work: Path = Path()
    # A profile lock has run: uv's cache holds the index pages the profiles resolve from.
    profiles_cached: bool = False

    def workspace(self, *, offline: bool = False) -> Workspace:
        """The monorepo clone as promotions see it (their progress goes to the step's log)."""
        return Workspace(self.work, self.config, self.env(offline=offline), _to_log)

    def env(self, *, indexes: bool = True, offline: bool = False) -> dict[str, str]:
        """The sandbox's environment; ``indexes`` False: the root workspace's (torch from
        PyPI); ``offline``: uv reads package indexes from its cache only (``UV_OFFLINE``)."""
        if self.world is None:
            raise OperationalError("the rehearsal's sandbox is not built yet")
        env = self.world.env({"GIT_ALLOW_PROTOCOL": "file", **DEVELOPER})
        if not indexes:
            env.pop("UV_INDEX", None)  # the root workspace takes torch from PyPI
        if offline:
            env["UV_OFFLINE"] = "1"
        return env


def summarize_lock_diff(diff: LockDiff | None) -> str:
    """One short line: what moved in the union of the package sets."""
    if diff is None:
        return ""
    if diff.initial:
        return f"first lock ({max(len(s.added) for s in diff.sets)} packages)"
    moved: dict[str, str] = {}
    for s in diff.sets:
        for c in s.changed:
            moved[c.name] = f"{c.name} {c.before.describe()} → {c.after.describe()}"
        for p in s.added:
            moved.setdefault(p.name, f"+{p.name} {p.describe()}")
        for p in s.removed:
            moved.setdefault(p.name, f"-{p.name} {p.describe()}")
    return "; ".join(moved[n] for n in sorted(moved)) or "no change"


def _to_log(message: str) -> None:
    print(message, file=sys.stderr)


def _network_disabled(uv_stderr: str) -> bool:
    """uv refused because it needed the network while offline."""
    text = uv_stderr.lower()
    return "network was disabled" in text or "network connectivity is disabled" in text


class Runner:
    """Runs the rehearsal's steps; ``timed`` wraps each (progress and timing)."""

    def __init__(self, r: Rehearsal, timed: Callable[[Step, Callable[[], None]], None]) -> None:
        self.r = r
        self.timed = timed

    def step(self, name: str, action: Callable[[Step], None]) -> Step:
        step = Step(name)
        self.timed(step, lambda: action(step))
        self.r.steps.append(step)
        return step

    def build(self) -> None:
        r = self.r

        def world(step: Step) -> None:
            r.world = build_world(
                r.project, r.config, r.root / "sandbox", r.base_env, standin_indexes=r.standin
            )
            step.note = f"{len(r.world.packages)} package repositories with today's pinned tags"

        def monorepo(step: Step) -> None:
            r.work = clone_monorepo(r.project, r.root / "origin.git", r.root / "monorepo", r.env())
            head = run_git("rev-parse", "HEAD", cwd=r.work, env=r.env())
            step.note = f"origin = this monorepo's HEAD {head[:10]}; working clone monorepo/"

        self.step("package repositories", world)
        self.step("monorepo origin + clone", monorepo)

    def _record(self, repository: str, payload: Mapping[str, Any]) -> str:
        self.r.dispatches.append(payload)
        return f"(recorded locally, not sent to {repository})"

    def publish(self, name: str, request: PublishRequest) -> None:
        r = self.r

        def act(step: Step) -> None:
            publish(request, r.env(), r.work, send=self._record)
            step.note = "dispatch recorded" if request.notify else ""

        self.step(name, act)

    def merge(self, branch: str, title: str, step: Step) -> None:
        """What a reviewer's merge does: the branch merged into main, pushed to origin."""
        env = self.r.env()
        message = f"Merge {branch}: {title}"
        run_git("merge", "--no-ff", "-q", "-m", message, branch, cwd=self.r.work, env=env)
        run_git("push", "-q", "origin", "main", cwd=self.r.work, env=env)
        step.branch = f"{branch} (merged)"

    def promotion(self, name: str, request: PromotionRequest) -> PromotionOutcome:
        r = self.r
        holder: list[PromotionOutcome] = []

        def act(step: Step) -> None:
            outcome = self._promote(request, step)
            if outcome.status != "committed":
                raise OperationalError(f"{name}: expected a new commit, got {outcome.status}")
            step.branch, step.title = outcome.branch, outcome.title
            step.lock_diff = summarize_lock_diff(outcome.lock_diff)
            step.body = (
                r.root
                / "pull-requests"
                / f"{len(r.steps) + 1:02d}-{outcome.branch.replace('/', '_')}.md"
            )
            step.body.parent.mkdir(exist_ok=True)
            step.body.write_text(f"# {outcome.title}\n\n{outcome.body}", encoding="utf-8")
            holder.append(outcome)
            self.merge(outcome.branch, outcome.title, step)

        self.step(name, act)
        return holder[0]

    def _promote(self, request: PromotionRequest, step: Step) -> PromotionOutcome:
        """``promote``, re-locking from uv's cache once a profile lock has filled it.

        Every profile resolves the same third-party packages from the same indexes, and a
        registry may serve its index pages as stale at once, so each re-lock would fetch
        them all again (about 28 MB here). Git tags are still fetched (``UV_OFFLINE``
        leaves git alone). Should the cache miss something, the promotion runs again
        online: a failed lock has written nothing.
        """
        r = self.r
        step.index_pages = "uv's cache" if r.profiles_cached else "fetched"
        try:
            outcome = promote(r.workspace(offline=r.profiles_cached), request)
        except CommandFailed as error:
            if not (r.profiles_cached and _network_disabled(error.detail)):
                raise
            print(f"uv's cache missed, re-locking online: {error.detail}", file=sys.stderr)
            step.index_pages = "fetched (uv's cache missed)"
            outcome = promote(r.workspace(), request)
        r.profiles_cached = True
        return outcome

    def dispatched(self) -> PromotionRequest:
        payload = parse_client_payload(self.r.dispatches[-1], self.r.config)
        return PromotionRequest(profile=payload.env, pins=payload.pins)

    def bump(self, package: str) -> str:
        r = self.r
        branch: list[str] = []

        def act(step: Step) -> None:
            bump(BumpRequest(package, part="patch"), r.env(indexes=False), r.work)
            heads = run_git(
                "for-each-ref",
                "--format=%(refname:short)",
                "refs/heads/bump/",
                cwd=r.work,
                env=r.env(),
            )
            branch.append(heads.split()[-1])
            step.branch = branch[0]
            step.title = run_git("log", "-1", "--format=%s", branch[0], cwd=r.work, env=r.env())
            self.merge(branch[0], step.title, step)

        self.step(f"bump {package}", act)
        return branch[0]

    def from_env(self) -> PromotionRequest:
        r = self.r
        env = r.env()
        base = run_git("rev-parse", "main", cwd=r.work, env=env)
        checkout = Checkout(r.work, env)
        source = base_state(checkout, r.config, "staging", base)
        target = base_state(checkout, r.config, "prod", base)
        return PromotionRequest(profile="prod", pins=pins_from_env(r.config, source, target, []))

    def check(self) -> None:
        r = self.r

        def act(step: Step) -> None:
            states = [tree_state(r.work, r.config, name) for name in r.config.profiles]
            versions = package_versions(r.work, r.config)
            remote = remote_tags(states, r.env())
            problems = [
                f.message
                for s in states
                for f in (*check_profile(r.config, s, versions), *check_remote(s, r.config, remote))
                if f.problem
            ]
            if problems:
                raise OperationalError("check --remote found: " + "; ".join(problems))
            step.note = "consistent: profiles, locks, and locked commits = tag commits"

        self.step("check --remote", act)


def rehearse(r: Rehearsal, timed: Callable[[Step, Callable[[], None]], None]) -> dict[str, Any]:
    """Run every step; the final state (for the summary and ``--json``)."""
    run = Runner(r, timed)
    run.build()
    adoption = PublishRequest(every=True, adopt=True, yes=True)
    run.publish("adopt (legacy/main + old tags kept)", adoption)
    run.publish("publish --all (bootstrap)", PublishRequest(every=True, push=True, notify=True))
    batch = run.promotion("promote into staging (batch)", run.dispatched())
    new_branch = run.bump(SINGLE)
    run.publish(f"publish {SINGLE}", PublishRequest((SINGLE,), push=True, notify=True))
    single = run.promotion(f"promote {SINGLE} into staging", run.dispatched())
    to_prod = run.promotion("promote prod --from-env staging", run.from_env())
    old_tag = next(p.tag for p in batch.pins if p.package == SINGLE)
    rollback = run.promotion(
        f"rollback {SINGLE} in prod",
        PromotionRequest(
            profile="prod",
            pins=(Pin(SINGLE, old_tag, None, r.config.packages[SINGLE].slug),),
            allow_downgrade=True,
            reason=f"rehearsal: {SINGLE} {single.pins[0].tag} is rolled back in prod",
        ),
    )
    run.check()
    return {
        "directory": str(r.root),
        "monorepo": str(r.work),
        "origin": str(r.root / "origin.git"),
        "bump_branch": new_branch,
        "new_tag": single.pins[0].tag,
        "old_tag": old_tag,
        "dispatches": list(r.dispatches),
        "outcomes": {
            "staging_batch": batch.as_json(),
            "staging_single": single.as_json(),
            "prod_from_staging": to_prod.as_json(),
            "prod_rollback": rollback.as_json(),
        },
        "steps": [
            {
                "name": s.name,
                "seconds": round(s.seconds, 2),
                "branch": s.branch,
                "title": s.title,
                "lock_diff": s.lock_diff,
                "note": s.note,
                "body": str(s.body) if s.body else None,
                "index_pages": s.index_pages,
            }
            for s in r.steps
        ],
    }


def dump(result: Mapping[str, Any], path: Path) -> None:
    path.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


def now() -> float:
    return time.perf_counter()
