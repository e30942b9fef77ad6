"""Intake of hostile 4 MB events: seconds per shape through ``release-tool intake``
(file read, JSON parse, refusal), and the duplicate-key check before and after it
became linear, side by side. Prints figures; asserts nothing about speed.

Run: uv run --frozen python -m bench.intake
"""

from __future__ import annotations

import contextlib
import functools
import io
import json
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from release_tool.cli import main

from tests.support.hostile_events import SHAPES


def _timed(run: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = run()
    return time.perf_counter() - started, result


def _intake(path: Path) -> int:
    with contextlib.redirect_stderr(io.StringIO()), contextlib.redirect_stdout(io.StringIO()):
        return main(["intake", "--payload", str(path)], env={})


def _quadratic(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [k for k, _ in pairs]
    for key in keys:
        if keys.count(key) > 1:
            raise ValueError(key)
    return dict(pairs)


def _linear(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)
    if len(found) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise ValueError(key)
            seen.add(key)
    return found


def _check(hook: Callable[[list[tuple[str, Any]]], dict[str, Any]], text: str) -> None:
    with contextlib.suppress(ValueError):
        json.loads(text, object_pairs_hook=hook)


def main_bench() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-intake-") as tmp:
        _intake(Path("/dev/null"))  # imports and config read out of the figures
        print(f"{'4 MB event shape':<16} {'bytes':>9} {'exit':>4} {'seconds':>8}")
        for name, make in SHAPES.items():
            path = Path(tmp) / f"{name}.json"
            path.write_text(make(), encoding="utf-8")
            seconds, code = _timed(functools.partial(_intake, path))
            print(f"{name:<16} {path.stat().st_size:>9} {code:>4} {seconds:>8.3f}")
    print()
    print("duplicate-key check alone (last key repeated), old count() vs now:")
    print(f"{'keys':>7} {'old s':>8} {'new s':>8} {'ratio':>7}")
    for keys in (5_000, 10_000, 20_000, 40_000):
        text = "{" + ",".join(f'"k{i}":0' for i in range(keys)) + f',"k{keys - 1}":1' + "}"
        old, _ = _timed(functools.partial(_check, _quadratic, text))
        new, _ = _timed(functools.partial(_check, _linear, text))
        print(f"{keys:>7} {old:>8.3f} {new:>8.4f} {old / new:>7.0f}x")


if __name__ == "__main__":
    main_bench()
