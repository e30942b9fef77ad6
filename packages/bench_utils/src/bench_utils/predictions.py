"""The predictions file: JSON lines, appended as answers arrive, keyed for ``--resume``.

A record's key is (task, subset, item path). An interrupted run may leave a torn
last line; reading drops it (that answer is asked again). Any other unreadable
line is an error: the file is the run's only copy of its answers.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from bench_utils.errors import UsageError
from bench_utils.report import write_text_atomic

PREDICTIONS = "predictions.jsonl"
Key = tuple[str, str, str]


class PredictionsError(UsageError):
    """The predictions file of a run cannot be used; one sentence."""


def record_key(record: dict[str, Any]) -> Key:
    return (record["task"], record["subset"], record["item"])


def to_line(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n"


def read_predictions(path: Path) -> dict[Key, dict[str, Any]]:
    """Records by key; a torn final line (no newline) is dropped."""
    if not path.exists():
        return {}
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    complete, torn = lines[:-1], lines[-1]  # text ends with "\n" unless the last line is torn
    del torn
    records: dict[Key, dict[str, Any]] = {}
    for number, line in enumerate(complete, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            key = record_key(record)
        except (json.JSONDecodeError, KeyError, TypeError):
            raise PredictionsError(
                f"line {number} of {path} is not a prediction record; fix or remove it "
                "before resuming"
            ) from None
        records[key] = record
    return records


def write_predictions(path: Path, records: Iterable[dict[str, Any]]) -> None:
    """Rewrite the whole file (atomically) with ``records`` in the given order."""
    write_text_atomic(path, "".join(to_line(record) for record in records))


class PredictionWriter:
    """Appends records and flushes each batch, so an interruption loses at most one batch."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fh: IO[str] | None = None

    def __enter__(self) -> PredictionWriter:
        self._fh = self.path.open("a", encoding="utf-8")
        return self

    def append(self, records: Sequence[dict[str, Any]]) -> None:
        if self._fh is None:
            raise RuntimeError("PredictionWriter used outside its with-block")
        self._fh.write("".join(to_line(record) for record in records))
        self._fh.flush()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None
