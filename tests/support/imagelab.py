"""A buildah lab for the Dockerfile: sandbox, servers, local base, builds (tests and bench).

Everything binds 127.0.0.1 and stops when :func:`open_lab` exits.
"""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from release_tool.cli import main
from release_tool.sandbox.indexes import STANDIN_WHEELS, add_standin_wheel

from tests.support import containers
from tests.support.sandbox import Sandbox, clean_env, copy_checkout, make_sandbox
from tests.support.tools import run_uv, uv_binary

PROFILE, BACKEND = "staging", "cu124"
PROMOTED, NEW_TAG = "hello-world", "0.2.0"
COMMIT = "0123456789abcdef0123456789abcdef01234567"
CREATED = "2026-01-02T03:04:05+00:00"


@dataclass
class ImageLab:
    sandbox: Sandbox
    context: Path
    buildah: containers.Buildah
    base: str
    uv: str
    uv_index: str
    secret: Path
    registry: str
    uv_cache: str
    lock_env: dict[str, str] = field(default_factory=dict)
    figures: dict[str, float] = field(default_factory=dict)
    steps: dict[str, list[tuple[str, float]]] = field(default_factory=dict)
    # Where progress goes as it happens (a test hands in a writer past pytest's capture).
    report: Callable[[str], None] = field(default=lambda line: None)

    @contextlib.contextmanager
    def phase(self, name: str) -> Iterator[None]:
        """Report ``name`` when it starts and, when it ends, its time and the disk it uses."""
        self.report(f"[images] {name} ...")
        started = time.monotonic()
        yield
        usage = self.buildah.sample_usage()
        free = shutil.disk_usage(self.buildah.root).free
        self.report(
            f"[images] {name}: {time.monotonic() - started:.0f} s; buildah storage + temp "
            f"{usage / 1e9:.1f} GB (peak {self.buildah.peak_bytes / 1e9:.1f} GB); "
            f"{free / 1e9:.0f} GB free on its disk"
        )

    def discard(self, *images: str) -> None:
        """Free a finished phase's disk: its images, containers and untagged layers."""
        before = self.buildah.sample_usage()
        self.buildah.discard(*images)
        after = self.buildah.disk_usage()
        self.report(
            f"[images] removed {', '.join(images) or 'leftovers'}: "
            f"{before / 1e9:.1f} GB -> {after / 1e9:.1f} GB"
        )

    def plan(self, env: str = PROFILE) -> dict[str, object]:
        """`release-tool images --json` (runtime: with the exports written)."""
        argv = ["images", "--repo", str(self.context), "--env", env, "--json"]
        argv += ["--commit", COMMIT, "--created", CREATED]
        if env != "dev":
            argv += ["--backend", BACKEND, "--export-dir", str(self.context / "docker" / "exports")]
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(argv, env=self.sandbox.env({"UV": uv_binary()}))
        if code:
            raise RuntimeError(f"release-tool images failed ({code}): {err.getvalue()}")
        plan: dict[str, object] = json.loads(out.getvalue())
        return plan

    def build(
        self,
        image: dict[str, object],
        tag: str,
        *,
        check: bool = True,
        layers: bool = True,
        uv_cache: str | None = None,
        target: str | None = None,
    ) -> subprocess.CompletedProcess[str]:
        """Build ``image`` (a plan entry) as ``tag``, or only its stage ``target``; stdout
        holds stderr too. Timings per step land in :attr:`steps`, the build time and
        storage in :attr:`figures`."""
        args = dict(image["build_args"])  # type: ignore[call-overload]
        args.update(
            BASE_IMAGE=self.base,
            UV_IMAGE=self.uv,
            UV_PYTHON_DOWNLOADS="never",
            UV_INDEX=self.uv_index,
            UV_CACHE_DIR="/host-uv-cache",
        )
        argv = [
            "-f",
            "docker/Dockerfile",
            "--target",
            target or str(image["target"]),
            "-t",
            tag,
            "--volume",
            f"{uv_cache or self.uv_cache}:/host-uv-cache",
            "--secret",
            f"id=gitconfig,src={self.secret}",
        ]
        for key, value in sorted(args.items()):
            argv += ["--build-arg", f"{key}={value}"]
        for key, value in sorted(image["labels"].items()):  # type: ignore[attr-defined]
            argv += ["--label", f"{key}={value}"]
        started = time.monotonic()
        done, self.steps[tag] = self.buildah.build_timed(
            self.context, *argv, check=check, layers=layers, live=self.report
        )
        self.figures[f"build {tag} (s)"] = round(time.monotonic() - started, 1)
        self.figures[f"storage after {tag} (MB)"] = self.buildah.disk_usage() // 2**20
        self.figures["peak storage, sampled every 2 s (MB)"] = self.buildah.peak_bytes // 2**20
        return done

    def lock(self, *extra: str) -> None:
        env = self.sandbox.env({"UV_INDEX": self.uv_index, **self.lock_env})
        run_uv("lock", "--project", str(self.context / PROFILE), *extra, cwd=self.context, env=env)

    def size_mb(self, image: str) -> float:
        """The image's size: its layers, uncompressed."""
        return round(sum(self.layers_mb(image)), 1)

    def layers_mb(self, image: str) -> list[float]:
        """The size of each of the image's layers, uncompressed, base first."""
        manifest = json.loads(str(self.buildah.inspect(image)["Manifest"]))
        return [round(layer["size"] / 2**20, 1) for layer in manifest["layers"]]


