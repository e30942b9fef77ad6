"""The README's main job on a fresh clone with an empty uv cache: time, download, cache.

  uv run python bench/main_job.py [--runs N]

Each run clones this checkout's HEAD into a new directory, empties ``UV_CACHE_DIR``
and runs the README's main-job line (read from README.md) with ``bash -c``, uv
already installed. Two kinds of run alternate:

- ``timed``: nothing in between, the wall time of the line as a newcomer sees it;
- ``counted``: uv's HTTPS goes through a local CONNECT proxy that counts the bytes
  it relays (TLS included), for the download size.

After each run: ``du -sm`` of the uv cache and of ``.venv``, and whether torch or
any nvidia-* distribution was installed. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import select
import shutil
import socket
import socketserver
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.readme import main_job  # noqa: E402
from tests.support.serving import serving  # noqa: E402


class _Tunnel(socketserver.BaseRequestHandler):
    counts: list[int]  # [bytes to the client, bytes from the client]
    hosts: dict[str, int]  # bytes to the client per upstream host (counted, not printed)

    def handle(self) -> None:
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.request.recv(4096)
            if not chunk:
                return
            head += chunk
        method, target, _ = head.split(b"\r\n", 1)[0].decode().split(" ", 2)
        if method != "CONNECT":
            self.request.sendall(b"HTTP/1.1 405 Method Not Allowed\r\n\r\n")
            return
        host, port = target.rsplit(":", 1)
        with socket.create_connection((host, int(port)), timeout=30) as upstream:
            self.request.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            sockets = [self.request, upstream]
            while True:
                readable, _, _ = select.select(sockets, [], [], 60)
                if not readable:
                    return
                for sock in readable:
                    data = sock.recv(65536)
                    if not data:
                        return
                    other = upstream if sock is self.request else self.request
                    try:
                        other.sendall(data)
                    except OSError:  # the other side went away
                        return
                    self.counts[0 if sock is upstream else 1] += len(data)
                    if sock is upstream:
                        self.hosts[host] = self.hosts.get(host, 0) + len(data)


@contextlib.contextmanager
def counting_proxy() -> Iterator[tuple[str, list[int], dict[str, int]]]:
    counts = [0, 0]
    hosts: dict[str, int] = {}
    handler = type("Handler", (_Tunnel,), {"counts": counts, "hosts": hosts})
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    with serving(server) as url:
        yield url, counts, hosts


def _du_mb(path: Path) -> int:
    out = subprocess.run(["du", "-sm", str(path)], capture_output=True, text=True, check=False)
    return int(out.stdout.split()[0]) if out.stdout else 0


def one_run(line: str, work: Path, proxy: str | None) -> dict[str, object]:
    clone, cache = work / "clone", work / "uv-cache"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
    cache.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "UV_"))}
    env.update(UV_CACHE_DIR=str(cache), UV_NO_GITHUB_FAST_PATH="1")
    if proxy:
        env.update(HTTPS_PROXY=proxy, HTTP_PROXY=proxy, ALL_PROXY=proxy, NO_PROXY="")
    started = time.monotonic()
    done = subprocess.run(
        ["bash", "-c", line], cwd=clone, env=env, capture_output=True, text=True, check=False
    )
    wall = time.monotonic() - started
    if done.returncode:
        raise SystemExit(f"the main job failed ({done.returncode}):\n{done.stderr[-3000:]}")
    site = next((clone / ".venv" / "lib").glob("python3*/site-packages"))
    heavy = sorted(
        p.name.split("-")[0]
        for p in site.glob("*.dist-info")
        if p.name.startswith(("torch", "nvidia"))
    )
    return {
        "wall_s": round(wall, 1),
        "uv_cache_mb": _du_mb(cache),
        "venv_mb": _du_mb(clone / ".venv"),
        "torch_or_cuda": heavy,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2, help="pairs of timed + counted runs")
    parser.add_argument(
        "--only", choices=("timed", "counted"), help="one kind of run (default: both)"
    )
    parser.add_argument("--keep-log", type=Path, help="write the main job's stderr here")
    args = parser.parse_args()
    line = main_job()
    print(f"main job (README.md): {line}")
    print(f"uv: {shutil.which('uv')}; load average: {os.getloadavg()}")
    for i in range(args.runs):
        for kind in [args.only] if args.only else ["timed", "counted"]:
            with tempfile.TemporaryDirectory(prefix="main-job-") as tmp:
                if kind == "counted":
                    with counting_proxy() as (proxy, counts, hosts):
                        figures = one_run(line, Path(tmp), proxy)
                    figures["downloaded_mb"] = round(counts[0] / 2**20, 1)
                    figures["uploaded_mb"] = round(counts[1] / 2**20, 1)
                    figures["hosts"] = len(hosts)
                else:
                    figures = one_run(line, Path(tmp), None)
            print(f"run {i + 1} {kind:>7}: {figures}; load {os.getloadavg()[0]:.1f}", flush=True)


if __name__ == "__main__":
    main()
