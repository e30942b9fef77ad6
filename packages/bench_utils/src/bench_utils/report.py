"""Deterministic output files: JSON, CSV and Markdown, written atomically.

Nothing here carries a timestamp or a machine-specific value beyond what the
caller passes, so a resumed run writes the same bytes as an uninterrupted one.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any


def write_text_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def to_json(data: object) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def write_json(path: Path, data: object) -> None:
    write_text_atomic(path, to_json(data))


def cell(value: object) -> str:
    """How a value appears in CSV: ``None`` as the word, floats rounded to 6 places."""
    if value is None:
        return "None"
    if isinstance(value, float):
        return f"{value:.6f}"
    return str(value)


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([cell(value) for value in row] for row in rows)
    write_text_atomic(path, buffer.getvalue())


def md_cell(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.4f}"
    return str(value).replace("|", "\\|").replace("\n", " ")


def markdown_table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    lines = [
        "| " + " | ".join(md_cell(h) for h in header) + " |",
        "|" + "|".join("---" for _ in header) + "|",
    ]
    lines += ["| " + " | ".join(md_cell(value) for value in row) + " |" for row in rows]
    return "\n".join(lines)


def metrics_rows(scopes: Mapping[str, Mapping[str, Any]]) -> tuple[list[str], list[list[Any]]]:
    """Scope-by-metric rows (metric columns in the order of the first scope)."""
    columns = list(next(iter(scopes.values())).keys()) if scopes else []
    return ["scope", *columns], [[scope, *(m[c] for c in columns)] for scope, m in scopes.items()]


def fenced(text: str) -> str:
    fence = "````" if "```" in text else "```"
    return f"{fence}text\n{text}\n{fence}"
