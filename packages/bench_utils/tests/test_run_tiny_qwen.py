"""`vlmhb run` with the tiny random Qwen2.5-VL, for every example config (plumbing check).

Place at packages/bench_utils/tests/test_run_tiny_qwen.py (ROOT below assumes it).
Needs the model-qwen2-5-vl package installed in the workspace. The tiny model's
answers are random text, so the check is that every file is written and the
overall metrics equal the ones recomputed here from predictions.jsonl.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from statistics import fmean
from typing import Any

import pytest
from bench_utils.answers import parse_class_index, parse_json_object, parse_page_order
from bench_utils.cli import main
from bench_utils.demo_data import CLASSES, DemoSpec, make_demo_data
from bench_utils.metrics import anls, cer, classification_report, exact_match, score_ordering
from bench_utils.runner import QUIET_HF
from model_interface import get_model_class

ROOT = Path(__file__).resolve().parents[3]
COMMON = {"run.json", "predictions.jsonl", "metrics.json", "metrics.csv", "report.md"}
FILES = {
    "classification": COMMON
    | {
        "per_class_report.json",
        "per_class_report.csv",
        "confusion_matrix.json",
        "confusion_matrix.csv",
        "report.html",
        "confusion_matrix.png",
        "per_class_accuracy.png",
    },
    "page_ordering": COMMON | {"report.html", "accuracy_by_position.png", "kendall_tau.png"},
    "vqa": COMMON
    | {"vqa_breakdown.json", "vqa_breakdown.csv", "report.html", "anls_by_question_type.png"},
    "extraction": COMMON
    | {
        "extraction_fields.json",
        "extraction_fields.csv",
        "report.html",
        "field_f1.png",
        "field_cer.png",
    },
}
# demo items per task with DemoSpec(1, 1, vqa_documents_per_class=2, forms_per_class=1):
# classification 3 subsets x 3 classes x 2; page ordering 3 x 3 x 1; VQA 2 splits x
# (4 + 3 + 3 questions) x 2 documents; extraction 3 forms
COUNTS = {"classification": 18, "page_ordering": 9, "vqa": 40, "extraction": 3}


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
    if task == "vqa":
        return {
            "questions": len(predictions),
            "anls": fmean(anls(str(p["answer"]).strip(), str(p["truth"])) for p in predictions),
            "exact_match": fmean(
                exact_match(str(p["answer"]).strip(), str(p["truth"])) for p in predictions
            ),
            "cer": fmean(cer(str(p["answer"]).strip(), str(p["truth"])) for p in predictions),
        }
    if task == "extraction":
        return {
            "documents": len(predictions),
            "unparsable": sum(parse_json_object(str(p["answer"])) is None for p in predictions),
            # passport 4 fields, inn 1, snils 1
            "fields": 6,
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
@pytest.mark.parametrize("task", ["classification", "page_ordering", "vqa", "extraction"])
def test_tiny_qwen_runs_the_example_config(
    task: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    for name in QUIET_HF:  # the defaults: unset (the original state is restored afterwards)
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    assert get_model_class("Qwen2.5-VL").supports_tiny_checkpoint()
    dataset = tmp_path / "data"
    make_demo_data(
        dataset,
        DemoSpec(
            images_per_class=1, documents_per_class=1, vqa_documents_per_class=2, forms_per_class=1
        ),
    )
    from model_qwen2_5_vl.model import Qwen2_5_VL  # noqa: PLC0415 - only with the model extra

    rendered: list[str] = []  # every chat the model renders, to see the system prompt in it
    original = Qwen2_5_VL._render

    def spy(self: Any, messages: list[dict[str, Any]]) -> str:
        rendered.append(original(self, messages))
        return rendered[-1]

    monkeypatch.setattr(Qwen2_5_VL, "_render", spy)
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
    assert len(predictions) == COUNTS[task]
    assert all(isinstance(p["answer"], str) for p in predictions)
    overall = json.loads((run_dir / "metrics.json").read_text())["overall"]
    expected = recompute_overall(task, predictions)
    for key, value in expected.items():
        assert overall[key] == pytest.approx(value), key
    report = (run_dir / "report.md").read_text()
    assert "## Metrics" in report
    # Hugging Face's own bars ("Loading weights", "Writing model shards") stay quiet
    out, err = capfd.readouterr()
    assert "it/s]" not in out + err
    assert "Loading weights" not in out + err
    bars = re.findall(rf"^{task} ━+ (\d+)/(\d+)", out, re.MULTILINE)
    assert bars == [(str(COUNTS[task]), str(COUNTS[task]))]  # the run's one rich bar
    assert "the model is the random tiny test checkpoint of the Qwen2.5-VL family" in report
    config_text = config.read_text()
    if "system_prompt" in config_text:
        system = (ROOT / "examples" / "prompts" / f"{task}_system.txt").read_text().strip()
        assert rendered and all(system in chat for chat in rendered)
        assert "System prompt:" in report
    if task == "vqa":
        # multi-page VQA items reach the model as several images
        assert any(p["item"].startswith("invoice_test_01") for p in predictions)
