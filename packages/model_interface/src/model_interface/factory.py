"""Find model families through the ``vlmhyperbench.models`` entry-point group."""

from __future__ import annotations

from importlib.metadata import EntryPoint, entry_points
from typing import Any

from model_interface.base import ModelError, ModelInterface

ENTRY_POINT_GROUP = "vlmhyperbench.models"


class ModelFamilyNotFound(ModelError, LookupError):
    """No installed package registers the requested family."""


def available_families() -> dict[str, EntryPoint]:
    """Installed families by name (the entry point's name)."""
    return {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}


def get_model_class(family: str) -> type[ModelInterface]:
    """The class registered for ``family``; a clear error lists what is installed."""
    families = available_families()
    entry = families.get(family)
    if entry is None:
        installed = ", ".join(sorted(families)) or "none"
        raise ModelFamilyNotFound(
            f"no model family {family!r} is installed (installed families: {installed}); "
            f"install the package that registers it in the {ENTRY_POINT_GROUP!r} entry-point group"
        )
    try:
        loaded = entry.load()
    except ImportError as exc:
        raise ModelError(
            f"model family {family!r} is registered by {entry.value!r} "
            f"but cannot be imported: {exc}"
        ) from exc
    if not (isinstance(loaded, type) and issubclass(loaded, ModelInterface)):
        raise ModelError(f"entry point {family!r} ({entry.value}) is not a ModelInterface subclass")
    return loaded


def create_model(family: str, model_name: str, **params: Any) -> ModelInterface:
    """Instantiate the family's model for ``model_name`` (a hub id or a local path)."""
    return get_model_class(family)(model_name, **params)
