"""The abstract model every family implements."""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, TypeAlias

# A path to an image file or an already opened image object (PIL.Image.Image);
# model-interface stays free of imaging libraries, so the type is left open.
ImageInput: TypeAlias = str | os.PathLike[str] | Any


class ModelError(RuntimeError):
    """A model could not be loaded or run; the message is one sentence for the user."""


class TinyCheckpointUnavailable(ModelError):
    """The family offers no tiny test checkpoint."""


@dataclass(frozen=True)
class ModelRequest:
    """One independent request: images (possibly several pages) and a prompt."""

    images: tuple[ImageInput, ...]
    prompt: str
    key: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if not self.images:
            raise ValueError("a ModelRequest needs at least one image")


class ModelInterface(ABC):
    """A vision-language model answering prompts about images.

    ``family`` is the name the class is registered under in the
    ``vlmhyperbench.models`` entry-point group.
    """

    family: ClassVar[str] = ""

    def __init__(self, model_name: str, **params: Any) -> None:
        self.model_name = model_name
        self.params = dict(params)

    @abstractmethod
    def predict_on_images(self, images: Sequence[ImageInput], prompt: str) -> str:
        """Answer ``prompt`` about several images given together (e.g. pages)."""

    def predict_on_image(self, image: ImageInput, prompt: str) -> str:
        """Answer ``prompt`` about one image."""
        return self.predict_on_images([image], prompt)

    def predict_batch(self, requests: Sequence[ModelRequest]) -> list[str]:
        """Answer several independent requests; families override this to batch on device.

        The default answers them one by one, so every family supports the call.
        """
        return [self.predict_on_images(list(r.images), r.prompt) for r in requests]

    @classmethod
    def build_tiny_checkpoint(cls, directory: Path) -> Path:
        """Write a tiny random checkpoint of this family under ``directory`` and return its path.

        Optional: families that can build one (from a config, in seconds, offline)
        override it so smoke runs and CPU tests need no downloaded weights.
        """
        raise TinyCheckpointUnavailable(
            f"model family {cls.family or cls.__name__!r} offers no tiny test checkpoint"
        )

    @classmethod
    def supports_tiny_checkpoint(cls) -> bool:
        """Whether :meth:`build_tiny_checkpoint` is implemented by this family."""
        base = ModelInterface.__dict__["build_tiny_checkpoint"]
        return any(
            "build_tiny_checkpoint" in vars(klass)
            and vars(klass)["build_tiny_checkpoint"] is not base
            for klass in cls.__mro__
        )
