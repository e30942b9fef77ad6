"""Hostile repository_dispatch events just under intake's size bound (tests and bench)."""

from __future__ import annotations

from release_tool.core.payload import MAX_EVENT_CHARS

SIZE = MAX_EVENT_CHARS - 100


def many_keys(size: int = SIZE) -> str:
    """One object of distinct keys whose last key repeats: the shape that made the
    duplicate-key check quadratic (every key counted against every other)."""
    parts = []
    total = 0
    i = 0
    while total < size - 40:
        part = f'"k{i}":0'
        parts.append(part)
        total += len(part) + 1
        i += 1
    parts.append(f'"k{i - 1}":1')
    return '{"client_payload":{' + ",".join(parts) + "}}"


def long_string(size: int = SIZE) -> str:
    return '{"client_payload":{"package":"' + "a" * (size - 40) + '"}}'


def deep_nesting(size: int = SIZE) -> str:
    half = (size - 40) // 2
    return '{"client_payload":' + "[" * half + "]" * half + "}"


def many_small_objects(size: int = SIZE) -> str:
    count = (size - 40) // 9
    return '{"client_payload":[' + ",".join(['{"a":0}'] * count) + "]}"


def huge_integer(size: int = SIZE) -> str:
    return '{"client_payload":{"package":' + "9" * (size - 40) + "}}"


SHAPES = {
    "many-keys": many_keys,
    "long-string": long_string,
    "deep-nesting": deep_nesting,
    "many-objects": many_small_objects,
    "huge-integer": huge_integer,
}
