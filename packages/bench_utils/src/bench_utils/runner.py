"""Plan a run (which items, which task), load the model, ask it in batches.

Planning reads the dataset and the ground truth and fails before any model is
loaded; asking writes every batch's records as soon as they arrive.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from model_interface import ModelError, ModelInterface, ModelRequest, create_model, get_model_class
from prompt_handler import Prompt

from bench_utils.dataset import (
    DatasetError,
    Item,
    find_classes,
    find_items,
    find_subsets,
    sample_items,
)
from bench_utils.predictions import PredictionWriter
from bench_utils.runconfig import ConfigError, ModelConfig, RunConfig
from bench_utils.tasks import TASK_CLASSES, AnnotatedTask, Record, Task

TINY_DIR = "tiny-model"
TINY_POINTER = "tiny-model.path"


@dataclass(frozen=True)
class RunPlan:
    task: Task
    subsets: tuple[str, ...]
    items: tuple[Item, ...]  # in evaluation order: subset by subset, then by path
    skipped: int  # items found in the chosen subsets that the task does not take


def _choose(found: Sequence[str], wanted: Sequence[str] | None, what: str, root: Path) -> list[str]:
    if wanted is None:
        return list(found)
    missing = [name for name in wanted if name not in found]
    if missing:
        raise DatasetError(
            f"{what} {missing[0]!r} is not in the dataset {root} "
            f"(it has: {', '.join(found) or 'none'})"
        )
    return list(wanted)


def plan_run(config: RunConfig, prompt: Prompt) -> RunPlan:
    """Find classes, subsets and items; check the prompt and the ground truth."""
    root = config.dataset
    task_class = TASK_CLASSES[config.task]
    if issubclass(task_class, AnnotatedTask):
        return _plan_annotated(task_class, config, prompt)
    classes = _choose(find_classes(root), config.classes, "class", root)
    subsets = _choose(find_subsets(root, classes), config.subsets, "subset", root)
    task = TASK_CLASSES[config.task](root, prompt, classes)
    items: list[Item] = []
    skipped = 0
    for subset in subsets:
        found = find_items(root, classes, subset)
        taken = [item for item in found if task.accepts(item)]
        skipped += len(found) - len(taken)
        items += sample_items(taken, config.sample_size, config.seed, subset)
    if not items:
        kind = "multi-page documents" if config.task == "page_ordering" else "items"
        raise DatasetError(
            f"the dataset {root} has no {kind} for {config.task} in the subsets "
            f"{', '.join(subsets) or '(none)'}"
        )
    task.prepare(items)
    return RunPlan(task, tuple(subsets), tuple(items), skipped)


def _plan_annotated(task_class: type[AnnotatedTask], config: RunConfig, prompt: Prompt) -> RunPlan:
    """Items from the task's annotation file: one subset per split, sampled per split."""
    task = task_class(config, prompt)
    found = task.discover()
    subsets = sorted({item.subset for item in found})
    items: list[Item] = []
    for subset in subsets:
        taken = [item for item in found if item.subset == subset]
        items += sample_items(taken, config.sample_size, config.seed, subset)
    if not items:
        raise DatasetError(f"the dataset {config.dataset} has no items for {config.task}")
    task.prepare(items)
    return RunPlan(task, tuple(subsets), tuple(items), 0)


def check_tiny_support(model: ModelConfig) -> type[ModelInterface]:
    """The family class; a config error if ``name = "tiny"`` but the family has no tiny hook."""
    family = get_model_class(model.family)
    if model.is_tiny and not family.supports_tiny_checkpoint():
        raise ConfigError(
            f"model family {model.family!r} offers no tiny test checkpoint; set model.name "
            'to a hub id or a local path instead of "tiny"'
        )
    return family


def resolve_model_path(model: ModelConfig, run_dir: Path) -> str:
    """The name to load: as configured, or the family's tiny checkpoint built once per run."""
    if not model.is_tiny:
        return model.name
    pointer = run_dir / TINY_POINTER
    if pointer.is_file():
        built = run_dir / pointer.read_text(encoding="utf-8").strip()
        if built.exists():
            return str(built)
    family = check_tiny_support(model)
    target = run_dir / TINY_DIR
    target.mkdir(exist_ok=True)
    built = Path(family.build_tiny_checkpoint(target)).resolve()
    pointer.write_text(built.relative_to(run_dir.resolve()).as_posix() + "\n", encoding="utf-8")
    return str(built)


QUIET_HF = {
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",  # hub downloads and transformers' shard loading
    "TRANSFORMERS_VERBOSITY": "error",
    "TRANSFORMERS_NO_ADVISORY_WARNINGS": "1",
}


def quiet_hugging_face() -> None:
    """Keep Hugging Face's own bars and advice out of a run's output (one rich bar stays).

    The variables are set only where the user has not set them; a library already
    imported has read them, so it is told through its API as well.
    """
    for name, value in QUIET_HF.items():
        os.environ.setdefault(name, value)
    hub = sys.modules.get("huggingface_hub")
    if hub is not None and os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] == "1":
        hub.utils.disable_progress_bars()
    transformers = sys.modules.get("transformers")
    if transformers is not None and os.environ["TRANSFORMERS_VERBOSITY"] == "error":
        transformers.utils.logging.set_verbosity_error()
        transformers.utils.logging.disable_progress_bar()


def load_model(
    model: ModelConfig, run_dir: Path, system_prompt: str | None = None
) -> ModelInterface:
    """The family's model; a config's system prompt goes in as its ``system_prompt`` param."""
    quiet_hugging_face()
    params = dict(model.params)
    if system_prompt is not None:
        params["system_prompt"] = system_prompt
    return create_model(model.family, resolve_model_path(model, run_dir), **params)


def batched(items: Sequence[Item], size: int) -> list[Sequence[Item]]:
    return [items[start : start + size] for start in range(0, len(items), size)]


def ask_model(
    model: ModelInterface,
    *,
    task: Task,
    items: Sequence[Item],
    batch_size: int,
    writer: PredictionWriter,
    on_batch: Callable[[list[Record]], None] = lambda _: None,
) -> list[Record]:
    """Ask ``items`` in batches; each batch's records are written, then passed to ``on_batch``."""
    records: list[Record] = []
    for batch in batched(items, batch_size):
        requests = [
            ModelRequest(tuple(str(page) for page in item.pages), task.prompt_for(item), item.path)
            for item in batch
        ]
        answers = model.predict_batch(requests)
        if len(answers) != len(requests):
            raise ModelError(
                f"model family {model.family or type(model).__name__!r} returned "
                f"{len(answers)} answers for {len(requests)} requests"
            )
        new = [
            task.make_record(item, str(answer)) for item, answer in zip(batch, answers, strict=True)
        ]
        writer.append(new)
        records += new
        on_batch(new)
    return records
