"""Synthetic, obviously fake data for the vqa and extraction tasks, drawn with Pillow.

VQA: invoice, receipt and letter pages whose answers are printed on them, in the
team's ``annotation.csv`` format (every other document has two pages, a directory
of pages). Extraction: passport-, INN- and SNILS-like forms stamped "SPECIMEN -
NOT A REAL DOCUMENT" with made-up values, in ``extraction.jsonl``. Nothing
resembles real personal data. Everything derives from the seed: the same call
writes the same bytes.
"""

from __future__ import annotations

import csv
import io
import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from bench_utils.annotations import EXTRACTION_FILE, VQA_COLUMNS, VQA_FILE

SIZE = (300, 400)
VQA_SPLITS = ("test", "val")
VQA_CLASSES = ("invoice", "letter", "receipt")
FORM_CLASSES = ("passport", "inn", "snils")
NAMES = (
    "Alder Finch",
    "Birch Lane Ltd",
    "Cedar Moss",
    "Dune Harper",
    "Elm Quill",
    "Fern Tallow",
    "Grove Sample",
    "Hazel Proof",
)
SUBJECTS = ("Delivery schedule", "Meeting request", "Price update", "Project report")
# (question, question_type, field) per class; field names the printed value
QUESTIONS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "invoice": (
        ("What is the invoice number?", "number", "Invoice No"),
        ("What is the invoice date?", "date", "Date"),
        ("What is the total amount?", "amount", "Total"),
        ("Who is the customer?", "name", "Customer"),
    ),
    "receipt": (
        ("Which store issued this receipt?", "name", "Store"),
        ("What is the date on the receipt?", "date", "Date"),
        ("What is the total?", "amount", "Total"),
    ),
    "letter": (
        ("Who wrote this letter?", "name", "From"),
        ("What is the date of the letter?", "date", "Date"),
        ("What is the subject of the letter?", "text", "Subject"),
    ),
}


@dataclass(frozen=True)
class AnnotatedSummary:
    questions: int
    vqa_documents: int
    forms: int


@cache
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def _date(rng: random.Random) -> str:
    return f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def _vqa_values(doc_class: str, rng: random.Random) -> dict[str, str]:
    if doc_class == "invoice":
        return {
            "Invoice No": f"INV-{rng.randint(1000, 9999)}",
            "Date": _date(rng),
            "Total": f"{rng.randint(20, 990)}.{rng.randint(0, 99):02d}",
            "Customer": rng.choice(NAMES),
        }
    if doc_class == "receipt":
        return {
            "Store": f"{rng.choice(NAMES).split()[0]} Market",
            "Date": _date(rng),
            "Total": f"{rng.randint(2, 99)}.{rng.randint(0, 99):02d}",
        }
    return {"From": rng.choice(NAMES), "Date": _date(rng), "Subject": rng.choice(SUBJECTS)}


Box = tuple[int, int, int, int]


