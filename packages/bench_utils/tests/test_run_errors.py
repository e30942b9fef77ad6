"""Rejected input fails with exit 2 and one sentence on stderr, before any model runs."""

from __future__ import annotations

from pathlib import Path

import pytest
from bench_utils.cli import main
from bench_utils.demo_data import DemoSpec, make_demo_data

GOOD = """\
task = "classification"
prompt = "prompt.txt"
subsets = ["clean"]
[model]
family = "Scripted-VL"
name = "scripted"
[model.params]
task = "classification"
"""


VQA = """\
task = "vqa"
prompt = "prompt.txt"
[model]
family = "Scripted-VL"
name = "scripted"
[model.params]
task = "vqa"
"""
EXTRACTION = VQA.replace('"vqa"', '"extraction"')
FIELDS = '[fields.passport]\nnumber = "digits"\n[fields.inn]\nnumber = "digitz"\n[model]\n'


def run_config(
    tmp_path: Path, text: str, dataset: Path | None, prompt: str = "{classes}", *extra: str
) -> int:
    (tmp_path / "prompt.txt").write_text(prompt, encoding="utf-8")
    config = tmp_path / "run.toml"
    config.write_text(text, encoding="utf-8")
    argv = ["run", "--config", str(config)]
    if dataset is not None:
        argv += ["--dataset", str(dataset)]
    return main([*argv, *extra])


CASES = [
    ('task = "classification"\n[model\n', "{classes}", "is not valid TOML"),
    (
        GOOD.replace('task = "classification"\nprompt', "prompt"),
        "{classes}",
        "`task` is required",
    ),
    (
        GOOD.replace('"classification"\nprompt', '"ocr"\nprompt'),
        "{classes}",
        "`task` must be one of classification, page_ordering, vqa, extraction, not 'ocr'",
    ),
    ("batch_size = 0\n" + GOOD, "{classes}", "`batch_size` must be an integer >= 1, not 0"),
    ("sample_size = -3\n" + GOOD, "{classes}", "`sample_size` must be an integer >= 1"),
    ("batchsize = 4\n" + GOOD, "{classes}", "`batchsize` is not a known key"),
    (
        'subsets = "clean"\n' + GOOD.replace('subsets = ["clean"]\n', ""),
        "{classes}",
        "`subsets` must be a non-empty list of names",
    ),
    (
        GOOD.replace('subsets = ["clean"]', 'subsets = ["foggy"]'),
        "{classes}",
        "subset 'foggy' is not in the dataset",
    ),
    (
        GOOD.replace('subsets = ["clean"]', 'classes = ["memo"]'),
        "{classes}",
        "class 'memo' is not in the dataset",
    ),
    (GOOD.split("[model]", maxsplit=1)[0], "{classes}", "`model` must be a table"),
    (
        GOOD.replace('name = "scripted"', 'nmae = "scripted"'),
        "{classes}",
        "`model.nmae` is not a known key",
    ),
    (GOOD.replace('name = "scripted"\n', ""), "{classes}", "`model.name` is required"),
    (
        GOOD.replace("Scripted-VL", "Nope-VL"),
        "{classes}",
        "model family 'Nope-VL' is not installed (installed: ",
    ),
    (
        GOOD.replace(
            'family = "Scripted-VL"\nname = "scripted"', 'family = "Plain-VL"\nname = "tiny"'
        ),
        "{classes}",
        "model family 'Plain-VL' offers no tiny test checkpoint",
    ),
    (GOOD, "Classify this document.", "must contain the field {classes}"),
    (GOOD, "{classes} {language}", "uses the field {language}, which this task does not fill"),
    (
        GOOD.replace('task = "classification"', 'task = "page_ordering"'),
        "{classes}",
        "uses the field {classes}, which this task does not fill "
        "(it fills: {last_page}, {num_pages})",
    ),
    (
        GOOD.replace('prompt = "prompt.txt"', 'prompt = "missing.txt"'),
        "{classes}",
        "missing.txt does not exist",
    ),
    # vqa and extraction (the demo dataset has annotation.csv and extraction.jsonl)
    ('subsets = ["clean"]\n' + VQA, "{question}", "`subsets` does not apply to vqa"),
    (
        GOOD.replace("[model]\n", '[filter]\nsplit = ["test"]\n[model]\n'),
        "{classes}",
        "`filter` does not apply to classification",
    ),
    (
        VQA.replace("[model]\n", '[filter]\nquestion = ["x"]\n[model]\n'),
        "{question}",
        "`filter.question` is not a known key",
    ),
    (
        VQA.replace("[model]\n", '[filter]\nsplit = ["train"]\n[model]\n'),
        "{question}",
        "filter split = 'train' matches nothing in ",
    ),
    (VQA, "Answer the question.", "must contain the field {question}"),
    (VQA.replace("[model]\n", FIELDS), "{question}", "`fields` applies to the extraction task"),
    (EXTRACTION, "{fields}", "`fields` is required for extraction"),
    (
        EXTRACTION.replace("[model]\n", FIELDS),
        "{fields}",
        "`fields.inn.number` must name a normaliser (exact, spaces, lower, digits, date), "
        "not 'digitz'",
    ),
    (
        'system_prompt = "prompt.txt"\n' + VQA,
        "{question}",
        "has the field {question}; a system prompt is sent as written",
    ),
    (
        'system_prompt = "prompt.txt"\n' + VQA + 'system_prompt = "Be brief."\n',
        "{question}",
        "`model.params.system_prompt` and `system_prompt` are both set",
    ),
]


