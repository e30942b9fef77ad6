"""Draw a task's charts as PNG files with matplotlib (the ``bench-utils[report]`` extra).

matplotlib is imported only here and only when a run draws its plots; without
it, :func:`plotting_available` is false and ``vlmhb run`` writes ``report.md``
alone. The PNGs carry no timestamp or version metadata, so the same charts
always give the same bytes (a resumed run matches an uninterrupted one).
"""

from __future__ import annotations

import importlib.util
import io
from typing import TYPE_CHECKING, Any

from bench_utils.charts import Bars, Chart, Heatmap, Histogram

if TYPE_CHECKING:
    from matplotlib.figure import Figure

EXTRA_HINT = (
    "plots and report.html need the optional extra bench-utils[report] (matplotlib); "
    "install it with `uv sync --all-packages` in the workspace or "
    "`pip install 'bench-utils[report]'`"
)
DPI = 100


def plotting_available() -> bool:
    """Whether matplotlib can be imported here."""
    try:
        return importlib.util.find_spec("matplotlib") is not None
    except (ImportError, ValueError):  # a None entry in sys.modules raises ValueError
        return False


def _figure(width: float, height: float) -> Figure:
    from matplotlib.figure import Figure  # noqa: PLC0415 - the optional extra, loaded late

    # A bare Figure draws with the Agg canvas and leaves pyplot's global state alone.
    return Figure(figsize=(width, height), dpi=DPI, layout="constrained")


def _heatmap(chart: Heatmap) -> Figure:
    cells = max(len(chart.rows), len(chart.columns))
    fig = _figure(2.6 + 0.7 * cells, 2.2 + 0.6 * cells)
    ax = fig.add_subplot()
    image = ax.imshow(chart.matrix, cmap="Blues", aspect="auto", vmin=0)
    fig.colorbar(image, ax=ax, label="items")
    ax.set_xticks(range(len(chart.columns)), chart.columns, rotation=30, ha="right")
    ax.set_yticks(range(len(chart.rows)), chart.rows)
    peak = max((max(row) for row in chart.matrix if row), default=0)
    for i, row in enumerate(chart.matrix):
        for j, count in enumerate(row):
            dark = peak and count > peak / 2
            ax.text(j, i, str(count), ha="center", va="center", color="white" if dark else "black")
    ax.set_xlabel(chart.xlabel)
    ax.set_ylabel(chart.ylabel)
    ax.set_title(chart.title)
    return fig


def _bars(chart: Bars) -> Figure:
    fig = _figure(max(4.0, 1.2 + 0.75 * len(chart.labels)), 3.6)
    ax = fig.add_subplot()
    positions = range(len(chart.labels))
    bars = ax.bar(positions, chart.values, color="#3b6fb6")
    tilt = len(chart.labels) > 4 or max(map(len, chart.labels), default=0) > 10
    ax.set_xticks(
        positions, chart.labels, rotation=30 if tilt else 0, ha="right" if tilt else "center"
    )
    ax.set_ylim(*chart.limit)
    if chart.counts:
        ax.bar_label(
            bars,
            labels=[f"{v:.2f}\n(n={n})" for v, n in zip(chart.values, chart.counts, strict=True)],
            fontsize=8,
        )
    else:
        ax.bar_label(bars, fmt="%.2f", fontsize=8)
    ax.margins(y=0.15)
    ax.set_ylim(chart.limit[0], chart.limit[1] * 1.18)
    ax.set_xlabel(chart.xlabel)
    ax.set_ylabel(chart.ylabel)
    ax.set_title(chart.title)
    return fig


def _histogram(chart: Histogram) -> Figure:
    fig = _figure(5.0, 3.4)
    ax = fig.add_subplot()
    ax.hist(
        chart.values,
        bins=chart.bins,
        range=(chart.low, chart.high),
        color="#3b6fb6",
        edgecolor="white",
    )
    ax.set_xlim(chart.low, chart.high)
    ax.set_xlabel(chart.xlabel)
    ax.set_ylabel(chart.ylabel)
    ax.set_title(f"{chart.title} (n={len(chart.values)})")
    return fig


def render_png(chart: Chart) -> bytes:
    """The chart as PNG bytes (deterministic: no metadata beyond the image itself)."""
    drawers: dict[type, Any] = {Heatmap: _heatmap, Bars: _bars, Histogram: _histogram}
    fig = drawers[type(chart)](chart)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()
