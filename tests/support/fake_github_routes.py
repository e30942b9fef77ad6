"""The REST endpoints :mod:`tests.support.fake_github` answers, shaped like GitHub's.

Exactly the operations the release tool calls: ``scripts/vendor_github_api`` derives
the contract fixture from this table, and tests/test_github_contract.py fails when a
route is not in the fixture or is never exercised by the tool's commands.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from tests.support.fake_github import ApiError, FakeGitHub, Json, Repo

Handler = Callable[..., tuple[int, Json]]
ROUTES: list[tuple[str, re.Pattern[str], Handler]] = []
_REPO = r"/repos/(?P<owner>[^/]+)/(?P<repo>[^/]+)"


def route(method: str, pattern: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        ROUTES.append((method, re.compile(_REPO + pattern), handler))
        return handler

    return register


def _issue(repo: Repo, number: str) -> dict[str, Json]:
    issue = repo.issues.get(int(number))
    if issue is None:
        raise ApiError(404, "Not Found")
    return issue


def _pull(repo: Repo, number: str) -> dict[str, Json]:
    issue = _issue(repo, number)
    if "head" not in issue:
        raise ApiError(404, "Not Found")
    return issue


def _invalid(resource: str, field: str, code: str = "invalid") -> ApiError:
    return ApiError(
        422, "Validation Failed", [{"resource": resource, "field": field, "code": code}]
    )


@route("GET", "/pulls")
def list_pulls(fake: FakeGitHub, repo: Repo, query: dict[str, str], **_: Any) -> tuple[int, Json]:
    state = query.get("state", "open")
    head, base = query.get("head"), query.get("base")
    found = [
        p
        for p in repo.pulls()
        if (state == "all" or p["state"] == state)
        and (head is None or head == f"{repo.owner}:{p['head']}")
        and (base is None or base == p["base"])
    ]
    return 200, [fake.issue_json(repo, p, as_pull=True) for p in found]


@route("POST", "/pulls")
def create_pull(fake: FakeGitHub, repo: Repo, body: Json, **_: Any) -> tuple[int, Json]:
    body = body or {}
    head = str(body.get("head", "")).split(":")[-1]
    base = str(body.get("base", ""))
    if not body.get("title"):
        raise _invalid("PullRequest", "title", "missing_field")
    if not head or repo.branch_sha(head) is None:
        raise _invalid("PullRequest", "head")
    if base != repo.default_branch and repo.branch_sha(base) is None:
        raise _invalid("PullRequest", "base")
    for pull in repo.pulls():
        if pull["state"] == "open" and pull["head"] == head and pull["base"] == base:
            raise ApiError(
                422,
                "Validation Failed",
                [
                    {
                        "resource": "PullRequest",
                        "code": "custom",
                        "message": f"A pull request already exists for {repo.owner}:{head}.",
                    }
                ],
            )
    pull = fake.new_issue(repo, body["title"], body.get("body"), head=head, base=base)
    pull["_merged"] = False
    return 201, fake.issue_json(repo, pull, as_pull=True)


def _edit(fake: FakeGitHub, issue: dict[str, Json], body: Json, keys: tuple[str, ...]) -> None:
    for key in keys:
        if key in (body or {}):
            issue[key] = body[key]
    if (body or {}).get("state") == "closed":
        issue["closed_at"] = fake._stamp()
    elif (body or {}).get("state") == "open":
        issue["closed_at"] = None
    issue["updated_at"] = fake._stamp()


@route("PATCH", r"/pulls/(?P<number>\d+)")
def edit_pull(fake: FakeGitHub, repo: Repo, number: str, body: Json, **_: Any) -> tuple[int, Json]:
    pull = _pull(repo, number)
    _edit(fake, pull, body, ("title", "body", "state", "base"))
    return 200, fake.issue_json(repo, pull, as_pull=True)


@route("GET", "/labels")
def list_labels(fake: FakeGitHub, repo: Repo, **_: Any) -> tuple[int, Json]:
    return 200, [fake.label_json(repo, name) for name in repo.labels]


@route("POST", "/labels")
def create_label(fake: FakeGitHub, repo: Repo, body: Json, **_: Any) -> tuple[int, Json]:
    name = str((body or {}).get("name", ""))
    if not name:
        raise _invalid("Label", "name", "missing_field")
    if name in repo.labels:
        raise _invalid("Label", "name", "already_exists")
    fake.ensure_label(repo, name, str(body.get("color", "ededed")))
    repo.labels[name]["description"] = body.get("description")
    return 201, fake.label_json(repo, name)


@route("POST", r"/issues/(?P<number>\d+)/labels")
def add_labels(fake: FakeGitHub, repo: Repo, number: str, body: Json, **_: Any) -> tuple[int, Json]:
    issue = _issue(repo, number)
    names = body.get("labels", []) if isinstance(body, dict) else list(body or [])
    for name in names:
        fake.ensure_label(repo, name)  # GitHub creates unknown labels with a default colour
        if name not in issue["label_names"]:
            issue["label_names"].append(name)
    return 200, [fake.label_json(repo, n) for n in issue["label_names"]]


def _comments_of(repo: Repo, number: int) -> list[dict[str, Json]]:
    return sorted(
        (c for c in repo.comments.values() if c["issue_number"] == number), key=lambda c: c["id"]
    )


@route("GET", r"/issues/(?P<number>\d+)/comments")
def list_comments(fake: FakeGitHub, repo: Repo, number: str, **_: Any) -> tuple[int, Json]:
    _issue(repo, number)
    return 200, [fake.comment_json(repo, c) for c in _comments_of(repo, int(number))]


@route("POST", r"/issues/(?P<number>\d+)/comments")
def create_comment(
    fake: FakeGitHub, repo: Repo, number: str, body: Json, **_: Any
) -> tuple[int, Json]:
    _issue(repo, number)
    if not (body or {}).get("body"):
        raise _invalid("IssueComment", "body", "missing_field")
    now = fake._stamp()
    comment = {
        "id": fake._next_id(),
        "issue_number": int(number),
        "body": body["body"],
        "created_at": now,
        "updated_at": now,
    }
    repo.comments[comment["id"]] = comment
    return 201, fake.comment_json(repo, comment)


def _comment(repo: Repo, cid: str) -> dict[str, Json]:
    comment = repo.comments.get(int(cid))
    if comment is None:
        raise ApiError(404, "Not Found")
    return comment


@route("PATCH", r"/issues/comments/(?P<cid>\d+)")
def edit_comment(fake: FakeGitHub, repo: Repo, cid: str, body: Json, **_: Any) -> tuple[int, Json]:
    comment = _comment(repo, cid)
    comment["body"] = (body or {}).get("body", comment["body"])
    comment["updated_at"] = fake._stamp()
    return 200, fake.comment_json(repo, comment)


@route("DELETE", r"/issues/comments/(?P<cid>\d+)")
def delete_comment(fake: FakeGitHub, repo: Repo, cid: str, **_: Any) -> tuple[int, Json]:
    del repo.comments[_comment(repo, cid)["id"]]
    return 204, None


@route("GET", "/issues")
def list_issues(fake: FakeGitHub, repo: Repo, query: dict[str, str], **_: Any) -> tuple[int, Json]:
    state = query.get("state", "open")
    wanted = [x for x in query.get("labels", "").split(",") if x]
    found = [
        i
        for i in sorted(repo.issues.values(), key=lambda i: -i["number"])
        if (state == "all" or i["state"] == state) and set(wanted) <= set(i["label_names"])
    ]
    return 200, [fake.issue_json(repo, i, as_pull=False) for i in found]


@route("POST", "/issues")
def create_issue(fake: FakeGitHub, repo: Repo, body: Json, **_: Any) -> tuple[int, Json]:
    body = body or {}
    if not body.get("title"):
        raise _invalid("Issue", "title", "missing_field")
    issue = fake.new_issue(repo, body["title"], body.get("body"))
    for name in body.get("labels", []):
        fake.ensure_label(repo, name)
        issue["label_names"].append(name)
    return 201, fake.issue_json(repo, issue, as_pull=False)


@route("GET", r"/issues/(?P<number>\d+)")
def get_issue(fake: FakeGitHub, repo: Repo, number: str, **_: Any) -> tuple[int, Json]:
    return 200, fake.issue_json(repo, _issue(repo, number), as_pull=False)


@route("PATCH", r"/issues/(?P<number>\d+)")
def edit_issue(fake: FakeGitHub, repo: Repo, number: str, body: Json, **_: Any) -> tuple[int, Json]:
    issue = _issue(repo, number)
    _edit(fake, issue, body, ("title", "body", "state", "state_reason"))
    if "labels" in (body or {}):
        issue["label_names"] = list(dict.fromkeys(body["labels"]))
        for name in issue["label_names"]:
            fake.ensure_label(repo, name)
    return 200, fake.issue_json(repo, issue, as_pull=False)


@route("POST", "/dispatches")
def dispatch(fake: FakeGitHub, repo: Repo, body: Json, **_: Any) -> tuple[int, Json]:
    body = body or {}
    if not body.get("event_type"):
        raise _invalid("Repository", "event_type", "missing_field")
    payload = body.get("client_payload", {})
    if not isinstance(payload, dict) or len(payload) > 10:
        raise _invalid("Repository", "client_payload")
    repo.dispatches.append(body)
    return 204, None


@route("DELETE", "/git/refs/heads/(?P<branch>.+)")
def delete_ref(fake: FakeGitHub, repo: Repo, branch: str, **_: Any) -> tuple[int, Json]:
    if repo.branch_sha(branch) is None:
        raise ApiError(422, "Reference does not exist")
    repo.delete_branch(branch)
    return 204, None
