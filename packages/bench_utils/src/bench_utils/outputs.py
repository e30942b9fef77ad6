"""The final files of a run, computed from its predictions alone.

``predictions.jsonl`` is rewritten in evaluation order, then metrics (per subset
and over all subsets), task details and ``report.md`` are derived from it, so
an interrupted-then-resumed run ends with the same bytes as an uninterrupted one.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench_utils.html_report import render_html
from bench_utils.plots import plotting_available, render_png
from bench_utils.predictions import PREDICTIONS, Key, write_predictions
from bench_utils.report import (
    ReportContent,
    metrics_rows,
    render_markdown,
    write_bytes_atomic,
    write_csv,
    write_json,
    write_text_atomic,
)
from bench_utils.runconfig import FOLDER_TASKS, TINY
from bench_utils.runner import RunPlan
from bench_utils.tasks import Metrics, Record

OVERALL = "overall"


def order_records(plan: RunPlan, done: Mapping[Key, Record]) -> list[Record]:
    """The records of every planned item, in plan order (all must be present)."""
    return [done[(plan.task.name, item.subset, item.path)] for item in plan.items]


def group_by_scope(plan: RunPlan, records: Sequence[Record]) -> dict[str, list[Record]]:
    """Records per subset (plan order), then every record under ``overall``."""
    scopes: dict[str, list[Record]] = {subset: [] for subset in plan.subsets}
    for record in records:
        scopes[record["subset"]].append(record)
    scopes = {subset: rs for subset, rs in scopes.items() if rs}
    scopes[OVERALL] = list(records)
    return scopes


def _parameter_rows(run_record: Mapping[str, Any], plan: RunPlan) -> list[list[object]]:
    config = run_record["config"]
    model = config["model"]
    rows: list[list[object]] = [
        ["task", config["task"]],
        ["dataset", config["dataset"]],
        ["subsets" if config["task"] in FOLDER_TASKS else "splits", ", ".join(plan.subsets)],
        ["classes", ", ".join(plan.task.classes)],
        ["sample size per subset", config["sample_size"] or "all"],
        ["seed", config["seed"]],
        ["items", len(plan.items)],
        ["model family", model["family"]],
        ["model name", model["name"]],
    ]
    rows += [
        [f"model.params.{k}", v if isinstance(v, str) else json.dumps(v)]
        for k, v in sorted(model["params"].items())
    ]
    rows += [["batch size", config["batch_size"]], ["prompt file", config["prompt"]]]
    if "system_prompt" in config:
        rows.append(["system prompt file", config["system_prompt"]])
    for column, values in config.get("filter", {}).items():
        rows.append([f"filter.{column}", ", ".join(values)])
    for doc_class, fields in config.get("fields", {}).items():
        rows.append([f"fields.{doc_class}", ", ".join(f"{k} ({v})" for k, v in fields.items())])
    return rows


TINY_WARNING = (
    "the model is the random tiny test checkpoint of the {family} family "
    '(`model.name = "tiny"`): its weights are random and its answers random text, so these '
    "metrics check the plumbing only and say nothing about any real model."
)


@dataclass(frozen=True)
class RunOutputs:
    """What :func:`write_outputs` produced: metrics by scope and the report files."""

    metrics: dict[str, Metrics]
    files: list[Path]  # report.md first, then report.html and the PNGs when drawn
    plotted: bool  # False when the bench-utils[report] extra is missing


def tiny_warning(run_record: Mapping[str, Any]) -> str | None:
    """The report's note for a run of the random tiny model, else ``None``."""
    model = run_record["config"]["model"]
    return TINY_WARNING.format(family=model["family"]) if model["name"] == TINY else None


def write_outputs(
    run_dir: Path, plan: RunPlan, done: Mapping[Key, Record], run_record: Mapping[str, Any]
) -> RunOutputs:
    """Write every final file; return the metrics by scope (subsets, then ``overall``)."""
    records = order_records(plan, done)
    write_predictions(run_dir / PREDICTIONS, records)
    scopes = group_by_scope(plan, records)
    metrics = {scope: plan.task.score(rs) for scope, rs in scopes.items()}
    write_json(
        run_dir / "metrics.json",
        {
            "task": plan.task.name,
            "subsets": {s: m for s, m in metrics.items() if s != OVERALL},
            "overall": metrics[OVERALL],
        },
    )
    header, rows = metrics_rows(metrics)
    write_csv(run_dir / "metrics.csv", header, rows)
    content = ReportContent(
        title=f"vlmhb run: {plan.task.name}",
        warning=tiny_warning(run_record),
        parameters=_parameter_rows(run_record, plan),
        prompt=run_record["prompt"],
        prompt_item=plan.items[0].path,
        prompt_sent=plan.task.prompt_for(plan.items[0]),
        metrics_header=header,
        metrics_rows=rows,
        notes=plan.task.notes(metrics[OVERALL]),
        details=plan.task.write_details(run_dir, scopes),
        charts=plan.task.charts(scopes),
        system_prompt=run_record.get("system_prompt"),
    )
    files = [run_dir / "report.md"]
    plotted = plotting_available()
    pngs: list[bytes] = []
    if plotted:
        pngs = [render_png(chart) for chart in content.charts]
        for chart, png in zip(content.charts, pngs, strict=True):
            files.append(run_dir / f"{chart.name}.png")
            write_bytes_atomic(files[-1], png)
        write_text_atomic(run_dir / "report.html", render_html(content, pngs))
        files.insert(1, run_dir / "report.html")
    plot_files = [f"{chart.name}.png" for chart in content.charts] if plotted else []
    write_text_atomic(run_dir / "report.md", render_markdown(content, plot_files))
    return RunOutputs(metrics, files, plotted)
