"""The GPU matrix: one entry per (profile, backend), planned from the configuration.

Pure: the profiles and backends come in as values, the changed paths as a list;
the workflow reads the JSON list as ``matrix: include: ${{ fromJSON(...) }}``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from release_tool.core.config import BackendConfig, ProfileConfig
from release_tool.core.json_text import parse_json
from release_tool.errors import InputRejected

SELF_HOSTED = "self-hosted"
GPU_LABEL = "gpu"
CHANGED = "changed"


@dataclass(frozen=True)
class MatrixEntry:
    """One GPU job: a profile's lock installed with one backend's extra."""

    profile: str
    directory: str
    backend: str
    extra: str
    cuda: str
    labels: tuple[str, ...]
    timeout_minutes: int

    @property
    def key(self) -> str:
        return f"{self.profile}-{self.backend}"

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.key,
            "profile": self.profile,
            "directory": self.directory,
            "backend": self.backend,
            "extra": self.extra,
            "cuda": self.cuda,
            "labels": list(self.labels),
            "timeout_minutes": self.timeout_minutes,
        }


def check_backend(backend: BackendConfig) -> None:
    """Refuse a backend whose jobs could land on a runner without a GPU."""
    labels = set(backend.runner_labels)
    if SELF_HOSTED not in labels or GPU_LABEL not in labels:
        raise InputRejected(
            f"backend {backend.name}: runner-labels {list(backend.runner_labels)} must include "
            f"{SELF_HOSTED!r} and {GPU_LABEL!r}, or its GPU job could land on a machine "
            "without a GPU"
        )


def changed_profiles(
    paths: Iterable[str], profiles: Sequence[ProfileConfig]
) -> list[ProfileConfig]:
    """The profiles whose directory holds at least one of ``paths`` (repository-relative)."""
    touched = [PurePosixPath(p) for p in paths]
    return [
        profile
        for profile in profiles
        if any(PurePosixPath(profile.directory) in (path, *path.parents) for path in touched)
    ]


def plan_matrix(
    profiles: Sequence[ProfileConfig], backends: Sequence[BackendConfig]
) -> list[MatrixEntry]:
    """Every profile times every backend, in configuration order."""
    for backend in backends:
        check_backend(backend)
    return [
        MatrixEntry(
            profile=profile.name,
            directory=profile.directory,
            backend=backend.name,
            extra=backend.extra,
            cuda=backend.cuda,
            labels=backend.runner_labels,
            timeout_minutes=backend.timeout_minutes,
        )
        for profile in profiles
        for backend in backends
    ]


def select_profiles(
    env: str, profiles: Sequence[ProfileConfig], changed_paths: Iterable[str] | None
) -> list[ProfileConfig]:
    """The profiles ``--env`` names: one by name, or those ``changed_paths`` touch."""
    if env == CHANGED:
        if changed_paths is None:
            raise InputRejected("--env changed needs the list of changed paths (give --base)")
        return changed_profiles(changed_paths, profiles)
    chosen = [p for p in profiles if p.name == env]
    if not chosen:
        names = ", ".join([*(p.name for p in profiles), CHANGED])
        raise InputRejected(f"unknown env {env!r}: choose one of {names}")
    return chosen


def dump_matrix(entries: Sequence[MatrixEntry]) -> str:
    """The one-line JSON list a workflow output carries."""
    return json.dumps([e.to_json() for e in entries], separators=(",", ":"))


def _field(raw: Mapping[str, Any], name: str, kind: type, where: str) -> Any:
    value = raw.get(name)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise InputRejected(f"{where}: field {name!r} must be a {kind.__name__}, got {value!r}")
    return value


def parse_matrix(text: str, source: str = "matrix") -> list[MatrixEntry]:
    """Read back the list ``dump_matrix`` wrote (the gate's input); reject anything else."""
    raw = parse_json(text, source)
    if not isinstance(raw, list):
        raise InputRejected(f"{source} must be a JSON list of matrix entries")
    entries: list[MatrixEntry] = []
    for i, item in enumerate(raw):
        where = f"{source} entry {i}"
        if not isinstance(item, dict):
            raise InputRejected(f"{where} must be an object")
        labels = _field(item, "labels", list, where)
        if not all(isinstance(label, str) for label in labels):
            raise InputRejected(f"{where}: labels must be strings")
        entries.append(
            MatrixEntry(
                profile=_field(item, "profile", str, where),
                directory=_field(item, "directory", str, where),
                backend=_field(item, "backend", str, where),
                extra=_field(item, "extra", str, where),
                cuda=_field(item, "cuda", str, where),
                labels=tuple(labels),
                timeout_minutes=_field(item, "timeout_minutes", int, where),
            )
        )
    keys = [e.key for e in entries]
    duplicates = sorted({k for k in keys if keys.count(k) > 1})
    if duplicates:
        raise InputRejected(f"{source} lists {', '.join(duplicates)} more than once")
    return entries
