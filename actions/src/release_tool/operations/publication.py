"""Publish a release branch on GitHub: push it with a lease, create, update or close its PR.

Runs after :func:`release_tool.operations.promotion.promote`,
:func:`release_tool.operations.relocking.relock` (also for ``refresh``),
:func:`release_tool.operations.base_pinning.commit_bases` and
:func:`release_tool.operations.bumping.bump` (each commits one commit on a branch), only
with ``--push`` or inside GitHub Actions (:func:`publication_context`). All go through
:func:`publish_branch`, which takes a :class:`BranchChange`: what differs (labels, the
closing comment, the tags whose proposal and failure issues matter) is read off a
promotion, re-lock or base-image outcome by :func:`branch_change`
(:func:`publish_release_branch`), and a bump builds its own. :func:`report_publication`
writes the step outputs and the job-summary line. Every step is safe to repeat:

1. read and fetch ``origin``'s release branch; a branch carrying anyone's commit
   but the bot's is never pushed over (comment on the PR, exit 1), and a tag older
   than the one the branch proposes is refused (exit 2);
2. an empty change (``noop``: the base already pins the tags, or already holds the
   lock a re-lock makes) closes the open PR with a comment and deletes the branch
   (``closed``);
3. otherwise the branch is pushed with ``--force-with-lease`` against the commit
   just read there, unless it already holds the same change (same tree, same
   parent: nothing pushed), and the PR keyed by the branch is created or updated
   (``unchanged`` makes no write request); a replaced tag is commented old → new;
4. the failure issues of the promoted tags (``report-failure``) are closed (a re-lock
   promotes no tag: it has none).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from release_tool.adapters import release_branch as remote_branch
from release_tool.adapters.actions_io import append_step_summary, write_step_outputs
from release_tool.adapters.github import GithubAdapter
from release_tool.adapters.push import Origin, delete_remote_branch, push_branch, token_forms
from release_tool.core.base_images import LABEL as BASES_LABEL
from release_tool.core.branch_proposal import BranchChange
from release_tool.core.bundle_check import BundledOutcome
from release_tool.core.config import Config
from release_tool.core.failures import failure_key
from release_tool.core.github_context import GithubContext, read_github_context
from release_tool.core.pull_requests import (
    RELEASE_LABEL,
    PrOutcome,
    PullRequestSpec,
    release_labels,
)
from release_tool.core.pyproject_edit import read_pins
from release_tool.core.supersession import (
    Transition,
    check_not_older,
    foreign_commits,
    foreign_reason,
    supersession_comment,
    transitions,
)
from release_tool.errors import InputRejected, OperationalError
from release_tool.operations.base_pinning import BasesOutcome
from release_tool.operations.promotion import PromotionOutcome
from release_tool.operations.relocking import RelockOutcome
from release_tool.operations.workspace import Progress, silent

FOREIGN_KEY = "foreign-commits"
RELOCK_LABEL = "relock"
Outcome = TypeVar("Outcome", PromotionOutcome, RelockOutcome, BasesOutcome, BundledOutcome)


def branch_change(
    outcome: PromotionOutcome | RelockOutcome | BasesOutcome | BundledOutcome,
) -> BranchChange:
    """The publishable side of a promotion, re-lock or base-image outcome (or of a
    checked release bundle)."""
    if outcome.status == "dry-run":
        raise ValueError("a dry run is not published")
    if isinstance(outcome, BundledOutcome):
        return BranchChange(**outcome.change_fields())
    closing = "so release-tool closed this pull request and deleted its branch."
    if isinstance(outcome, BasesOutcome):
        return BranchChange(
            **outcome.branch_fields(),
            labels=(RELEASE_LABEL, BASES_LABEL),
            closing_reason=(
                f"`{outcome.base_branch}` already pins every base image at its tag's current "
                f"index digest: this update has nothing left to change, {closing}"
            ),
        )
    if isinstance(outcome, RelockOutcome):
        return BranchChange(
            **outcome.branch_fields(),
            labels=(*release_labels(outcome.env, ()), RELOCK_LABEL),
            closing_reason=(
                f"`{outcome.base_branch}`'s `{outcome.env}` lock is already what uv makes of "
                f"it: this re-lock has nothing left to change, {closing}"
            ),
        )
    pins = ", ".join(f"{p.package} {p.tag}" for p in outcome.pins)
    return BranchChange(
        **outcome.branch_fields(),
        labels=release_labels(outcome.env, (p.package for p in outcome.pins)),
        closing_reason=(
            f"`{outcome.base_branch}` already pins {pins} in `{outcome.env}` at the same "
            f"commits: this promotion has nothing left to change, {closing}"
        ),
        pins=outcome.pins,
    )


@dataclass(frozen=True)
class Publication(Generic[Outcome]):
    """The promotion or re-lock as it stands on GitHub after publishing."""

    outcome: Outcome
    pull_request: PrOutcome
    pushed: bool
    superseded: tuple[Transition, ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {
            **self.outcome.as_json(),
            "pushed": self.pushed,
            "superseded": [dataclasses.asdict(t) for t in self.superseded],
            "pull_request": self.pull_request.as_dict(),
        }

    def outputs(self) -> dict[str, str]:
        return {
            **self.pull_request.as_outputs(),
            "status": self.outcome.status,
            "branch": self.outcome.branch,
            "commit": self.outcome.commit or "",
        }


def github_adapter(context: GithubContext) -> GithubAdapter:
    """The adapter every publishing command uses (one seam for the tests' fast policy)."""
    return GithubAdapter(context)


def publication_context(
    env: Mapping[str, str], config: Config, *, push: bool, dry_run: bool
) -> GithubContext | None:
    """The GitHub context when this run publishes (``--push`` or Actions), else None.

    Checked before anything is made, so a missing token fails at once.
    """
    context = read_github_context(env, config.slug)
    if dry_run or not context.should_push(push):
        return None
    context.require_token()
    return context


def origin_of(root: Path, config: Config, context: GithubContext, env: Mapping[str, str]) -> Origin:
    """``origin`` of the checkout at ``root``, pushing only release branches."""
    return Origin(
        checkout=root,
        env=env,
        token=context.token,
        server_url=context.server_url,
        base_branch=config.default_branch,
        branch_prefix=config.release_prefix,
    )


def publish_release_branch(
    root: Path,
    config: Config,
    outcome: Outcome,
    context: GithubContext,
    env: Mapping[str, str],
    *,
    github: GithubAdapter | None = None,
    allow_older: bool = False,
    say: Progress = silent,
) -> Publication[Outcome]:
    """Publish a promotion, re-lock or base-image outcome through :func:`publish_branch`."""
    published = publish_branch(
        origin_of(root, config, context, env),
        github or github_adapter(context),
        config,
        branch_change(outcome),
        repository=context.repository,
        allow_older=allow_older,
        say=say,
    )
    change = published.change
    # publish_branch changes a status only to ``unchanged`` (at origin's commit).
    if change.status == "unchanged" and (outcome.status, outcome.commit) != (
        "unchanged",
        change.commit,
    ):
        outcome = dataclasses.replace(outcome, status="unchanged", commit=change.commit)
    return Publication(outcome, published.pull_request, published.pushed, published.superseded)


@dataclass(frozen=True)
class PublishedBranch:
    """A branch change as it stands on GitHub after :func:`publish_branch`."""

    change: BranchChange  # ``unchanged`` (at origin's commit) when origin held the same change
    pull_request: PrOutcome
    pushed: bool
    superseded: tuple[Transition, ...] = ()

    def outputs(self) -> dict[str, str]:
        return {
            **self.pull_request.as_outputs(),
            "status": self.change.status,
            "branch": self.change.branch,
            "commit": self.change.commit or "",
        }


def publish_branch(
    origin: Origin,
    adapter: GithubAdapter,
    config: Config,
    change: BranchChange,
    *,
    repository: str,
    allow_older: bool = False,
    say: Progress = silent,
) -> PublishedBranch:
    """Push ``change``'s branch and make its pull request say so (see the module doc): the
    one path of promote, relock, refresh, bases and bump."""
    branch = change.branch
    say(f"reading {branch} on origin")
    remote = remote_branch.fetch_release_branch(origin, branch)
    seen = remote.commit if remote else None
    if seen is not None and seen != change.commit:
        refuse_foreign(
            adapter,
            origin,
            config,
            branch=branch,
            base_commit=change.base_commit,
            repository=repository,
            seen=seen,
            undo=lambda: _restore_local(origin, change),
        )
    if change.status == "noop":
        closed = _close_empty(adapter, origin, change, repository=repository, seen=seen, say=say)
        return PublishedBranch(change, closed, pushed=False)
    commit = change.commit
    if commit is None:
        raise ValueError(f"a {change.status} change carries no commit")
    changes: tuple[Transition, ...] = ()
    pushed = False
    if seen is not None and seen != commit:
        if change.pins:
            profile = config.profile(change.env).directory
            text = remote_branch.read_file_at(origin, seen, f"{profile}/pyproject.toml")
            proposed = read_pins(text).pins if text is not None else {}
            changes = transitions(proposed, change.pins)
        try:
            check_not_older(changes, branch=branch, allow_older=allow_older)
        except InputRejected:
            _restore_local(origin, change)
            raise
        if remote_branch.same_change(origin, seen, commit):
            say(f"{branch} on origin already holds this change ({seen[:10]}): nothing to push")
            remote_branch.set_local_branch(origin, branch, seen, commit)
            change = dataclasses.replace(change, status="unchanged", commit=seen)
            changes = ()
        else:
            pushed = _push(origin, branch, commit, seen, say)
    elif seen is None:
        pushed = _push(origin, branch, commit, None, say)
    elif change.status == "committed":
        # The same commit, byte for byte (another runner made it within the same second,
        # or a bundle is published again): origin already holds it.
        say(f"{branch} on origin already is {seen[:10]}: nothing to push")
        change = dataclasses.replace(change, status="unchanged")
    spec = PullRequestSpec(
        branch=branch,
        base=change.base_branch,
        title=change.title,
        body=change.body,
        labels=change.labels,
    )
    pull = adapter.ensure_pull_request(repository, spec)
    if changes and pull.number is not None:
        adapter.upsert_comment(
            repository,
            pull.number,
            f"superseded:{(change.commit or '')[:12]}",
            supersession_comment(changes, change.commit or ""),
        )
    _close_failure_issues(adapter, change, repository, pull)
    return PublishedBranch(change, pull, pushed, changes)


def _push(origin: Origin, branch: str, commit: str, seen: str | None, say: Progress) -> bool:
    """Push ``commit`` with a lease on ``seen`` (None: absent); True."""
    push_branch(origin, branch, commit, seen)
    say(f"pushed {commit[:10]} to {branch} (lease: {seen[:10] if seen else 'absent'})")
    return True


def _restore_local(origin: Origin, change: BranchChange) -> None:
    """A refused publication leaves the checkout's branch where the command found it."""
    if change.status == "committed":
        remote_branch.set_local_branch(
            origin, change.branch, change.previous_branch_commit, change.commit
        )


def refuse_foreign(
    adapter: GithubAdapter,
    origin: Origin,
    config: Config,
    *,
    branch: str,
    base_commit: str,
    repository: str,
    seen: str,
    undo: Callable[[], None],
) -> None:
    """Refuse (exit 1, commenting on its open PR) to push over ``branch`` on origin, now at
    ``seen``, when it carries a commit beyond ``base_commit`` not made by the bot; ``undo``
    first puts back what the command changed locally."""
    foreign = foreign_commits(remote_branch.commits_beyond(origin, seen, base_commit), config.bot)
    if not foreign:
        return
    undo()
    reason = foreign_reason(branch, foreign, config.bot)
    pull = adapter.find_open_pull_request(repository, branch)
    if pull is not None:
        adapter.upsert_comment(
            repository,
            pull.number,
            FOREIGN_KEY,
            f"release-tool did not update this pull request: {reason}.\n",
        )
        reason += f" (commented on #{pull.number})"
    raise OperationalError(reason)


def _close_empty(
    adapter: GithubAdapter,
    origin: Origin,
    change: BranchChange,
    *,
    repository: str,
    seen: str | None,
    say: Progress,
) -> PrOutcome:
    closed = adapter.close_pull_request(
        repository, change.branch, change.closing_reason, delete_branch=False
    )
    deleted = seen is not None and delete_remote_branch(origin, change.branch, seen)
    if deleted:
        say(f"deleted {change.branch} on origin")
    if closed.operation == "unchanged" and deleted:
        closed = PrOutcome("closed", None, None, change.branch)
    _close_failure_issues(adapter, change, repository, closed)
    return closed


def _close_failure_issues(
    adapter: GithubAdapter, change: BranchChange, repository: str, pull: PrOutcome
) -> None:
    where = f"#{pull.number}" if pull.number is not None else f"`{change.base_branch}`"
    for pin in change.pins:
        adapter.close_issue(
            repository,
            failure_key(change.env, pin.package, pin.tag),
            f"{pin.package} {pin.tag} was promoted into `{change.env}` ({where}): closing.",
        )


def publish_if_asked(
    root: Path,
    config: Config,
    outcome: Outcome,
    context: GithubContext | None,
    env: Mapping[str, str],
    *,
    allow_older: bool = False,
    say: Progress = silent,
) -> tuple[Outcome, Publication[Outcome] | None]:
    """Publish ``outcome`` and report it as step outputs when this run publishes (a
    ``context``); the outcome as it stands after, and the publication (None: not published)."""
    if context is None:
        return outcome, None
    published = publish_release_branch(
        root, config, outcome, context, env, allow_older=allow_older, say=say
    )
    report_publication(published, context, env)
    return published.outcome, published


def result_json(outcome: Outcome, published: Publication[Outcome] | None) -> dict[str, Any]:
    """What ``--json`` prints: the publication when there is one, else the outcome."""
    return outcome.as_json() if published is None else published.as_json()


def report_publication(
    publication: Publication[Any] | PublishedBranch, context: GithubContext, env: Mapping[str, str]
) -> None:
    """Step outputs and one job-summary line; nothing outside Actions."""
    secrets = token_forms(context.token)
    write_step_outputs(env, publication.outputs(), secrets)
    append_step_summary(env, publication.pull_request.summary_line(), secrets)
