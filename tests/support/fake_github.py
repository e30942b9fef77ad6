"""An in-process fake of the GitHub REST API, enough for the release tool's PR bot.

Serves on 127.0.0.1 with a GitHub Enterprise style prefix (``/api/v3``), so the
adapter's handling of ``GITHUB_API_URL`` with a path is exercised. It keeps
state (pulls, labels, issues, comments, dispatches, branch refs), logs every
request for assertions, and injects faults at a chosen request index:

- ``500``: answer 500 without doing anything;
- ``502-after``: do the work, then answer 502 (the client cannot know it landed);
- ``429``: answer 429 with ``Retry-After``;
- ``403-secondary``: a secondary rate limit (403, GitHub's message, ``Retry-After``
  unless ``retry_after`` is None, then ``x-ratelimit-remaining: 0`` and a reset time);
- ``403-forbidden``: a permission error (not retryable);
- ``drop`` / ``drop-after``: close the connection without an answer, before or
  after doing the work.

Every exchange is held to GitHub's REST API description (see
:mod:`tests.support.github_contract`): the request the tool sent against the operation
the route serves, the fake's answer against that operation's documented responses.
Findings gather in ``violations``; the repository's conftest fails the test that made
them (:func:`take_violations`), and :func:`serve_fake_github` checks again when its
block ends. Exempt, and labelled in ``exempt``: answers of the fault plan (undocumented
on purpose); 401 for a wrong token; 404 for an unknown repository or organization, or
from an operation that documents no 404 (GitHub answers it for any absent resource);
403 for a path in ``forbidden`` (a token without the permission) where the operation
documents no 403. A 404 or 403 the operation documents is validated like any answer.

Branch refs live in a real bare repository when one is given (``git_dir``),
so ``DELETE /git/refs/heads/X`` removes the branch a real ``git push`` made.
Recipes, and how it is held to GitHub's description: ``docs/testing.md``.
"""

from __future__ import annotations

import json
import re
import subprocess
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, unquote, urlsplit

from tests.support import fake_github_json as shapes
from tests.support.serving import serving

if TYPE_CHECKING:
    from tests.support.github_contract import Violation
    from tests.support.github_description import Operation

PREFIX = "/api/v3"
FAULT_KINDS = ("500", "502-after", "429", "403-secondary", "403-forbidden", "drop", "drop-after")
SECONDARY_MESSAGE = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."
)
DOCS = "https://docs.github.com/rest"  # every GitHub error body names its docs page
Json = Any


@dataclass(frozen=True)
class Fault:
    kind: str
    retry_after: int | None = 3

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {self.kind!r}")


@dataclass(frozen=True)
class Request:
    index: int
    method: str
    path: str  # without the /api/v3 prefix and the query
    query: dict[str, str]
    headers: dict[str, str]
    body: Json
    fault: str | None

    @property
    def is_write(self) -> bool:
        return self.method not in {"GET", "HEAD"}


class ApiError(Exception):
    def __init__(self, status: int, message: str, errors: list[dict[str, str]] | None = None):
        super().__init__(message)
        self.status, self.message, self.errors = status, message, errors or []


@dataclass
class Repo:
    owner: str
    name: str
    default_branch: str = "main"
    git_dir: Path | None = None
    refs: dict[str, str] = field(default_factory=dict)  # used when git_dir is None
    issues: dict[int, dict[str, Json]] = field(default_factory=dict)  # PRs too, like GitHub
    labels: dict[str, dict[str, Json]] = field(default_factory=dict)
    comments: dict[int, dict[str, Json]] = field(default_factory=dict)
    dispatches: list[dict[str, Json]] = field(default_factory=list)
    # The setup `release-tool doctor` reads (see tests/support/setup_world.py).
    private: bool = False
    secrets: list[str] = field(default_factory=list)
    variables: dict[str, str] = field(default_factory=dict)
    # name -> {"branches": [..] | None (all) | "protected", "reviewers": [logins],
    #          "secrets": [names], "variables": {name: value}}
    environments: dict[str, dict[str, Json]] = field(default_factory=dict)
    rulesets: list[dict[str, Json]] = field(default_factory=list)  # id, name, target, ...
    protection: dict[str, Json] | None = None  # {"strict": bool, "checks": [{context, app_id}]}
    fork_approval: str = "first_time_contributors"

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"

    def pulls(self) -> list[dict[str, Json]]:
        return [i for i in self.issues.values() if "head" in i]

    def branch_sha(self, branch: str) -> str | None:
        if self.git_dir is None:
            return self.refs.get(branch)
        done = subprocess.run(
            ["git", "rev-parse", "--verify", "-q", f"refs/heads/{branch}"],
            cwd=self.git_dir,
            capture_output=True,
            text=True,
            check=False,
        )
        return done.stdout.strip() or None

    def delete_branch(self, branch: str) -> None:
        if self.git_dir is None:
            del self.refs[branch]
        else:
            subprocess.run(
                ["git", "update-ref", "-d", f"refs/heads/{branch}"], cwd=self.git_dir, check=True
            )


