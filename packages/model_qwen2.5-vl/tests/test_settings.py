"""The pure core: parameter validation, hardware choices, batch planning (no torch)."""

from __future__ import annotations

import pytest
from model_interface import ModelError
from model_qwen2_5_vl.batching import plan_batches
from model_qwen2_5_vl.settings import (
    QwenSettings,
    choose_attention,
    choose_device,
    choose_dtype,
)


def test_defaults_are_greedy_and_bounded() -> None:
    settings = QwenSettings.from_params({})
    assert settings.do_sample is False
    assert settings.max_new_tokens == 512
    assert settings.system_prompt is None


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"max_new_token": 5}, "unknown Qwen2.5-VL parameter"),
        ({"max_new_tokens": 0}, "max_new_tokens must be a positive integer"),
        ({"batch_size": True}, "batch_size must be a positive integer"),
        ({"max_new_tokens": 4, "min_new_tokens": 5}, "min_new_tokens"),
        ({"dtype": "fp8"}, "dtype 'fp8' is not one of"),
        ({"attn_implementation": "flash"}, "attn_implementation 'flash'"),
        ({"min_pixels": 2000, "max_pixels": 1000}, "larger than max_pixels"),
        ({"max_pixels": -1}, "max_pixels must be a positive integer"),
    ],
)
def test_bad_parameters_are_one_sentence(params: dict[str, object], message: str) -> None:
    with pytest.raises(ModelError, match=message) as info:
        QwenSettings.from_params(params)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("requested", "cuda", "expected"),
    [
        (None, True, "cuda"),
        (None, False, "cpu"),
        ("auto", True, "cuda"),
        ("cpu", True, "cpu"),
        ("cuda:1", True, "cuda:1"),
    ],
)
def test_device_follows_the_hardware(requested: str | None, cuda: bool, expected: str) -> None:
    assert choose_device(requested, cuda) == expected


def test_cuda_without_a_gpu_is_a_clear_error() -> None:
    with pytest.raises(ModelError, match="torch sees no CUDA device"):
        choose_device("cuda", cuda_available=False)


@pytest.mark.parametrize(
    ("requested", "device", "expected"),
    [
        ("auto", "cuda", "bfloat16"),
        ("auto", "cuda:0", "bfloat16"),
        ("auto", "cpu", "float32"),
        ("float16", "cuda", "float16"),
    ],
)
def test_dtype_follows_the_device(requested: str, device: str, expected: str) -> None:
    assert choose_dtype(requested, device) == expected


@pytest.mark.parametrize(
    ("requested", "device", "flash", "expected"),
    [
        (None, "cuda", True, "flash_attention_2"),
        (None, "cuda", False, "sdpa"),
        (None, "cpu", True, "sdpa"),
        ("eager", "cuda", True, "eager"),
    ],
)
def test_attention_prefers_flash_attn_on_cuda(
    requested: str | None, device: str, flash: bool, expected: str
) -> None:
    assert choose_attention(requested, device, flash) == expected


def test_flash_attention_demanded_without_flash_attn_is_refused() -> None:
    with pytest.raises(ModelError, match="needs the flash-attn package"):
        choose_attention("flash_attention_2", "cuda", flash_attn_importable=False)


@pytest.mark.parametrize(
    ("costs", "batch_size", "budget", "expected"),
    [
        ([10, 10, 10], 8, 1000, [[0, 1, 2]]),
        ([10, 10, 10], 2, 1000, [[0, 1], [2]]),
        # Padded slots (count x longest) stay within the budget.
        ([10, 40, 20, 30], 8, 80, [[1, 3], [2, 0]]),
        # A request bigger than the budget still runs, alone.
        ([500, 10], 8, 100, [[0], [1]]),
        ([], 4, 100, []),
    ],
)
def test_plan_batches(
    costs: list[int], batch_size: int, budget: int, expected: list[list[int]]
) -> None:
    assert plan_batches(costs, batch_size, budget) == expected


def test_plan_batches_covers_every_request_once() -> None:
    costs = [(i * 37) % 101 + 1 for i in range(50)]
    batches = plan_batches(costs, batch_size=4, max_batch_tokens=200)
    assert sorted(i for b in batches for i in b) == list(range(50))
    for batch in batches:
        assert len(batch) <= 4
        assert len(batch) == 1 or len(batch) * max(costs[i] for i in batch) <= 200
