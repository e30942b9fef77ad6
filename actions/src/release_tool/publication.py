"""Publish a promotion on GitHub: push the release branch with a lease, create or update its PR.

Runs after :func:`release_tool.promotion.promote`, only with ``--push`` or inside
GitHub Actions (:func:`publication_context`). Every step is safe to repeat:

1. read and fetch ``origin``'s release branch; a branch carrying anyone's commit
   but the bot's is never pushed over (comment on the PR, exit 1), and a tag older
   than the one the branch proposes is refused (exit 2);
2. an empty change (``noop``: the base already pins the tags) closes the open PR
   with a comment and deletes the branch (``closed``);
3. otherwise the branch is pushed with ``--force-with-lease`` against the commit
   just read there, unless it already holds the same change (same tree, same
   parent: nothing pushed), and the PR keyed by the branch is created or updated
   (``unchanged`` makes no write request); a replaced tag is commented old → new;
4. the failure issues of the promoted tags (``report-failure``) are closed.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from release_tool.adapters import release_branch as remote_branch
from release_tool.adapters.actions_io import append_step_summary, write_step_outputs
from release_tool.adapters.github import GithubAdapter
from release_tool.adapters.push import Origin, delete_remote_branch, push_branch, token_forms
from release_tool.core.config import Config
from release_tool.core.failures import failure_key
from release_tool.core.github_context import GithubContext, read_github_context
from release_tool.core.pull_requests import PrOutcome, PullRequestSpec, release_labels
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
from release_tool.promotion import PromotionOutcome

Progress = Callable[[str], None]
FOREIGN_KEY = "foreign-commits"


@dataclass(frozen=True)
class Publication:
    """The promotion as it stands on GitHub after publishing."""

    outcome: PromotionOutcome
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
    context = read_github_context(env, config.repository)
    if dry_run or not context.should_push(push):
        return None
    context.require_token()
    return context


def _origin(root: Path, config: Config, context: GithubContext, env: Mapping[str, str]) -> Origin:
    return Origin(
        checkout=root,
        env=env,
        token=context.token,
        server_url=context.server_url,
        base_branch=config.default_branch,
        branch_prefix="release/",
        echo=sys.stderr,  # looked up now: Origin's default was bound at import
    )


def publish_promotion(
    root: Path,
    config: Config,
    outcome: PromotionOutcome,
    context: GithubContext,
    env: Mapping[str, str],
    *,
    github: GithubAdapter | None = None,
    allow_older: bool = False,
    say: Progress = lambda _msg: None,
) -> Publication:
    """Push ``outcome``'s branch and make its pull request say so (see the module doc)."""
    if outcome.status == "dry-run":
        raise ValueError("a dry run is not published")
    adapter = github or github_adapter(context)
    origin = _origin(root, config, context, env)
    repository, branch = context.repository, outcome.branch
    say(f"reading {branch} on origin")
    remote = remote_branch.fetch_release_branch(origin, branch)
    seen = remote.commit if remote else None
    if seen is not None and seen != outcome.commit:
        _refuse_foreign(adapter, origin, config, outcome, repository=repository, seen=seen)
    if outcome.status == "noop":
        return _close_empty(adapter, origin, outcome, repository=repository, seen=seen, say=say)
    commit = outcome.commit
    if commit is None:
        raise ValueError(f"a {outcome.status} promotion carries no commit")
    changes: tuple[Transition, ...] = ()
    pushed = False
    if seen is not None and seen != commit:
        profile = config.profile(outcome.env).directory
        text = remote_branch.read_file_at(origin, seen, f"{profile}/pyproject.toml")
        proposed = read_pins(text).pins if text is not None else {}
        changes = transitions(proposed, outcome.pins)
        try:
            check_not_older(changes, branch=branch, allow_older=allow_older)
        except InputRejected:
            _restore_local(origin, outcome)
            raise
        if remote_branch.same_change(origin, seen, commit):
            say(f"{branch} on origin already holds this change ({seen[:10]}): nothing to push")
            remote_branch.set_local_branch(origin, branch, seen, commit)
            outcome = dataclasses.replace(outcome, status="unchanged", commit=seen)
            changes = ()
        else:
            push_branch(origin, branch, commit, seen)
            pushed = True
    elif seen is None:
        push_branch(origin, branch, commit, None)
        pushed = True
    if pushed:
        say(f"pushed {commit[:10]} to {branch} (lease: {seen[:10] if seen else 'absent'})")
    spec = PullRequestSpec(
        branch=branch,
        base=outcome.base_branch,
        title=outcome.title,
        body=outcome.body,
        labels=release_labels(outcome.env, (p.package for p in outcome.pins)),
    )
    pull = adapter.ensure_pull_request(repository, spec)
    if changes and pull.number is not None:
        adapter.upsert_comment(
            repository,
            pull.number,
            f"superseded:{(outcome.commit or '')[:12]}",
            supersession_comment(changes, outcome.commit or ""),
        )
    _close_failure_issues(adapter, outcome, repository, pull)
    return Publication(outcome, pull, pushed, changes)


def _restore_local(origin: Origin, outcome: PromotionOutcome) -> None:
    """A refused publication leaves the checkout's branch where the promotion found it."""
    if outcome.status == "committed":
        remote_branch.set_local_branch(
            origin, outcome.branch, outcome.previous_branch_commit, outcome.commit
        )


def _refuse_foreign(
    adapter: GithubAdapter,
    origin: Origin,
    config: Config,
    outcome: PromotionOutcome,
    *,
    repository: str,
    seen: str,
) -> None:
    foreign = foreign_commits(
        remote_branch.commits_beyond(origin, seen, outcome.base_commit), config.bot
    )
    if not foreign:
        return
    _restore_local(origin, outcome)
    reason = foreign_reason(outcome.branch, foreign, config.bot)
    pull = adapter.find_open_pull_request(repository, outcome.branch)
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
    outcome: PromotionOutcome,
    *,
    repository: str,
    seen: str | None,
    say: Progress,
) -> Publication:
    pins = ", ".join(f"{p.package} {p.tag}" for p in outcome.pins)
    why = (
        f"`{outcome.base_branch}` already pins {pins} in `{outcome.env}` at the same commits: "
        "this promotion has nothing left to change, so release-tool closed this pull request "
        "and deleted its branch."
    )
    closed = adapter.close_pull_request(repository, outcome.branch, why, delete_branch=False)
    deleted = seen is not None and delete_remote_branch(origin, outcome.branch, seen)
    if deleted:
        say(f"deleted {outcome.branch} on origin")
    if closed.operation == "unchanged" and deleted:
        closed = PrOutcome("closed", None, None, outcome.branch)
    _close_failure_issues(adapter, outcome, repository, closed)
    return Publication(outcome, closed, pushed=False)


def _close_failure_issues(
    adapter: GithubAdapter, outcome: PromotionOutcome, repository: str, pull: PrOutcome
) -> None:
    where = f"#{pull.number}" if pull.number is not None else f"`{outcome.base_branch}`"
    for pin in outcome.pins:
        adapter.close_issue(
            repository,
            failure_key(outcome.env, pin.package, pin.tag),
            f"{pin.package} {pin.tag} was promoted into `{outcome.env}` ({where}): closing.",
        )


def report_publication(
    publication: Publication, context: GithubContext, env: Mapping[str, str]
) -> None:
    """Step outputs and one job-summary line; nothing outside Actions."""
    secrets = token_forms(context.token)
    write_step_outputs(env, publication.outputs(), secrets)
    append_step_summary(env, publication.pull_request.summary_line(), secrets)