@pytest.mark.usefixtures("scripted_family", "wide_console")
@pytest.mark.parametrize("case", CASES)
def test_bad_config_fails_with_one_sentence(
    demo_dataset: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], case: tuple[str, ...]
) -> None:
    text, prompt, message = case
    assert run_config(tmp_path, text, demo_dataset, prompt) == 2
    err = capsys.readouterr().err
    assert message in err
    assert len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err
    assert not (tmp_path / "runs").exists()  # nothing was started


def test_dataset_is_required_somewhere(
    scripted_family: str, tmp_path: Path, wide_console: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_config(tmp_path, GOOD, None) == 2
    assert "`dataset` is required (or pass --dataset DIR)" in capsys.readouterr().err


def test_missing_and_malformed_datasets_are_one_sentence(
    scripted_family: str, tmp_path: Path, wide_console: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_config(tmp_path, GOOD, tmp_path / "nowhere") == 2
    assert "dataset directory" in capsys.readouterr().err
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run_config(tmp_path, GOOD, empty) == 2
    assert "has no <class>/images/<subset>/ directories" in capsys.readouterr().err


def test_page_ordering_needs_valid_ground_truth(
    scripted_family: str, tmp_path: Path, wide_console: None, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = tmp_path / "data" / "memo" / "images" / "clean" / "memo_1"
    doc.mkdir(parents=True)
    for page in ("0.png", "1.png"):
        (doc / page).write_bytes(b"not really a png")
    text = GOOD.replace('task = "classification"', 'task = "page_ordering"')
    assert run_config(tmp_path, text, tmp_path / "data", "{num_pages}") == 2
    assert "document memo/images/clean/memo_1 has no ground truth file" in capsys.readouterr().err
    (tmp_path / "data" / "memo" / "jsons").mkdir()
    (tmp_path / "data" / "memo" / "jsons" / "memo_1.json").write_text(
        '{"fields": {"memo": [0, 2]}}'
    )
    assert run_config(tmp_path, text, tmp_path / "data", "{num_pages}") == 2
    assert "with a permutation of 0..1" in capsys.readouterr().err


def test_resume_refuses_foreign_directories_and_changed_configs(
    scripted_family: str,
    demo_dataset: Path,
    tmp_path: Path,
    wide_console: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    text = f'output_dir = "{tmp_path / "runs"}"\nsample_size = 1\n' + GOOD
    assert run_config(tmp_path, text, demo_dataset, "{classes}", "--resume", str(tmp_path)) == 2
    assert "is not a vlmhb run directory" in capsys.readouterr().err
    assert run_config(tmp_path, text, demo_dataset) == 0
    (run_dir,) = list((tmp_path / "runs").iterdir())
    capsys.readouterr()
    changed = text.replace("sample_size = 1", "sample_size = 2")
    assert run_config(tmp_path, changed, demo_dataset, "{classes}", "--resume", str(run_dir)) == 2
    err = capsys.readouterr().err
    assert "was started with a different configuration (`config.sample_size` differs)" in err
    assert run_config(tmp_path, text, demo_dataset, "{classes}!", "--resume", str(run_dir)) == 2
    assert "(`prompt` differs)" in capsys.readouterr().err


def test_a_corrupt_predictions_line_is_not_dropped_silently(
    scripted_family: str,
    demo_dataset: Path,
    tmp_path: Path,
    wide_console: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    text = f'output_dir = "{tmp_path / "runs"}"\nsample_size = 2\n' + GOOD
    assert run_config(tmp_path, text, demo_dataset) == 0
    (run_dir,) = list((tmp_path / "runs").iterdir())
    predictions = run_dir / "predictions.jsonl"
    lines = predictions.read_text().splitlines()
    predictions.write_text("\n".join(["garbage", *lines]) + "\n")
    assert run_config(tmp_path, text, demo_dataset, "{classes}", "--resume", str(run_dir)) == 2
    assert "line 1 of" in capsys.readouterr().err
    assert predictions.read_text().startswith("garbage\n")  # left as it was


def test_resume_refuses_when_the_dataset_lost_predicted_items(
    scripted_family: str, tmp_path: Path, wide_console: None, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    make_demo_data(data, DemoSpec(images_per_class=2, documents_per_class=0))
    text = f'output_dir = "{tmp_path / "runs"}"\n' + GOOD
    assert run_config(tmp_path, text, data) == 0
    (run_dir,) = list((tmp_path / "runs").iterdir())
    before = (run_dir / "predictions.jsonl").read_bytes()
    (data / "letter/images/clean/letter_clean_001.png").unlink()
    assert run_config(tmp_path, text, data, "{classes}", "--resume", str(run_dir)) == 2
    err = capsys.readouterr().err
    assert "holds 1 answer(s) for items this run does not have" in err
    assert "letter/images/clean/letter_clean_001.png" in err
    assert (run_dir / "predictions.jsonl").read_bytes() == before


def test_a_model_error_keeps_the_answers_so_far_and_says_how_to_resume(
    scripted_family: str,
    demo_dataset: Path,
    tmp_path: Path,
    wide_console: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    failing = (
        f'output_dir = "{tmp_path / "runs"}"\nbatch_size = 1\n'
        + GOOD
        + 'fail_on = ["letter/images/clean/letter_clean_000.png"]\n'
    )
    assert run_config(tmp_path, failing, demo_dataset) == 1
    captured = capsys.readouterr()
    assert "the scripted model refuses letter/images/clean/letter_clean_000.png" in captured.err
    assert "stopped by an error; 6 answers are in" in captured.out  # the 6 invoice items
    assert "--resume" in captured.out
    (run_dir,) = list((tmp_path / "runs").iterdir())
    assert len((run_dir / "predictions.jsonl").read_text().splitlines()) == 6