def copy_context(dest: Path, registry: str) -> Path:
    copy_checkout(dest)
    pyproject = dest / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    pyproject.write_text(text.replace('registry = "ghcr.io"', f'registry = "{registry}"'))
    return dest


def pad_standin_torch(sandbox: Sandbox, torch_mb: int) -> None:
    """Replace the stand-in torch of :data:`BACKEND` by one padded to ``torch_mb`` MiB."""
    if sandbox.indexes is None:
        raise RuntimeError("the sandbox has no stand-in indexes to pad")
    for name, version, requires in STANDIN_WHEELS[BACKEND]:
        if name == "torch":
            add_standin_wheel(sandbox.indexes[BACKEND], name, version, requires, pad_mb=torch_mb)


@contextlib.contextmanager
def open_lab(
    tmp: Path,
    *,
    driver: str = "vfs",
    torch_mb: int = 0,
    private_uv_cache: bool = False,
    report: Callable[[str], None] | None = None,
) -> Iterator[ImageLab]:
    """Sandbox repos and indexes, servers, local base and uv images, a first lock.

    ``driver``: buildah's storage driver; ``torch_mb``: pad the stand-in torch wheel to a
    real CUDA build's weight; ``private_uv_cache``: empty uv caches under ``tmp`` (one for
    the host's locks, one mounted into builds) instead of the host's cache, so that a
    first build downloads everything and nothing heavy stays behind.
    """
    missing = containers.missing_tools()
    if missing:
        raise RuntimeError(f"install {', '.join(missing)} (scripts/test does it from Debian)")
    sandbox = make_sandbox(tmp / "sb", extra_tags={PROMOTED: [NEW_TAG]})
    started = time.monotonic()
    if torch_mb:
        pad_standin_torch(sandbox, torch_mb)
    padded = round(time.monotonic() - started, 1)
    buildah = containers.Buildah(tmp / "buildah", driver)
    with contextlib.ExitStack() as stack:
        stack.callback(buildah.remove_storage)
        index_url = stack.enter_context(containers.serve_directory(tmp / "sb" / "indexes"))
        git_base = stack.enter_context(containers.serve_git(sandbox.repos, tmp / "git.log"))
        registry = stack.enter_context(containers.serve_registry(tmp / "registry"))
        started = time.monotonic()
        base, uv = containers.make_local_images(buildah, tmp, uv_binary())
        uv_cache = run_uv("cache", "dir", cwd=tmp, env=clean_env()).stdout.strip()
        lock_env: dict[str, str] = {}
        if private_uv_cache:
            uv_cache = str(tmp / "uv-cache-build")
            Path(uv_cache).mkdir()
            lock_env["UV_CACHE_DIR"] = str(tmp / "uv-cache-lock")
        lab = ImageLab(
            sandbox=sandbox,
            context=copy_context(tmp / "context", registry),
            buildah=buildah,
            base=base,
            uv=uv,
            uv_index=f"pytorch-cu124={index_url}/cu124 pytorch-cu128={index_url}/cu128",
            secret=containers.insteadof_gitconfig(tmp / "secret-gitconfig", git_base),
            registry=registry,
            uv_cache=uv_cache,
            lock_env=lock_env,
            report=report or (lambda line: None),
        )
        lab.figures["local base + uv images (s)"] = round(time.monotonic() - started, 1)
        if torch_mb:
            lab.figures[f"stand-in torch padded to {torch_mb} MiB (s)"] = padded
        lab.lock()
        yield lab
