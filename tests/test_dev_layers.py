"""The dev image's dependency layers: docker/dev-layers.sh splits the root lock's export
into lists, and the Dockerfile installs each list in a layer of its own.

The split is checked on the real export of the root lock (offline, `--frozen`), so a
lock change that moved a heavy package into the catch-all list fails here, not as a
6 GB layer in CI.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from tests.support.sandbox import ROOT, clean_env
from tests.support.tools import run_uv

SCRIPT = ROOT / "docker" / "dev-layers.sh"
DOCKERFILE = ROOT / "docker" / "Dockerfile"
LISTS = ("1-cuda-libraries", "2-cuda-toolkit", "3-triton", "4-torch", "5-rest")
# The export options the Dockerfile's dev-export stage passes (checked below).
EXPORT_ARGS = (
    "export",
    "--frozen",
    "--all-packages",
    "--no-emit-workspace",
    "--no-header",
    "--no-annotate",
)


def _split(tmp_path: Path, text: str) -> subprocess.CompletedProcess[str]:
    tmp_path.mkdir(parents=True, exist_ok=True)
    source = tmp_path / "requirements.txt"
    source.write_text(text, encoding="utf-8")
    return subprocess.run(
        ["sh", str(SCRIPT), str(source), str(tmp_path / "layers")],
        capture_output=True,
        text=True,
        check=False,
        env=clean_env(),
    )


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def _entries(path: Path) -> list[str]:
    """The entries' first lines (name==version and marker) of a requirements list."""
    return [line for line in _lines(path) if line[:1].isalnum()]


def _names(path: Path) -> set[str]:
    return {re.split(r"[=;\s]", line, maxsplit=1)[0] for line in _entries(path)}


@pytest.fixture(scope="module")
def root_export(tmp_path_factory: pytest.TempPathFactory) -> str:
    out = tmp_path_factory.mktemp("export") / "requirements.txt"
    run_uv(*EXPORT_ARGS, "--output-file", str(out), cwd=ROOT, env=clean_env())
    return out.read_text(encoding="utf-8")


def test_every_entry_of_the_root_export_lands_in_exactly_one_list(
    tmp_path: Path, root_export: str
) -> None:
    done = _split(tmp_path, root_export)
    assert done.returncode == 0, done.stderr
    layers = tmp_path / "layers"
    assert sorted(p.stem for p in layers.iterdir()) == sorted(LISTS)
    # Together the lists are the export, line for line (hashes included), in its order.
    joined = [line for name in LISTS for line in _lines(layers / f"{name}.txt")]
    original = [line for line in root_export.splitlines() if line.strip()]
    assert sorted(joined) == sorted(original)
    for name in LISTS:
        lines = _lines(layers / f"{name}.txt")
        assert lines == [line for line in original if line in set(lines)]
    # Every entry carries its hashes, so uv verifies each wheel in every layer.
    for name in LISTS:
        text = (layers / f"{name}.txt").read_text(encoding="utf-8")
        assert text.count("--hash=sha256:") >= len(_entries(layers / f"{name}.txt"))


def test_the_heavy_packages_have_layers_of_their_own(tmp_path: Path, root_export: str) -> None:
    assert _split(tmp_path, root_export).returncode == 0
    layers = tmp_path / "layers"
    names = {name: _names(layers / f"{name}.txt") for name in LISTS}
    assert names["4-torch"] == {"torch"}
    assert names["3-triton"] == {"triton"}
    # whichever CUDA major the lock's torch takes (the wheels' names carry it: -cu12, -cu13)
    libraries = names["1-cuda-libraries"]
    assert any(n.startswith("nvidia-cudnn") for n in libraries), libraries
    assert any(n.startswith("nvidia-nccl") for n in libraries), libraries
    assert any(n.startswith("nvidia-cublas") for n in names["2-cuda-toolkit"])
    assert all(n.startswith(("nvidia-", "cuda-")) for n in names["2-cuda-toolkit"])
    assert all(n.startswith("nvidia-") for n in names["1-cuda-libraries"])
    # No CUDA wheel is left in the catch-all list (where it would make that layer heavy).
    assert not {n for n in names["5-rest"] if n.startswith(("nvidia-", "cuda-"))}
    assert {"transformers", "ruff", "torchvision"} <= names["5-rest"]


def test_option_lines_go_to_every_list_and_a_stray_indented_line_is_refused(
    tmp_path: Path,
) -> None:
    text = (
        "--extra-index-url http://127.0.0.1:1/simple\n"
        "# a comment\n"
        "nvidia-nccl-cu12==2.0 ; sys_platform == 'linux' \\\n"
        "    --hash=sha256:aa\n"
        "torch==2.0 \\\n"
        "    --hash=sha256:bb\n"
        "torchvision==0.1\n"
    )
    assert _split(tmp_path, text).returncode == 0
    layers = tmp_path / "layers"
    for name in LISTS:
        assert (layers / f"{name}.txt").read_text(encoding="utf-8").startswith("--extra-index-url ")
    assert _entries(layers / "1-cuda-libraries.txt") == [
        "nvidia-nccl-cu12==2.0 ; sys_platform == 'linux' \\"
    ]
    assert _lines(layers / "4-torch.txt")[-2:] == ["torch==2.0 \\", "    --hash=sha256:bb"]
    assert _names(layers / "5-rest.txt") == {"torchvision"}
    assert _entries(layers / "3-triton.txt") == []

    refused = _split(tmp_path / "again", "    --hash=sha256:aa\ntorch==2.0\n")
    assert refused.returncode != 0
    assert "indented line before any entry" in refused.stderr


def _stage(name: str) -> str:
    text = DOCKERFILE.read_text(encoding="utf-8")
    match = re.search(rf"^FROM \S+ AS {name}\n(.*?)(?=^FROM |\Z)", text, re.M | re.S)
    assert match, f"no stage {name} in {DOCKERFILE}"
    return match.group(1)


def test_the_dockerfile_installs_each_list_in_its_own_layer_then_syncs_locked() -> None:
    export = _stage("dev-export")
    joined = " ".join(export.replace("\\\n", " ").split())
    assert "uv export --project /build/dev " + " ".join(EXPORT_ARGS[1:]) in joined
    assert "sh /build/dev-layers.sh /build/dev/requirements.txt /build/dev/layers" in joined
    installs: list[str] = []
    for stage in ("dev-gpu", "dev"):
        body = _stage(stage)
        installs += re.findall(r"uv pip install --no-deps -r /opt/vlmhb/dev/(\S+)\.txt", body)
        for name in re.findall(r"uv pip install --no-deps -r /opt/vlmhb/dev/(\S+)\.txt", body):
            assert f"COPY --from=dev-export /build/dev/layers/{name}.txt /opt/vlmhb/dev/" in body
    # one RUN per list, in the script's order; the workspace comes after all of them
    assert installs == list(LISTS)
    assert _stage("dev").count("RUN ") == 3  # torch, the rest, the workspace sync
    dev = _stage("dev")
    assert dev.index("COPY --chown=vlmhb:vlmhb . /workspace") > dev.index("5-rest.txt")
    assert dev.rstrip().endswith('CMD ["vlmhb", "--help"]')
    workspace = dev.split("COPY --chown=vlmhb:vlmhb . /workspace")[1]
    assert "uv sync --locked --all-packages" in workspace
    assert "FROM dev-gpu AS dev" in DOCKERFILE.read_text(encoding="utf-8")
    # the script's lists and this test's agree
    assert f'lists="{" ".join(LISTS)}"' in SCRIPT.read_text(encoding="utf-8")
