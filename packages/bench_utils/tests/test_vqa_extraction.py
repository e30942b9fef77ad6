"""The vqa and extraction tasks end to end with the scripted family: hand-computed metrics.

The fixtures are small and written here byte by byte (a BOM, CRLF line ends, a
quoted semicolon, empty answer_bbox cells, Cyrillic, full-width digits, an empty
answer, unparsable JSON, extra and missing fields), so every expected value below
is worked out by hand in its comment.
"""

# ruff: noqa: RUF001 - Cyrillic letters in the fixtures are meant
from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import tomlkit
from bench_utils.annotations import read_vqa_annotations
from bench_utils.cli import main
from PIL import Image

VQA_CSV = (
    "\ufeffdata_index;split;image_path;question;answer;doc_class;question_type;answer_bbox\r\n"
    'q1;test;pages/inv.png;Who is the seller?;"ООО ""Ромашка""; Москва";invoice;name;'
    '"[10, 20, 30, 40]"\r\n'
    "q2;test;pages/inv.png;What is the total?;1250;invoice;amount;\r\n"
    "q3;test;pages/letter;Who signed the letter?;Иванов И.И.;letter;name;\r\n"
    "q4;val;pages/inv.png;What is the date?;2024-03-15;invoice;date;1,2,3,4\r\n"
    "q5;val;pages/letter;What is the subject?;Поставка;letter;text;\r\n"
    "q6;val;pages/inv.png;Invoice number?;INV-7;invoice;number;\r\n"
    "q7;test;pages/inv.png;How many items?;12;invoice;number;\r\n"
)
VQA_ANSWERS = {
    "q1": 'ооо "ромашка";  москва',  # same after lower-casing and folding: ANLS 1, EM 1, CER 0
    "q2": "1260",  # 1 edit in 4: NL 0.25 -> ANLS 0.75, EM 0, CER 0.25
    "q3": "",  # empty: NL 1 -> ANLS 0, EM 0, CER 1
    "q4": "2024-03-16",  # 1 edit in 10: ANLS 0.9, EM 0, CER 0.1
    "q5": "ПОСТАВКА",  # Cyrillic upper case: ANLS 1, EM 1, CER 0
    "q6": "No",  # "no" vs "inv-7": 4 edits in 5, NL 0.8 >= 0.5 -> ANLS 0, EM 0, CER 0.8
    "q7": "\uff11\uff12",  # full-width "12": NFKC makes it "12": ANLS 1, EM 1, CER 0
}
EXTRACTION_ROWS: list[dict[str, Any]] = [
    {
        "data_index": "e1",
        "split": "test",
        "image_path": "forms/passport.png",
        "doc_class": "passport",
        "fields": {
            "series": "45 12",
            "number": "345678",
            "issue_date": "15.03.2019",
            "issuer": "ОВД  Тверского района",
        },
    },
    {
        "data_index": "e2",
        "split": "test",
        "image_path": "forms/inn.png",
        "doc_class": "inn",
        "fields": {"number": "7707083893"},
    },
    {
        "data_index": "e3",
        "split": "val",
        "image_path": "forms/snils.png",
        "doc_class": "snils",
        "fields": {"number": "123-456-789 01"},
    },
    {
        "data_index": "e4",
        "split": "val",
        "image_path": "forms/passport.png",
        "doc_class": "passport",
        "fields": {"series": "4512", "number": "111222", "issue_date": None, "issuer": "УФМС"},
    },
    {
        "data_index": "e5",
        "split": "val",
        "image_path": "forms/inn.png",
        "doc_class": "inn",
        "fields": {"number": "500100732259"},
    },
]
EXTRACTION_ANSWERS = {
    # fenced, a trailing comma, an undeclared key: series, issue_date, issuer correct,
    # number wrong (1 edit in 6: CER 1/6)
    "e1": '```json\n{"series": "4512", "number": "345679", "issue_date": "2019-03-15", '
    '"issuer": "ОВД Тверского района", "name": "Test",}\n```',
    "e2": 'The INN is {"number": "7707 0838 93"} as requested.',  # embedded; digits: correct
    "e3": "I cannot read this form.",  # unparsable: the field is missing, CER 1
    # series empty (missing, CER 1), number correct, issue_date extra (no truth), issuer
    # null (missing, CER 1)
    "e4": '{"series": "", "number": "111222", "issue_date": "01.01.2020", "issuer": null}',
    "e5": '{"number": 500100732259}',  # a JSON number: "500100732259", correct
}
FIELDS = {
    "passport": {"series": "digits", "number": "digits", "issue_date": "date", "issuer": "spaces"},
    "inn": {"number": "digits"},
    "snils": {"number": "digits"},
}


def _page(path: Path, shade: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (32, 40), (shade, shade, shade)).save(path)