@dataclass
class Org:
    """An organization's settings: App installations, runner groups, Actions, packages."""

    login: str
    installations: list[dict[str, Json]] = field(default_factory=list)  # + "repositories"
    runner_groups: list[dict[str, Json]] = field(default_factory=list)  # + runners, repositories
    allowed_actions: str = "all"
    selected_actions: dict[str, Json] = field(default_factory=dict)
    packages: dict[str, str | None] = field(default_factory=dict)  # container -> linked repo


class FakeGitHub:
    """State + request log + fault plan. Use :func:`serve_fake_github` to run it."""

    # The account the token authenticates: what a GitHub App's bot login looks like.
    LOGIN = "vlmhb-release-bot[bot]"

    def __init__(self, token: str | None = None, login: str = LOGIN) -> None:
        self.token = token
        self.login = login
        self.base = ""  # set once serving: http://127.0.0.1:PORT/api/v3
        self.repos: dict[str, Repo] = {}
        self.orgs: dict[str, Org] = {}
        self.forbidden: set[str] = set()  # paths (no prefix, no query) answering 403
        self.requests: list[Request] = []
        self.faults: dict[int, Fault] = {}
        self.persistent_fault: Fault | None = None
        # index -> callback run right after that request was handled (e.g. a concurrent change)
        self.after_request: dict[int, Callable[[], None]] = {}
        self._lock = threading.RLock()
        self._ids = 1000
        self._time = 1_700_000_000
        self.clock: Callable[[], float] = time.time  # the rate-limit reset times derive from it
        self.violations: list[Violation] = []  # requests and answers that break the description
        self.exempt: dict[int, str] = {}  # request index -> why its answer was not validated
        self.validated: dict[str, int] = {}  # operation id -> exchanges validated

    def reset(self) -> None:
        """Forget all state, requests and faults (the server keeps running).

        Contract violations are kept: the test that made them fails on them
        (:func:`take_violations`, checked after every test), never a reset.
        """
        with self._lock:
            self.repos.clear()
            self.orgs.clear()
            self.forbidden.clear()
            self.requests.clear()
            self.faults.clear()
            self.after_request.clear()
            self.persistent_fault = None
            self.exempt.clear()

    # -- set-up and assertions -------------------------------------------------
    def add_repo(self, full_name: str, *, git_dir: Path | None = None) -> Repo:
        owner, name = full_name.split("/")
        repo = Repo(owner, name, git_dir=git_dir)
        self.repos[full_name] = repo
        return repo

    def add_org(self, login: str) -> Org:
        org = Org(login)
        self.orgs[login] = org
        return org

    def repo(self, full_name: str) -> Repo:
        return self.repos[full_name]

    def fail_at(self, index: int, fault: Fault) -> None:
        self.faults[index] = fault

    def writes(self) -> list[Request]:
        return [r for r in self.requests if r.is_write]

    def calls(self) -> list[str]:
        return [f"{r.method} {r.path}" for r in self.requests]

    def assert_contract(self) -> None:
        """Fail with every exchange that broke GitHub's API description, if any."""
        from tests.support.github_contract import shared_contract, summary  # noqa: PLC0415

        if self.violations:
            found, source = list(self.violations), shared_contract().source
            raise AssertionError(
                f"{len(found)} exchange(s) with the fake GitHub break {source}:\n{summary(found)}"
            )

    # -- helpers for handlers --------------------------------------------------
    def _next_id(self) -> int:
        self._ids += 1
        return self._ids

    def _stamp(self) -> str:
        self._time += 1
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self._time))

    def _urls(self, repo: Repo) -> tuple[str, str]:
        return f"{self.base}/repos/{repo.full_name}", self._html(repo)

    def _html(self, repo: Repo) -> str:
        return self.base.removesuffix(PREFIX) + f"/{repo.full_name}"

    def user_json(self, login: str, uid: int, kind: str = "Bot") -> dict[str, Json]:
        return shapes.user_json(self.base, login, uid, kind)

    def label_json(self, repo: Repo, name: str) -> dict[str, Json]:
        api, _ = self._urls(repo)
        return shapes.label_json(api, repo.labels[name])

    def issue_json(self, repo: Repo, issue: dict[str, Json], *, as_pull: bool) -> dict[str, Json]:
        api, html = self._urls(repo)
        n = issue["number"]
        comments = sum(1 for c in repo.comments.values() if c["issue_number"] == n)
        data = shapes.issue_fields(api, html, issue, comments)
        data["labels"] = [self.label_json(repo, name) for name in issue["label_names"]]
        author = str(issue.get("_author") or self.login)
        kind = "Bot" if author.endswith("[bot]") else "User"
        data["user"] = self.user_json(author, 1 if kind == "Bot" else 7, kind)
        if "head" in issue:
            if as_pull:
                head = self._ref_json(repo, issue["head"], fork=issue.get("_head_repo"))
                data.update(shapes.pull_fields(api, html, n, issue["_merged"], head["sha"]))
                data.update(head=head, base=self._ref_json(repo, issue["base"]))
            else:
                data.update(url=f"{api}/issues/{n}", html_url=f"{html}/pull/{n}")
                data["pull_request"] = {
                    "url": f"{api}/pulls/{n}",
                    "html_url": f"{html}/pull/{n}",
                    "diff_url": f"{html}/pull/{n}.diff",
                    "patch_url": f"{html}/pull/{n}.patch",
                    "merged_at": None,
                }
        else:
            data.update(url=f"{api}/issues/{n}", html_url=f"{html}/issues/{n}")
        return data

    def _ref_json(self, repo: Repo, branch: str, fork: Json = None) -> dict[str, Json]:
        """A PR's head or base; ``fork`` (OWNER/NAME) is a head in another repository."""
        if fork:
            owner = self.user_json(str(fork).split("/", 1)[0], 9, "User")
            rid = abs(hash(str(fork))) % 100000
            other = {
                **shapes.repository_json(self.base, str(fork), rid, repo.default_branch, owner),
                "fork": True,
            }
            return {
                "ref": branch,
                "label": f"{owner['login']}:{branch}",
                "sha": "0" * 40,
                "repo": other,
                "user": owner,
            }
        return {
            "ref": branch,
            "label": f"{repo.owner}:{branch}",
            "sha": repo.branch_sha(branch) or "0" * 40,
            "repo": self.repo_json(repo),
            "user": self.repo_json(repo)["owner"],
        }

    def open_foreign_pull(
        self,
        full_name: str,
        head: str,
        body: str,
        *,
        author: str,
        head_repo: str | None = None,
        title: str = "a pull request",
    ) -> int:
        """A PR opened by someone else (``author``), from a fork when ``head_repo`` is given."""
        with self._lock:
            repo = self.repo(full_name)
            pull = self.new_issue(
                repo, title, body, head=head, base=repo.default_branch, _author=author
            )
            pull["_merged"] = False
            if head_repo is not None:
                pull["_head_repo"] = head_repo
            return int(str(pull["number"]))

    def repo_json(self, repo: Repo) -> dict[str, Json]:
        owner = self.user_json(repo.owner, 2, "Organization")
        rid = abs(hash(repo.full_name)) % 100000
        return shapes.repository_json(
            self.base, repo.full_name, rid, repo.default_branch, owner, private=repo.private
        )

    def comment_json(self, repo: Repo, comment: dict[str, Json]) -> dict[str, Json]:
        api, html = self._urls(repo)
        n, cid = comment["issue_number"], comment["id"]
        return {
            "id": cid,
            "node_id": shapes.node_id("IssueComment", cid),
            "body": comment["body"],
            "user": self.user_json(self.login, 1),
            "author_association": "NONE",
            "created_at": comment["created_at"],
            "updated_at": comment["updated_at"],
            "url": f"{api}/issues/comments/{cid}",
            "issue_url": f"{api}/issues/{n}",
            "html_url": f"{html}/issues/{n}#issuecomment-{cid}",
        }

    def new_issue(self, repo: Repo, title: str, body: str | None, **extra: Json) -> dict[str, Json]:
        number = max(repo.issues, default=0) + 1
        now = self._stamp()
        issue: dict[str, Json] = {
            "id": self._next_id(),
            "number": number,
            "state": "open",
            "title": title,
            "body": body,
            "label_names": [],
            "created_at": now,
            "updated_at": now,
            "closed_at": None,
            **extra,
        }
        repo.issues[number] = issue
        return issue

    def ensure_label(
        self, repo: Repo, name: str, color: str = "ededed", description: str | None = None
    ) -> None:
        """Make label ``name`` unless it exists (GitHub's own labels have no description)."""
        if name not in repo.labels:
            repo.labels[name] = {
                "id": self._next_id(),
                "name": name,
                "color": color,
                "description": description,
            }


