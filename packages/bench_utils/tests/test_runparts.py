"""Unit tests of the runner's pure parts: run names, sampling, the predictions file."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from bench_utils.dataset import Item, sample_items
from bench_utils.predictions import PredictionsError, read_predictions, write_predictions
from bench_utils.runconfig import ModelConfig
from bench_utils.rundir import run_dir_name

NOW = datetime(2025, 3, 4, 5, 6, 7)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Qwen/Qwen2.5-VL-3B-Instruct", "Qwen2.5-VL-3B-Instruct_cls_20250304-050607"),
        ("/models/Qwen2.5-VL-7B-Instruct/", "Qwen2.5-VL-7B-Instruct_cls_20250304-050607"),
        ("org/model v2 (ft)", "model_v2_ft_cls_20250304-050607"),
        ("tiny", "Qwen2.5-VL-tiny_cls_20250304-050607"),
    ],
)
def test_run_dir_name_keeps_the_full_model_name(name: str, expected: str) -> None:
    assert run_dir_name(ModelConfig("Qwen2.5-VL", name), Path("prompts/cls.txt"), NOW) == expected


def make_items(count: int) -> list[Item]:
    return [
        Item("a", "s", f"a/images/s/{i:02d}.png", (Path(f"{i:02d}.png"),), False)
        for i in range(count)
    ]


def test_sampling_is_reproducible_and_sorted() -> None:
    items = make_items(20)
    first = sample_items(items, 5, seed=1, subset="s")
    assert first == sample_items(items, 5, seed=1, subset="s")
    assert first != sample_items(items, 5, seed=2, subset="s")
    assert [i.path for i in first] == sorted(i.path for i in first)
    assert sample_items(items, None, seed=1, subset="s") == items
    assert sample_items(items, 50, seed=1, subset="s") == items


def test_a_torn_last_line_is_dropped(tmp_path: Path) -> None:
    path = tmp_path / "predictions.jsonl"
    records = [{"task": "t", "subset": "s", "item": f"i{n}", "answer": "ü"} for n in range(3)]
    write_predictions(path, records)
    with path.open("a", encoding="utf-8") as fh:
        fh.write('{"task": "t", "subset"')
    read = read_predictions(path)
    assert list(read) == [("t", "s", "i0"), ("t", "s", "i1"), ("t", "s", "i2")]
    assert read[("t", "s", "i0")]["answer"] == "ü"
    assert read_predictions(tmp_path / "absent.jsonl") == {}


def test_a_record_without_its_key_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "predictions.jsonl"
    path.write_text('{"task": "t", "item": "x"}\n')
    with pytest.raises(PredictionsError, match="line 1 of"):
        read_predictions(path)
