from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from model_interface import (
    ENTRY_POINT_GROUP,
    ImageInput,
    ModelError,
    ModelFamilyNotFound,
    ModelInterface,
    ModelRequest,
    TinyCheckpointUnavailable,
    available_families,
    create_model,
)


class Echo(ModelInterface):
    family = "Echo"

    def predict_on_images(self, images: Sequence[ImageInput], prompt: str) -> str:
        return f"{len(images)}:{prompt}"


def test_single_image_and_default_batch_go_through_predict_on_images() -> None:
    model = Echo("echo-1")
    assert model.predict_on_image("a.png", "hi") == "1:hi"
    requests = [ModelRequest(("a.png", "b.png"), "x"), ModelRequest(("c.png",), "y")]
    assert model.predict_batch(requests) == ["2:x", "1:y"]


def test_request_needs_an_image() -> None:
    with pytest.raises(ValueError, match="at least one image"):
        ModelRequest((), "p")


def test_tiny_checkpoint_hook_is_optional(tmp_path: Path) -> None:
    assert not Echo.supports_tiny_checkpoint()
    with pytest.raises(TinyCheckpointUnavailable, match="'Echo' offers no tiny"):
        Echo.build_tiny_checkpoint(tmp_path)

    class Tiny(Echo):
        @classmethod
        def build_tiny_checkpoint(cls, directory: Path) -> Path:
            return directory

    assert Tiny.supports_tiny_checkpoint()


def test_abstract_method_must_be_implemented() -> None:
    with pytest.raises(TypeError):
        ModelInterface("x")  # type: ignore[abstract]


@pytest.fixture
def registered_family(tmp_path: Path) -> Iterator[str]:
    """Install a real distribution (dist-info with entry points) on sys.path."""
    (tmp_path / "fake_family_mod.py").write_text(
        textwrap.dedent(
            """
            from model_interface import ModelInterface

            class Fake(ModelInterface):
                family = "Fake-VL"

                def predict_on_images(self, images, prompt):
                    return self.model_name + "|" + prompt

            NotAModel = object
            """
        ),
        encoding="utf-8",
    )
    info = tmp_path / "fake_family-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: fake-family\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(
        f"[{ENTRY_POINT_GROUP}]\n"
        "Fake-VL = fake_family_mod:Fake\n"
        "Broken-VL = fake_family_missing_mod:Nope\n"
        "Wrong-VL = fake_family_mod:NotAModel\n"
    )
    sys.path.insert(0, str(tmp_path))
    try:
        yield "Fake-VL"
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("fake_family_mod", None)


def test_factory_discovers_families_through_entry_points(registered_family: str) -> None:
    assert registered_family in available_families()
    model = create_model(registered_family, "fake/model-7B")
    assert model.predict_on_image("p.png", "q") == "fake/model-7B|q"


def test_unknown_family_lists_installed_ones(registered_family: str) -> None:
    with pytest.raises(ModelFamilyNotFound, match=r"no model family 'Nope-VL'.*Fake-VL"):
        create_model("Nope-VL", "m")


def test_unimportable_and_wrong_entry_points_are_clear_errors(registered_family: str) -> None:
    with pytest.raises(ModelError, match="cannot be imported"):
        create_model("Broken-VL", "m")
    with pytest.raises(ModelError, match="is not a ModelInterface subclass"):
        create_model("Wrong-VL", "m")
