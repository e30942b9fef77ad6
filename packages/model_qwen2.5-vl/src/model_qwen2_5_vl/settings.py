"""The model's constructor parameters as one validated record, and the choices they imply.

Pure code: no torch, no environment. The adapter (:mod:`model_qwen2_5_vl.model`)
supplies the hardware facts (CUDA present, flash-attn importable).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from model_interface import ModelError

DTYPES = ("auto", "bfloat16", "float16", "float32")
ATTENTION = ("flash_attention_2", "sdpa", "eager")


@dataclass(frozen=True)
class QwenSettings:
    """Everything ``Qwen2_5_VL(model_name, **params)`` accepts besides the name."""

    system_prompt: str | None = None
    max_new_tokens: int = 512
    min_new_tokens: int = 0
    do_sample: bool = False
    device: str | None = None
    dtype: str = "auto"
    device_map: str | dict[str, Any] | None = None
    attn_implementation: str | None = None
    min_pixels: int | None = None
    max_pixels: int | None = None
    cache_dir: str | None = None
    revision: str | None = None
    local_files_only: bool = False
    batch_size: int = 8
    max_batch_tokens: int = 16384

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> QwenSettings:
        """Validate keyword parameters; an unknown or bad one is a one-sentence ModelError."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(params) - known)
        if unknown:
            raise ModelError(
                f"unknown Qwen2.5-VL parameter(s) {', '.join(unknown)}; "
                f"accepted: {', '.join(sorted(known))}"
            )
        values = dict(params)
        if isinstance(values.get("cache_dir"), os.PathLike):
            values["cache_dir"] = os.fspath(values["cache_dir"])
        settings = cls(**values)
        settings.check()
        return settings

    def check(self) -> None:
        for name in ("max_new_tokens", "batch_size", "max_batch_tokens"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ModelError(
                    f"Qwen2.5-VL parameter {name} must be a positive integer, not {value!r}"
                )
        if not 0 <= self.min_new_tokens <= self.max_new_tokens:
            raise ModelError(
                f"min_new_tokens ({self.min_new_tokens}) must lie between 0 and "
                f"max_new_tokens ({self.max_new_tokens})"
            )
        if self.dtype not in DTYPES:
            raise ModelError(f"dtype {self.dtype!r} is not one of {', '.join(DTYPES)}")
        if self.attn_implementation not in (None, *ATTENTION):
            raise ModelError(
                f"attn_implementation {self.attn_implementation!r} "
                f"is not one of {', '.join(ATTENTION)}"
            )
        for name in ("min_pixels", "max_pixels"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, int) or value < 1):
                raise ModelError(f"{name} must be a positive integer, not {value!r}")
        if self.min_pixels and self.max_pixels and self.min_pixels > self.max_pixels:
            raise ModelError(
                f"min_pixels ({self.min_pixels}) is larger than max_pixels ({self.max_pixels})"
            )


def choose_device(requested: str | None, cuda_available: bool) -> str:
    """``cuda`` when a GPU is there and nothing else was asked for, else ``cpu``."""
    if requested is None or requested == "auto":
        return "cuda" if cuda_available else "cpu"
    if requested.startswith("cuda") and not cuda_available:
        raise ModelError(
            f"device {requested!r} was requested but torch sees no CUDA device; "
            "run on a GPU machine with a CUDA build of torch or pass device='cpu'"
        )
    return requested


def choose_dtype(requested: str, device: str) -> str:
    """bfloat16 on CUDA, float32 on the CPU, unless a dtype was asked for."""
    if requested != "auto":
        return requested
    return "bfloat16" if device.startswith("cuda") else "float32"


def choose_attention(requested: str | None, device: str, flash_attn_importable: bool) -> str:
    """flash_attention_2 on CUDA when flash-attn imports, else sdpa."""
    if requested is not None:
        if requested == "flash_attention_2" and not (
            flash_attn_importable and device.startswith("cuda")
        ):
            raise ModelError(
                "attn_implementation='flash_attention_2' needs the flash-attn package "
                "and a CUDA device; leave it unset to use sdpa"
            )
        return requested
    return "flash_attention_2" if flash_attn_importable and device.startswith("cuda") else "sdpa"
