"""What every benchmark task provides to the runner."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

from prompt_handler import Prompt

from bench_utils.charts import Chart
from bench_utils.dataset import Item
from bench_utils.errors import UsageError

Record = dict[str, Any]  # one line of predictions.jsonl
Metrics = dict[str, Any]  # flat, JSON-ready metrics of one scope


class TaskError(UsageError):
    """The task cannot run with this prompt or dataset; one sentence."""


class Task(ABC):
    """A document task: which items it takes, what it asks, how it scores answers."""

    name: ClassVar[str]
    #: prompt fields the task can fill; ``required_fields`` must all be present.
    fields: ClassVar[frozenset[str]]
    required_fields: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, dataset: Path, prompt: Prompt, classes: Sequence[str]) -> None:
        self.dataset, self.prompt, self.classes = dataset, prompt, list(classes)
        declared = prompt.fields
        missing = sorted(self.required_fields - declared)
        if missing:
            raise TaskError(
                f"the {self.name} prompt {prompt.source} must contain the field {{{missing[0]}}}"
            )
        unknown = sorted(declared - self.fields)
        if unknown:
            raise TaskError(
                f"the {self.name} prompt {prompt.source} uses the field {{{unknown[0]}}}, "
                f"which this task does not fill (it fills: "
                f"{', '.join('{' + f + '}' for f in sorted(self.fields))})"
            )

    def render(self, values: Mapping[str, object]) -> str:
        """Render the prompt with the task's values for the fields it declares."""
        return self.prompt.render({k: v for k, v in values.items() if k in self.prompt.fields})

    def accepts(self, item: Item) -> bool:
        """Whether this task evaluates ``item`` (all items unless a task says otherwise)."""
        return True

    def prepare(self, items: Sequence[Item]) -> None:  # noqa: B027 - optional hook
        """Read and check whatever ground truth the items need, before any model runs."""

    @abstractmethod
    def prompt_for(self, item: Item) -> str:
        """The rendered prompt for one item."""

    @abstractmethod
    def make_record(self, item: Item, answer: str) -> Record:
        """The prediction record for one answer (parsed, and scored where per-item)."""

    @abstractmethod
    def score(self, records: Sequence[Record]) -> Metrics:
        """Flat metrics over some records (one subset or all)."""

    def write_details(self, run_dir: Path, scopes: Mapping[str, Sequence[Record]]) -> list[str]:
        """Write task-specific files; return Markdown sections for the report."""
        return []

    def charts(self, scopes: Mapping[str, Sequence[Record]]) -> list[Chart]:
        """What to plot (drawn as PNGs only with the bench-utils[report] extra)."""
        return []

    def notes(self, overall: Metrics) -> list[str]:
        """Sentences the report adds under the metrics (how failures were counted)."""
        return []


def base_record(task: Task, item: Item, answer: str) -> Record:
    return {
        "task": task.name,
        "subset": item.subset,
        "item": item.path,
        "label": item.label,
        "answer": answer,
    }
