"""A scripted model family for the runner tests, installed through a real entry point.

It answers from the item's path (``ModelRequest.key``): right by default, with
the mistakes listed in its params. The fixture in ``conftest.py`` copies this
file next to a dist-info whose ``entry_points.txt`` registers it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from model_interface import ImageInput, ModelError, ModelInterface, ModelRequest


class Scripted(ModelInterface):
    family = "Scripted-VL"

    def __init__(self, model_name: str, **params: Any) -> None:
        super().__init__(model_name, **params)
        if model_name != "scripted" and not (Path(model_name) / "scripted.json").is_file():
            raise ModelError(f"no scripted checkpoint at {model_name}")
        self.answered = 0

    @classmethod
    def build_tiny_checkpoint(cls, directory: Path) -> Path:
        target = directory / "scripted-tiny"
        target.mkdir(parents=True, exist_ok=True)
        (target / "scripted.json").write_text('{"tiny": true}\n', encoding="utf-8")
        return target

    def predict_on_images(self, images: Sequence[ImageInput], prompt: str) -> str:
        raise AssertionError("the runner must ask through predict_batch")

    def predict_batch(self, requests: Sequence[ModelRequest]) -> list[str]:
        fuse = self.params.get("fuse")
        if fuse and Path(fuse).exists() and self.answered >= self.params["interrupt_after"]:
            Path(fuse).unlink()
            raise KeyboardInterrupt
        if "log" in self.params:
            with Path(self.params["log"]).open("a", encoding="utf-8") as fh:
                fh.write(f"{len(requests)}\n")
        answers = [self._answer(request) for request in requests]
        self.answered += len(requests)
        return answers

    def _answer(self, request: ModelRequest) -> str:
        for image in request.images:
            if not Path(image).is_file():
                raise ModelError(f"missing image {image}")
        key = request.key
        if key in self.params.get("fail_on", []):
            raise ModelError(f"the scripted model refuses {key}")
        if key in self.params.get("garbled", []):
            return "I cannot read this document, sorry."
        if self.params["task"] in ("vqa", "extraction"):
            return self._scripted_text(request)
        if self.params["task"] == "classification":
            return self._classify(request)
        return self._order(request)

    def _scripted_text(self, request: ModelRequest) -> str:
        """The answer listed for the item's key in ``answers`` (empty when not listed)."""
        if "prompt_log" in self.params:
            seen = {
                "key": request.key,
                "pages": len(request.images),
                "prompt": request.prompt,
                "system_prompt": self.params.get("system_prompt"),
            }
            with Path(self.params["prompt_log"]).open("a", encoding="utf-8") as fh:
                fh.write(json.dumps(seen, ensure_ascii=False) + "\n")
        answers: dict[str, str] = self.params.get("answers", {})
        return answers.get(request.key, "")

    def _classify(self, request: ModelRequest) -> str:
        classes = {name: int(i) for i, name in re.findall(r"(\d+): (\w+)", request.prompt)}
        index = classes[request.key.split("/", 1)[0]]
        if request.key in self.params.get("wrong", []):
            index = (index + 1) % len(classes)
        if request.key in self.params.get("out_of_range", []):
            index = 7
        return f"The document is class {index}."

    def _order(self, request: ModelRequest) -> str:
        label, doc_id = request.key.split("/")[0], request.key.rsplit("/", 1)[-1]
        root = Path(str(request.images[0]).split("/" + request.key + "/")[0])
        truth = json.loads((root / label / "jsons" / f"{doc_id}.json").read_text())
        order: list[int] = truth["fields"][label]
        if len(request.images) != len(order):
            raise ModelError("page count differs from the ground truth")
        if request.key in self.params.get("wrong", []):
            order = order[::-1]
        if request.key in self.params.get("swap", []):
            order = [order[1], order[0], *order[2:]]
        if request.key in self.params.get("repeat", []):
            order = [order[0], *order[:-1]]
        if request.key in self.params.get("plain", []):
            return "Reading order: " + ", ".join(str(page) for page in order)
        return '```json\n{"ordered_pages": ' + json.dumps(order) + "}\n```"


class Plain(ModelInterface):
    """A family without a tiny checkpoint: ``name = "tiny"`` must be refused for it."""

    family = "Plain-VL"

    def predict_on_images(self, images: Sequence[ImageInput], prompt: str) -> str:
        return "0"
