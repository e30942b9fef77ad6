"""Sticky comments and marked issues: found again by a hidden marker, never doubled.

A POST that GitHub performed but whose answer was lost is re-sent by the retry
layer, so a create may land twice. Every create is therefore followed by a
re-read that keeps the oldest marked item and removes (comments) or closes
(issues) the extras. Used by :mod:`release_tool.adapters.github`, which maps
errors; nothing here catches them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from github.Issue import Issue
from github.IssueComment import IssueComment
from github.Repository import Repository

from release_tool.core.pull_requests import hidden_marker, with_marker

ThreadOperation = Literal["created", "updated", "unchanged", "closed"]


@dataclass(frozen=True)
class CommentOutcome:
    operation: ThreadOperation
    comment_id: int
    url: str


@dataclass(frozen=True)
class IssueOutcome:
    operation: ThreadOperation
    number: int | None
    url: str | None


def _marked_comments(issue: Issue, marker: str) -> list[IssueComment]:
    return sorted((c for c in issue.get_comments() if marker in (c.body or "")), key=lambda c: c.id)


def upsert_comment(issue: Issue, key: str, body: str) -> CommentOutcome:
    """The one comment marked ``key`` on ``issue`` (an issue or a PR) now says ``body``."""
    marker, wanted = hidden_marker(key), with_marker(key, body)
    found = _marked_comments(issue, marker)
    operation: ThreadOperation = "unchanged"
    if not found:
        issue.create_comment(wanted)
        operation = "created"
        found = _marked_comments(issue, marker)
    keep, extras = found[0], found[1:]
    for extra in extras:
        extra.delete()
    if keep.body != wanted:
        keep.edit(wanted)
        operation = "updated" if operation == "unchanged" else operation
    return CommentOutcome(operation, keep.id, keep.html_url)


def _marked_issues(repo: Repository, marker: str) -> list[Issue]:
    return sorted(
        (
            i
            for i in repo.get_issues(state="open")
            if i.pull_request is None and marker in (i.body or "")
        ),
        key=lambda i: i.number,
    )


def _close_duplicates(extras: list[Issue], keep: Issue) -> None:
    for extra in extras:
        extra.edit(state="closed", state_reason="not_planned")
        extra.create_comment(f"Duplicate of #{keep.number} (closed by release-tool).")


def upsert_issue(
    repo: Repository, key: str, title: str, body: str, labels: tuple[str, ...]
) -> IssueOutcome:
    """The one open issue marked ``key`` has ``title``, ``body`` and at least ``labels``."""
    marker, wanted = hidden_marker(key), with_marker(key, body)
    found = _marked_issues(repo, marker)
    operation: ThreadOperation = "unchanged"
    if not found:
        repo.create_issue(title, body=wanted, labels=list(labels))
        operation = "created"
        found = _marked_issues(repo, marker)
    keep = found[0]
    _close_duplicates(found[1:], keep)
    present = [label.name for label in keep.labels]
    missing = [name for name in labels if name not in present]
    if keep.title != title or (keep.body or "") != wanted or missing:
        keep.edit(title=title, body=wanted, labels=[*present, *missing])
        operation = "updated" if operation == "unchanged" else operation
    return IssueOutcome(operation, keep.number, keep.html_url)


def close_issue(repo: Repository, key: str, comment: str | None) -> IssueOutcome:
    """Close every open issue marked ``key`` (normally one), commenting ``comment`` once."""
    found = _marked_issues(repo, hidden_marker(key))
    for issue in found:
        if comment:
            upsert_comment(issue, f"{key}:closing", comment)
        issue.edit(state="closed", state_reason="completed")
    if not found:
        return IssueOutcome("unchanged", None, None)
    return IssueOutcome("closed", found[0].number, found[0].html_url)
