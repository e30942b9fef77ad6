"""Image build figures: cold runtime build vs rebuild after a one-package promotion,
and dev vs runtime image size. Prints figures; asserts nothing about speed.

Run: uv run python -m bench.images   (needs buildah, skopeo, docker-registry, debootstrap)
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

from tests.support.imagelab import NEW_TAG, PROFILE, PROMOTED, open_lab


def _promote(pyproject: Path) -> None:
    text = pyproject.read_text(encoding="utf-8")
    start = text.index('hello_world.git", tag = "') + len('hello_world.git", tag = "')
    end = text.index('"', start)
    pyproject.write_text(text[:start] + NEW_TAG + text[end:], encoding="utf-8")


def main() -> None:
    with (
        tempfile.TemporaryDirectory(prefix="vlmhb-bench-images-") as tmp,
        open_lab(Path(tmp)) as lab,
    ):
        (image,) = lab.plan()["images"]  # type: ignore[misc]
        started = time.monotonic()
        lab.build(image, "localhost/bench:cold")
        cold = time.monotonic() - started

        _promote(lab.context / PROFILE / "pyproject.toml")
        lab.lock("--upgrade-package", PROMOTED)
        (image,) = lab.plan()["images"]  # type: ignore[misc]
        started = time.monotonic()
        lab.build(image, "localhost/bench:promoted")
        warm = time.monotonic() - started

        (dev,) = lab.plan("dev")["images"]  # type: ignore[misc]
        lab.build(dev, "localhost/bench:dev")
        figures = {
            "runtime cold build (s)": round(cold, 1),
            "runtime rebuild after a one-package promotion (s)": round(warm, 1),
            "rebuild / cold (target <= 0.15)": round(warm / cold, 3),
            "runtime image (MB)": lab.size_mb("localhost/bench:cold"),
            "dev image (MB)": lab.size_mb("localhost/bench:dev"),
            "peak buildah storage (MB)": lab.buildah.disk_usage() // 2**20,
        }
        figures["dev / runtime size"] = round(
            figures["dev image (MB)"] / figures["runtime image (MB)"], 2
        )
        figures.update(lab.figures)
        print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
