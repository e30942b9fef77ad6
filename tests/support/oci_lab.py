"""A throwaway OCI registry holding image indexes, and a Bearer token gate in front of it.

The registry is Debian's ``docker-registry`` (:func:`tests.support.containers.serve_registry`);
indexes are made as the CUDA images are published: an image for linux/amd64, committed
by buildah from scratch, wrapped in a manifest list and pushed with ``buildah manifest
push --all``. Public registries answer an anonymous ``GET /v2/…`` with a 401 Bearer
challenge; :func:`token_gate` does the same in front of the registry, with a token
endpoint of its own, and records every request it saw.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.server
import itertools
import json
import subprocess
import threading
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import urllib3

from tests.support import containers
from tests.support.sandbox import clean_env
from tests.support.serving import serving

CUDA_124 = "nvidia/cuda:12.4.1-base-ubuntu22.04"
CUDA_128 = "nvidia/cuda:12.8.1-base-ubuntu22.04"
_names = itertools.count()


@dataclass
class OciLab:
    buildah: containers.Buildah
    registry: str  # 127.0.0.1:<port>
    pushed: dict[str, str] = field(default_factory=dict)  # reference -> its last index digest

    def push_index(self, reference: str, marker: str, *, arch: str = "amd64") -> str:
        """Push a one-image index (``os linux``, ``arch``) under ``reference`` (a path in
        this registry, e.g. ``nvidia/cuda:12.4.1-…``); returns the index digest as skopeo
        reads it (sha256 of ``skopeo inspect --raw``)."""
        n = next(_names)
        image, listing = f"localhost/oci-lab-image:{n}", f"localhost/oci-lab-list:{n}"
        container = self.buildah.run("from", "scratch").stdout.strip().splitlines()[-1]
        self.buildah.run(
            "config", "--os", "linux", "--arch", arch, "--label", f"marker={marker}", container
        )
        self.buildah.run("commit", "-q", container, image)
        self.buildah.run("rm", container)
        self.buildah.run("manifest", "create", listing)
        self.buildah.run("manifest", "add", listing, image)
        target = f"docker://{self.registry}/{reference}"
        self.buildah.run("manifest", "push", "--all", "--tls-verify=false", listing, target)
        self.pushed[reference] = self.raw_digest(reference)
        return self.pushed[reference]

    def raw_digest(self, reference: str) -> str:
        raw = subprocess.run(
            [
                "skopeo",
                "inspect",
                "--raw",
                "--tls-verify=false",
                f"docker://{self.registry}/{reference}",
            ],
            capture_output=True,
            check=True,
            env=clean_env(),
        ).stdout
        return "sha256:" + hashlib.sha256(raw).hexdigest()

    def delete_manifest(self, repository: str, digest: str) -> None:
        response = urllib3.request(
            "DELETE", f"http://{self.registry}/v2/{repository}/manifests/{digest}"
        )
        assert response.status == 202, response.status


@contextlib.contextmanager
def open_oci_lab(tmp: Path) -> Iterator[OciLab]:
    missing = containers.missing_tools()
    if missing:
        raise RuntimeError(f"install {', '.join(missing)} (scripts/test does it from Debian)")
    buildah = containers.Buildah(tmp / "buildah")
    with contextlib.ExitStack() as stack:
        stack.callback(buildah.remove_storage)
        registry = stack.enter_context(containers.serve_registry(tmp / "registry"))
        yield OciLab(buildah, registry)


@contextlib.contextmanager
def open_bases_lab(tmp: Path) -> Iterator[OciLab]:
    """A lab whose registry holds the two CUDA bases the images pin, as multi-arch indexes."""
    with open_oci_lab(tmp) as lab:
        lab.push_index(CUDA_124, "cuda-12.4")
        lab.push_index(CUDA_128, "cuda-12.8")
        yield lab


@dataclass
class Gate:
    """What the token gate saw: one ``(method, path, authorization)`` per request."""

    url: str
    requests: list[tuple[str, str, str]] = field(default_factory=list)
    tokens_issued: int = 0


TOKEN_PREFIX = "lab-token-"


@contextlib.contextmanager
def token_gate(registry: str, *, service: str = "lab-registry") -> Iterator[Gate]:
    """An HTTP front for ``registry`` that demands a Bearer token, and issues one at
    ``/token`` to anyone asking with a ``scope`` and the right ``service``."""
    upstream = urllib3.PoolManager()
    lock = threading.Lock()
    gate = Gate("")

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            self._handle()

        def do_HEAD(self) -> None:
            self._handle()

        def _handle(self) -> None:
            auth = self.headers.get("Authorization", "")
            with lock:
                gate.requests.append((self.command, self.path, auth))
            parts = urllib.parse.urlsplit(self.path)
            if parts.path == "/token":
                query = urllib.parse.parse_qs(parts.query)
                if query.get("service") != [service] or not query.get("scope"):
                    self._send(400, b'{"errors":[{"code":"bad request"}]}', {})
                    return
                with lock:
                    gate.tokens_issued += 1
                    token = f"{TOKEN_PREFIX}{gate.tokens_issued}"
                self._send(200, json.dumps({"token": token}).encode(), {})
                return
            if not auth.startswith(f"Bearer {TOKEN_PREFIX}"):
                name = parts.path.removeprefix("/v2/").rsplit("/", 2)[0]
                challenge = (
                    f'Bearer realm="{gate.url}/token",service="{service}",'
                    f'scope="repository:{name}:pull"'
                )
                self._send(
                    401, b'{"errors":[{"code":"UNAUTHORIZED"}]}', {"WWW-Authenticate": challenge}
                )
                return
            response = upstream.request(
                self.command,
                f"http://{registry}{self.path}",
                headers={"Accept": self.headers.get("Accept", "*/*")},
                redirect=False,
            )
            keep = ("Content-Type", "Docker-Content-Digest", "Location")
            headers = {k: response.headers[k] for k in keep if k in response.headers}
            self._send(response.status, response.data, headers)

        def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

    with serving(http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)) as gate.url:
        yield gate
