"""`vlmhb run` end to end with the scripted family on the demo dataset.

Expected metrics are worked out by hand from the scripted mistakes (see each test).
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from bench_utils.cli import main

WRONG_CLS = [
    "invoice/images/clean/invoice_clean_000.png",
    "receipt/images/noisy/receipt_noisy_doc01",
]
GARBLED_CLS = ["letter/images/noisy/letter_noisy_002.png"]
OUT_OF_RANGE_CLS = ["letter/images/clean/letter_clean_doc00"]


def test_classification_metrics_match_hand_computed_values(
    scripted_family: str,
    write_config: Callable[..., Path],
    only_run_dir: Callable[[Path], Path],
    demo_dataset: Path,
    tmp_path: Path,
) -> None:
    log = tmp_path / "batches.log"
    config = write_config(
        tmp_path,
        "classification",
        "Which class? {classes}\nAnswer with the index.",
        {
            "task": "classification",
            "wrong": WRONG_CLS,
            "garbled": GARBLED_CLS,
            "out_of_range": OUT_OF_RANGE_CLS,
            "log": str(log),
        },
        subsets=["clean", "noisy"],
        batch_size=5,
        output_dir=str(tmp_path / "runs"),
    )
    assert main(["run", "--config", str(config), "--dataset", str(demo_dataset)]) == 0
    run_dir = only_run_dir(tmp_path / "runs")
    # 2 subsets x 3 classes x (4 images + 2 documents) = 36 items, in batches of 5
    assert log.read_text().split() == ["5"] * 7 + ["1"]

    metrics = json.loads((run_dir / "metrics.json").read_text())
    overall = metrics["overall"]
    # invoice: 12 true, 11 right, predicted 12 times (one receipt doc answered invoice)
    #   P = 11/12, R = 11/12, F1 = 11/12
    # letter: 12 true, 10 right (one garbled, one out of range), predicted 11 times
    #   P = 10/11, R = 10/12, F1 = 2*10/(11+12) = 20/23
    # receipt: 12 true, 11 right, predicted 11 times: P = 1, R = 11/12, F1 = 22/23
    assert overall["items"] == 36
    assert overall["accuracy"] == pytest.approx(32 / 36)
    assert overall["macro_f1"] == pytest.approx((11 / 12 + 20 / 23 + 22 / 23) / 3)
    assert overall["macro_precision"] == pytest.approx((11 / 12 + 10 / 11 + 1) / 3)
    assert overall["unparsed"] == 2
    # clean only: invoice 5 of 6 right, predicted 5 times: P = 1, R = 5/6, F1 = 10/11;
    # letter 5 of 6 right, predicted 6 times: F1 = 5/6; receipt all 6 right: F1 = 1
    clean = metrics["subsets"]["clean"]
    assert clean["accuracy"] == pytest.approx(16 / 18)
    assert clean["macro_f1"] == pytest.approx((10 / 11 + 5 / 6 + 1) / 3)
    assert clean["unparsed"] == 1
    assert list(metrics["subsets"]) == ["clean", "noisy"]

    confusion = json.loads((run_dir / "confusion_matrix.json").read_text())["overall"]
    assert confusion["rows"] == ["invoice", "letter", "receipt"]
    assert confusion["columns"] == ["invoice", "letter", "receipt", None]
    assert confusion["matrix"] == [[11, 1, 0, 0], [0, 10, 0, 2], [1, 0, 11, 0]]
    per_class = json.loads((run_dir / "per_class_report.json").read_text())["scopes"]["overall"]
    assert per_class["macro_classes"] == ["invoice", "letter", "receipt"]
    assert per_class["per_class"][-1] == {
        "label": None,
        "precision": 0.0,
        "recall": 0.0,
        "f1": 0.0,
        "support": 0,
    }
    assert "overall,letter,None,2" in (run_dir / "confusion_matrix.csv").read_text()

    predictions = [
        json.loads(line) for line in (run_dir / "predictions.jsonl").read_text().splitlines()
    ]
    assert len(predictions) == 36
    garbled = next(p for p in predictions if p["item"] == GARBLED_CLS[0])
    assert garbled["predicted"] is None
    assert garbled["answer"] == "I cannot read this document, sorry."
    document = next(p for p in predictions if p["item"] == WRONG_CLS[1])
    assert (document["label"], document["predicted"]) == ("receipt", "invoice")

    report = (run_dir / "report.md").read_text()
    assert "2 of 36 answers were unparsable" in report
    assert "excluded from the class list of the macro averages" in report
    assert "Which class? 0: invoice, 1: letter, 2: receipt\nAnswer" in report  # as sent
    assert "Which class? {classes}" in report
    assert "### overall" in report
    assert "random tiny" not in report  # a real (here: scripted) model gets no such note
    assert "![Confusion matrix (all subsets)](confusion_matrix.png)" in report
    assert {p.name for p in run_dir.iterdir()} == {
        "run.json",
        "predictions.jsonl",
        "metrics.json",
        "metrics.csv",
        "per_class_report.json",
        "per_class_report.csv",
        "confusion_matrix.json",
        "confusion_matrix.csv",
        "report.md",
        "report.html",
        "confusion_matrix.png",
        "per_class_accuracy.png",
    }


def test_page_ordering_metrics_match_hand_computed_values(
    scripted_family: str,
    write_config: Callable[..., Path],
    only_run_dir: Callable[[Path], Path],
    demo_dataset: Path,
    tmp_path: Path,
) -> None:
    config = write_config(
        tmp_path,
        "page_ordering",
        "Order these {num_pages} pages (0..{last_page}) as JSON.",
        {
            "task": "page_ordering",
            "wrong": ["invoice/images/clean/invoice_clean_doc00"],  # 3 pages, reversed
            "swap": ["letter/images/noisy/letter_noisy_doc01"],  # 4 pages, first two swapped
            "garbled": ["receipt/images/clean/receipt_clean_doc01"],
            "repeat": ["invoice/images/noisy/invoice_noisy_doc01"],  # not a permutation
            "plain": [
                "letter/images/clean/letter_clean_doc00",
                "receipt/images/noisy/receipt_noisy_doc00",
            ],
        },
        subsets=["clean", "noisy"],
        batch_size=3,
        output_dir=str(tmp_path / "runs"),
    )
    assert main(["run", "--config", str(config), "--dataset", str(demo_dataset)]) == 0
    run_dir = only_run_dir(tmp_path / "runs")
    overall = json.loads((run_dir / "metrics.json").read_text())["overall"]
    # 12 documents: 8 right (1, 1, 1), reversed 3 pages (-1, -1, 1/3), swapped 4 pages
    # (tau (5-1)/6 = 2/3, rho 1 - 6*2/(4*15) = 0.8, position 2/4), 2 malformed (0, 0, 0)
    assert overall["documents"] == 12
    assert overall["malformed"] == 2
    assert overall["kendall_tau"] == pytest.approx((8 - 1 + 2 / 3) / 12)
    assert overall["spearman_rho"] == pytest.approx((8 - 1 + 0.8) / 12)
    assert overall["position_accuracy"] == pytest.approx((8 + 1 / 3 + 1 / 2) / 12)
    assert overall["parsed_kendall_tau"] == pytest.approx((8 - 1 + 2 / 3) / 10)
    predictions = [
        json.loads(line) for line in (run_dir / "predictions.jsonl").read_text().splitlines()
    ]
    assert len(predictions) == 12
    assert all(p["item"].rsplit("/", 1)[-1].startswith(p["label"]) for p in predictions)
    plain = next(p for p in predictions if p["item"] == "letter/images/clean/letter_clean_doc00")
    assert plain["answer"].startswith("Reading order: ")
    assert plain["predicted"] == plain["truth"]
    report = (run_dir / "report.md").read_text()
    assert "2 of 12 answers were malformed." in report
    assert not (run_dir / "confusion_matrix.json").exists()
    assert {"accuracy_by_position.png", "kendall_tau.png", "report.html"} <= {
        p.name for p in run_dir.iterdir()
    }


def test_tiny_name_builds_the_family_checkpoint_once_per_run(
    scripted_family: str,
    write_config: Callable[..., Path],
    only_run_dir: Callable[[Path], Path],
    demo_dataset: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    wide_console: None,
) -> None:
    config = write_config(
        tmp_path,
        "classification",
        "{classes}",
        {"task": "classification"},
        subsets=["clean"],
        sample_size=2,
        seed=3,
        output_dir=str(tmp_path / "runs"),
    )
    config.write_text(config.read_text().replace('name = "scripted"', 'name = "tiny"'))
    assert main(["run", "--config", str(config), "--dataset", str(demo_dataset)]) == 0
    run_dir = only_run_dir(tmp_path / "runs")
    assert run_dir.name.startswith("Scripted-VL-tiny_prompt_")
    assert (run_dir / "tiny-model.path").read_text() == "tiny-model/scripted-tiny\n"
    assert (run_dir / "tiny-model" / "scripted-tiny" / "scripted.json").is_file()
    predictions = [
        json.loads(line) for line in (run_dir / "predictions.jsonl").read_text().splitlines()
    ]
    # sample_size is per subset: 2 of the 18 clean items, reproducibly chosen by the seed
    assert len(predictions) == 2
    assert all(p["predicted"] == p["label"] for p in predictions)
    # the report and the console say that the model is the random tiny one
    report = (run_dir / "report.md").read_text()
    assert "> **Note:** the model is the random tiny test checkpoint of the Scripted-VL" in report
    assert "the model is the random tiny test checkpoint" in (run_dir / "report.html").read_text()
    out = capsys.readouterr().out
    assert "WARN Note: the model is the random tiny test checkpoint of the Scripted-VL" in out
    assert "WARN these metrics come from the random tiny test model" in out


def test_resume_after_interruption_writes_identical_files(
    scripted_family: str,
    write_config: Callable[..., Path],
    only_run_dir: Callable[[Path], Path],
    demo_dataset: Path,
    tmp_path: Path,
) -> None:
    fuse, log = tmp_path / "fuse", tmp_path / "batches.log"
    config = write_config(
        tmp_path,
        "classification",
        textwrap.dedent("Classes: {classes}"),
        {
            "task": "classification",
            "wrong": WRONG_CLS,
            "garbled": GARBLED_CLS,
            "fuse": str(fuse),
            "interrupt_after": 10,
            "log": str(log),
        },
        batch_size=4,
        output_dir=str(tmp_path / "runs"),
    )
    argv = ["run", "--config", str(config), "--dataset", str(demo_dataset)]
    fuse.touch()
    assert main(argv) == 130  # interrupted at the start of the 4th batch
    run_dir = only_run_dir(tmp_path / "runs")
    assert len((run_dir / "predictions.jsonl").read_text().splitlines()) == 12
    with (run_dir / "predictions.jsonl").open("a") as fh:
        fh.write('{"task": "classification", "sub')  # a torn line from the interruption
    assert not (run_dir / "metrics.json").exists()
    log.write_text("")

    assert main([*argv, "--resume", str(run_dir)]) == 0
    # 3 subsets x 18 items = 54; only the 42 left were asked again
    assert sum(int(n) for n in log.read_text().split()) == 42

    assert main(argv) == 0  # an uninterrupted run of the same config
    (fresh,) = [p for p in (tmp_path / "runs").iterdir() if p != run_dir]
    names = sorted(p.name for p in fresh.iterdir())
    assert names == sorted(p.name for p in run_dir.iterdir())
    for name in names:
        assert (run_dir / name).read_bytes() == (fresh / name).read_bytes(), name


def test_resume_of_a_finished_run_asks_nothing_and_rewrites_the_same_files(
    scripted_family: str,
    write_config: Callable[..., Path],
    only_run_dir: Callable[[Path], Path],
    demo_dataset: Path,
    tmp_path: Path,
) -> None:
    log = tmp_path / "batches.log"
    config = write_config(
        tmp_path,
        "page_ordering",
        "{num_pages}",
        {"task": "page_ordering", "log": str(log)},
        batch_size=8,
        output_dir=str(tmp_path / "runs"),
    )
    argv = ["run", "--config", str(config), "--dataset", str(demo_dataset)]
    assert main(argv) == 0
    run_dir = only_run_dir(tmp_path / "runs")
    before = {p.name: p.read_bytes() for p in run_dir.iterdir()}
    log.write_text("")
    assert main([*argv, "--resume", str(run_dir)]) == 0
    assert log.read_text() == ""
    assert {p.name: p.read_bytes() for p in run_dir.iterdir()} == before
