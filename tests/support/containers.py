"""Daemonless image builds for tests and benchmarks (recipes in docs/testing.md).

buildah with ``--isolation chroot`` in a private storage root (``--storage-driver vfs``
for the tests; benchmarks pick ``overlay`` where the kernel allows it);
a Debian base from debootstrap (cached between runs) standing in for the CUDA base;
the stand-in PyTorch indexes over HTTP, the package repositories through
``git daemon`` and a ``docker-registry``, all on 127.0.0.1 and stopped on exit.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.sandbox import GITHUB_PREFIX, clean_env
from tests.support.serving import serving

SUITE = "bookworm"
DEBOOTSTRAP = ["--variant=minbase", "--include=python3,git,ca-certificates"]
TOOLS = ("buildah", "skopeo", "docker-registry", "debootstrap", "git")


def missing_tools() -> list[str]:
    return [tool for tool in TOOLS if shutil.which(tool) is None]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for_port(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


def _run(
    argv: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    check: bool = True,
) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        list(argv), cwd=cwd, env=clean_env(env), capture_output=True, text=True, check=False
    )
    if check and done.returncode:
        raise RuntimeError(
            f"{' '.join(argv[:3])} ... failed ({done.returncode}):\n"
            f"{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
        )
    return done


def base_rootfs_tar() -> Path:
    """debootstrap's minbase (python3, git, CA certificates) as a tar, built once per machine."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "vlmhb-test-base"
    tar = cache / f"{SUITE}-minbase-python3-git.tar"
    if tar.exists():
        return tar
    cache.mkdir(parents=True, exist_ok=True)
    rootfs = cache / "rootfs.partial"
    shutil.rmtree(rootfs, ignore_errors=True)
    _run(["debootstrap", *DEBOOTSTRAP, SUITE, str(rootfs)])
    for junk in ("var/cache/apt/archives", "var/lib/apt/lists", "usr/share/doc", "usr/share/man"):
        for child in (rootfs / junk).glob("*"):
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()
    partial = tar.with_suffix(".partial")
    _run(["tar", "-C", str(rootfs), "-cf", str(partial), "."])
    partial.replace(tar)
    shutil.rmtree(rootfs)
    return tar


DRIVERS = ("vfs", "overlay")
SAMPLE_S = 2.0
_STEP = re.compile(r"(\[\d+/\d+\] )?STEP \d+/\d+: ")


