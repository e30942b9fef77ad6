"""The profile's torch, the model code and `vlmhb smoke` on a real CUDA device."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.gpu.target import GpuTarget

pytestmark = pytest.mark.gpu


def _torch() -> Any:
    import torch  # noqa: PLC0415 - collection on a CPU machine must not need CUDA

    if not torch.cuda.is_available():
        pytest.fail(f"torch {torch.__version__} sees no CUDA device on this runner")
    return torch


def test_torch_is_the_backends_cuda_build(target: GpuTarget) -> None:
    torch = _torch()
    assert torch.version.cuda == target.cuda
    assert str(torch.__version__).endswith(f"+{target.backend}")
    assert torch.cuda.device_count() >= 1
    major, _ = torch.cuda.get_device_capability(0)
    assert major >= 7  # bf16 / sdpa paths the model uses


def test_matmul_on_the_device_is_exact() -> None:
    torch = _torch()
    a = torch.arange(64, dtype=torch.float32).reshape(8, 8)
    b = torch.eye(8, dtype=torch.float32) * 2
    on_gpu = (a.cuda() @ b.cuda()).cpu()
    assert torch.equal(on_gpu, a @ b)


def test_vlmhb_smoke_cli(target: GpuTarget) -> None:
    vlmhb = Path(sys.executable).with_name("vlmhb")
    argv = [str(vlmhb), "smoke", "--backend", target.backend, "--expect-cuda", target.cuda]
    if target.model:
        argv += ["--model", target.model]
    done = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=900)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["result"] == "ok"
    assert report["device"] == "cuda"
    assert report["cuda"] == target.cuda
    assert report["tokens"] == report["max_new_tokens"]


def test_batched_generation_on_the_device(target: GpuTarget, tmp_path: Path) -> None:
    _torch()
    from model_interface import ModelRequest, get_model_class  # noqa: PLC0415
    from PIL import Image  # noqa: PLC0415

    family = get_model_class("Qwen2.5-VL")
    path = target.model or str(family.build_tiny_checkpoint(tmp_path / "tiny"))
    model = family(path, device="cuda", max_new_tokens=4, min_new_tokens=4)
    images = []
    for i, colour in enumerate(("red", "green", "blue")):
        image = tmp_path / f"{i}.png"
        Image.new("RGB", (64, 48), colour).save(image)
        images.append(image)
    requests = [ModelRequest((image,), "What colour is this page?") for image in images]
    generations = model.generate(requests)
    assert len(generations) == 3
    assert all(len(g.token_ids) == 4 for g in generations)