@pytest.fixture
def annotated_dataset(tmp_path: Path) -> Path:
    root = tmp_path / "data"
    _page(root / "pages" / "inv.png", 200)
    _page(root / "pages" / "letter" / "1.png", 180)
    _page(root / "pages" / "letter" / "2.png", 160)
    for name in ("passport", "inn", "snils"):
        _page(root / "forms" / f"{name}.png", 220)
    (root / "annotation.csv").write_bytes(VQA_CSV.encode("utf-8"))
    lines = [json.dumps(row, ensure_ascii=False) for row in EXTRACTION_ROWS]
    (root / "extraction.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def write_annotated_config(
    directory: Path, task: str, prompt: str, params: dict[str, Any], **top: Any
) -> Path:
    (directory / "prompt.txt").write_text(prompt, encoding="utf-8")
    (directory / "system.txt").write_text("You read Russian documents. Be brief.\n", "utf-8")
    data: dict[str, Any] = {
        "task": task,
        "prompt": "prompt.txt",
        "system_prompt": "system.txt",
        "output_dir": str(directory / "runs"),
        **top,
        "model": {"family": "Scripted-VL", "name": "scripted", "params": {"task": task, **params}},
    }
    config = directory / f"{task}.toml"
    config.write_text(tomlkit.dumps(data), encoding="utf-8")
    return config


def run_task(config: Path, dataset: Path) -> int:
    return main(["run", "--config", str(config), "--dataset", str(dataset)])


def read_lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_vqa_csv_edge_cases_are_read_exactly(annotated_dataset: Path) -> None:
    rows = {row.data_index: row for row in read_vqa_annotations(annotated_dataset)}
    assert list(rows) == ["q1", "q2", "q3", "q4", "q5", "q6", "q7"]  # BOM: "data_index" found
    assert rows["q1"].answer == 'ООО "Ромашка"; Москва'  # quoted, with ; and ""
    assert rows["q1"].answer_bbox == "[10, 20, 30, 40]"
    assert rows["q2"].answer_bbox == ""  # empty last cell before CRLF
    assert rows["q7"].answer_bbox == ""
    assert all("\r" not in value for row in rows.values() for value in vars(row).values())
    assert rows["q3"].image_path == "pages/letter"


def test_vqa_metrics_match_hand_computed_values(
    scripted_family: str,
    annotated_dataset: Path,
    tmp_path: Path,
    only_run_dir: Callable[[Path], Path],
) -> None:
    log = tmp_path / "prompts.jsonl"
    config = write_annotated_config(
        tmp_path,
        "vqa",
        "Question ({question_type}): {question}\nAnswer briefly.",
        {"answers": VQA_ANSWERS, "prompt_log": str(log)},
        batch_size=3,
    )
    assert run_task(config, annotated_dataset) == 0
    run_dir = only_run_dir(tmp_path / "runs")
    metrics = json.loads((run_dir / "metrics.json").read_text())
    overall = metrics["overall"]
    assert overall["questions"] == 7
    assert overall["anls"] == pytest.approx((1 + 0.75 + 0 + 0.9 + 1 + 0 + 1) / 7)
    assert overall["exact_match"] == pytest.approx(3 / 7)
    assert overall["cer"] == pytest.approx((0 + 0.25 + 1 + 0.1 + 0 + 0.8 + 0) / 7)
    assert overall["empty_answers"] == 1
    assert list(metrics["subsets"]) == ["test", "val"]  # one scope per split
    test, val = metrics["subsets"]["test"], metrics["subsets"]["val"]
    assert (test["questions"], val["questions"]) == (4, 3)
    assert test["anls"] == pytest.approx(2.75 / 4)  # q1, q2, q3, q7
    assert test["exact_match"] == pytest.approx(2 / 4)
    assert test["cer"] == pytest.approx(1.25 / 4)
    assert val["anls"] == pytest.approx(1.9 / 3)  # q4, q5, q6
    assert val["cer"] == pytest.approx(0.9 / 3)

    rows = {(r["group"], r["value"]): r for r in read_lines_json(run_dir / "vqa_breakdown.json")}
    assert rows["doc_class", "invoice"]["anls"] == pytest.approx(3.65 / 5)  # q1 q2 q4 q6 q7
    assert rows["doc_class", "invoice"]["exact_match"] == pytest.approx(2 / 5)
    assert rows["doc_class", "invoice"]["cer"] == pytest.approx(1.15 / 5)
    assert rows["doc_class", "letter"]["anls"] == pytest.approx(1 / 2)  # q3 q5
    assert rows["question_type", "name"]["anls"] == pytest.approx(0.5)  # q1 q3
    assert rows["question_type", "number"]["cer"] == pytest.approx(0.4)  # q6 q7
    assert rows["question_type", "amount"]["anls"] == pytest.approx(0.75)
    assert rows["question_type", "date"]["anls"] == pytest.approx(0.9)
    assert rows["question_type", "text"]["exact_match"] == 1.0
    assert "question_type,number," in (run_dir / "vqa_breakdown.csv").read_text()

    # the prompt is rendered by prompt-handler per item; the system prompt is sent as written
    seen = {entry["key"]: entry for entry in read_lines(log)}
    assert seen["q1"]["prompt"] == "Question (name): Who is the seller?\nAnswer briefly."
    assert seen["q3"]["pages"] == 2  # a directory of pages is one multi-page item
    assert {e["system_prompt"] for e in seen.values()} == {"You read Russian documents. Be brief."}
    report = (run_dir / "report.md").read_text()
    assert "System prompt:\n\n```text\nYou read Russian documents. Be brief.\n```" in report
    assert "1 of 7 answers were empty" in report
    assert {"anls_by_question_type.png", "report.html"} <= {p.name for p in run_dir.iterdir()}
    predictions = read_lines(run_dir / "predictions.jsonl")
    assert [p["item"] for p in predictions] == ["q1", "q2", "q3", "q7", "q4", "q5", "q6"]
    assert predictions[0]["truth"] == 'ООО "Ромашка"; Москва'


