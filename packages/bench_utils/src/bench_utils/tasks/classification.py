"""Document classification: which class is this document? Answers are class indices."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from bench_utils.answers import format_classes, parse_class_index
from bench_utils.charts import Bars, Chart, Heatmap
from bench_utils.dataset import Item
from bench_utils.metrics import classification_report, confusion_matrix
from bench_utils.report import markdown_table, write_csv, write_json
from bench_utils.tasks.base import Metrics, Record, Task, base_record

NONE_NOTE = (
    "`None` is the predicted class of an answer that names no class index in range "
    "(unparsable or out of range); it appears in the confusion matrices and per-class "
    "reports but is excluded from the class list of the macro averages."
)


class Classification(Task):
    name = "classification"
    fields = frozenset({"classes"})
    required_fields = frozenset({"classes"})

    def prompt_for(self, item: Item) -> str:
        return self.render({"classes": format_classes(self.classes)})

    def make_record(self, item: Item, answer: str) -> Record:
        index = parse_class_index(answer, self.classes)
        return {
            **base_record(self, item, answer),
            "predicted_index": index,
            "predicted": self.classes[index] if index is not None else None,
        }

    def score(self, records: Sequence[Record]) -> Metrics:
        report = classification_report(
            [r["label"] for r in records], [r["predicted"] for r in records], self.classes
        )
        return {
            "items": report.total,
            "accuracy": report.accuracy,
            "macro_precision": report.macro_precision,
            "macro_recall": report.macro_recall,
            "macro_f1": report.macro_f1,
            "weighted_precision": report.weighted_precision,
            "weighted_recall": report.weighted_recall,
            "weighted_f1": report.weighted_f1,
            "unparsed": report.unparsed,
        }

    def _per_class(self, records: Sequence[Record]) -> dict[str, Any]:
        report = classification_report(
            [r["label"] for r in records], [r["predicted"] for r in records], self.classes
        )
        return {
            "macro_classes": list(report.classes),
            "per_class": [
                {
                    "label": row.label,
                    "precision": row.precision,
                    "recall": row.recall,
                    "f1": row.f1,
                    "support": row.support,
                }
                for row in report.per_class
            ],
        }

    def _confusion(self, records: Sequence[Record]) -> dict[str, Any]:
        rows, columns, matrix = confusion_matrix(
            [r["label"] for r in records], [r["predicted"] for r in records], self.classes
        )
        return {"rows": rows, "columns": columns, "matrix": matrix}

    def write_details(self, run_dir: Path, scopes: Mapping[str, Sequence[Record]]) -> list[str]:
        per_class = {scope: self._per_class(records) for scope, records in scopes.items()}
        confusion = {scope: self._confusion(records) for scope, records in scopes.items()}
        write_json(run_dir / "per_class_report.json", {"note": NONE_NOTE, "scopes": per_class})
        write_csv(
            run_dir / "per_class_report.csv",
            ["scope", "label", "precision", "recall", "f1", "support"],
            [
                [scope, row["label"], row["precision"], row["recall"], row["f1"], row["support"]]
                for scope, data in per_class.items()
                for row in data["per_class"]
            ],
        )
        write_json(run_dir / "confusion_matrix.json", confusion)
        write_csv(
            run_dir / "confusion_matrix.csv",
            ["scope", "true", "predicted", "count"],
            [
                [scope, true, predicted, count]
                for scope, data in confusion.items()
                for true, counts in zip(data["rows"], data["matrix"], strict=True)
                for predicted, count in zip(data["columns"], counts, strict=True)
            ],
        )
        sections = ["## Per-class report"]
        for scope, data in per_class.items():
            rows = [
                [_name(r["label"]), r["precision"], r["recall"], r["f1"], r["support"]]
                for r in data["per_class"]
            ]
            table = markdown_table(["class", "precision", "recall", "f1", "support"], rows)
            sections.append(f"### {scope}\n\n{table}")
        sections.append("## Confusion matrices\n\nRows: true class; columns: predicted class.")
        for scope, data in confusion.items():
            header = ["true \\ predicted", *(_name(c) for c in data["columns"])]
            rows = [
                [true, *counts] for true, counts in zip(data["rows"], data["matrix"], strict=True)
            ]
            sections.append(f"### {scope}\n\n{markdown_table(header, rows)}")
        return sections

    def charts(self, scopes: Mapping[str, Sequence[Record]]) -> list[Chart]:
        records = scopes["overall"]
        confusion = self._confusion(records)
        per_class = self._per_class(records)["per_class"]
        scored = [row for row in per_class if row["label"] is not None]
        return [
            Heatmap(
                name="confusion_matrix",
                title="Confusion matrix (all subsets)",
                rows=tuple(confusion["rows"]),
                columns=tuple(_name(c) for c in confusion["columns"]),
                matrix=tuple(tuple(row) for row in confusion["matrix"]),
                xlabel="predicted class",
                ylabel="true class",
            ),
            Bars(
                name="per_class_accuracy",
                title="Accuracy per class",
                labels=tuple(row["label"] for row in scored),
                values=tuple(row["recall"] for row in scored),
                counts=tuple(row["support"] for row in scored),
                xlabel="true class",
                ylabel="accuracy",
            ),
        ]

    def notes(self, overall: Metrics) -> list[str]:
        return [
            f"{overall['unparsed']} of {overall['items']} answers were unparsable or out of "
            "range and count as the predicted class `None`.",
            NONE_NOTE,
        ]


def _name(label: str | None) -> str:
    return "None" if label is None else label
