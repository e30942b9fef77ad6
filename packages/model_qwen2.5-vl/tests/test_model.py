"""The real Qwen2.5-VL code path on the tiny random checkpoint, on the CPU."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from model_interface import (
    ModelError,
    ModelInterface,
    ModelRequest,
    available_families,
    create_model,
    get_model_class,
)

pytestmark = pytest.mark.model

torch = pytest.importorskip("torch", reason="the model tests need torch (dev workspace)")
Image = pytest.importorskip("PIL.Image")

from model_qwen2_5_vl import Generation, Qwen2_5_VL  # noqa: E402 - after the torch guard


def _image(width: int, height: int, shade: int) -> Any:
    image = Image.new("RGB", (width, height), (shade, 255 - shade, (3 * shade) % 256))
    for x in range(0, width, 7):
        image.putpixel((x, x % height), (255, 255, 255))
    return image


@pytest.fixture(scope="module")
def model(tiny_checkpoint: Path) -> Qwen2_5_VL:
    loaded = create_model("Qwen2.5-VL", str(tiny_checkpoint), max_new_tokens=6, device="cpu")
    assert isinstance(loaded, Qwen2_5_VL)
    return loaded


def test_discovered_through_the_entry_point() -> None:
    assert available_families()["Qwen2.5-VL"].value == "model_qwen2_5_vl:Qwen2_5_VL"
    assert get_model_class("Qwen2.5-VL") is Qwen2_5_VL


def test_conforms_to_the_model_interface(model: Qwen2_5_VL, tmp_path: Path) -> None:
    assert isinstance(model, ModelInterface)
    assert Qwen2_5_VL.family == "Qwen2.5-VL"
    assert Qwen2_5_VL.supports_tiny_checkpoint()
    assert (model.device, model.dtype, model.attn_implementation) == ("cpu", "float32", "sdpa")
    path = tmp_path / "page.png"
    _image(120, 90, 40).save(path)
    assert isinstance(model.predict_on_image(path, "Describe the image."), str)
    assert isinstance(model.predict_on_images([str(path), _image(60, 200, 90)], "Read it."), str)
    requests = [ModelRequest((path,), "a"), ModelRequest((_image(64, 64, 7),), "b", key="k")]
    answers = model.predict_batch(requests)
    assert len(answers) == 2
    assert all(isinstance(a, str) for a in answers)


def test_tiny_checkpoint_is_a_complete_hub_style_checkpoint(tiny_checkpoint: Path) -> None:
    names = {p.name for p in tiny_checkpoint.iterdir()}
    assert {"config.json", "model.safetensors", "generation_config.json"} <= names
    assert {"tokenizer.json", "processor_config.json", "chat_template.jinja"} <= names
    assert (tiny_checkpoint / "model.safetensors").stat().st_size < 2_000_000


def test_the_system_prompt_is_sent(tiny_checkpoint: Path) -> None:
    with_prompt = Qwen2_5_VL(str(tiny_checkpoint), system_prompt="Answer in Latvian only.")
    chat = with_prompt.render_chat([_image(64, 64, 1)], "What is this?")
    assert chat.startswith("<|im_start|>system\nAnswer in Latvian only.<|im_end|>\n")
    assert "<|vision_start|><|image_pad|><|vision_end|>What is this?<|im_end|>" in chat
    assert chat.endswith("<|im_start|>assistant\n")
    # Without one, the checkpoint's template supplies its default system turn.
    plain = Qwen2_5_VL(str(tiny_checkpoint)).render_chat([_image(64, 64, 1)], "Hi")
    assert plain.startswith("<|im_start|>system\nYou are a helpful assistant.<|im_end|>")


def test_min_new_tokens_forces_the_token_count(tiny_checkpoint: Path) -> None:
    forced = Qwen2_5_VL(str(tiny_checkpoint), max_new_tokens=5, min_new_tokens=5)
    generations = forced.generate([ModelRequest((_image(80, 80, s),), "x" * s) for s in (1, 9)])
    assert [len(g.token_ids) for g in generations] == [5, 5]


def _margin(logits: Any) -> float:
    top = torch.topk(logits, 2).values
    return float(top[0] - top[1])


def _assert_same_where_decisive(single: Generation, batched: Generation) -> int:
    """Tokens agree until the first step whose top-2 margin is too thin to decide; returns
    the number of decisive steps compared."""
    compared = 0
    for step, (a, b) in enumerate(zip(single.token_ids, batched.token_ids, strict=False)):
        if _margin(single.step_logits[step]) <= 1e-3:
            break  # near-tie: padding noise may pick either; later steps differ in context
        assert a == b, f"step {step}: {a} != {b} with a decisive margin"
        compared += 1
    return compared


def test_batched_matches_one_by_one(tiny_checkpoint: Path) -> None:
    model = Qwen2_5_VL(str(tiny_checkpoint), max_new_tokens=6, batch_size=8)
    requests = [
        ModelRequest((_image(200, 120, 10),), "Describe the image."),
        ModelRequest((_image(56, 56, 90), _image(90, 150, 30)), "Two pages: what is written?"),
        ModelRequest((_image(100, 100, 200),), "Classify the document: passport, invoice, form."),
        ModelRequest((_image(300, 60, 250),), "Hi"),
    ]
    batched = model.generate(requests, keep_logits=True)
    singles = [model.generate([r], keep_logits=True)[0] for r in requests]
    decisive = 0
    for single, together in zip(singles, batched, strict=True):
        assert torch.allclose(single.step_logits[0], together.step_logits[0], atol=1e-4, rtol=1e-4)
        decisive += _assert_same_where_decisive(single, together)
    assert decisive > 0, "no decisive step at all: the comparison checked nothing"


def test_small_batches_keep_request_order(tiny_checkpoint: Path) -> None:
    requests = [ModelRequest((_image(40 + 30 * i, 80, 20 * i),), f"q{i} " * i) for i in range(5)]
    single = Qwen2_5_VL(str(tiny_checkpoint), max_new_tokens=2)
    expected = [single.generate([r], keep_logits=True)[0].step_logits[0] for r in requests]
    # The requests differ, so their first-step logits tell them apart.
    assert not torch.allclose(expected[0], expected[4], atol=1e-4)
    for batch_size in (2, 3, 8):
        model = Qwen2_5_VL(str(tiny_checkpoint), max_new_tokens=2, batch_size=batch_size)
        got = [g.step_logits[0] for g in model.generate(requests, keep_logits=True)]
        for index, (a, b) in enumerate(zip(expected, got, strict=True)):
            assert torch.allclose(a, b, atol=1e-4, rtol=1e-4), (batch_size, index)


def test_deleted_weights_fail_with_one_sentence(tiny_checkpoint: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(tiny_checkpoint, broken)
    (broken / "model.safetensors").unlink()
    with pytest.raises(ModelError) as info:
        Qwen2_5_VL(str(broken))
    message = str(info.value)
    assert message.startswith(f"cannot load Qwen2.5-VL from local directory {broken}")
    assert "\n" not in message


def test_missing_directory_fails_with_one_sentence(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="does not exist"):
        Qwen2_5_VL(str(tmp_path / "nowhere"))


def test_hub_id_absent_offline_fails_with_one_sentence(tmp_path: Path) -> None:
    """A hub id with an empty cache under HF_HUB_OFFLINE=1: no download, one sentence."""
    code = (
        "from model_interface import ModelError, create_model\n"
        "try:\n"
        "    create_model('Qwen2.5-VL', 'Qwen/Qwen2.5-VL-3B-Instruct',\n"
        f"                 cache_dir={str(tmp_path)!r})\n"
        "except ModelError as exc:\n"
        "    print(exc)\n"
    )
    # Like tests.support.sandbox.clean_env (not importable from a package's tests alone).
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "RUNNER_"))}
    env.update({"HF_HUB_OFFLINE": "1", "HF_HOME": str(tmp_path / "hf")})
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    message = done.stdout.strip()
    assert message.startswith("cannot load Qwen2.5-VL from 'Qwen/Qwen2.5-VL-3B-Instruct'")
    assert "HF_HUB_OFFLINE is set" in message
    assert "\n" not in message


def test_missing_torch_is_a_clear_error(
    tiny_checkpoint: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "torch", None)
    with pytest.raises(ModelError, match=r"Qwen2\.5-VL needs torch, which cannot be imported"):
        Qwen2_5_VL(str(tiny_checkpoint))


def test_unavailable_device_is_a_clear_error(
    tiny_checkpoint: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(ModelError, match="device 'cuda' was requested but torch sees no CUDA"):
        Qwen2_5_VL(str(tiny_checkpoint), device="cuda")


def test_unreadable_image_is_a_clear_error(model: Qwen2_5_VL, tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="cannot read an image of request 'r1'"):
        model.predict_batch([ModelRequest((tmp_path / "missing.png",), "p", key="r1")])
