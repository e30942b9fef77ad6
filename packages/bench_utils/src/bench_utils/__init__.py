"""VLMHyperBench metrics and the ``vlmhb`` benchmark runner."""

from __future__ import annotations

from bench_utils.metrics import (
    ClassificationReport,
    ClassMetrics,
    OrderingScores,
    accuracy,
    classification_report,
    confusion_matrix,
    kendall_tau,
    position_accuracy,
    score_ordering,
    spearman_rho,
)

__all__ = [
    "ClassMetrics",
    "ClassificationReport",
    "OrderingScores",
    "accuracy",
    "classification_report",
    "confusion_matrix",
    "kendall_tau",
    "position_accuracy",
    "score_ordering",
    "spearman_rho",
]