Route = tuple[str, re.Pattern[str], Callable[..., tuple[int, Json]]]


def _handlers() -> list[Route]:
    from tests.support import fake_github_routes as routes  # noqa: PLC0415 - cycle

    return routes.ROUTES


def _route(method: str, path: str) -> tuple[Route, re.Match[str]] | None:
    for route in _handlers():
        match = route[1].fullmatch(path)
        if route[0] == method and match:
            return route, match
    return None


def _target(fake: FakeGitHub, match: re.Match[str]) -> Repo | Org | None:
    """The repository (groups owner + repo) or organization (group org) a route names.

    None for a route that names neither (``/user/...``); ApiError 404 when it names one
    the fake does not hold.
    """
    groups = match.groupdict()
    target: Repo | Org | None = None
    if "repo" in groups:
        target = fake.repos.get(f"{groups['owner']}/{groups['repo']}")
    elif "org" in groups:
        target = fake.orgs.get(groups["org"])
    else:
        return None
    if target is None:
        raise ApiError(404, "Not Found")
    return target


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        return

    def _serve(self, method: str) -> None:
        fake = self.server.fake
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        path = unquote(parts.path).removeprefix(PREFIX)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode(errors="replace")  # the contract check reports it
        with fake._lock:
            index = len(fake.requests)
            fault = fake.faults.pop(index, None) or fake.persistent_fault
            fake.requests.append(
                Request(index, method, path, query, dict(self.headers), body, fault and fault.kind)
            )
            operation = self._check_request(fake, method, path, query, body)
            if fault and fault.kind in {"500", "429", "403-secondary", "403-forbidden", "drop"}:
                fake.exempt[index] = f"fault plan: {fault.kind} (undocumented on purpose)"
                self._answer_fault(fault)
                return
            status, payload = self._dispatch(fake, method, path, query, body)
            hook = fake.after_request.pop(index, None)
            if hook is not None:
                hook()
        if fault is not None:  # a fault after the work: the client never learns it landed
            fake.exempt[index] = f"fault plan: {fault.kind} (undocumented on purpose)"
            self._answer_fault(fault)
            return
        if status == 401:
            fake.exempt[index] = "401 bad credentials (any operation; documented on none)"
        elif status == 404 and self._unknown_target(fake, method, path):
            fake.exempt[index] = (
                "404 unknown repository or organization (any operation; documented on some)"
            )
        elif status == 404 and operation is not None and not self._documents(operation, 404):
            fake.exempt[index] = (
                f"404 not found, undocumented on {operation.operation_id} "
                "(GitHub answers it for any absent resource)"
            )
        elif status == 403 and path in fake.forbidden and not self._documents(operation, 403):
            fake.exempt[index] = "403 missing permission (any operation; documented on some)"
        elif operation is not None:
            self._check_response(fake, operation, status, payload)
        self._send(status, payload)

    @staticmethod
    def _unknown_target(fake: FakeGitHub, method: str, path: str) -> bool:
        """Whether the route names a repository or organization the fake does not hold."""
        found = _route(method, path)
        if found is None:
            return False
        try:
            _target(fake, found[1])
        except ApiError:
            return True
        return False

    @staticmethod
    def _documents(operation: Operation | None, status: int) -> bool:
        from tests.support.github_contract import shared_contract  # noqa: PLC0415

        return operation is not None and shared_contract().documents(operation, status)

    def _check_request(
        self, fake: FakeGitHub, method: str, path: str, query: dict[str, str], body: Json
    ) -> Operation | None:
        from tests.support.github_contract import Violation, shared_contract  # noqa: PLC0415

        found = _route(method, path)
        if found is None:
            fake.violations.append(
                Violation("?", "request", "$", f"the fake serves no route for {method} {path}")
            )
            return None
        contract = shared_contract()
        operation = contract.operation(method, found[0][1])
        if isinstance(body, str):
            fake.violations.append(
                Violation(operation.operation_id, "request body", "$", "not JSON")
            )
            body = None
        fake.violations += contract.check_request(operation, path, query, body)
        return operation

    def _check_response(
        self, fake: FakeGitHub, operation: Operation, status: int, payload: Json
    ) -> None:
        from tests.support.github_contract import shared_contract  # noqa: PLC0415

        headers = {"Content-Type": "application/json; charset=utf-8"}
        fake.violations += shared_contract().check_response(operation, status, headers, payload)
        fake.validated[operation.operation_id] = fake.validated.get(operation.operation_id, 0) + 1

    def _dispatch(
        self, fake: FakeGitHub, method: str, path: str, query: dict[str, str], body: Json
    ) -> tuple[int, Json]:
        if fake.token is not None and self.headers.get("Authorization") not in {
            f"token {fake.token}",
            f"Bearer {fake.token}",
        }:
            return 401, {"message": "Bad credentials"}
        if path in fake.forbidden:
            return 403, {"message": "Resource not accessible by personal access token"}
        found = _route(method, path)
        if found is None:
            return 404, {"message": "Not Found", "documentation_url": DOCS}
        (_, _, handler), match = found
        try:
            target = _target(fake, match)
            groups = match.groupdict()
            args = {k: v for k, v in groups.items() if k not in {"owner", "repo", "org"}}
            return handler(fake, target, query=query, body=body, **args)
        except ApiError as exc:
            payload: dict[str, Json] = {"message": exc.message, "documentation_url": DOCS}
            if exc.errors:
                payload["errors"] = exc.errors
            return exc.status, payload

    def _answer_fault(self, fault: Fault) -> None:
        if fault.kind in {"drop", "drop-after"}:
            self.close_connection = True
            return
        headers: dict[str, str] = {}
        if fault.kind == "500":
            status, payload = 500, {"message": "Server Error"}
        elif fault.kind == "502-after":
            status, payload = 502, {"message": "Bad Gateway"}
        elif fault.kind == "403-forbidden":
            status, payload = 403, {"message": "Resource not accessible by integration"}
        elif fault.kind == "429":
            status, payload = 429, {"message": "Too Many Requests"}
            headers["Retry-After"] = str(fault.retry_after or 1)
        else:
            status, payload = 403, {"message": SECONDARY_MESSAGE}
            if fault.retry_after is not None:
                headers["Retry-After"] = str(fault.retry_after)
            else:
                headers["x-ratelimit-remaining"] = "0"
                headers["x-ratelimit-reset"] = str(int(self.server.fake.clock()) + 5)
        self._send(status, payload, headers)

    def _send(self, status: int, payload: Json, headers: dict[str, str] | None = None) -> None:
        data = b"" if payload is None else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if data:
            self.wfile.write(data)

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_PATCH(self) -> None:
        self._serve("PATCH")

    def do_PUT(self) -> None:
        self._serve("PUT")

    def do_DELETE(self) -> None:
        self._serve("DELETE")


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, fake: FakeGitHub) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.fake = fake


@contextmanager
def serve_fake_github(fake: FakeGitHub | None = None) -> Iterator[FakeGitHub]:
    """Serve ``fake`` on 127.0.0.1 (a free port) until the block ends."""
    fake = fake or FakeGitHub()
    with serving(_Server(fake), poll_interval=0.05) as url:
        fake.base = url + PREFIX
        _SERVING.add(fake)
        try:
            yield fake
        finally:
            _SERVING.discard(fake)
    fake.assert_contract()  # only when the block succeeded: never hide the test's own failure


_SERVING: weakref.WeakSet[FakeGitHub] = weakref.WeakSet()  # fakes whose block has not ended


def take_violations() -> list[Violation]:
    """Every contract violation the fakes still serving have gathered, now forgotten.

    The repository's conftest calls it after each test, so a test that shares a
    module-scoped fake (and resets it between tests) fails on its own violations.
    """
    found: list[Violation] = []
    for fake in list(_SERVING):
        with fake._lock:
            found += fake.violations
            fake.violations.clear()
    return found
