"""Run a benchmark task (classification, page ordering, VQA, extraction) and write a report.

The run directory (under the config's output_dir) holds predictions.jsonl, written as
answers arrive, then metrics.{json,csv}, the task's detail files and report.md.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path

from model_interface import available_families
from print_utils import print_table, progress_bar
from prompt_handler import load_prompt

from bench_utils.console import say
from bench_utils.dataset import Item
from bench_utils.outputs import OVERALL, tiny_warning, write_outputs
from bench_utils.plots import EXTRA_HINT
from bench_utils.predictions import (
    PREDICTIONS,
    Key,
    PredictionWriter,
    read_predictions,
    write_predictions,
)
from bench_utils.runconfig import ConfigError, RunConfig, load_run_config
from bench_utils.rundir import RunDirError, check_resume, create_run_dir, run_dir_name
from bench_utils.runner import RunPlan, ask_model, check_tiny_support, load_model, plan_run
from bench_utils.tasks import Record


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config", required=True, type=Path, metavar="FILE", help="run config (TOML)"
    )
    parser.add_argument(
        "--dataset",
        type=Path,
        metavar="DIR",
        help="dataset directory (overrides the config's `dataset`)",
    )
    parser.add_argument(
        "--resume",
        type=Path,
        metavar="RUN_DIR",
        help="continue an interrupted run in RUN_DIR, skipping items already predicted",
    )


def _prepare(args: argparse.Namespace) -> tuple[RunConfig, RunPlan, dict[str, object]]:
    """Config, plan and the run record (config, prompt text, system prompt as sent)."""
    config = load_run_config(args.config, args.dataset)
    families = available_families()
    if config.model.family not in families:
        raise ConfigError(
            f"config {args.config}: model family {config.model.family!r} is not installed "
            f"(installed: {', '.join(sorted(families)) or 'none'})"
        )
    check_tiny_support(config.model)
    prompt = load_prompt(config.prompt)
    record: dict[str, object] = {"config": config.to_record(), "prompt": prompt.text}
    if config.system_prompt is not None:
        system = load_prompt(config.system_prompt)
        if system.fields:
            first = sorted(system.fields)[0]
            raise ConfigError(
                f"system prompt {config.system_prompt} has the field {{{first}}}; "
                "a system prompt is sent as written (write {{ and }} for literal braces)"
            )
        record["system_prompt"] = system.render()
    plan = plan_run(config, prompt)
    return config, plan, record


def run(args: argparse.Namespace) -> int:
    config, plan, run_record = _prepare(args)
    if args.resume is not None:
        run_dir = args.resume
        check_resume(run_dir, run_record)
    else:
        name = run_dir_name(config.model, config.prompt, datetime.now(UTC))
        run_dir = create_run_dir(config.output_dir.resolve(), name, run_record)
    keys = {(plan.task.name, item.subset, item.path) for item in plan.items}
    done = read_predictions(run_dir / PREDICTIONS)
    strangers = sorted(set(done) - keys)
    if strangers:
        raise RunDirError(
            f"{run_dir / PREDICTIONS} holds {len(strangers)} answer(s) for items this run "
            f"does not have (e.g. {strangers[0][2]}); the dataset changed since the run "
            "started, so start a new run"
        )

    pending = [i for i in plan.items if (plan.task.name, i.subset, i.path) not in done]
    warning = tiny_warning(run_record)
    say(
        f"{plan.task.name}: {len(plan.items)} items in {', '.join(plan.subsets)}"
        + (f" ({plan.skipped} single images skipped)" if plan.skipped else "")
        + (f"; {len(done)} already predicted" if done else "")
        + f"; run directory {run_dir}"
    )
    if warning:
        say(f"Note: {warning}", "warn")
    if pending:
        _predict(
            config,
            plan=plan,
            run_dir=run_dir,
            done=done,
            pending=pending,
            args=args,
            run_record=run_record,
        )
    outputs = write_outputs(run_dir, plan, done, run_record)
    overall = outputs.metrics[OVERALL]
    print_table(("metric", "value"), [(k, _show(v)) for k, v in overall.items()], title=OVERALL)
    if warning:
        say("these metrics come from the random tiny test model (see the note above)", "warn")
    if not outputs.plotted:
        say(EXTRA_HINT, "warn")
    say(f"report: {outputs.files[0]}", "ok")
    if outputs.plotted:
        pngs = [p.name for p in outputs.files if p.suffix == ".png"]
        say(
            f"html: {run_dir / 'report.html'} (plots: {', '.join(pngs) or 'none'})",
            "ok",
        )
    return 0


def _predict(
    config: RunConfig,
    *,
    plan: RunPlan,
    run_dir: Path,
    done: dict[Key, Record],
    pending: list[Item],
    args: argparse.Namespace,
    run_record: dict[str, object],
) -> None:
    # Drop a torn last line before appending to the file.
    write_predictions(run_dir / PREDICTIONS, done.values())
    system_prompt = run_record.get("system_prompt")
    model = load_model(
        config.model, run_dir, str(system_prompt) if system_prompt is not None else None
    )
    try:
        with PredictionWriter(run_dir / PREDICTIONS) as writer, progress_bar() as progress:
            bar = progress.add_task(plan.task.name, total=len(plan.items), completed=len(done))

            def take(records: list[Record]) -> None:
                done.update({(r["task"], r["subset"], r["item"]): r for r in records})
                progress.advance(bar, len(records))

            ask_model(
                model,
                task=plan.task,
                items=pending,
                batch_size=config.batch_size,
                writer=writer,
                on_batch=take,
            )
    except BaseException as exc:  # Ctrl-C, a model error, a crash: say how to go on, re-raise
        what = "interrupted" if isinstance(exc, KeyboardInterrupt) else "stopped by an error"
        say(
            f"{what}; {len(done)} answers are in {run_dir / PREDICTIONS}; continue with: "
            f"vlmhb run --config {args.config}"
            + (f" --dataset {args.dataset}" if args.dataset else "")
            + f" --resume {run_dir}",
            "warn",
        )
        raise


def _show(value: object) -> str:
    return f"{value:.4f}" if isinstance(value, float) else str(value)
