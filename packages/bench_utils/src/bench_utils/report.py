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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench_utils.charts import Chart


def current_umask() -> int:
    """The process umask (read by setting it and putting it straight back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename.

    ``mkstemp`` creates its file owner-only (0600); the file gets the mode an
    ordinary ``open`` would give it (0666 less the umask) before the rename, so
    other users of a shared machine can read the results as they would any file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            os.fchmod(fh.fileno(), 0o666 & ~current_umask())
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text_atomic(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8, newlines as given) to ``path`` atomically."""
    write_bytes_atomic(path, text.encode("utf-8"))


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


@dataclass(frozen=True)
class ReportContent:
    """Everything a run's report shows; rendered as Markdown and as HTML."""

    title: str
    parameters: list[list[object]]
    prompt: str
    prompt_item: str  # the item the prompt is shown "as sent" for
    prompt_sent: str
    metrics_header: list[str]
    metrics_rows: list[list[Any]]
    notes: list[str]
    details: list[str]  # Markdown sections written by the task
    warning: str | None = None  # e.g. "the model is the random tiny test checkpoint"
    system_prompt: str | None = None
    charts: list[Chart] = field(default_factory=list)


def render_markdown(content: ReportContent, plot_files: Sequence[str]) -> str:
    """``report.md``: parameters, prompt, metrics, notes, plots (when drawn), task details."""
    sections = [f"# {content.title}"]
    if content.warning:
        sections.append(f"> **Note:** {content.warning}")
    sections.append(
        "## Parameters\n\n" + markdown_table(["parameter", "value"], content.parameters)
    )
    prompt = "## Prompt\n\n"
    if content.system_prompt is not None:
        prompt += "System prompt:\n\n" + fenced(content.system_prompt) + "\n\nUser prompt:\n\n"
    prompt += (
        fenced(content.prompt)
        + f"\n\nAs sent for `{content.prompt_item}`:\n\n"
        + fenced(content.prompt_sent)
    )
    sections.append(prompt)
    sections.append(
        "## Metrics\n\nOverall is computed over the items of all subsets together.\n\n"
        + markdown_table(content.metrics_header, content.metrics_rows)
    )
    if content.notes:
        sections.append("\n".join(f"- {note}" for note in content.notes))
    if plot_files:
        sections.append(
            "## Plots\n\n"
            + "\n\n".join(
                f"![{chart.title}]({file})"
                for chart, file in zip(content.charts, plot_files, strict=True)
            )
        )
    sections += content.details
    return "\n\n".join(sections) + "\n"
