"""The VLMHyperBench model interface and the factory that finds model families.

Model packages implement :class:`ModelInterface` and register the class in the
``vlmhyperbench.models`` entry-point group under their family name
(``Qwen2.5-VL = "model_qwen2_5_vl:Qwen2_5_VL"``). Benchmark configs name a family,
never a module path; :func:`create_model` looks it up.
"""

from __future__ import annotations

from model_interface.base import (
    ImageInput,
    ModelError,
    ModelInterface,
    ModelRequest,
    TinyCheckpointUnavailable,
)
from model_interface.factory import (
    ENTRY_POINT_GROUP,
    ModelFamilyNotFound,
    available_families,
    create_model,
    get_model_class,
)

__all__ = [
    "ENTRY_POINT_GROUP",
    "ImageInput",
    "ModelError",
    "ModelFamilyNotFound",
    "ModelInterface",
    "ModelRequest",
    "TinyCheckpointUnavailable",
    "available_families",
    "create_model",
    "get_model_class",
]
