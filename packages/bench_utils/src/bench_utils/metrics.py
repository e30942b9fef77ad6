"""Classification, page-ordering and text-answer metrics.

Edit distances come from rapidfuzz; everything else is plain Python.

Classification labels are any hashable values; ``None`` as a prediction means
"the answer could not be parsed". It is a column of the confusion matrix and a
row of the per-class report, but never one of the classes the macro average runs
over (it has no support: averaging it in would punish every class twice).
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from itertools import combinations

from rapidfuzz.distance import Levenshtein

Label = Hashable | None


def accuracy(y_true: Sequence[Label], y_pred: Sequence[Label]) -> float:
    """Share of predictions equal to the truth (0.0 for no items)."""
    _check_lengths(y_true, y_pred)
    if not y_true:
        return 0.0
    return sum(t == p for t, p in zip(y_true, y_pred, strict=True)) / len(y_true)


@dataclass(frozen=True)
class ClassMetrics:
    label: Label
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class ClassificationReport:
    """Per-class metrics plus averages; ``classes`` are the labels the macro average uses."""

    classes: tuple[Label, ...]
    per_class: tuple[ClassMetrics, ...]
    accuracy: float
    macro_precision: float
    macro_recall: float
    macro_f1: float
    weighted_precision: float
    weighted_recall: float
    weighted_f1: float
    unparsed: int
    total: int


def _check_lengths(y_true: Sequence[object], y_pred: Sequence[object]) -> None:
    if len(y_true) != len(y_pred):
        raise ValueError(f"{len(y_true)} true labels but {len(y_pred)} predictions")


def _ratio(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator else 0.0


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def _ordered_labels(y_true: Sequence[Label], y_pred: Sequence[Label]) -> list[Label]:
    seen = {label for label in (*y_true, *y_pred) if label is not None}
    try:
        ordered: list[Label] = sorted(seen)  # type: ignore[type-var]
        return ordered
    except TypeError:  # labels of mixed types: keep first-seen order
        return list(dict.fromkeys(label for label in (*y_true, *y_pred) if label is not None))


def classification_report(
    y_true: Sequence[Label], y_pred: Sequence[Label], labels: Sequence[Label] | None = None
) -> ClassificationReport:
    """Precision, recall, F1 per class; macro and support-weighted averages."""
    _check_lengths(y_true, y_pred)
    if any(label is None for label in y_true):
        raise ValueError("true labels must not be None")
    classes = list(labels) if labels is not None else _ordered_labels(y_true, y_pred)
    rows: list[ClassMetrics] = []
    for label in classes:
        tp = sum(t == label and p == label for t, p in zip(y_true, y_pred, strict=True))
        predicted = sum(p == label for p in y_pred)
        support = sum(t == label for t in y_true)
        precision, recall = _ratio(tp, predicted), _ratio(tp, support)
        rows.append(ClassMetrics(label, precision, recall, _f1(precision, recall), support))
    unparsed = sum(p is None for p in y_pred)
    if unparsed:
        # The unparsed "class" has no true items: recall is undefined, precision 0.
        rows.append(ClassMetrics(None, 0.0, 0.0, 0.0, 0))
    scored = rows[: len(classes)]
    total_support = sum(r.support for r in scored)
    count = len(scored)

    def weighted(attr: str) -> float:
        if not total_support:
            return 0.0
        return float(sum(getattr(r, attr) * r.support for r in scored)) / total_support

    return ClassificationReport(
        classes=tuple(classes),
        per_class=tuple(rows),
        accuracy=accuracy(y_true, y_pred),
        macro_precision=sum(r.precision for r in scored) / count if count else 0.0,
        macro_recall=sum(r.recall for r in scored) / count if count else 0.0,
        macro_f1=sum(r.f1 for r in scored) / count if count else 0.0,
        weighted_precision=weighted("precision"),
        weighted_recall=weighted("recall"),
        weighted_f1=weighted("f1"),
        unparsed=unparsed,
        total=len(y_true),
    )


def confusion_matrix(
    y_true: Sequence[Label], y_pred: Sequence[Label], labels: Sequence[Label] | None = None
) -> tuple[list[Label], list[Label], list[list[int]]]:
    """Counts with rows = true label, columns = predicted label (``None`` last if any).

    Returns ``(row_labels, column_labels, matrix)``.
    """
    _check_lengths(y_true, y_pred)
    rows = list(labels) if labels is not None else _ordered_labels(y_true, y_pred)
    columns: list[Label] = [*rows, None] if any(p is None for p in y_pred) else list(rows)
    index = {label: i for i, label in enumerate(columns)}
    matrix = [[0] * len(columns) for _ in rows]
    row_index = {label: i for i, label in enumerate(rows)}
    for t, p in zip(y_true, y_pred, strict=True):
        if t not in row_index or p not in index:
            raise ValueError(f"label {t!r} or {p!r} is not among the labels {rows!r}")
        matrix[row_index[t]][index[p]] += 1
    return rows, columns, matrix


def _check_permutation(predicted: Sequence[Hashable], truth: Sequence[Hashable]) -> None:
    if len(set(truth)) != len(truth):
        raise ValueError(f"the true order {list(truth)!r} repeats an item")
    if Counter(predicted) != Counter(truth):
        raise ValueError(
            f"the predicted order {list(predicted)!r} is not a permutation of {list(truth)!r}"
        )


def kendall_tau(predicted: Sequence[Hashable], truth: Sequence[Hashable]) -> float:
    """Kendall's tau between two orderings of the same items (1.0 for fewer than 2 items)."""
    _check_permutation(predicted, truth)
    n = len(truth)
    if n < 2:
        return 1.0
    rank = {item: i for i, item in enumerate(predicted)}
    concordant = discordant = 0
    for a, b in combinations(truth, 2):  # a precedes b in the truth
        if rank[a] < rank[b]:
            concordant += 1
        else:
            discordant += 1
    return (concordant - discordant) / (n * (n - 1) / 2)


