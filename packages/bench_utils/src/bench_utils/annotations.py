"""Annotated datasets: the team's VQA ``annotation.csv`` and the extraction ``extraction.jsonl``.

Both list one item per row with an ``image_path`` relative to the dataset root:
an image file (one page) or a directory of page images (a multi-page document,
pages in natural file-name order). Every problem is a :class:`DatasetError`
naming the file and line.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from bench_utils.dataset import IMAGE_SUFFIXES, DatasetError, Item, sorted_pages

VQA_FILE = "annotation.csv"
VQA_COLUMNS = (
    "data_index",
    "split",
    "image_path",
    "question",
    "answer",
    "doc_class",
    "question_type",
    "answer_bbox",
)
EXTRACTION_FILE = "extraction.jsonl"


@dataclass(frozen=True)
class VqaRow:
    data_index: str
    split: str
    image_path: str
    question: str
    answer: str
    doc_class: str
    question_type: str
    answer_bbox: str  # kept as written (may be empty); not used by the metrics


@dataclass(frozen=True)
class ExtractionRow:
    data_index: str
    split: str
    image_path: str
    doc_class: str
    fields: Mapping[str, str | None]  # None: the field is not on the document


def _pages(root: Path, image_path: str, where: str) -> tuple[tuple[Path, ...], bool]:
    relative = Path(image_path)
    if relative.is_absolute() or ".." in relative.parts:
        raise DatasetError(f"{where}: image_path {image_path!r} must be relative to the dataset")
    target = root / relative
    if target.is_dir():
        pages = sorted_pages(target)
        if not pages:
            raise DatasetError(f"{where}: the directory {target} holds no page images")
        return pages, True
    if target.is_file() and target.suffix.lower() in IMAGE_SUFFIXES:
        return (target,), False
    raise DatasetError(f"{where}: image_path {image_path!r} is not an image or a page directory")


def read_vqa_annotations(root: Path) -> list[VqaRow]:
    """The rows of ``<root>/annotation.csv`` (``;``-separated, UTF-8 with or without BOM)."""
    path = root / VQA_FILE
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh, delimiter=";")
            header = tuple(reader.fieldnames or ())
            missing = [c for c in VQA_COLUMNS if c not in header]
            if missing:
                raise DatasetError(
                    f"{path} lacks the column {missing[0]!r} (the header must name "
                    f"{';'.join(VQA_COLUMNS)})"
                )
            rows: list[VqaRow] = []
            for record in reader:
                where = f"{path} line {reader.line_num}"
                if None in record or any(record[c] is None for c in VQA_COLUMNS):
                    raise DatasetError(f"{where} does not have one value per column")
                values = {c: record[c] for c in VQA_COLUMNS}
                for column in ("data_index", "split", "image_path", "question", "doc_class"):
                    if not values[column].strip():
                        raise DatasetError(f"{where}: {column} is empty")
                rows.append(
                    VqaRow(**{c: v.strip() if c != "answer" else v for c, v in values.items()})
                )
    except FileNotFoundError:
        raise DatasetError(
            f"dataset {root} has no {VQA_FILE}; see docs/benchmark.md for the VQA format "
            "(vlmhb make-demo-data writes an example)"
        ) from None
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise DatasetError(f"{path} cannot be read: {exc}") from None
    _check_unique((r.data_index for r in rows), path)
    return rows


def read_extraction_annotations(root: Path) -> list[ExtractionRow]:
    """The rows of ``<root>/extraction.jsonl`` (one JSON object per line)."""
    path = root / EXTRACTION_FILE
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except FileNotFoundError:
        raise DatasetError(
            f"dataset {root} has no {EXTRACTION_FILE}; see docs/benchmark.md for the "
            "extraction format (vlmhb make-demo-data writes an example)"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DatasetError(f"{path} cannot be read: {exc}") from None
    rows: list[ExtractionRow] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{path} line {number}"
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DatasetError(f"{where} is not JSON: {exc}") from None
        if not isinstance(data, dict):
            raise DatasetError(f"{where} must be a JSON object")
        values: dict[str, str] = {}
        for key in ("data_index", "split", "image_path", "doc_class"):
            value = data.get(key)
            if not isinstance(value, str) or not value.strip():
                raise DatasetError(f"{where}: {key!r} must be a non-empty string")
            values[key] = value.strip()
        fields = data.get("fields")
        if not isinstance(fields, dict) or not all(
            isinstance(v, str) or v is None for v in fields.values()
        ):
            raise DatasetError(f"{where}: 'fields' must map field names to strings or null")
        rows.append(ExtractionRow(**values, fields=dict(fields)))
    _check_unique((r.data_index for r in rows), path)
    return rows


def _check_unique(indices: Iterable[str], path: Path) -> None:
    seen: set[str] = set()
    for index in indices:
        if index in seen:
            raise DatasetError(f"{path} lists data_index {index!r} twice")
        seen.add(index)


def select(
    rows: Sequence[VqaRow | ExtractionRow],
    filters: Mapping[str, Sequence[str]],
    source: Path,
) -> list[VqaRow | ExtractionRow]:
    """The rows whose ``split``/``doc_class``/``question_type`` are among the wanted values."""
    chosen: list[VqaRow | ExtractionRow] = list(rows)
    for column, wanted in filters.items():
        found = sorted({getattr(row, column) for row in rows})
        unknown = [value for value in wanted if value not in found]
        if unknown:
            raise DatasetError(
                f"filter {column} = {unknown[0]!r} matches nothing in {source} "
                f"(it has: {', '.join(found) or 'none'})"
            )
        chosen = [row for row in chosen if getattr(row, column) in wanted]
    return chosen


def to_item(root: Path, row: VqaRow | ExtractionRow, source: Path) -> Item:
    """The benchmark item of an annotation row: keyed by its ``data_index``."""
    pages, document = _pages(root, row.image_path, f"{source} ({row.data_index})")
    return Item(row.doc_class, row.split, row.data_index, pages, document)
