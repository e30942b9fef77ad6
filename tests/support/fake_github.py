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

Branch refs live in a real bare repository when one is given (``git_dir``),
so ``DELETE /git/refs/heads/X`` removes the branch a real ``git push`` made.
Recipes: ``shared/NOTES.md``.
"""

from __future__ import annotations

import json
import re
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

PREFIX = "/api/v3"
FAULT_KINDS = ("500", "502-after", "429", "403-secondary", "403-forbidden", "drop", "drop-after")
SECONDARY_MESSAGE = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."
)
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

    def __init__(self, token: str | None = None) -> None:
        self.token = token
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

    def reset(self) -> None:
        """Forget all state, requests and faults (the server keeps running)."""
        with self._lock:
            self.repos.clear()
            self.orgs.clear()
            self.forbidden.clear()
            self.requests.clear()
            self.faults.clear()
            self.after_request.clear()
            self.persistent_fault = None

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

    def label_json(self, repo: Repo, name: str) -> dict[str, Json]:
        label = repo.labels[name]
        api, _ = self._urls(repo)
        return {**label, "url": f"{api}/labels/{name}"}

    def issue_json(self, repo: Repo, issue: dict[str, Json], *, as_pull: bool) -> dict[str, Json]:
        api, html = self._urls(repo)
        n = issue["number"]
        data = {
            k: v for k, v in issue.items() if k not in {"head", "base", "label_names", "_merged"}
        }
        data["labels"] = [self.label_json(repo, name) for name in issue["label_names"]]
        data["user"] = {"login": "release-bot", "id": 1, "type": "Bot"}
        data["comments_url"] = f"{api}/issues/{n}/comments"
        data["issue_url"] = f"{api}/issues/{n}"
        data["repository_url"] = api
        if "head" in issue:
            pull_api = f"{api}/pulls/{n}"
            if as_pull:
                data.update(
                    url=pull_api,
                    html_url=f"{html}/pull/{n}",
                    merged=issue["_merged"],
                    head=self._ref_json(repo, issue["head"]),
                    base=self._ref_json(repo, issue["base"]),
                )
            else:
                data.update(url=f"{api}/issues/{n}", html_url=f"{html}/pull/{n}")
                data["pull_request"] = {"url": pull_api, "html_url": f"{html}/pull/{n}"}
        else:
            data.update(url=f"{api}/issues/{n}", html_url=f"{html}/issues/{n}")
        return data

    def _ref_json(self, repo: Repo, branch: str) -> dict[str, Json]:
        return {
            "ref": branch,
            "label": f"{repo.owner}:{branch}",
            "sha": repo.branch_sha(branch) or "0" * 40,
            "repo": self.repo_json(repo),
        }

    def repo_json(self, repo: Repo) -> dict[str, Json]:
        api, html = self._urls(repo)
        return {
            "id": abs(hash(repo.full_name)) % 100000,
            "name": repo.name,
            "full_name": repo.full_name,
            "owner": {"login": repo.owner, "id": 2, "type": "Organization"},
            "default_branch": repo.default_branch,
            "url": api,
            "html_url": html,
            "private": repo.private,
            "visibility": "private" if repo.private else "public",
        }

    def comment_json(self, repo: Repo, comment: dict[str, Json]) -> dict[str, Json]:
        api, html = self._urls(repo)
        n, cid = comment["issue_number"], comment["id"]
        return {
            "id": cid,
            "body": comment["body"],
            "user": {"login": "release-bot", "id": 1, "type": "Bot"},
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

    def ensure_label(self, repo: Repo, name: str, color: str = "ededed") -> None:
        if name not in repo.labels:
            repo.labels[name] = {
                "id": self._next_id(),
                "name": name,
                "color": color,
                "description": None,
            }


def _handlers() -> list[tuple[str, re.Pattern[str], Callable[..., tuple[int, Json]]]]:
    from tests.support import fake_github_routes as routes  # noqa: PLC0415 - cycle

    return routes.ROUTES


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
            body = None
        with fake._lock:
            index = len(fake.requests)
            fault = fake.faults.pop(index, None) or fake.persistent_fault
            fake.requests.append(
                Request(index, method, path, query, dict(self.headers), body, fault and fault.kind)
            )
            if fault and fault.kind in {"500", "429", "403-secondary", "403-forbidden", "drop"}:
                self._answer_fault(fault)
                return
            status, payload = self._dispatch(fake, method, path, query, body)
            hook = fake.after_request.pop(index, None)
            if hook is not None:
                hook()
        if fault is not None:  # a fault after the work: the client never learns it landed
            self._answer_fault(fault)
            return
        self._send(status, payload)

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
        for verb, pattern, handler in _handlers():
            match = pattern.fullmatch(path)
            if verb == method and match:
                try:
                    groups = match.groupdict()
                    target: Repo | Org | None = None
                    if "repo" in groups:
                        target = fake.repos.get(f"{match['owner']}/{match['repo']}")
                    elif "org" in groups:
                        target = fake.orgs.get(match["org"])
                    if target is None and ("repo" in groups or "org" in groups):
                        raise ApiError(404, "Not Found")
                    args = {k: v for k, v in groups.items() if k not in {"owner", "repo", "org"}}
                    return handler(fake, target, query=query, body=body, **args)
                except ApiError as exc:
                    payload: dict[str, Json] = {"message": exc.message}
                    if exc.errors:
                        payload["errors"] = exc.errors
                    return exc.status, payload
        return 404, {"message": "Not Found"}

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
    server = _Server(fake)
    host, port = server.server_address[:2]
    fake.base = f"http://{host!s}:{port}{PREFIX}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
