"""The one adapter that talks to the GitHub REST API, through PyGithub.

It decides nothing: ``promote`` says which pull request a release branch should
have (:class:`~release_tool.core.pull_requests.PullRequestSpec`), this adapter
makes it so with as few writes as possible and reports what it did. Every
write is safe to repeat, so re-running a command after any failure converges.
Failures become one :class:`OperationalError` sentence, never showing the token.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import requests
from github import GithubException
from github.PullRequest import PullRequest
from github.Repository import Repository

from release_tool.adapters import github_threads as threads
from release_tool.adapters.github_retry import (
    RetryBudgetExhausted,
    RetryPolicy,
    WaitBudget,
    github_client,
)
from release_tool.adapters.process import redact
from release_tool.core.github_context import GithubContext
from release_tool.core.pull_requests import (
    Operation,
    PrOutcome,
    PullRequestSpec,
    label_colour,
    label_description,
)
from release_tool.errors import OperationalError

CommentOutcome = threads.CommentOutcome
IssueOutcome = threads.IssueOutcome


@dataclass(frozen=True)
class PullRequestInfo:
    """An open pull request as the tool sees it."""

    number: int
    url: str
    branch: str
    base: str
    title: str
    body: str
    head_sha: str
    labels: tuple[str, ...]
    author: str = ""  # the login that opened it
    head_repository: str = ""  # OWNER/NAME of the head branch's repository ("" when deleted)


@dataclass(frozen=True)
class DispatchReceipt:
    repository: str
    event_type: str
    watch_url: str


def describe_github_error(exc: GithubException) -> str:
    """``422 Validation Failed (A pull request already exists for o:b.)`` and the like."""
    data = exc.data if isinstance(exc.data, dict) else {}
    message = str(data.get("message") or exc.message or "no message")
    details = [
        str(e.get("message") or f"{e.get('field', '?')} {e.get('code', '?')}")
        for e in data.get("errors", [])
        if isinstance(e, dict)
    ]
    return f"{exc.status} {message}" + (f" ({'; '.join(details)})" if details else "")


def _already_exists(exc: GithubException) -> bool:
    text = describe_github_error(exc).lower()
    return exc.status == 422 and ("already exist" in text or "already_exists" in text)


class GithubAdapter:
    """Pull requests, labels, comments, issues and dispatches of one GitHub instance."""

    def __init__(self, context: GithubContext, policy: RetryPolicy | None = None) -> None:
        self._context = context
        self._token = context.require_token()
        self.budget = WaitBudget(policy or RetryPolicy())
        self._github = github_client(context.api_url, self._token.reveal(), self.budget)

    def __repr__(self) -> str:
        return f"GithubAdapter(api_url={self._context.api_url!r}, token=***)"

    # -- the error boundary of every call ------------------------------------
    @contextmanager
    def _calling(self, what: str) -> Iterator[None]:
        secrets = (self._token.reveal(),)
        retries_before = self.budget.retries

        def tries() -> str:
            retries = self.budget.retries - retries_before
            return f" after {retries + 1} attempts" if retries else ""

        try:
            yield
        except RetryBudgetExhausted as exc:
            raise OperationalError(redact(f"GitHub API: {what} gave up: {exc}", secrets)) from None
        except GithubException as exc:
            hint = ""
            if exc.status == 401:
                hint = f": the token from {self._context.token_source} was refused"
            elif exc.status in {403, 404}:
                hint = ": check that the token may access it"
            detail = describe_github_error(exc)
            raise OperationalError(
                redact(f"GitHub API: {what} failed with {detail}{tries()}{hint}", secrets)
            ) from None
        except requests.RequestException as exc:
            raise OperationalError(
                f"GitHub API: {what} failed: {self._context.api_url} could not be reached "
                f"({type(exc).__name__}){tries()}"
            ) from None

    def _repo(self, repository: str) -> Repository:
        return self._github.get_repo(repository)

    # -- pull requests ---------------------------------------------------------
    def _find_open_pull(self, repo: Repository, branch: str) -> PullRequest | None:
        owner = repo.full_name.split("/")[0]
        for pull in repo.get_pulls(state="open", head=f"{owner}:{branch}"):
            if pull.head.ref == branch:
                return pull
        return None

    def find_open_pull_request(self, repository: str, branch: str) -> PullRequestInfo | None:
        """The open pull request whose head is ``branch``, if any (reads only)."""
        with self._calling(f"looking up the pull request of {branch} in {repository}"):
            pull = self._find_open_pull(self._repo(repository), branch)
            return None if pull is None else _info(pull)

    def list_open_pull_requests(self, repository: str, prefix: str) -> list[PullRequestInfo]:
        """Open pull requests whose head branch starts with ``prefix`` (e.g. ``release/``)."""
        with self._calling(f"listing the open pull requests of {repository}"):
            pulls = self._repo(repository).get_pulls(state="open")
            return [_info(p) for p in pulls if p.head.ref.startswith(prefix)]

    def ensure_pull_request(self, repository: str, spec: PullRequestSpec) -> PrOutcome:
        """Create or update the one open pull request of ``spec.branch``; no write if unchanged."""
        with self._calling(f"creating or updating the pull request of {spec.branch}"):
            repo = self._repo(repository)
            operation: Operation = "unchanged"
            pull = self._find_open_pull(repo, spec.branch)
            if pull is None:
                pull, operation = self._create_pull(repo, spec)
            changes: dict[str, Any] = {}
            if pull.title != spec.title:
                changes["title"] = spec.title
            if _text(pull.body) != _text(spec.body):
                changes["body"] = spec.body
            if pull.base.ref != spec.base:
                changes["base"] = spec.base
            if changes:
                pull.edit(**changes)
                operation = "updated" if operation == "unchanged" else operation
            present = {label.name for label in pull.labels}
            missing = [name for name in spec.labels if name not in present]
            if missing:
                self._ensure_labels(repo, missing)
                self._add_labels(repo, pull.number, missing)
                operation = "updated" if operation == "unchanged" else operation
            return PrOutcome(operation, pull.number, pull.html_url, spec.branch)

    def _create_pull(
        self, repo: Repository, spec: PullRequestSpec
    ) -> tuple[PullRequest, Operation]:
        try:
            pull = repo.create_pull(
                base=spec.base, head=spec.branch, title=spec.title, body=spec.body
            )
            return pull, "created"
        except GithubException as exc:
            if not _already_exists(exc):
                raise
        # A retried POST whose first attempt landed, or a concurrent run: use that PR.
        found = self._find_open_pull(repo, spec.branch)
        if found is None:
            raise OperationalError(
                f"GitHub says a pull request for {spec.branch} exists, but none is open"
            )
        ours = found.title == spec.title and _text(found.body) == _text(spec.body)
        return found, "created" if ours else "updated"

    def _add_labels(self, repo: Repository, number: int, names: list[str]) -> None:
        # GitHub documents the body as {"labels": [...]}; PyGithub's add_to_labels sends a
        # bare list, which the REST description (issues/add-labels) does not allow.
        url = f"{repo.url}/issues/{number}/labels"
        self._github.requester.requestJsonAndCheck("POST", url, input={"labels": names})

    def _ensure_labels(self, repo: Repository, names: list[str]) -> None:
        existing = {label.name for label in repo.get_labels()}
        for name in names:
            if name in existing:
                continue
            try:
                repo.create_label(name, label_colour(name), label_description(name))
            except GithubException as exc:
                if not _already_exists(exc):
                    raise

    def close_pull_request(
        self, repository: str, branch: str, reason: str, *, delete_branch: bool = True
    ) -> PrOutcome:
        """Close the open PR of ``branch`` saying ``reason``, then delete the branch."""
        with self._calling(f"closing the pull request of {branch}"):
            repo = self._repo(repository)
            pull = self._find_open_pull(repo, branch)
            if pull is not None:
                threads.upsert_comment(repo.get_issue(pull.number), "closed", reason)
                pull.edit(state="closed")
            if delete_branch:
                self._delete_ref(repo, branch)
            if pull is None:
                return PrOutcome("unchanged", None, None, branch)
            return PrOutcome("closed", pull.number, pull.html_url, branch)

    def delete_branch(self, repository: str, branch: str) -> bool:
        """Delete ``branch`` on GitHub; False when it was already gone."""
        with self._calling(f"deleting the branch {branch}"):
            return self._delete_ref(self._repo(repository), branch)

    def _delete_ref(self, repo: Repository, branch: str) -> bool:
        # One DELETE (PyGithub's lazy GitRef would address the singular /git/ref/ path).
        url = f"{repo.url}/git/refs/heads/{quote(branch)}"
        try:
            self._github.requester.requestJsonAndCheck("DELETE", url)
        except GithubException as exc:
            # 422 "Reference does not exist": gone already (or a retried DELETE that landed).
            if exc.status == 422:
                return False
            raise
        return True

    # -- dispatches, comments, issues -----------------------------------------
    def send_dispatch(
        self, repository: str, event_type: str, client_payload: Mapping[str, object]
    ) -> DispatchReceipt:
        """Send one ``repository_dispatch``; the payload is validated by the caller."""
        with self._calling(f"sending the {event_type} dispatch to {repository}"):
            url = f"{self._repo(repository).url}/dispatches"
            payload = {"event_type": event_type, "client_payload": dict(client_payload)}
            self._github.requester.requestJsonAndCheck("POST", url, input=payload)
        return DispatchReceipt(
            repository,
            event_type,
            f"{self._context.server_url}/{repository}/actions?query=event%3Arepository_dispatch",
        )

    def upsert_comment(self, repository: str, number: int, key: str, body: str) -> CommentOutcome:
        """Create or update the one comment of kind ``key`` on issue or PR ``number``."""
        with self._calling(f"writing the {key} comment on #{number}"):
            return threads.upsert_comment(self._repo(repository).get_issue(number), key, body)

    def upsert_issue(
        self, repository: str, key: str, title: str, body: str, labels: tuple[str, ...] = ()
    ) -> IssueOutcome:
        """Open or update the one open issue marked ``key``."""
        with self._calling(f"opening or updating the issue {title!r}"):
            repo = self._repo(repository)
            if labels:
                self._ensure_labels(repo, list(labels))
            return threads.upsert_issue(repo, key, title, body, labels)

    def close_issue(self, repository: str, key: str, comment: str | None = None) -> IssueOutcome:
        """Close the open issue(s) marked ``key``, commenting once first."""
        with self._calling(f"closing the issue marked {key}"):
            return threads.close_issue(self._repo(repository), key, comment)


def _text(value: str | None) -> str:
    return (value or "").replace("\r\n", "\n").strip()


def _info(pull: PullRequest) -> PullRequestInfo:
    return PullRequestInfo(
        number=pull.number,
        url=pull.html_url,
        branch=pull.head.ref,
        base=pull.base.ref,
        title=pull.title,
        body=pull.body or "",
        head_sha=pull.head.sha,
        labels=tuple(label.name for label in pull.labels),
        author=pull.user.login if pull.user is not None else "",
        head_repository=pull.head.repo.full_name if pull.head.repo is not None else "",
    )