@dataclass(frozen=True)
class Buildah:
    """buildah and skopeo on a private storage root with one storage driver.

    vfs copies the whole root filesystem for every build step (works everywhere);
    overlay stores each step's changes only (needs kernel overlayfs).
    """

    root: Path
    driver: str = "vfs"
    peak: list[int] = field(default_factory=lambda: [0], compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.driver not in DRIVERS:
            raise ValueError(f"storage driver {self.driver!r} is not one of {', '.join(DRIVERS)}")

    def _common(self) -> list[str]:
        return [
            "--root",
            str(self.root / "storage"),
            "--runroot",
            str(self.root / "run"),
            "--storage-driver",
            self.driver,
        ]

    def env(self) -> dict[str, str]:
        """buildah's temporary files (layer blobs while committing) under the root too, so
        that :meth:`disk_usage` counts them and they go with :meth:`remove_storage`."""
        tmp = self.root / "tmp"
        tmp.mkdir(parents=True, exist_ok=True)
        return clean_env({"TMPDIR": str(tmp)})

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return _run(["buildah", *self._common(), *args], env=self.env(), check=check)

    def build(
        self, context: Path, *args: str, check: bool = True, layers: bool = True
    ) -> subprocess.CompletedProcess[str]:
        cache = "--layers" if layers else "--layers=false"
        return self.run("bud", "--isolation", "chroot", cache, *args, str(context), check=check)

    def build_timed(
        self,
        context: Path,
        *args: str,
        check: bool = True,
        layers: bool = True,
        live: Callable[[str], None] | None = None,
    ) -> tuple[subprocess.CompletedProcess[str], list[tuple[str, float]]]:
        """:meth:`build` with each ``[stage] STEP n/m: ...`` line and the seconds until the
        next step began (or the build ended); stderr is merged into stdout. The storage's
        size is sampled every ``SAMPLE_S`` seconds meanwhile into :attr:`peak_bytes`.
        ``live`` gets each step line as it starts, with the seconds since the build began."""
        cache = "--layers" if layers else "--layers=false"
        argv = ["buildah", *self._common(), "bud", "--isolation", "chroot", cache]
        argv += [*args, str(context)]
        lines: list[str] = []
        starts: list[tuple[str, float]] = []
        began = time.monotonic()
        with (
            self._sampling(),
            subprocess.Popen(
                argv, env=self.env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
            ) as proc,
        ):
            assert proc.stdout is not None
            for line in proc.stdout:
                lines.append(line)
                if _STEP.match(line):
                    starts.append((line.strip(), time.monotonic()))
                    if live is not None:
                        live(f"{starts[-1][1] - began:6.0f} s  {line.strip()[:110]}")
                elif line.startswith("--> Using cache") and starts:
                    starts[-1] = (f"(cached) {starts[-1][0]}", starts[-1][1])
            code = proc.wait()
        ended = time.monotonic()
        ends = [start for _, start in starts[1:]] + [ended] * bool(starts)
        steps = [
            (step, round(end - start, 1)) for (step, start), end in zip(starts, ends, strict=True)
        ]
        done = subprocess.CompletedProcess(argv, code, "".join(lines), "")
        if check and code:
            raise RuntimeError(f"buildah bud failed ({code}):\n{done.stdout[-6000:]}")
        return done, steps

    def inspect(self, image: str) -> dict[str, object]:
        data: dict[str, object] = json.loads(self.run("inspect", "--type", "image", image).stdout)
        return data

    def diff_ids(self, image: str) -> list[str]:
        oci = self.inspect(image)["OCIv1"]
        return list(oci["rootfs"]["diff_ids"])  # type: ignore[index]

    def history(self, image: str) -> list[dict[str, object]]:
        return list(self.inspect(image)["OCIv1"]["history"])  # type: ignore[index]

    def exec(self, image: str, *command: str) -> str:
        container = self.run("from", "--pull-never", image).stdout.strip().splitlines()[-1]
        try:
            return self.run("run", "--isolation", "chroot", container, "--", *command).stdout
        finally:
            self.run("rm", container)

    def push(self, image: str, reference: str) -> None:
        self.run("push", "--tls-verify=false", image, f"docker://{reference}")

    def skopeo_inspect(self, reference: str, *, raw: bool = False) -> dict[str, object]:
        argv = ["skopeo", "inspect", "--tls-verify=false"]
        if raw:
            argv.append("--raw")
        data: dict[str, object] = json.loads(_run([*argv, f"docker://{reference}"]).stdout)
        return data

    @contextlib.contextmanager
    def _sampling(self) -> Iterator[None]:
        stop = threading.Event()

        def sample() -> None:
            while True:
                with contextlib.suppress(RuntimeError):
                    self.sample_usage()
                if stop.wait(SAMPLE_S):
                    return

        thread = threading.Thread(target=sample, daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()

    def sample_usage(self) -> int:
        """:meth:`disk_usage` now, remembered in :attr:`peak_bytes` if the largest yet."""
        usage = self.disk_usage()
        self.peak[0] = max(self.peak[0], usage)
        return usage

    @property
    def peak_bytes(self) -> int:
        """The largest storage size sampled so far (during timed builds)."""
        return self.peak[0]

    def disk_usage(self) -> int:
        """Bytes the storage root and buildah's temporary files take on disk (``du -x``:
        not through overlay mounts)."""
        paths = [str(p) for p in (self.root / "storage", self.root / "tmp") if p.exists()]
        if not paths:
            return 0
        # du exits 1 when files vanish under it during a build; its total still holds.
        out = _run(["du", "-s", "-x", "-c", "-B1", *paths], check=False).stdout.splitlines()
        if not out or not out[-1].endswith("total"):
            raise RuntimeError(f"du could not measure {', '.join(paths)}")
        return int(out[-1].split()[0])

    def works(self) -> bool:
        """Whether this driver can create and mount a container here (overlay needs
        kernel overlayfs on a backing filesystem that supports it)."""
        container = self.run("from", "scratch", check=False)
        if container.returncode:
            return False
        name = container.stdout.strip().splitlines()[-1]
        mounted = self.run("mount", name, check=False).returncode == 0
        self.run("umount", name, check=False)
        self.run("rm", name, check=False)
        return mounted

    def discard(self, *images: str) -> None:
        """Remove ``images``, every working container and the images no tag names."""
        self.run("rm", "--all", check=False)
        if images:
            self.run("rmi", "--force", *images, check=False)
        self.run("rmi", "--prune", check=False)

    def remove_storage(self) -> None:
        """Delete every container and image, unmount what is left, remove the root."""
        self.run("rm", "--all", check=False)
        self.run("rmi", "--all", "--force", check=False)
        prefix = str(self.root.resolve()) + "/"
        info = Path("/proc/self/mountinfo").read_text(encoding="utf-8")
        mounts = [line.split()[4] for line in info.splitlines()]
        for mount in sorted((m for m in mounts if m.startswith(prefix)), reverse=True):
            _run(["umount", "-l", mount], check=False)
        shutil.rmtree(self.root, ignore_errors=True)


def overlay_or_vfs(tmp: Path) -> str:
    """``overlay`` where buildah can create and mount a container with it here, else ``vfs``."""
    probe = Buildah(tmp / "driver-probe", "overlay")
    try:
        return "overlay" if probe.works() else "vfs"
    finally:
        probe.remove_storage()


def make_local_images(buildah: Buildah, workdir: Path, uv_binary: str) -> tuple[str, str]:
    """The stand-in base (debootstrap + the host's CA bundle) and a uv image; their names."""
    ctx = workdir / "images-ctx"
    ctx.mkdir(parents=True, exist_ok=True)
    shutil.copy2(base_rootfs_tar(), ctx / "rootfs.tar")
    lines = ["FROM scratch", "ADD rootfs.tar /"]
    # Machines behind a TLS-inspecting proxy name their CA bundle in SSL_CERT_FILE; the
    # production base reaches PyPI with its own certificates.
    ca = os.environ.get("SSL_CERT_FILE")
    if ca and Path(ca).is_file():
        shutil.copy2(ca, ctx / "ca.pem")
        lines.append("COPY ca.pem /etc/ssl/certs/ca-certificates.crt")
    lines += ["ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt", 'CMD ["/bin/bash"]']
    (ctx / "Containerfile.base").write_text("\n".join(lines) + "\n", encoding="utf-8")
    shutil.copy2(uv_binary, ctx / "uv")
    (ctx / "Containerfile.uv").write_text("FROM scratch\nCOPY uv /uv\n", encoding="utf-8")
    base, uv = "localhost/vlmhb-test-base:latest", "localhost/vlmhb-test-uv:latest"
    buildah.build(ctx, "-q", "-f", str(ctx / "Containerfile.base"), "-t", base)
    buildah.build(ctx, "-q", "-f", str(ctx / "Containerfile.uv"), "-t", uv)
    (ctx / "rootfs.tar").unlink()
    return base, uv


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


class _QuietServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        # uv drops a wheel download once it has read what it needs (a broken pipe here).
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


@contextlib.contextmanager
def serve_directory(directory: Path) -> Iterator[str]:
    """An HTTP server on 127.0.0.1 for ``directory``; yields its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    with serving(_QuietServer(("127.0.0.1", 0), handler)) as url:
        yield url


@contextlib.contextmanager
def _process(argv: Sequence[str], port: int, log: Path) -> Iterator[None]:
    with log.open("w") as out:
        proc = subprocess.Popen(list(argv), stdout=out, stderr=subprocess.STDOUT, env=clean_env())
    try:
        _wait_for_port(port)
        yield
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextlib.contextmanager
def serve_git(repos: Path, log: Path) -> Iterator[str]:
    """``git daemon`` exporting ``repos`` on 127.0.0.1; yields the git:// base URL."""
    port = free_port()
    argv = [
        "git",
        "daemon",
        "--reuseaddr",
        "--export-all",
        f"--base-path={repos}",
        "--listen=127.0.0.1",
        f"--port={port}",
        str(repos),
    ]
    with _process(argv, port, log):
        yield f"git://127.0.0.1:{port}/"


@contextlib.contextmanager
def serve_registry(workdir: Path) -> Iterator[str]:
    """Debian's ``docker-registry`` on 127.0.0.1; yields ``127.0.0.1:<port>``."""
    port = free_port()
    workdir.mkdir(parents=True, exist_ok=True)
    config = workdir / "registry.yml"
    config.write_text(
        "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n"
        f"    rootdirectory: {workdir / 'data'}\n  delete:\n    enabled: true\n"
        f"http:\n  addr: 127.0.0.1:{port}\n",
        encoding="utf-8",
    )
    with _process(["docker-registry", "serve", str(config)], port, workdir / "registry.log"):
        yield f"127.0.0.1:{port}"


def insteadof_gitconfig(path: Path, git_base: str) -> Path:
    """The build secret: the org's GitHub URLs redirected to the git daemon."""
    path.write_text(f'[url "{git_base}"]\n\tinsteadOf = {GITHUB_PREFIX}\n', encoding="utf-8")
    return path
