"""A git smart-HTTP server on 127.0.0.1 that demands a token, like GitHub's.

``git http-backend`` (shipped with git) serves the bare repositories under a
root as CGI; this wrapper refuses any request whose ``Authorization`` header
is not ``Basic base64(x-access-token:<token>)`` and records the headers it
saw, so tests prove the token reached git through the environment alone.
"""

from __future__ import annotations

import base64
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from tests.support.serving import serving


@dataclass
class GitHttpServer:
    root: Path
    token: str
    url: str = ""
    authorizations: list[str | None] = field(default_factory=list)

    @property
    def expected(self) -> str:
        raw = base64.b64encode(f"x-access-token:{self.token}".encode()).decode()
        return f"Basic {raw}"


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        return

    def _serve(self) -> None:
        state = self.server.state
        auth = self.headers.get("Authorization")
        state.authorizations.append(auth)
        if auth is None or auth.lower() != state.expected.lower():
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="fake"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        env = {
            "GIT_PROJECT_ROOT": str(state.root),
            "GIT_HTTP_EXPORT_ALL": "1",
            "REMOTE_USER": "x-access-token",
            "REQUEST_METHOD": self.command,
            "PATH_INFO": parts.path,
            "QUERY_STRING": parts.query,
            "CONTENT_TYPE": self.headers.get("Content-Type", ""),
            "CONTENT_LENGTH": str(len(body)),
            "GIT_CONFIG_NOSYSTEM": "1",
            "HOME": str(state.root),
        }
        if self.headers.get("Content-Encoding"):
            env["HTTP_CONTENT_ENCODING"] = self.headers["Content-Encoding"]
        if self.headers.get("Git-Protocol"):
            env["GIT_PROTOCOL"] = self.headers["Git-Protocol"]
        done = subprocess.run(
            ["git", "http-backend"], input=body, env=env, capture_output=True, check=False
        )
        head, _, payload = done.stdout.partition(b"\r\n\r\n")
        status = 200
        headers: list[tuple[str, str]] = []
        for line in head.decode("latin-1").split("\r\n"):
            name, _, value = line.partition(":")
            if name.lower() == "status":
                status = int(value.strip().split()[0])
            elif name:
                headers.append((name, value.strip()))
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = _serve
    do_POST = _serve


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, state: GitHttpServer) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.state = state


@contextmanager
def serve_git_http(root: Path, token: str) -> Iterator[GitHttpServer]:
    """Serve the bare repositories under ``root`` at ``state.url`` until the block ends."""
    state = GitHttpServer(root, token)
    with serving(_Server(state), poll_interval=0.05) as state.url:
        yield state
