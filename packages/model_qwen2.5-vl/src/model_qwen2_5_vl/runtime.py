"""Lazy imports of the heavy stack, each failure turned into one sentence.

``import model_qwen2_5_vl`` stays cheap (entry-point discovery, ``vlmhb --help``);
torch, transformers and qwen-vl-utils load when a model is built.
"""

from __future__ import annotations

import importlib
import importlib.util
from types import ModuleType

from model_interface import ModelError

_INSTALL_HINT = (
    "install a torch build for your backend (the cu124 or cu128 extra of a profile, "
    "or `uv sync` in the dev workspace)"
)


def import_module(name: str) -> ModuleType:
    """Import one of torch, torchvision, transformers, qwen_vl_utils with a clear error."""
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        missing = getattr(exc, "name", None) or name
        hint = (
            _INSTALL_HINT
            if missing.split(".")[0] in {"torch", "torchvision"}
            else ("install the model-qwen2-5-vl package with its dependencies")
        )
        raise ModelError(
            f"Qwen2.5-VL needs {missing}, which cannot be imported ({exc}); {hint}"
        ) from exc


def import_torch() -> ModuleType:
    return import_module("torch")


def flash_attn_importable() -> bool:
    """Whether the flash-attn package is installed (not imported: it is slow and CUDA-only)."""
    try:
        return importlib.util.find_spec("flash_attn") is not None
    except (ImportError, ValueError):
        return False
