"""The final files of a run, computed from its predictions alone.

``predictions.jsonl`` is rewritten in evaluation order, then metrics (per subset
and over all subsets), task details and ``report.md`` are derived from it, so
an interrupted-then-resumed run ends with the same bytes as an uninterrupted one.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from bench_utils.predictions import PREDICTIONS, Key, write_predictions
from bench_utils.report import (
    fenced,
    markdown_table,
    metrics_rows,
    write_csv,
    write_json,
    write_text_atomic,
)
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
        ["subsets", ", ".join(plan.subsets)],
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
    return rows


def write_outputs(
    run_dir: Path, plan: RunPlan, done: Mapping[Key, Record], run_record: Mapping[str, Any]
) -> dict[str, Metrics]:
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
    details = plan.task.write_details(run_dir, scopes)
    sections = [
        f"# vlmhb run: {plan.task.name}",
        "## Parameters\n\n"
        + markdown_table(["parameter", "value"], _parameter_rows(run_record, plan)),
        "## Prompt\n\n"
        + fenced(run_record["prompt"])
        + f"\n\nAs sent for `{plan.items[0].path}`:\n\n"
        + fenced(plan.task.prompt_for(plan.items[0])),
        "## Metrics\n\nOverall is computed over the items of all subsets together.\n\n"
        + markdown_table(header, rows),
        "\n".join(f"- {note}" for note in plan.task.notes(metrics[OVERALL])),
        *details,
    ]
    write_text_atomic(run_dir / "report.md", "\n\n".join(sections) + "\n")
    return metrics
