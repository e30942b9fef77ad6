"""The benchmark tasks ``vlmhb run`` knows, by config name."""

from __future__ import annotations

from bench_utils.tasks.base import Metrics, Record, Task, TaskError
from bench_utils.tasks.classification import Classification
from bench_utils.tasks.page_ordering import PageOrdering

TASK_CLASSES: dict[str, type[Task]] = {
    Classification.name: Classification,
    PageOrdering.name: PageOrdering,
}

__all__ = [
    "TASK_CLASSES",
    "Classification",
    "Metrics",
    "PageOrdering",
    "Record",
    "Task",
    "TaskError",
]
