"""Check that torch matches a backend, runs on its device, and that a model family generates.

On a CUDA backend (cu124, cu128): torch's CUDA version equals --expect-cuda (by
default the backend's), torch's local version names the backend, a CUDA device
is available and a matmul on it gives the exact answer. Then the family's model
(its tiny random checkpoint, built on the spot, unless --model names one) loads
on that device and generates exactly --max-new-tokens tokens for one image.
Prints one JSON line on stdout; any failure is one sentence and a non-zero exit.
"""

from __future__ import annotations

import argparse
import json
import platform
import struct
import tempfile
import time
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Protocol

from model_interface import ModelError, ModelRequest, get_model_class
from print_utils import print_status
from rich.console import Console

BACKEND_CUDA = {"cu124": "12.4", "cu128": "12.8", "cpu": None}
PROMPT = "Describe this image in one sentence."


class SmokeCheckFailed(ModelError):
    """The environment or the model failed a smoke check (exit 1)."""


class _HasTokenIds(Protocol):
    token_ids: Sequence[int]


@dataclass(frozen=True)
class TorchFacts:
    version: str
    cuda: str | None  # torch.version.cuda: None for a CPU-only build
    cuda_available: bool


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--backend", required=True, choices=sorted(BACKEND_CUDA))
    parser.add_argument(
        "--expect-cuda",
        metavar="X.Y",
        help="CUDA version torch must be built for (default: the backend's, 12.4 or 12.8)",
    )
    parser.add_argument(
        "--model",
        metavar="PATH_OR_ID",
        help="checkpoint to load (default: the family's tiny random checkpoint, built now)",
    )
    parser.add_argument(
        "--family", default="Qwen2.5-VL", help="model family (default: %(default)s)"
    )
    parser.add_argument(
        "--max-new-tokens", type=int, default=8, help="tokens to generate (default: %(default)s)"
    )


def expected_cuda(backend: str, expect_cuda: str | None) -> str | None:
    """The CUDA version a backend's torch must report (None on the CPU backend)."""
    if backend == "cpu":
        if expect_cuda:
            raise SmokeCheckFailed("--expect-cuda applies to the cu124 and cu128 backends only")
        return None
    return expect_cuda or BACKEND_CUDA[backend]


def check_torch(backend: str, expect_cuda: str | None, facts: TorchFacts) -> None:
    """Raise one sentence when torch does not fit the backend (pure: facts come in)."""
    want = expected_cuda(backend, expect_cuda)
    if want is None:
        return
    if facts.cuda is None:
        raise SmokeCheckFailed(
            f"torch {facts.version} is a CPU-only build, but backend {backend} needs CUDA {want}"
        )
    if facts.cuda != want:
        raise SmokeCheckFailed(
            f"torch {facts.version} is built for CUDA {facts.cuda}, but backend {backend} "
            f"expects CUDA {want}"
        )
    local = facts.version.partition("+")[2]
    if local != backend:
        raise SmokeCheckFailed(
            f"torch {facts.version} is not the {backend} build (local version "
            f"{local or 'none'!r}); install torch from the {backend} index"
        )
    if not facts.cuda_available:
        raise SmokeCheckFailed(
            f"torch {facts.version} reports no usable CUDA device on this machine "
            "(no GPU, or the driver is too old for this build)"
        )


def _import_torch() -> ModuleType:
    try:
        import torch  # noqa: PLC0415 - lazy: vlmhb must not import torch to start

        return torch
    except ImportError as exc:
        raise SmokeCheckFailed(
            f"torch cannot be imported ({exc}); install a profile with a backend extra"
        ) from exc


def _check_matmul(torch: Any, device: str) -> None:
    # Small integers multiply exactly even in TF32, so the answer must match bit for bit.
    a = (torch.arange(256 * 256, dtype=torch.float64) % 7).reshape(256, 256)
    expected = a @ a
    got = a.float().to(device) @ a.float().to(device)
    if device.startswith("cuda"):
        torch.cuda.synchronize()
    if not torch.equal(got.double().cpu(), expected):
        raise SmokeCheckFailed(f"a 256x256 matmul on {device} gave a wrong result")


def write_png(path: Path, width: int = 96, height: int = 64) -> Path:
    """A small RGB gradient PNG (stdlib only: bench-utils needs no imaging library)."""
    rows = b"".join(
        b"\x00" + bytes(v for x in range(width) for v in (x * 255 // width, y * 255 // height, 128))
        for y in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )
    return path


def _generate_token_ids(model: Any, image: Path, family: str) -> Sequence[int]:
    generate = getattr(model, "generate", None)
    if generate is None:
        raise SmokeCheckFailed(
            f"model family {family!r} does not report generated tokens (no generate method)"
        )
    generations: Sequence[_HasTokenIds] = generate([ModelRequest((image,), PROMPT)])
    return generations[0].token_ids


def run(args: argparse.Namespace) -> int:
    log = Console(stderr=True, highlight=False)
    if args.max_new_tokens < 1:
        raise SmokeCheckFailed("--max-new-tokens must be at least 1")
    expected_cuda(args.backend, args.expect_cuda)
    torch = _import_torch()
    facts = TorchFacts(str(torch.__version__), torch.version.cuda, bool(torch.cuda.is_available()))
    check_torch(args.backend, args.expect_cuda, facts)
    device = "cpu" if args.backend == "cpu" else "cuda"
    _check_matmul(torch, device)
    device_name = torch.cuda.get_device_name(0) if device == "cuda" else platform.machine() or "cpu"
    print_status(f"torch {facts.version} on {device} ({device_name}): matmul ok", console=log)
    family = get_model_class(args.family)
    with tempfile.TemporaryDirectory(prefix="vlmhb-smoke-") as tmp:
        model_path = args.model
        if model_path is None:
            print_status(f"building the tiny {args.family} checkpoint", console=log)
            model_path = str(family.build_tiny_checkpoint(Path(tmp)))
        started = time.perf_counter()
        model = family(
            model_path,
            device=device,
            max_new_tokens=args.max_new_tokens,
            min_new_tokens=args.max_new_tokens,
        )
        load_seconds = time.perf_counter() - started
        image = write_png(Path(tmp) / "smoke.png")
        started = time.perf_counter()
        tokens = len(_generate_token_ids(model, image, args.family))
        generate_seconds = time.perf_counter() - started
    if tokens != args.max_new_tokens:
        raise SmokeCheckFailed(
            f"the model generated {tokens} tokens instead of the {args.max_new_tokens} forced "
            "with min_new_tokens"
        )
    report = {
        "result": "ok",
        "backend": args.backend,
        "torch": facts.version,
        "cuda": facts.cuda,
        "device": device,
        "device_name": device_name,
        "family": args.family,
        "model": args.model or "tiny",
        "model_path": model_path,
        "load_seconds": round(load_seconds, 3),
        "generate_seconds": round(generate_seconds, 3),
        "tokens": tokens,
        "max_new_tokens": args.max_new_tokens,
    }
    print(json.dumps(report))
    return 0