def spearman_rho(predicted: Sequence[Hashable], truth: Sequence[Hashable]) -> float:
    """Spearman's rank correlation of two orderings (1.0 for fewer than 2 items)."""
    _check_permutation(predicted, truth)
    n = len(truth)
    if n < 2:
        return 1.0
    rank = {item: i for i, item in enumerate(predicted)}
    d2 = sum((rank[item] - i) ** 2 for i, item in enumerate(truth))
    return 1 - 6 * d2 / (n * (n * n - 1))


def position_accuracy(predicted: Sequence[Hashable], truth: Sequence[Hashable]) -> float:
    """Share of positions holding the right item."""
    _check_permutation(predicted, truth)
    if not truth:
        return 1.0
    return sum(p == t for p, t in zip(predicted, truth, strict=True)) / len(truth)


@dataclass(frozen=True)
class OrderingScores:
    kendall_tau: float
    spearman_rho: float
    position_accuracy: float


def score_ordering(predicted: Sequence[Hashable], truth: Sequence[Hashable]) -> OrderingScores:
    """All three ordering scores for one document."""
    return OrderingScores(
        kendall_tau(predicted, truth),
        spearman_rho(predicted, truth),
        position_accuracy(predicted, truth),
    )


# -- text answers (VQA and field extraction) -----------------------------------------

ANLS_THRESHOLD = 0.5


def normalize_text(text: str) -> str:
    """Unicode NFKC, lower case, whitespace runs folded to one space, ends stripped.

    Letters of every script are kept as they are (Cyrillic stays Cyrillic); only
    compatibility forms (full-width digits, ligatures, non-breaking spaces) change.
    """
    return " ".join(unicodedata.normalize("NFKC", text).lower().split())


def exact_match(predicted: str, truth: str) -> float:
    """1.0 when the normalised strings are equal, else 0.0."""
    return float(normalize_text(predicted) == normalize_text(truth))


def anls(predicted: str, truth: str, threshold: float = ANLS_THRESHOLD) -> float:
    """DocVQA's ANLS for one answer: ``1 - NL`` when ``NL < threshold``, else 0.

    ``NL`` is the Levenshtein distance of the normalised strings divided by the
    longer one's length (0 when both are empty).
    """
    nl = Levenshtein.normalized_distance(normalize_text(predicted), normalize_text(truth))
    return 1.0 - nl if nl < threshold else 0.0


def char_error_rate(predicted: str, truth: str) -> float:
    """``min(1, Levenshtein(predicted, truth) / len(truth))`` on the strings as given.

    An empty truth gives 0 for an empty prediction and 1 for any other.
    """
    if not truth:
        return 0.0 if not predicted else 1.0
    return min(1.0, Levenshtein.distance(predicted, truth) / len(truth))


def word_error_rate(predicted: str, truth: str) -> float:
    """``min(1, Levenshtein(words(predicted), words(truth)) / len(words(truth)))``.

    Words are the whitespace-separated tokens of the strings as given; an empty
    truth gives 0 for an empty prediction and 1 for any other.
    """
    p, t = predicted.split(), truth.split()
    if not t:
        return 0.0 if not p else 1.0
    return min(1.0, Levenshtein.distance(p, t) / len(t))


def cer(predicted: str, truth: str) -> float:
    """Character error rate of the normalised strings (see :func:`normalize_text`), capped at 1."""
    return char_error_rate(normalize_text(predicted), normalize_text(truth))
