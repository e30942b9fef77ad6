"""Image build figures: cold runtime build vs rebuild after a one-package promotion,
and dev vs runtime image size. Prints figures; asserts nothing about speed.

Faithful to production where it matters for the layer design: buildah's overlay
driver (each step stores its changes only, as BuildKit does) when the kernel allows
it, and a stand-in torch padded with incompressible data to a real CUDA build's
weight, installed from an empty uv cache (downloaded over HTTP, unpacked, copied).

Run: uv run python -m bench.images [--driver auto|overlay|vfs] [--torch-mb 1500]
(needs buildah, skopeo, docker-registry, debootstrap; about 10 GB of free disk)
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from tests.support import containers
from tests.support.imagelab import NEW_TAG, PROFILE, PROMOTED, ImageLab, open_lab
from tests.support.sandbox import clean_env
from tests.support.tools import run_uv

TARGET = 0.15


def _promote(pyproject: Path) -> None:
    text = pyproject.read_text(encoding="utf-8")
    start = text.index('hello_world.git", tag = "') + len('hello_world.git", tag = "')
    end = text.index('"', start)
    pyproject.write_text(text[:start] + NEW_TAG + text[end:], encoding="utf-8")


def choose_driver(wanted: str, tmp: Path) -> str:
    """``overlay`` or ``vfs``; ``auto`` probes overlay and falls back with a notice."""
    if wanted != "auto":
        return wanted
    probe = containers.Buildah(tmp / "probe", "overlay")
    try:
        works = probe.works()
    finally:
        probe.remove_storage()
    if works:
        return "overlay"
    print("notice: buildah cannot use the overlay driver here; falling back to vfs, which")
    print("copies the whole root filesystem for every step (the ratio will be pessimistic)")
    return "vfs"


def _slowest(steps: list[tuple[str, float]], count: int = 5) -> list[str]:
    return [
        f"{seconds:7.1f} s  {step[:110]}" for step, seconds in sorted(steps, key=lambda s: -s[1])
    ][:count]


def _timed_build(lab: ImageLab, image: dict[str, object], tag: str, **options: object) -> float:
    started = time.monotonic()
    lab.build(image, tag, **options)  # type: ignore[arg-type]
    return round(time.monotonic() - started, 1)


def _only_image(plan: dict[str, object]) -> dict[str, object]:
    """The one image entry of a plan for one profile x backend (or dev)."""
    images = plan["images"]
    assert isinstance(images, list) and len(images) == 1, images
    image: dict[str, object] = images[0]
    return image


def measure(lab: ImageLab, driver: str, torch_mb: int) -> dict[str, object]:
    image = _only_image(lab.plan())
    cold = _timed_build(lab, image, "localhost/bench:cold")

    _promote(lab.context / PROFILE / "pyproject.toml")
    lab.lock("--upgrade-package", PROMOTED)
    image = _only_image(lab.plan())
    warm = _timed_build(lab, image, "localhost/bench:promoted")

    # The dev image holds the real torch from PyPI: the host's uv cache keeps it between
    # runs. As the container test does: on overlay the GPU layers first (target dev-gpu),
    # then dev on them; on vfs every cached step copies the root filesystem, so one build
    # without a step cache.
    host_cache = run_uv("cache", "dir", cwd=lab.context, env=clean_env()).stdout.strip()
    dev = _only_image(lab.plan("dev"))
    if driver == "vfs":
        dev_s = _timed_build(lab, dev, "localhost/bench:dev", layers=False, uv_cache=host_cache)
    else:
        dev_s = _timed_build(
            lab, dev, "localhost/bench:dev-gpu", target="dev-gpu", uv_cache=host_cache
        )
        dev_s += _timed_build(lab, dev, "localhost/bench:dev", uv_cache=host_cache)
    runtime_mb = lab.size_mb("localhost/bench:cold")
    dev_mb = lab.size_mb("localhost/bench:dev")
    return {
        "storage driver": driver,
        "stand-in torch (MiB of padding)": torch_mb,
        "runtime cold build (s)": cold,
        "runtime rebuild after a one-package promotion (s)": warm,
        f"rebuild / cold (target <= {TARGET})": round(warm / cold, 3),
        "target met": warm / cold <= TARGET,
        "dev build (s)": dev_s,
        "runtime image (MB)": runtime_mb,
        "dev image (MB)": dev_mb,
        "dev / runtime size": round(dev_mb / runtime_mb, 2),
        "peak buildah storage, sampled every 2 s (MB)": lab.buildah.peak_bytes // 2**20,
        "slowest steps, cold": _slowest(lab.steps["localhost/bench:cold"]),
        "steps the promotion rebuilt (not cached)": [
            f"{seconds:7.1f} s  {step[:110]}"
            for step, seconds in lab.steps["localhost/bench:promoted"]
            if not step.startswith("(cached)")
        ],
        "slowest steps, dev": _slowest(lab.steps["localhost/bench:dev"]),
        "lab": lab.figures,
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.images", description=__doc__)
    parser.add_argument(
        "--driver",
        choices=("auto", *containers.DRIVERS),
        default="auto",
        help="buildah storage driver (auto: overlay where it works, else vfs)",
    )
    parser.add_argument(
        "--torch-mb",
        type=int,
        default=1500,
        help="pad the stand-in torch wheel with this many MiB of incompressible data "
        "(a CUDA torch wheel holds GBs of libraries; 0: the tiny stand-in)",
    )
    args = parser.parse_args(argv)
    if args.torch_mb < 0:
        parser.error("--torch-mb must be 0 or more")
    with tempfile.TemporaryDirectory(prefix="vlmhb-bench-images-") as tmp:
        driver = choose_driver(args.driver, Path(tmp))
        print(f"storage driver: {driver}; stand-in torch padded to {args.torch_mb} MiB", flush=True)
        with open_lab(
            Path(tmp), driver=driver, torch_mb=args.torch_mb, private_uv_cache=True
        ) as lab:
            figures = measure(lab, driver, args.torch_mb)
        print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
