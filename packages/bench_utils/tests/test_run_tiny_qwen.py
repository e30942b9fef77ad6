"""`vlmhb run` with the tiny random Qwen2.5-VL, for both example configs (plumbing check).

Place at packages/bench_utils/tests/test_run_tiny_qwen.py (ROOT below assumes it).
Needs the model-qwen2-5-vl package installed in the workspace. The tiny model's
answers are random text, so the check is that every file is written and the
overall metrics equal the ones recomputed here from predictions.jsonl.
"""

from __future__ import annotations

import json
from pathlib import Path
from statistics import fmean

import pytest
from bench_utils.answers import parse_class_index, parse_page_order
from bench_utils.cli import main
from bench_utils.demo_data import CLASSES, DemoSpec, make_demo_data
from bench_utils.metrics import classification_report, score_ordering
from model_interface import get_model_class

ROOT = Path(__file__).resolve().parents[3]
FILES = {
    "classification": {
        "run.json",
        "predictions.jsonl",
        "metrics.json",
        "metrics.csv",
        "per_class_report.json",
        "per_class_report.csv",
        "confusion_matrix.json",
        "confusion_matrix.csv",
        "report.md",
    },
    "page_ordering": {"run.json", "predictions.jsonl", "metrics.json", "metrics.csv", "report.md"},
}


def recompute_overall(task: str, predictions: list[dict[str, object]]) -> dict[str, object]:
    """The overall metrics, from the raw answers, independently of the runner's scoring."""
    classes = sorted(CLASSES)
    if task == "classification":
        predicted = []
        for p in predictions:
            index = parse_class_index(str(p["answer"]), classes)
            predicted.append(classes[index] if index is not None else None)
        report = classification_report([p["label"] for p in predictions], predicted, classes)
        return {
            "items": len(predictions),
            "accuracy": report.accuracy,
            "macro_f1": report.macro_f1,
            "unparsed": predicted.count(None),
        }
    scores = []
    for p in predictions:
        truth = p["truth"]
        assert isinstance(truth, list)
        order = parse_page_order(str(p["answer"]), len(truth))
        scores.append(score_ordering(order, truth) if order is not None else None)
    return {
        "documents": len(predictions),
        "malformed": scores.count(None),
        "kendall_tau": fmean(s.kendall_tau if s else 0.0 for s in scores),
        "position_accuracy": fmean(s.position_accuracy if s else 0.0 for s in scores),
    }


@pytest.mark.model
@pytest.mark.parametrize("task", ["classification", "page_ordering"])
def test_tiny_qwen_runs_the_example_config(
    task: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    assert get_model_class("Qwen2.5-VL").supports_tiny_checkpoint()
    dataset = tmp_path / "data"
    make_demo_data(dataset, DemoSpec(images_per_class=1, documents_per_class=1))
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)  # the example writes under runs/ relative to the working directory

    config = ROOT / "examples" / f"{task}.toml"
    assert main(["run", "--config", str(config), "--dataset", str(dataset)]) == 0

    (run_dir,) = list((work / "runs").iterdir())
    assert run_dir.name.startswith(f"Qwen2.5-VL-tiny_{task}_")
    assert FILES[task] <= {p.name for p in run_dir.iterdir()}
    assert (run_dir / "tiny-model.path").is_file()
    predictions = [
        json.loads(line) for line in (run_dir / "predictions.jsonl").read_text().splitlines()
    ]
    # all 3 subsets x 3 classes: 2 items each to classify, 1 document each to order
    assert len(predictions) == (18 if task == "classification" else 9)
    assert all(isinstance(p["answer"], str) for p in predictions)
    overall = json.loads((run_dir / "metrics.json").read_text())["overall"]
    expected = recompute_overall(task, predictions)
    for key, value in expected.items():
        assert overall[key] == pytest.approx(value), key
    assert "## Metrics" in (run_dir / "report.md").read_text()
