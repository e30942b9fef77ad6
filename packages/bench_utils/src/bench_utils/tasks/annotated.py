"""Tasks whose items come from an annotation file rather than the folder layout."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from prompt_handler import Prompt

from bench_utils.annotations import ExtractionRow, VqaRow, select, to_item
from bench_utils.dataset import Item
from bench_utils.report import markdown_table, write_csv, write_json
from bench_utils.runconfig import RunConfig
from bench_utils.tasks.base import Record, Task

Row = VqaRow | ExtractionRow


class AnnotatedTask(Task):
    """Reads its rows, applies the config's ``[filter]``, keys items by ``data_index``."""

    annotation_file: str

    def __init__(self, config: RunConfig, prompt: Prompt) -> None:
        super().__init__(config.dataset, prompt, [])
        self.config = config
        self.rows: dict[str, Row] = {}

    @abstractmethod
    def read_rows(self) -> Sequence[Row]:
        """Every row of the annotation file, validated."""

    def discover(self) -> list[Item]:
        """The filtered items, in file order; ``classes`` becomes their doc classes."""
        source = self.dataset / self.annotation_file
        chosen = select(self.read_rows(), self.config.filters, source)
        self.rows = {row.data_index: row for row in chosen}
        self.classes = sorted({row.doc_class for row in chosen})
        return [to_item(self.dataset, row, source) for row in chosen]


def breakdown(
    records: Sequence[Record],
    columns: Sequence[str],
    score: Callable[[Sequence[Record]], dict[str, Any]],
) -> list[dict[str, Any]]:
    """Metrics per value of each column (e.g. per doc_class, then per question_type)."""
    rows: list[dict[str, Any]] = []
    for column in columns:
        for value in sorted({r[column] for r in records}):
            group = [r for r in records if r[column] == value]
            rows.append({"group": column, "value": value, **score(group)})
    return rows


def write_breakdown(run_dir: Path, name: str, rows: list[dict[str, Any]], title: str) -> str:
    """``<name>.json`` and ``.csv``; returns the report section with the same table."""
    write_json(run_dir / f"{name}.json", rows)
    header = list(rows[0]) if rows else ["group", "value"]
    table = [[row[c] for c in header] for row in rows]
    write_csv(run_dir / f"{name}.csv", header, table)
    return f"## {title}\n\n{markdown_table(header, table)}"