def _draw_page(
    title: str, lines: Sequence[tuple[str, str]], footer: str
) -> tuple[Image.Image, dict[str, Box]]:
    """A page with a title and ``label: value`` lines; returns the value boxes."""
    image = Image.new("RGB", SIZE, "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, SIZE[0], 44), fill=(40, 70, 110))
    draw.text((14, 10), title, fill="white", font=_font(20))
    boxes: dict[str, Box] = {}
    y = 64
    for label, value in lines:
        draw.text((14, y), f"{label}:", fill=(80, 80, 80), font=_font(12))
        position = (110, y)
        draw.text(position, value, fill="black", font=_font(13))
        left, top, right, bottom = draw.textbbox(position, value, font=_font(13))
        boxes[label] = (int(left), int(top), int(right), int(bottom))
        y += 30
    draw.text((14, SIZE[1] - 26), footer, fill=(120, 120, 120), font=_font(10))
    return image, boxes


def _save(image: Image.Image, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, compress_level=3)


def write_vqa(root: Path, documents_per_class: int, seed: int) -> tuple[int, int]:
    """Pages under ``vqa/`` and ``annotation.csv``; returns (questions, documents)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    writer.writerow(VQA_COLUMNS)
    questions = documents = 0
    for split in VQA_SPLITS:
        for doc_class in VQA_CLASSES:
            for index in range(documents_per_class):
                doc_id = f"{doc_class}_{split}_{index:02d}"
                rng = random.Random(f"{seed}:vqa:{doc_id}")  # noqa: S311 - reproducible
                values = _vqa_values(doc_class, rng)
                lines = list(values.items())
                title = doc_class.upper() + " (DEMO)"
                footer = "Synthetic demo document - not real data"
                multi_page = index % 2 == 1
                boxes: dict[str, Box] = {}
                if multi_page:  # two pages: the values split between them
                    half = (len(lines) + 1) // 2
                    for number, part in enumerate((lines[:half], lines[half:]), start=1):
                        page, _ = _draw_page(f"{title} p.{number}", part, footer)
                        _save(page, root / "vqa" / doc_class / doc_id / f"{number}.png")
                    image_path = f"vqa/{doc_class}/{doc_id}"
                else:
                    page, boxes = _draw_page(title, lines, footer)
                    _save(page, root / "vqa" / doc_class / f"{doc_id}.png")
                    image_path = f"vqa/{doc_class}/{doc_id}.png"
                for number, (question, question_type, field) in enumerate(QUESTIONS[doc_class]):
                    box = boxes.get(field)
                    writer.writerow(
                        [
                            f"{doc_id}_q{number}",
                            split,
                            image_path,
                            question,
                            values[field],
                            doc_class,
                            question_type,
                            ",".join(map(str, box)) if box else "",
                        ]
                    )
                    questions += 1
                documents += 1
    (root / VQA_FILE).write_text(buffer.getvalue(), encoding="utf-8")
    return questions, documents


def _form_values(doc_class: str, rng: random.Random) -> dict[str, str]:
    """Printed values; field names match examples/extraction.toml."""
    if doc_class == "passport":
        return {
            "series": f"{rng.randint(0, 99):02d} {rng.randint(0, 99):02d}",
            "number": f"{rng.randint(0, 999999):06d}",
            "issue_date": f"{rng.randint(1, 28):02d}.{rng.randint(1, 12):02d}."
            f"{rng.randint(2005, 2023)}",
            "issuer": f"Demo Office No. {rng.randint(1, 99)}",
        }
    if doc_class == "inn":
        digits = f"{rng.randint(0, 10**12 - 1):012d}"
        return {"number": f"{digits[:4]} {digits[4:8]} {digits[8:]}"}
    digits = f"{rng.randint(0, 10**11 - 1):011d}"
    return {"number": f"{digits[:3]}-{digits[3:6]}-{digits[6:9]} {digits[9:]}"}


LABELS = {
    "series": "Series",
    "number": "Number",
    "issue_date": "Issued on",
    "issuer": "Issued by",
}


def _form(doc_class: str, values: dict[str, str], rng: random.Random) -> Image.Image:
    lines = [("Name", rng.choice(NAMES).upper() + " (SAMPLE)")]
    lines += [(LABELS[field], value) for field, value in values.items()]
    image, _ = _draw_page(f"{doc_class.upper()} (DEMO)", lines, "Fictional values for testing")
    draw = ImageDraw.Draw(image)
    draw.rectangle((10, 300, SIZE[0] - 10, 336), outline=(190, 30, 30), width=2)
    draw.text((22, 310), "SPECIMEN - NOT A REAL DOCUMENT", fill=(190, 30, 30), font=_font(14))
    return image


def write_forms(root: Path, forms_per_class: int, seed: int) -> int:
    """Forms under ``forms/`` and ``extraction.jsonl``; returns the number of forms."""
    lines: list[str] = []
    for doc_class in FORM_CLASSES:
        for index in range(forms_per_class):
            form_id = f"{doc_class}_{index:02d}"
            rng = random.Random(f"{seed}:form:{form_id}")  # noqa: S311 - reproducible
            values = _form_values(doc_class, rng)
            _save(_form(doc_class, values, rng), root / "forms" / doc_class / f"{form_id}.png")
            row = {
                "data_index": form_id,
                "split": "test",
                "image_path": f"forms/{doc_class}/{form_id}.png",
                "doc_class": doc_class,
                "fields": values,
            }
            lines.append(json.dumps(row, ensure_ascii=False))
    (root / EXTRACTION_FILE).write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    return len(lines)


def make_annotated_demo(
    root: Path, vqa_documents_per_class: int, forms_per_class: int, seed: int
) -> AnnotatedSummary:
    questions, documents = write_vqa(root, vqa_documents_per_class, seed)
    forms = write_forms(root, forms_per_class, seed)
    return AnnotatedSummary(questions, documents, forms)
