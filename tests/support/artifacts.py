"""Artifacts as actions/upload-artifact v7.0.0 stores them and download-artifact v8.0.1
lays them out (the behaviours recorded in tests/fixtures/pinned-actions.toml, read at the
pinned commits): an artifact is a mapping of relative file names to bytes.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping
from pathlib import Path

Artifact = dict[str, bytes]


def upload(workspace: Path, path: str) -> Artifact:
    """`single-file-root`: a path naming one file is stored under its own name, at the root."""
    source = workspace / path
    assert source.is_file() and "*" not in path, f"{path}: the workflows upload single files"
    return {source.name: source.read_bytes()}


def download(
    run_artifacts: Mapping[str, Artifact],
    dest: Path,
    *,
    name: str | None = None,
    pattern: str | None = None,
    merge_multiple: bool = False,
) -> list[str]:
    """`single-artifact-layout` / `merge-multiple` / `pattern-matches-nothing`: extract the
    matched artifacts under ``dest``; returns their names. A missing ``name`` fails."""
    if name is not None:
        assert name in run_artifacts, f"Artifact '{name}' not found"
        matched = [name]
    else:
        matched = sorted(
            n for n in run_artifacts if pattern is None or fnmatch.fnmatchcase(n, pattern)
        )
    flat = name is not None or merge_multiple or len(matched) == 1
    for artifact in matched:
        target = dest if flat else dest / artifact
        for file, data in run_artifacts[artifact].items():
            (target / file).parent.mkdir(parents=True, exist_ok=True)
            (target / file).write_bytes(data)
    return matched
