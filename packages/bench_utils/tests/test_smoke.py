"""`vlmhb smoke`: the backend checks (pure) and real runs on the tiny model on the CPU."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from bench_utils.commands.smoke import SmokeCheckFailed, TorchFacts, check_torch, write_png


def _env() -> dict[str, str]:
    # Like tests.support.sandbox.clean_env (not importable from a package's tests alone).
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "RUNNER_"))}
    env["HF_HUB_OFFLINE"] = "1"
    return env


def _vlmhb(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bench_utils.cli", *args],
        capture_output=True,
        text=True,
        env=_env(),
        check=False,
    )


GOOD_124 = TorchFacts("2.6.0+cu124", "12.4", cuda_available=True)


@pytest.mark.parametrize(
    ("backend", "expect", "facts", "message"),
    [
        ("cu124", None, TorchFacts("2.6.0+cpu", None, False), "is a CPU-only build"),
        ("cu124", None, TorchFacts("2.15.0+cu132", "13.2", False), "built for CUDA 13.2"),
        ("cu128", None, GOOD_124, "backend cu128 expects CUDA 12.8"),
        ("cu124", None, TorchFacts("2.6.0", "12.4", True), "is not the cu124 build"),
        ("cu124", None, TorchFacts("2.6.0+cu124", "12.4", False), "no usable CUDA device"),
        ("cu124", "12.6", GOOD_124, "expects CUDA 12.6"),
        ("cpu", "12.4", GOOD_124, "--expect-cuda applies to the cu124 and cu128"),
    ],
)
def test_torch_that_does_not_fit_the_backend_is_refused(
    backend: str, expect: str | None, facts: TorchFacts, message: str
) -> None:
    with pytest.raises(SmokeCheckFailed, match=message):
        check_torch(backend, expect, facts)


@pytest.mark.parametrize(
    ("backend", "expect", "facts"),
    [
        ("cu124", None, GOOD_124),
        ("cu128", None, TorchFacts("2.11.0+cu128", "12.8", True)),
        ("cu128", "12.8", TorchFacts("2.11.0+cu128", "12.8", True)),
        # The CPU backend takes any torch: the dev workspace's is a CUDA build run on the CPU.
        ("cpu", None, TorchFacts("2.15.0+cu132", "13.2", False)),
    ],
)
def test_torch_that_fits_the_backend_passes(
    backend: str, expect: str | None, facts: TorchFacts
) -> None:
    check_torch(backend, expect, facts)


def test_smoke_image_is_a_valid_png(tmp_path: Path) -> None:
    image_module = pytest.importorskip("PIL.Image")
    with image_module.open(write_png(tmp_path / "s.png", 30, 20)) as image:
        image.load()
        assert image.size == (30, 20)
        assert image.mode == "RGB"
        assert image.getpixel((29, 19)) == (29 * 255 // 30, 19 * 255 // 20, 128)


@pytest.mark.model
def test_smoke_cpu_prints_one_json_line_with_the_token_count() -> None:
    pytest.importorskip("model_qwen2_5_vl", reason="the dev workspace installs the model package")
    started = time.perf_counter()
    done = _vlmhb("smoke", "--backend", "cpu", "--max-new-tokens", "5")
    wall = time.perf_counter() - started
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 1
    report = json.loads(lines[0])
    assert report["result"] == "ok"
    assert report["tokens"] == report["max_new_tokens"] == 5
    assert (report["backend"], report["device"], report["model"]) == ("cpu", "cpu", "tiny")
    assert report["family"] == "Qwen2.5-VL"
    # Both phases were measured (loading and generating take time) and inside the process.
    load, generate = report["load_seconds"], report["generate_seconds"]
    assert isinstance(load, float) and isinstance(generate, float)
    assert load > 0 and generate > 0
    assert load + generate < wall


@pytest.mark.model
def test_smoke_cu124_without_cuda_fails_with_one_sentence() -> None:
    torch = pytest.importorskip("torch")
    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA: the GPU jobs run the real cu124 smoke")
    done = _vlmhb("smoke", "--backend", "cu124")
    assert done.returncode == 1
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    message = " ".join(done.stderr.split())
    assert message.startswith(f"ERROR torch {torch.__version__} ")
    assert "cu124" in message
    assert message.count(". ") == 0


def test_smoke_rejects_an_unknown_backend() -> None:
    done = _vlmhb("smoke", "--backend", "rocm")
    assert done.returncode == 2
    assert "invalid choice: 'rocm'" in done.stderr
