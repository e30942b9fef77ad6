"""The Dockerfile built for real with buildah, checked against `release-tool images`.

One runtime variant (staging x cu124) from a sandbox lock, pushed to a local
docker-registry and read back with skopeo; a stale lock refused; a one-package
promotion rebuilt with the third-party layers reused; the dev image built in two
steps (its GPU layers, then the rest reusing them) and run. Figures (build times,
storage size) are printed, never asserted.

Each phase is reported live (past pytest's capture) with its time and the disk the
buildah storage takes; a phase's images and containers are removed when it ends, so
the storage holds one phase's images at a time. The storage driver is overlay where
buildah can mount it (each layer holds its own changes), else vfs with a notice.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import tomllib
from collections.abc import Callable, Iterator

import pytest
from packaging.markers import Marker, default_environment
from packaging.utils import canonicalize_name

from tests.support import containers
from tests.support.imagelab import (
    BACKEND,
    COMMIT,
    NEW_TAG,
    PROFILE,
    PROMOTED,
    ImageLab,
    open_lab,
)
from tests.support.sandbox import clean_env
from tests.support.tools import run_uv

pytestmark = [pytest.mark.container, pytest.mark.slow]

# What the dev image runs to prove it works. Switch to ("vlmhb", "smoke", "--backend", "cpu")
# once `vlmhb smoke` (the Qwen2.5-VL issue) is merged.
DEV_SMOKE: tuple[str, ...] = ("vlmhb", "smoke", "--backend", "cpu")
DEV_SMOKE_EXPECT = '"result": "ok"'


def _live(config: pytest.Config) -> Callable[[str], None]:
    """A writer to the terminal now, not when the test ends (pytest captures output)."""
    capture = config.pluginmanager.getplugin("capturemanager")
    terminal = config.pluginmanager.getplugin("terminalreporter")

    def write(line: str) -> None:
        if capture is None or terminal is None:  # -p no:capture, or no terminal
            print(line, file=sys.stderr, flush=True)
            return
        with capture.global_and_fixture_disabled():
            terminal.write_line(line)  # on a line of its own, after pytest's dots
            terminal.flush()

    return write


@pytest.fixture(scope="module")
def world(
    tmp_path_factory: pytest.TempPathFactory, pytestconfig: pytest.Config
) -> Iterator[ImageLab]:
    report = _live(pytestconfig)
    tmp = tmp_path_factory.mktemp("images")
    driver = containers.overlay_or_vfs(tmp)
    if driver == "vfs":
        report("[images] notice: overlay cannot be mounted here; vfs copies the whole root")
        report("[images] filesystem per layer and needs about 20 GB of disk for this test")
    report(f"[images] lab ({driver}): sandbox, servers, local base + uv images ...")
    started = time.monotonic()
    with open_lab(tmp, driver=driver, report=report) as lab:
        report(f"[images] lab ready: {time.monotonic() - started:.0f} s")
        yield lab
        report(f"[images] figures: {json.dumps(lab.figures)}")
        print("\ncontainer figures:", json.dumps(lab.figures, indent=2))


def _lock_set(world: ImageLab) -> set[tuple[str, str]]:
    """(name, version) of everything the lock installs for the backend, per uv itself."""
    out = world.context / "pylock.full.toml"
    run_uv(
        "export",
        "--frozen",
        "--project",
        str(world.context / PROFILE),
        "--no-dev",
        "--extra",
        BACKEND,
        "--format",
        "pylock.toml",
        "-o",
        str(out),
        cwd=world.context,
        env=clean_env(),
    )
    with out.open("rb") as fh:
        packages = tomllib.load(fh)["packages"]
    # pylock.toml is universal: keep the entries whose marker holds for the image
    # (Linux, the host's architecture, CPython 3.11, this backend's extra).
    environment: dict[str, str | set[str]] = {
        **default_environment(),
        "python_version": "3.11",
        "python_full_version": "3.11.0",
        "extras": {BACKEND},
        "dependency_groups": set(),
    }
    return {
        (canonicalize_name(p["name"]), p["version"])
        for p in packages
        if "marker" not in p or Marker(p["marker"]).evaluate(environment, "lock_file")  # type: ignore[arg-type]
    }


def _third_party_layers(world: ImageLab, image: str) -> list[str]:
    """diff_ids up to and including the third-party install layer."""
    count = 0
    for entry in world.buildah.history(image):
        if entry.get("empty_layer"):
            continue
        count += 1
        if "uv pip install --no-deps -r" in str(entry.get("created_by", "")):
            return world.buildah.diff_ids(image)[:count]
    raise AssertionError(f"{image} has no third-party install layer")


def test_runtime_image_matches_lock_plan_and_registry(world: ImageLab) -> None:
    plan = world.plan()
    (image,) = plan["images"]  # type: ignore[misc]
    with world.phase("runtime image: first build (staging x cu124)"):
        world.build(image, "localhost/runtime:first")
    world.figures["runtime image (MB)"] = world.size_mb("localhost/runtime:first")

    # installed distributions == the lock's set for the extra, exactly
    listing = world.buildah.exec(
        "localhost/runtime:first",
        "/opt/venv/bin/python",
        "-c",
        "import importlib.metadata as m, json; "
        "print(json.dumps(sorted([d.metadata['Name'], d.version] for d in m.distributions())))",
    )
    installed = {(canonicalize_name(name), version) for name, version in json.loads(listing)}
    assert installed == _lock_set(world)

    # the insteadOf redirect was a build secret only
    leftovers = world.buildah.exec(
        "localhost/runtime:first",
        "sh",
        "-c",
        "grep -rIl -e insteadOf -e 'git://127.0.0.1' /etc /root /home /opt 2>/dev/null; true",
    )
    assert leftovers.strip() == ""
    user = world.buildah.exec("localhost/runtime:first", "id", "-u").strip()
    assert user == "10001"

    # pushed under every planned reference; tags and labels read back with skopeo
    with world.phase("runtime image: push and read back"):
        for reference in image["references"]:
            world.buildah.push("localhost/runtime:first", reference)
    repository = image["repository"]
    tags = json.loads(
        subprocess.run(
            ["skopeo", "list-tags", "--tls-verify=false", f"docker://{repository}"],
            capture_output=True,
            text=True,
            check=True,
            env=clean_env(),
        ).stdout
    )["Tags"]
    assert sorted(tags) == sorted([*image["floating"], *image["immutable"]])
    for reference in image["references"]:
        labels = world.buildah.skopeo_inspect(reference)["Labels"]
        assert {k: v for k, v in labels.items() if k != "io.buildah.version"} == image["labels"]


def test_stale_lock_fails_and_promotion_reuses_third_party_layers(world: ImageLab) -> None:
    pyproject = world.context / PROFILE / "pyproject.toml"
    old_tag = world.sandbox.packages[PROMOTED].tags
    text = pyproject.read_text(encoding="utf-8")
    current = next(t for t in old_tag if f'hello_world.git", tag = "{t}"' in text)
    pyproject.write_text(text.replace(f'tag = "{current}"', f'tag = "{NEW_TAG}"', 1))
    # the pyproject moved on, the lock did not: `uv lock --check` in the builder refuses it
    (image,) = world.plan()["images"]  # type: ignore[misc]
    with world.phase("runtime image: stale lock refused"):
        stale = world.build(image, "localhost/runtime:stale", check=False)
    world.discard()  # the refused build's working containers and layers
    assert stale.returncode != 0
    assert "needs to be updated" in stale.stderr + stale.stdout

    world.lock("--upgrade-package", PROMOTED)
    (image,) = world.plan()["images"]  # type: ignore[misc]
    commit = world.sandbox.packages[PROMOTED].tags[NEW_TAG]
    assert image["labels"][f"io.github.vlmhyperbenchteam.package.{PROMOTED}"] == (
        f"{NEW_TAG}@{commit}"
    )
    with world.phase("runtime image: rebuild after a one-package promotion"):
        world.build(image, "localhost/runtime:promoted")
    first = _third_party_layers(world, "localhost/runtime:first")
    promoted = _third_party_layers(world, "localhost/runtime:promoted")
    assert first == promoted
    assert world.buildah.diff_ids("localhost/runtime:first") != world.buildah.diff_ids(
        "localhost/runtime:promoted"
    )
    version = world.buildah.exec(
        "localhost/runtime:promoted",
        "/opt/venv/bin/python",
        "-c",
        f"import importlib.metadata as m; print(m.version({PROMOTED!r}))",
    )
    assert version.strip() == NEW_TAG
    # pushed, the registry holds the same third-party blobs for both
    reference = image["references"][0]
    world.buildah.push("localhost/runtime:promoted", reference)
    first_ref = f"{image['repository']}:sha-{COMMIT[:7]}-{PROFILE}-{BACKEND}"
    layers_first = world.buildah.skopeo_inspect(first_ref)["Layers"]
    layers_promoted = world.buildah.skopeo_inspect(reference)["Layers"]
    assert layers_first[: len(first)] == layers_promoted[: len(first)]  # type: ignore[index]
    # The runtime phase is over: only the base and uv images stay for the dev build.
    world.discard("localhost/runtime:first", "localhost/runtime:promoted")


def test_dev_image_runs_the_cli(world: ImageLab) -> None:
    plan = world.plan("dev")
    (image,) = plan["images"]  # type: ignore[misc]
    # The dev image holds torch from PyPI with its CUDA wheels (~6 GB) in layers of at
    # most ~1.6 GiB. buildah keeps each step's working container until a build ends (a
    # second copy of every layer), so the GPU layers are built first, on their own, as
    # docker/README.md advises for daemonless builders; the dev build reuses them.
    # vfs copies the whole root filesystem for every layer and working container: there
    # the image is built once without a step cache (one working container, one commit).
    layered = world.buildah.driver != "vfs"
    if layered:
        with world.phase("dev image: GPU layers (target dev-gpu)"):
            world.build(image, "localhost/dev:gpu", target="dev-gpu")
        with world.phase("dev image: torch, the rest and the workspace (target dev)"):
            world.build(image, "localhost/dev:test")
        gpu = world.buildah.diff_ids("localhost/dev:gpu")
        assert world.buildah.diff_ids("localhost/dev:test")[: len(gpu)] == gpu
    else:
        with world.phase("dev image: one build without a step cache (vfs)"):
            world.build(image, "localhost/dev:test", layers=False)
    with world.phase("dev image: smoke run"):
        out = world.buildah.exec("localhost/dev:test", *DEV_SMOKE)
    assert DEV_SMOKE_EXPECT in out
    layers = world.layers_mb("localhost/dev:test")
    world.report(f"[images] dev image layers (MiB, base first): {layers}")
    world.figures["dev image (MB)"] = round(sum(layers), 1)
    world.figures["dev image's largest layer (MB)"] = max(layers)
    if layered:
        # No layer holds more than one of the heavy groups (the largest is cuDNN & co.).
        assert max(layers) < 2048, layers
        world.discard("localhost/dev:test", "localhost/dev:gpu")
    else:
        world.discard("localhost/dev:test")
