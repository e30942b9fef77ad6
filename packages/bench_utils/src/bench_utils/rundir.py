"""Run directories: a readable, unique name and the record that guards ``--resume``."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

from bench_utils.errors import UsageError
from bench_utils.report import to_json, write_text_atomic
from bench_utils.runconfig import ModelConfig

RUN_RECORD = "run.json"


class RunDirError(UsageError):
    """A run directory cannot be created or resumed; one sentence."""


def sanitize(text: str) -> str:
    """Keep letters, digits, dots, dashes and underscores; never start with a dot."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("._-") or "run"


def model_label(model: ModelConfig) -> str:
    """The model part of a run name: the full last component of a hub id or path."""
    if model.is_tiny:
        return f"{model.family}-tiny"
    return model.name.rstrip("/\\").replace("\\", "/").rsplit("/", 1)[-1] or model.name


def run_dir_name(model: ModelConfig, prompt: Path, now: datetime) -> str:
    """``<model>_<prompt stem>_<YYYYmmdd-HHMMSS>``, e.g. ``Qwen2.5-VL-3B-Instruct_cls_...``."""
    return "_".join(
        (sanitize(model_label(model)), sanitize(prompt.stem), now.strftime("%Y%m%d-%H%M%S"))
    )


def create_run_dir(output_dir: Path, name: str, record: dict[str, Any]) -> Path:
    """Create a fresh run directory (``name-2``, ``-3``... if taken) holding ``run.json``."""
    output_dir.mkdir(parents=True, exist_ok=True)
    candidate, suffix = output_dir / name, 1
    while True:
        try:
            candidate.mkdir()
            break
        except FileExistsError:
            suffix += 1
            candidate = output_dir / f"{name}-{suffix}"
    write_text_atomic(candidate / RUN_RECORD, to_json(record))
    return candidate


def _first_difference(old: Any, new: Any, path: str = "") -> str:
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(set(old) | set(new)):
            if old.get(key) != new.get(key):
                return _first_difference(
                    old.get(key), new.get(key), f"{path}.{key}" if path else key
                )
    return path or "the configuration"


def check_resume(run_dir: Path, record: dict[str, Any]) -> None:
    """Refuse to resume a directory that is not a run, or a run of another configuration."""
    stored_path = run_dir / RUN_RECORD
    if not stored_path.is_file():
        raise RunDirError(f"{run_dir} is not a vlmhb run directory (it has no {RUN_RECORD})")
    try:
        stored = json.loads(stored_path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise RunDirError(f"{stored_path} cannot be read: {exc}") from None
    if stored != record:
        where = _first_difference(stored, record)
        raise RunDirError(
            f"{run_dir} was started with a different configuration (`{where}` differs); "
            "resume it with the same config and prompt, or start a new run"
        )
