"""The benchmark tasks ``vlmhb run`` knows, by config name."""

from __future__ import annotations

from bench_utils.tasks.annotated import AnnotatedTask
from bench_utils.tasks.base import Metrics, Record, Task, TaskError
from bench_utils.tasks.classification import Classification
from bench_utils.tasks.extraction import Extraction
from bench_utils.tasks.page_ordering import PageOrdering
from bench_utils.tasks.vqa import Vqa

TASK_CLASSES: dict[str, type[Task]] = {
    Classification.name: Classification,
    PageOrdering.name: PageOrdering,
    Vqa.name: Vqa,
    Extraction.name: Extraction,
}

__all__ = [
    "TASK_CLASSES",
    "AnnotatedTask",
    "Classification",
    "Extraction",
    "Metrics",
    "PageOrdering",
    "Record",
    "Task",
    "TaskError",
    "Vqa",
]