def read_lines_json(path: Path) -> list[dict[str, Any]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(data, list)
    return data


def test_vqa_filters_select_split_doc_class_and_question_type(
    scripted_family: str,
    annotated_dataset: Path,
    tmp_path: Path,
    only_run_dir: Callable[[Path], Path],
) -> None:
    config = write_annotated_config(
        tmp_path,
        "vqa",
        "{question}",
        {"answers": VQA_ANSWERS},
        filter={"split": ["val"], "question_type": ["date", "text"]},
    )
    assert run_task(config, annotated_dataset) == 0
    overall = json.loads((only_run_dir(tmp_path / "runs") / "metrics.json").read_text())["overall"]
    assert overall["questions"] == 2  # q4 and q5
    assert overall["anls"] == pytest.approx((0.9 + 1) / 2)


def test_vqa_filter_value_not_in_the_dataset_is_refused(
    scripted_family: str,
    annotated_dataset: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    config = write_annotated_config(
        tmp_path, "vqa", "{question}", {}, filter={"doc_class": ["passport"]}
    )
    assert run_task(config, annotated_dataset) == 2
    err = capsys.readouterr().err
    assert "filter doc_class = 'passport' matches nothing" in err
    assert "(it has: invoice, letter)" in err
    assert not (tmp_path / "runs").exists()


def test_extraction_metrics_match_hand_computed_values(
    scripted_family: str,
    annotated_dataset: Path,
    tmp_path: Path,
    only_run_dir: Callable[[Path], Path],
) -> None:
    log = tmp_path / "prompts.jsonl"
    config = write_annotated_config(
        tmp_path,
        "extraction",
        "Extract {fields} from this {doc_class} as JSON: {json_template}",
        {"answers": EXTRACTION_ANSWERS, "prompt_log": str(log)},
        fields=FIELDS,
    )
    assert run_task(config, annotated_dataset) == 0
    run_dir = only_run_dir(tmp_path / "runs")
    overall = json.loads((run_dir / "metrics.json").read_text())["overall"]
    # 11 field pairs: correct 3+1+0+1+1 = 6, wrong 1 (e1 number), missing 1+2 = 3 (e3; e4
    # series, issuer), extra 1 (e4 issue_date), undeclared 1 (e1 "name")
    assert overall["documents"] == 5
    assert overall["unparsable"] == 1
    assert overall["fields"] == 11
    assert (overall["correct"], overall["wrong"], overall["missing"]) == (6, 1, 3)
    assert (overall["extra"], overall["absent"], overall["undeclared"]) == (1, 0, 1)
    assert overall["precision"] == pytest.approx(6 / 9)  # 6 / (6 + 1 + 1 + 1)
    assert overall["recall"] == pytest.approx(6 / 10)  # 6 / (6 + 1 + 3)
    assert overall["f1"] == pytest.approx(12 / 19)  # 2 * (2/3) * 0.6 / (2/3 + 0.6)
    assert overall["exact_match"] == pytest.approx(6 / 11)  # e1: 3, e2: 1, e4: 1, e5: 1
    assert overall["document_exact_match"] == pytest.approx(2 / 5)  # e2, e5
    # CER over the 10 fields with a truth: 1/6 (e1 number) + 1 (e3) + 1 + 1 (e4), rest 0
    assert overall["cer"] == pytest.approx((1 / 6 + 3) / 10)
    # WER over the same 10 fields: a wrong one-word value is 1 word error, a missing one too
    assert overall["wer"] == pytest.approx(4 / 10)  # e1 number, e3, e4 series and issuer

    rows = {
        (r["doc_class"], r["field"]): r for r in read_lines_json(run_dir / "extraction_fields.json")
    }
    assert list(rows) == [
        ("passport", "series"),
        ("passport", "number"),
        ("passport", "issue_date"),
        ("passport", "issuer"),
        ("inn", "number"),
        ("snils", "number"),
    ]
    series = rows["passport", "series"]  # e1 correct, e4 missing
    assert (series["precision"], series["recall"], series["cer"]) == (1.0, 0.5, 0.5)
    assert series["f1"] == pytest.approx(2 / 3)
    number = rows["passport", "number"]  # e1 wrong, e4 correct
    assert (number["precision"], number["recall"], number["f1"]) == (0.5, 0.5, 0.5)
    assert number["cer"] == pytest.approx(1 / 12)
    assert number["wer"] == 0.5
    assert rows["passport", "issuer"]["wer"] == 0.5  # e1 right (3 words), e4 missing
    issue = rows["passport", "issue_date"]  # e1 correct, e4 extra
    assert (issue["precision"], issue["recall"], issue["cer"]) == (0.5, 1.0, 0.0)
    assert issue["exact_match"] == 0.5
    assert rows["inn", "number"]["f1"] == 1.0
    snils = rows["snils", "number"]  # unparsable: missing
    assert (snils["precision"], snils["recall"], snils["f1"], snils["cer"]) == (0.0, 0.0, 0.0, 1.0)

    predictions = {p["item"]: p for p in read_lines(run_dir / "predictions.jsonl")}
    assert predictions["e3"]["parsed"] is False
    assert predictions["e1"]["undeclared"] == ["name"]
    assert predictions["e1"]["fields"]["issuer"]["truth"] == "ОВД Тверского района"
    assert predictions["e1"]["fields"]["issue_date"]["truth"] == "2019-03-15"
    assert predictions["e3"]["fields"]["number"]["truth"] == "12345678901"
    seen = {entry["key"]: entry for entry in read_lines(log)}
    assert seen["e2"]["prompt"] == 'Extract number from this inn as JSON: {"number": ""}'
    assert seen["e1"]["prompt"].startswith("Extract series, number, issue_date, issuer from")
    assert seen["e1"]["system_prompt"] == "You read Russian documents. Be brief."
    report = (run_dir / "report.md").read_text()
    assert "1 of 5 answers held no JSON object" in report
    assert {"field_f1.png", "field_cer.png", "report.html"} <= {p.name for p in run_dir.iterdir()}


def test_extraction_without_fields_tables_is_refused(
    scripted_family: str,
    annotated_dataset: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    config = write_annotated_config(
        tmp_path, "extraction", "{fields}", {}, fields={"passport": FIELDS["passport"]}
    )
    assert run_task(config, annotated_dataset) == 2
    assert "doc_class 'inn' has no [fields.inn] table" in capsys.readouterr().err


@pytest.mark.parametrize("task", ["vqa", "extraction"])
def test_resume_after_interruption_writes_identical_files(
    task: str,
    scripted_family: str,
    annotated_dataset: Path,
    tmp_path: Path,
    only_run_dir: Callable[[Path], Path],
) -> None:
    fuse = tmp_path / "fuse"
    answers = VQA_ANSWERS if task == "vqa" else EXTRACTION_ANSWERS
    top: dict[str, Any] = {"batch_size": 2}
    if task == "extraction":
        top["fields"] = FIELDS
    prompt = "{question}" if task == "vqa" else "{fields}"
    config = write_annotated_config(
        tmp_path,
        task,
        prompt,
        {"answers": answers, "fuse": str(fuse), "interrupt_after": 2},
        **top,
    )
    fuse.touch()
    assert run_task(config, annotated_dataset) == 130
    run_dir = only_run_dir(tmp_path / "runs")
    assert len((run_dir / "predictions.jsonl").read_text().splitlines()) == 2
    assert (
        main(
            [
                "run",
                "--config",
                str(config),
                "--dataset",
                str(annotated_dataset),
                "--resume",
                str(run_dir),
            ]
        )
        == 0
    )
    assert run_task(config, annotated_dataset) == 0  # an uninterrupted run
    (fresh,) = [p for p in (tmp_path / "runs").iterdir() if p != run_dir]
    names = sorted(p.name for p in fresh.iterdir())
    assert names == sorted(p.name for p in run_dir.iterdir())
    assert any(name.endswith(".png") for name in names)
    for name in names:
        assert (run_dir / name).read_bytes() == (fresh / name).read_bytes(), name
