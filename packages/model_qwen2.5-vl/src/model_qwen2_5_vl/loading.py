"""Load a Qwen2.5-VL checkpoint (hub id or local directory) onto the chosen device."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from model_interface import ModelError

from model_qwen2_5_vl.runtime import flash_attn_importable, import_module, import_torch
from model_qwen2_5_vl.settings import (
    QwenSettings,
    choose_attention,
    choose_device,
    choose_dtype,
)


@dataclass(frozen=True)
class LoadedModel:
    model: Any
    processor: Any
    device: str
    dtype: str
    attn_implementation: str
    input_device: Any
    pixels: tuple[int, int]  # (min_pixels, max_pixels) applied to every image
    patch_size: int
    merge_size: int
    eos_token_ids: frozenset[int]


def _looks_local(name: str) -> bool:
    return name.startswith(("/", "./", "../", "~")) or Path(name).exists()


def _reason(exc: BaseException) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return (lines[0] if lines else type(exc).__name__).rstrip(".")


def _load_failure(name: str, exc: BaseException) -> ModelError:
    hub = import_module("huggingface_hub")
    if _looks_local(name):
        where = f"local directory {name}"
        hint = "check that it holds a complete checkpoint (config, weights, processor files)"
    elif hub.is_offline_mode():
        where = f"{name!r}"
        hint = (
            "HF_HUB_OFFLINE is set, so nothing is downloaded: "
            "fetch the model into the cache first or pass a local directory"
        )
    else:
        where = f"{name!r}"
        hint = "check the model id, the revision and the network"
    return ModelError(f"cannot load Qwen2.5-VL from {where} ({_reason(exc)}); {hint}")


def load_model(name: str, settings: QwenSettings) -> LoadedModel:
    """Load processor and weights; every failure is one ModelError sentence."""
    torch = import_torch()
    transformers = import_module("transformers")
    import_module("qwen_vl_utils")  # imports torchvision: fail here, not mid-run
    if _looks_local(name) and not Path(name).expanduser().is_dir():
        raise ModelError(f"cannot load Qwen2.5-VL: local directory {name} does not exist")
    device = choose_device(settings.device, bool(torch.cuda.is_available()))
    dtype = choose_dtype(settings.dtype, device)
    attention = choose_attention(settings.attn_implementation, device, flash_attn_importable())
    source = str(Path(name).expanduser()) if _looks_local(name) else name
    hub_options: dict[str, Any] = {
        "cache_dir": settings.cache_dir,
        "revision": settings.revision,
        "local_files_only": settings.local_files_only,
    }
    try:
        processor = transformers.AutoProcessor.from_pretrained(source, **hub_options)
        model = transformers.Qwen2_5_VLForConditionalGeneration.from_pretrained(
            source,
            dtype=getattr(torch, dtype),
            device_map=settings.device_map or {"": device},
            attn_implementation=attention,
            **hub_options,
        )
    except (OSError, ValueError) as exc:
        raise _load_failure(name, exc) from exc
    model.eval()
    image_processor = processor.image_processor
    eos = model.generation_config.eos_token_id
    eos_ids = {eos} if isinstance(eos, int) else set(eos or ())
    if processor.tokenizer.eos_token_id is not None:
        eos_ids.add(processor.tokenizer.eos_token_id)
    return LoadedModel(
        model=model,
        processor=processor,
        device=device,
        dtype=dtype,
        attn_implementation=attention,
        input_device=model.device,
        pixels=(
            settings.min_pixels or int(image_processor.size.shortest_edge),
            settings.max_pixels or int(image_processor.size.longest_edge),
        ),
        patch_size=int(image_processor.patch_size),
        merge_size=int(image_processor.merge_size),
        eos_token_ids=frozenset(eos_ids),
    )
