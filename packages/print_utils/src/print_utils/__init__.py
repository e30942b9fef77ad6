"""Console helpers on rich: tables, status lines and progress bars.

Everything writes through one :class:`rich.console.Console` so that callers (and
tests) can redirect output by passing their own console.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TypeVar

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

__all__ = [
    "get_console",
    "make_table",
    "print_error",
    "print_mapping",
    "print_status",
    "print_table",
    "progress_bar",
    "track",
]

T = TypeVar("T")

_STYLES = {"ok": "bold green", "info": "cyan", "warn": "bold yellow", "error": "bold red"}
_console: Console | None = None


def get_console() -> Console:
    """The shared console (stdout); created on first use so redirection still works."""
    global _console  # noqa: PLW0603 - one lazily created process-wide console
    if _console is None:
        _console = Console(highlight=False)
    return _console


def print_status(message: str, level: str = "info", console: Console | None = None) -> None:
    """Print one status line prefixed by its level (ok, info, warn, error)."""
    if level not in _STYLES:
        raise ValueError(f"unknown status level {level!r}; use one of {', '.join(_STYLES)}")
    out = console or get_console()
    out.print(f"[{_STYLES[level]}]{level.upper():>5}[/] {message}", markup=True)


def print_error(message: str, console: Console | None = None) -> None:
    """Print an error line to stderr (or to ``console``)."""
    print_status(message, "error", console or Console(stderr=True, highlight=False))


def make_table(
    columns: Sequence[str], rows: Iterable[Sequence[object]], title: str | None = None
) -> Table:
    """Build a rich table; every cell is rendered with ``str``."""
    table = Table(title=title, show_lines=False)
    for column in columns:
        table.add_column(column)
    for row in rows:
        if len(row) != len(columns):
            raise ValueError(f"row {list(row)!r} has {len(row)} cells, expected {len(columns)}")
        table.add_row(*(str(cell) for cell in row))
    return table


def print_table(
    columns: Sequence[str],
    rows: Iterable[Sequence[object]],
    title: str | None = None,
    console: Console | None = None,
) -> None:
    """Print a table built by :func:`make_table`."""
    (console or get_console()).print(make_table(columns, rows, title))


def print_mapping(
    mapping: Mapping[str, object], title: str | None = None, console: Console | None = None
) -> None:
    """Print a two-column key/value table."""
    print_table(("key", "value"), mapping.items(), title=title, console=console)


@contextmanager
def progress_bar(console: Console | None = None) -> Iterator[Progress]:
    """A progress display with count, bar, elapsed time and ETA."""
    progress = Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=console or get_console(),
    )
    with progress:
        yield progress


def track(items: Sequence[T], description: str, console: Console | None = None) -> Iterator[T]:
    """Iterate over ``items`` while showing a progress bar with ETA."""
    with progress_bar(console) as progress:
        task = progress.add_task(description, total=len(items))
        for item in items:
            yield item
            progress.advance(task)
