"""Document VQA: answer a question about a page (or a multi-page document).

Items are the rows of the team's ``annotation.csv``; every answer is scored with
ANLS (threshold 0.5), normalised exact match and CER against the row's answer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from statistics import fmean

from bench_utils.annotations import VQA_FILE, VqaRow, read_vqa_annotations
from bench_utils.charts import Bars, Chart
from bench_utils.dataset import Item
from bench_utils.metrics import anls, cer, exact_match
from bench_utils.tasks.annotated import AnnotatedTask, breakdown, write_breakdown
from bench_utils.tasks.base import Metrics, Record, base_record

BREAKDOWN = "vqa_breakdown"


class Vqa(AnnotatedTask):
    name = "vqa"
    fields = frozenset({"question", "doc_class", "question_type"})
    required_fields = frozenset({"question"})
    annotation_file = VQA_FILE

    def read_rows(self) -> Sequence[VqaRow]:
        return read_vqa_annotations(self.dataset)

    def _row(self, item: Item) -> VqaRow:
        row = self.rows[item.path]
        assert isinstance(row, VqaRow)  # noqa: S101 - read_rows gives VqaRow only
        return row

    def prompt_for(self, item: Item) -> str:
        row = self._row(item)
        return self.render(
            {
                "question": row.question,
                "doc_class": row.doc_class,
                "question_type": row.question_type,
            }
        )

    def make_record(self, item: Item, answer: str) -> Record:
        row = self._row(item)
        predicted = answer.strip()
        return {
            **base_record(self, item, answer),
            "question": row.question,
            "question_type": row.question_type,
            "doc_class": row.doc_class,
            "truth": row.answer,
            "predicted": predicted,
            "anls": anls(predicted, row.answer),
            "exact_match": exact_match(predicted, row.answer),
            "cer": cer(predicted, row.answer),
        }

    def score(self, records: Sequence[Record]) -> Metrics:
        return {
            "questions": len(records),
            "anls": fmean(r["anls"] for r in records) if records else 0.0,
            "exact_match": fmean(r["exact_match"] for r in records) if records else 0.0,
            "cer": fmean(r["cer"] for r in records) if records else 0.0,
            "empty_answers": sum(not r["predicted"] for r in records),
        }

    def write_details(self, run_dir: Path, scopes: Mapping[str, Sequence[Record]]) -> list[str]:
        rows = breakdown(scopes["overall"], ("doc_class", "question_type"), self.score)
        return [
            write_breakdown(
                run_dir, BREAKDOWN, rows, "Metrics per doc_class and per question_type (all splits)"
            )
        ]

    def charts(self, scopes: Mapping[str, Sequence[Record]]) -> list[Chart]:
        rows = breakdown(scopes["overall"], ("question_type",), self.score)
        return [
            Bars(
                name="anls_by_question_type",
                title="ANLS by question type",
                labels=tuple(str(r["value"]) for r in rows),
                values=tuple(r["anls"] for r in rows),
                counts=tuple(r["questions"] for r in rows),
                xlabel="question type",
                ylabel="ANLS",
            )
        ]

    def notes(self, overall: Metrics) -> list[str]:
        return [
            f"{overall['empty_answers']} of {overall['questions']} answers were empty "
            "(scored like any other answer: ANLS 0 and CER 1 unless the truth is empty too).",
            "ANLS: 1 - normalised Levenshtein distance when below 0.5, else 0; exact match and "
            "CER compare answers after NFKC, lower-casing and whitespace folding; CER is capped "
            "at 1. Formulas: docs/benchmark.md.",
        ]
