"""Structured field extraction: the model answers JSON with a document's named fields.

The classes and their fields (each with a normaliser) come from the config's
``[fields.<doc_class>]`` tables. Each declared field of an item ends in one of
five outcomes, comparing the normalised prediction ``p`` with the normalised
truth ``t`` ("" when absent or null):

- ``correct``: ``t`` non-empty and ``p == t``;
- ``wrong``: ``t`` and ``p`` non-empty, ``p != t``;
- ``missing``: ``t`` non-empty, ``p`` empty;
- ``extra``: ``t`` empty, ``p`` non-empty;
- ``absent``: both empty (right, but not counted by precision or recall).

An answer with no JSON object is ``unparsable``: every field counts as predicted
empty (all present fields missed), and the item is counted apart.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from statistics import fmean
from typing import Any

from bench_utils.annotations import (
    EXTRACTION_FILE,
    ExtractionRow,
    read_extraction_annotations,
)
from bench_utils.answers import field_key, field_text, parse_json_object
from bench_utils.charts import Bars, Chart, Histogram
from bench_utils.dataset import DatasetError, Item
from bench_utils.metrics import char_error_rate, word_error_rate
from bench_utils.normalisers import NORMALISERS
from bench_utils.tasks.annotated import AnnotatedTask, write_breakdown
from bench_utils.tasks.base import Metrics, Record, base_record

OUTCOMES = ("correct", "wrong", "missing", "extra", "absent")
DETAILS = "extraction_fields"


def outcome(predicted: str, truth: str) -> str:
    if truth:
        if predicted == truth:
            return "correct"
        return "wrong" if predicted else "missing"
    return "extra" if predicted else "absent"


def prf(correct: int, wrong: int, missing: int, extra: int) -> tuple[float, float, float]:
    """Precision, recall and F1 from outcome counts (0 where a denominator is 0)."""
    predicted, present = correct + wrong + extra, correct + wrong + missing
    precision = correct / predicted if predicted else 0.0
    recall = correct / present if present else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


class Extraction(AnnotatedTask):
    name = "extraction"
    fields = frozenset({"fields", "doc_class", "json_template"})
    required_fields = frozenset({"fields"})
    annotation_file = EXTRACTION_FILE

    def read_rows(self) -> Sequence[ExtractionRow]:
        rows = read_extraction_annotations(self.dataset)
        declared = self.config.fields
        source = self.dataset / EXTRACTION_FILE
        for row in rows:
            if row.doc_class not in declared:
                if "doc_class" in self.config.filters:
                    continue  # checked by the filter; undeclared classes may be filtered out
                raise DatasetError(
                    f"{source} ({row.data_index}): doc_class {row.doc_class!r} has no "
                    f"[fields.{row.doc_class}] table in the config (declare it or filter it out)"
                )
            unknown = sorted(set(row.fields) - set(declared[row.doc_class]))
            if unknown:
                raise DatasetError(
                    f"{source} ({row.data_index}): field {unknown[0]!r} is not declared in "
                    f"[fields.{row.doc_class}]"
                )
        return rows

    def discover(self) -> list[Item]:
        items = super().discover()
        undeclared = sorted(set(self.classes) - set(self.config.fields))
        if undeclared:
            raise DatasetError(
                f"doc_class {undeclared[0]!r} is selected but has no [fields.{undeclared[0]}] "
                "table in the config"
            )
        return items

    def _row(self, item: Item) -> ExtractionRow:
        row = self.rows[item.path]
        assert isinstance(row, ExtractionRow)  # noqa: S101 - read_rows gives these only
        return row

    def prompt_for(self, item: Item) -> str:
        names = list(self.config.fields[item.label])
        return self.render(
            {
                "fields": ", ".join(names),
                "doc_class": item.label,
                "json_template": json.dumps(dict.fromkeys(names, ""), ensure_ascii=False),
            }
        )

    def make_record(self, item: Item, answer: str) -> Record:
        row = self._row(item)
        declared = self.config.fields[item.label]
        parsed = parse_json_object(answer)
        by_key = {field_key(k): v for k, v in (parsed or {}).items()}
        wanted = {field_key(name) for name in declared}
        fields: dict[str, dict[str, Any]] = {}
        for name, normaliser in declared.items():
            norm = NORMALISERS[normaliser]
            truth = norm(row.fields.get(name) or "")
            predicted = norm(field_text(by_key.get(field_key(name))))
            fields[name] = {
                "predicted": predicted,
                "truth": truth,
                "outcome": outcome(predicted, truth),
                "cer": char_error_rate(predicted, truth) if truth else None,
                "wer": word_error_rate(predicted, truth) if truth else None,
            }
        undeclared = sorted(
            key for key, value in by_key.items() if key not in wanted and field_text(value).strip()
        )
        return {
            **base_record(self, item, answer),
            "doc_class": item.label,
            "parsed": parsed is not None,
            "fields": fields,
            "undeclared": undeclared,
        }

    def score(self, records: Sequence[Record]) -> Metrics:
        pairs = [f for r in records for f in r["fields"].values()]
        counts = {name: sum(f["outcome"] == name for f in pairs) for name in OUTCOMES}
        undeclared = sum(len(r["undeclared"]) for r in records)
        precision, recall, f1 = prf(
            counts["correct"], counts["wrong"], counts["missing"], counts["extra"] + undeclared
        )
        cers = [f["cer"] for f in pairs if f["cer"] is not None]
        wers = [f["wer"] for f in pairs if f["wer"] is not None]
        return {
            "documents": len(records),
            "unparsable": sum(not r["parsed"] for r in records),
            "fields": len(pairs),
            "exact_match": fmean(f["predicted"] == f["truth"] for f in pairs) if pairs else 0.0,
            "document_exact_match": (
                fmean(
                    all(f["predicted"] == f["truth"] for f in r["fields"].values()) for r in records
                )
                if records
                else 0.0
            ),
            "cer": fmean(cers) if cers else 0.0,
            "wer": fmean(wers) if wers else 0.0,
            "precision": precision,
            "recall": recall,
            "f1": f1,
            **counts,
            "undeclared": undeclared,
        }

    def per_field(self, records: Sequence[Record]) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        for doc_class, declared in self.config.fields.items():
            of_class = [r for r in records if r["doc_class"] == doc_class]
            if not of_class:
                continue
            for name in declared:
                pairs = [r["fields"][name] for r in of_class]
                counts = {o: sum(p["outcome"] == o for p in pairs) for o in OUTCOMES}
                precision, recall, f1 = prf(
                    counts["correct"], counts["wrong"], counts["missing"], counts["extra"]
                )
                cers = [p["cer"] for p in pairs if p["cer"] is not None]
                wers = [p["wer"] for p in pairs if p["wer"] is not None]
                rows.append(
                    {
                        "doc_class": doc_class,
                        "field": name,
                        "documents": len(pairs),
                        "exact_match": fmean(p["predicted"] == p["truth"] for p in pairs),
                        "cer": fmean(cers) if cers else None,
                        "wer": fmean(wers) if wers else None,
                        "precision": precision,
                        "recall": recall,
                        "f1": f1,
                        **counts,
                    }
                )
        return rows

    def write_details(self, run_dir: Path, scopes: Mapping[str, Sequence[Record]]) -> list[str]:
        rows = self.per_field(scopes["overall"])
        return [write_breakdown(run_dir, DETAILS, rows, "Metrics per field (all splits)")]

    def charts(self, scopes: Mapping[str, Sequence[Record]]) -> list[Chart]:
        records = scopes["overall"]
        rows = self.per_field(records)
        cers = [f["cer"] for r in records for f in r["fields"].values() if f["cer"] is not None]
        return [
            Bars(
                name="field_f1",
                title="F1 per field",
                labels=tuple(f"{r['doc_class']}.{r['field']}" for r in rows),
                values=tuple(r["f1"] for r in rows),
                counts=tuple(r["documents"] for r in rows),
                xlabel="field",
                ylabel="F1",
            ),
            Histogram(
                name="field_cer",
                title="CER of the fields present on the documents",
                values=tuple(cers),
                low=0.0,
                high=1.0,
                bins=10,
                xlabel="CER (capped at 1)",
                ylabel="fields",
            ),
        ]

    def notes(self, overall: Metrics) -> list[str]:
        return [
            f"{overall['unparsable']} of {overall['documents']} answers held no JSON object: "
            "they count as predicting every field empty (all present fields missing).",
            "Outcomes per field: correct, wrong (counts against precision and recall), missing "
            "(against recall), extra (against precision), absent (both empty). Keys the config "
            f"does not declare count as extra ({overall['undeclared']} here). "
            "Formulas: docs/benchmark.md.",
        ]
