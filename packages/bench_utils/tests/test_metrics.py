"""Metrics checked against values computed by hand (shown in the comments)."""

from __future__ import annotations

import pytest
from bench_utils import (
    accuracy,
    classification_report,
    confusion_matrix,
    kendall_tau,
    position_accuracy,
    score_ordering,
    spearman_rho,
)

Y_TRUE = [0, 0, 0, 1, 1, 2]
Y_PRED = [0, 0, 1, 1, None, 2]


def test_accuracy() -> None:
    assert accuracy(Y_TRUE, Y_PRED) == pytest.approx(4 / 6)
    assert accuracy([], []) == 0.0


def test_per_class_report_by_hand() -> None:
    report = classification_report(Y_TRUE, Y_PRED)
    rows = {row.label: row for row in report.per_class}
    # class 0: tp 2 of 2 predicted, 3 true -> P 1, R 2/3, F1 0.8
    assert (rows[0].precision, rows[0].recall, rows[0].f1, rows[0].support) == pytest.approx(
        (1.0, 2 / 3, 0.8, 3)
    )
    # class 1: tp 1 of 2 predicted, 2 true -> P 0.5, R 0.5, F1 0.5
    assert (rows[1].precision, rows[1].recall, rows[1].f1) == pytest.approx((0.5, 0.5, 0.5))
    assert (rows[2].precision, rows[2].recall, rows[2].f1) == pytest.approx((1.0, 1.0, 1.0))
    # the unparsed answer is a row of its own, with no support
    assert rows[None].support == 0
    assert report.unparsed == 1
    assert report.classes == (0, 1, 2)


def test_averages_by_hand() -> None:
    report = classification_report(Y_TRUE, Y_PRED)
    # macro over the three real classes only (None excluded)
    assert report.macro_precision == pytest.approx((1 + 0.5 + 1) / 3)
    assert report.macro_recall == pytest.approx((2 / 3 + 0.5 + 1) / 3)
    assert report.macro_f1 == pytest.approx((0.8 + 0.5 + 1) / 3)
    # weighted by support 3, 2, 1
    assert report.weighted_precision == pytest.approx((1 * 3 + 0.5 * 2 + 1 * 1) / 6)
    assert report.weighted_recall == pytest.approx((2 + 1 + 1) / 6)
    assert report.weighted_f1 == pytest.approx((0.8 * 3 + 0.5 * 2 + 1) / 6)


def test_confusion_matrix_has_a_none_column_only_when_needed() -> None:
    rows, columns, matrix = confusion_matrix(Y_TRUE, Y_PRED)
    assert rows == [0, 1, 2]
    assert columns == [0, 1, 2, None]
    assert matrix == [[2, 1, 0, 0], [0, 1, 0, 1], [0, 0, 1, 0]]
    assert confusion_matrix([0, 1], [0, 1])[1] == [0, 1]


def test_mismatched_lengths_and_none_truth_are_errors() -> None:
    with pytest.raises(ValueError, match="2 true labels but 1 predictions"):
        accuracy([0, 1], [0])
    with pytest.raises(ValueError, match="must not be None"):
        classification_report([None], [0])


@pytest.mark.parametrize(
    ("predicted", "truth", "tau", "rho", "pos"),
    [
        ([0, 1, 2, 3], [0, 1, 2, 3], 1.0, 1.0, 1.0),
        ([3, 2, 1, 0], [0, 1, 2, 3], -1.0, -1.0, 0.0),
        # one swapped pair: 5 concordant, 1 discordant of 6; sum d^2 = 2
        ([1, 0, 2, 3], [0, 1, 2, 3], 4 / 6, 1 - 6 * 2 / (4 * 15), 0.5),
        # truth is not sorted: item ids are page numbers in reading order
        (["b", "a", "c"], ["b", "c", "a"], 1 / 3, 1 - 6 * 2 / (3 * 8), 1 / 3),
        ([7], [7], 1.0, 1.0, 1.0),
    ],
)
def test_ordering_scores_by_hand(
    predicted: list[object], truth: list[object], tau: float, rho: float, pos: float
) -> None:
    assert kendall_tau(predicted, truth) == pytest.approx(tau)
    assert spearman_rho(predicted, truth) == pytest.approx(rho)
    assert position_accuracy(predicted, truth) == pytest.approx(pos)
    assert score_ordering(predicted, truth).kendall_tau == pytest.approx(tau)


@pytest.mark.parametrize("predicted", [[0, 1], [0, 1, 1], [0, 1, 5]])
def test_non_permutation_is_rejected(predicted: list[int]) -> None:
    with pytest.raises(ValueError, match="not a permutation"):
        kendall_tau(predicted, [0, 1, 2])
