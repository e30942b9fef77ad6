"""Qwen2.5-VL behind the VLMHyperBench model interface (transformers + qwen-vl-utils)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from model_interface import ImageInput, ModelError, ModelInterface, ModelRequest

from model_qwen2_5_vl import tiny
from model_qwen2_5_vl.batching import plan_batches
from model_qwen2_5_vl.loading import LoadedModel, load_model
from model_qwen2_5_vl.runtime import import_module
from model_qwen2_5_vl.settings import QwenSettings


@dataclass(frozen=True)
class Generation:
    """One request's answer: the text, the new token ids (through the first EOS)
    and, when asked for, the logits of each generated step (1-D CPU tensors)."""

    text: str
    token_ids: tuple[int, ...]
    step_logits: tuple[Any, ...] = ()


@dataclass(frozen=True)
class _Prepared:
    text: str
    images: list[Any]
    cost: int  # prompt tokens with image tokens expanded, plus max_new_tokens


class Qwen2_5_VL(ModelInterface):
    """Qwen2.5-VL (``Qwen/Qwen2.5-VL-3B-Instruct``, ``...-7B-Instruct`` or a local directory).

    Parameters are those of :class:`~model_qwen2_5_vl.settings.QwenSettings`;
    the model loads in the constructor.
    """

    family: ClassVar[str] = "Qwen2.5-VL"

    def __init__(self, model_name: str, **params: Any) -> None:
        super().__init__(str(model_name), **params)
        self.settings = QwenSettings.from_params(params)
        self._loaded: LoadedModel = load_model(self.model_name, self.settings)
        self._torch = import_module("torch")
        self._vision = import_module("qwen_vl_utils")

    @classmethod
    def build_tiny_checkpoint(cls, directory: Path) -> Path:
        return tiny.build_tiny_checkpoint(directory)

    @property
    def device(self) -> str:
        return self._loaded.device

    @property
    def dtype(self) -> str:
        return self._loaded.dtype

    @property
    def attn_implementation(self) -> str:
        return self._loaded.attn_implementation

    # -- the interface -------------------------------------------------------------
    def predict_on_images(self, images: Sequence[ImageInput], prompt: str) -> str:
        return self.generate([ModelRequest(tuple(images), prompt)])[0].text

    def predict_batch(self, requests: Sequence[ModelRequest]) -> list[str]:
        return [g.text for g in self.generate(requests)]

    # -- chat rendering ------------------------------------------------------------
    def build_messages(self, images: Sequence[ImageInput], prompt: str) -> list[dict[str, Any]]:
        """The chat for one request: the system prompt (when set) and one user turn."""
        size = self._loaded.pixels
        content: list[dict[str, Any]] = [
            {
                "type": "image",
                "image": os.fspath(image) if isinstance(image, os.PathLike) else image,
                "min_pixels": size[0],
                "max_pixels": size[1],
            }
            for image in images
        ]
        content.append({"type": "text", "text": prompt})
        messages: list[dict[str, Any]] = []
        if self.settings.system_prompt is not None:
            messages.append(
                {
                    "role": "system",
                    "content": [{"type": "text", "text": self.settings.system_prompt}],
                }
            )
        messages.append({"role": "user", "content": content})
        return messages

    def render_chat(self, images: Sequence[ImageInput], prompt: str) -> str:
        """The exact prompt text the model gets (before image tokens are expanded)."""
        return self._render(self.build_messages(images, prompt))

    def _render(self, messages: list[dict[str, Any]]) -> str:
        text = self._loaded.processor.apply_chat_template(
            messages, tokenize=False, add_generation_prompt=True
        )
        return str(text)

    def _prepare(self, request: ModelRequest) -> _Prepared:
        messages = self.build_messages(request.images, request.prompt)
        text = self._render(messages)
        try:
            images, _ = self._vision.process_vision_info(
                messages, image_patch_size=self._loaded.patch_size
            )
        except (OSError, ValueError) as exc:
            of = f" of request {request.key!r}" if request.key else ""
            raise ModelError(f"cannot read an image{of} ({exc})") from exc
        token_area = (self._loaded.patch_size * self._loaded.merge_size) ** 2
        image_tokens = sum(img.width * img.height // token_area for img in images)
        text_tokens = len(self._loaded.processor.tokenizer(text)["input_ids"])
        return _Prepared(
            text, list(images), text_tokens + image_tokens + self.settings.max_new_tokens
        )

    # -- generation ----------------------------------------------------------------
    def generate(
        self, requests: Sequence[ModelRequest], *, keep_logits: bool = False
    ) -> list[Generation]:
        """Answer independent requests, batched on the device within the memory budget."""
        prepared = [self._prepare(r) for r in requests]
        results: list[Generation | None] = [None] * len(prepared)
        batches = plan_batches(
            [p.cost for p in prepared], self.settings.batch_size, self.settings.max_batch_tokens
        )
        for batch in batches:
            for index, generation in zip(
                batch,
                self._generate_fitting([prepared[i] for i in batch], keep_logits),
                strict=True,
            ):
                results[index] = generation
        return [r for r in results if r is not None]

    def _generate_fitting(self, batch: list[_Prepared], keep_logits: bool) -> list[Generation]:
        """Run a batch; when the GPU runs out of memory, halve it and try again."""
        try:
            return self._generate_once(batch, keep_logits)
        except self._torch.OutOfMemoryError as exc:
            if len(batch) == 1:
                raise ModelError(
                    f"out of device memory on a single request of {batch[0].cost} tokens; "
                    "lower max_pixels or max_new_tokens"
                ) from exc
            if self.device.startswith("cuda"):
                self._torch.cuda.empty_cache()
            half = len(batch) // 2
            return self._generate_fitting(batch[:half], keep_logits) + self._generate_fitting(
                batch[half:], keep_logits
            )

    def _generate_once(self, batch: list[_Prepared], keep_logits: bool) -> list[Generation]:
        loaded = self._loaded
        lo, hi = loaded.pixels
        inputs = loaded.processor(
            text=[p.text for p in batch],
            images=[img for p in batch for img in p.images],
            padding=True,
            padding_side="left",
            return_tensors="pt",
            images_kwargs={"size": {"shortest_edge": lo, "longest_edge": hi}},
        ).to(loaded.input_device)
        settings = self.settings
        sampling: dict[str, Any] = (
            {"do_sample": True}
            if settings.do_sample
            else {"do_sample": False, "temperature": None, "top_p": None, "top_k": None}
        )
        with self._torch.inference_mode():
            output = loaded.model.generate(
                **inputs,
                max_new_tokens=settings.max_new_tokens,
                min_new_tokens=settings.min_new_tokens or None,
                return_dict_in_generate=True,
                output_logits=keep_logits,
                **sampling,
            )
        prompt_length = inputs["input_ids"].shape[1]
        new_tokens = output.sequences[:, prompt_length:].tolist()
        stops = loaded.eos_token_ids
        generations = []
        for row, tokens in enumerate(new_tokens):
            end = next((i + 1 for i, t in enumerate(tokens) if t in stops), len(tokens))
            kept = tuple(tokens[:end])
            logits = (
                tuple(step[row].float().cpu() for step in output.logits[:end])
                if keep_logits
                else ()
            )
            text = loaded.processor.tokenizer.decode(list(kept), skip_special_tokens=True)
            generations.append(Generation(text.strip(), kept, logits))
        return generations
