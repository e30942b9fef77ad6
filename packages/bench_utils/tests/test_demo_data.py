from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from bench_utils.annotations import read_extraction_annotations, read_vqa_annotations
from bench_utils.cli import main
from bench_utils.dataset import find_classes, find_items, find_subsets, read_page_order
from bench_utils.demo_data import CLASSES, SUBSETS, DemoSpec, make_demo_data
from PIL import Image, ImageStat

ROOT = Path(__file__).resolve().parents[3]


def test_demo_dataset_layout_and_ground_truth(demo_dataset: Path) -> None:
    assert find_classes(demo_dataset) == sorted(CLASSES)
    assert find_subsets(demo_dataset, CLASSES) == sorted(SUBSETS)
    for subset in SUBSETS:
        items = find_items(demo_dataset, CLASSES, subset)
        assert len(items) == 3 * (4 + 2)
        documents = [item for item in items if item.document]
        assert [len(d.pages) for d in documents] == [3, 4] * 3
        for document in documents:
            order = read_page_order(demo_dataset, document)
            assert sorted(order) == list(range(len(document.pages)))
            assert [p.name for p in document.pages] == [f"{i}.png" for i in range(len(order))]
    with Image.open(demo_dataset / "letter/images/noisy/letter_noisy_000.png") as image:
        assert (image.size, image.mode) == ((300, 400), "RGB")


def test_classes_look_different(demo_dataset: Path) -> None:
    def ink(path: Path) -> tuple[float, float]:
        with Image.open(path) as image:
            gray = image.convert("L")
            top = ImageStat.Stat(gray.crop((0, 0, 300, 56))).mean[0]
            column = ImageStat.Stat(gray.crop((0, 100, 60, 300))).mean[0]
            return top, column

    invoice = ink(demo_dataset / "invoice/images/clean/invoice_clean_000.png")
    letter = ink(demo_dataset / "letter/images/clean/letter_clean_000.png")
    receipt = ink(demo_dataset / "receipt/images/clean/receipt_clean_000.png")
    assert invoice[0] < 120 < letter[0]  # the invoice's dark header band
    assert receipt[1] == 255  # the receipt is a narrow strip: its left margin is blank
    assert letter[1] < 255


def test_same_seed_same_bytes_other_seed_other_orders(tmp_path: Path) -> None:
    spec = DemoSpec(images_per_class=1, documents_per_class=1, seed=5)
    make_demo_data(tmp_path / "a", spec)
    make_demo_data(tmp_path / "b", spec)
    make_demo_data(tmp_path / "c", DemoSpec(1, 1, seed=6))

    def files(root: Path) -> dict[str, bytes]:
        return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*.*")}

    assert files(tmp_path / "a") == files(tmp_path / "b")
    orders = {
        root: [json.loads(p.read_text()) for p in sorted((tmp_path / root).glob("*/jsons/*.json"))]
        for root in ("a", "c")
    }
    assert orders["a"] != orders["c"]


def test_make_demo_data_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "500")
    target = tmp_path / "demo"
    assert (
        main(
            ["make-demo-data", str(target), "--images-per-class", "1", "--documents-per-class", "1"]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "wrote 9 images and 9 documents (27 pages)" in out
    assert "40 VQA questions on 12 documents; 9 extraction forms" in out
    assert main(["make-demo-data", str(target)]) == 2
    err = capsys.readouterr().err
    assert "already exists and is not an empty directory" in err
    assert len(err.strip().splitlines()) == 1


def test_annotated_demo_data_reads_back_and_matches_the_example_configs(
    demo_dataset: Path,
) -> None:
    rows = read_vqa_annotations(demo_dataset)
    assert len(rows) == 40  # 2 splits x 2 documents x (4 invoice + 3 receipt + 3 letter)
    assert {r.split for r in rows} == {"test", "val"}
    assert {r.question_type for r in rows} == {"number", "date", "amount", "name", "text"}
    multi = [r for r in rows if not r.image_path.endswith(".png")]
    assert multi and all(r.answer_bbox == "" for r in multi)
    assert all((demo_dataset / r.image_path / "2.png").is_file() for r in multi)
    single = [r for r in rows if r.image_path.endswith(".png")]
    assert all(len(r.answer_bbox.split(",")) == 4 for r in single)
    forms = read_extraction_annotations(demo_dataset)
    config = tomllib.loads((ROOT / "examples" / "extraction.toml").read_text())
    assert {f.doc_class for f in forms} == set(config["fields"])
    for form in forms:
        assert list(form.fields) == list(config["fields"][form.doc_class])
        with Image.open(demo_dataset / form.image_path) as image:
            # the red "SPECIMEN - NOT A REAL DOCUMENT" stamp
            red = image.convert("RGB").crop((10, 300, 290, 336)).getcolors(maxcolors=4096)
            assert red and any(r > 150 and g < 100 for _, (r, g, _b) in red)
