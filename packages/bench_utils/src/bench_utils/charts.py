"""What a task wants plotted, as plain data; :mod:`bench_utils.plots` draws it.

Tasks describe their charts here without importing a plotting library, so the
metrics, the predictions and ``report.md`` never depend on the optional
``bench-utils[report]`` extra.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Heatmap:
    """Counts in a grid, e.g. a confusion matrix (rows: truth, columns: prediction)."""

    name: str  # file stem of the PNG
    title: str
    rows: tuple[str, ...]
    columns: tuple[str, ...]
    matrix: tuple[tuple[int, ...], ...]
    xlabel: str
    ylabel: str


@dataclass(frozen=True)
class Bars:
    """One value per label (a score in [0, 1] unless ``limit`` says otherwise)."""

    name: str
    title: str
    labels: tuple[str, ...]
    values: tuple[float, ...]
    xlabel: str
    ylabel: str
    counts: tuple[int, ...] = ()  # items behind each bar, written on it when given
    limit: tuple[float, float] = (0.0, 1.0)


@dataclass(frozen=True)
class Histogram:
    """The distribution of per-item values over ``bins`` equal bins from ``low`` to ``high``."""

    name: str
    title: str
    values: tuple[float, ...]
    low: float
    high: float
    bins: int
    xlabel: str
    ylabel: str = "items"


Chart = Heatmap | Bars | Histogram
