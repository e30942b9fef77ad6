"""The ``vlmhb run`` configuration: TOML in, a frozen record out, one-sentence errors.

Paths to files that travel with the config (``dataset``, ``prompt``) are
relative to the config file; ``output_dir`` is relative to the working
directory, so the same config writes its runs where it is run.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench_utils.errors import UsageError
from bench_utils.normalisers import NORMALISERS

TASKS = ("classification", "page_ordering", "vqa", "extraction")
FOLDER_TASKS = ("classification", "page_ordering")  # <class>/images/<subset>/ layout
FILTERS = {"vqa": ("split", "doc_class", "question_type"), "extraction": ("split", "doc_class")}
TINY = "tiny"

_TOP_KEYS = {
    "task",
    "dataset",
    "subsets",
    "sample_size",
    "seed",
    "prompt",
    "batch_size",
    "output_dir",
    "classes",
    "model",
    "filter",
    "fields",
    "system_prompt",
}
_MODEL_KEYS = {"family", "name", "params"}


class ConfigError(UsageError):
    """The run configuration is invalid; the message is one sentence."""


@dataclass(frozen=True)
class ModelConfig:
    family: str
    name: str  # a hub id, a local path, or "tiny" for the family's tiny test checkpoint
    params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def is_tiny(self) -> bool:
        return self.name == TINY


@dataclass(frozen=True)
class RunConfig:
    task: str
    dataset: Path
    prompt: Path
    model: ModelConfig
    subsets: tuple[str, ...] | None = None
    sample_size: int | None = None
    seed: int = 0
    batch_size: int = 1
    output_dir: Path = Path("runs")
    classes: tuple[str, ...] | None = None
    #: annotated tasks: wanted values per column (split, doc_class, question_type)
    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: extraction: doc_class -> field name -> normaliser name, in config order
    fields: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    system_prompt: Path | None = None

    def to_record(self) -> dict[str, Any]:
        """A JSON-ready view; stored in the run directory to check ``--resume``."""
        record: dict[str, Any] = {
            "task": self.task,
            "dataset": str(self.dataset),
            "subsets": list(self.subsets) if self.subsets is not None else None,
            "sample_size": self.sample_size,
            "seed": self.seed,
            "prompt": str(self.prompt),
            "batch_size": self.batch_size,
            "classes": list(self.classes) if self.classes is not None else None,
            "model": {
                "family": self.model.family,
                "name": self.model.name,
                "params": dict(self.model.params),
            },
        }
        # Added only when used, so the records of runs that predate them stay valid.
        if self.filters:
            record["filter"] = {k: list(v) for k, v in self.filters.items()}
        if self.fields:
            record["fields"] = {k: dict(v) for k, v in self.fields.items()}
        if self.system_prompt is not None:
            record["system_prompt"] = str(self.system_prompt)
        return record


class _Reader:
    """Typed access to one TOML table, raising :class:`ConfigError` with the key's name."""

    def __init__(self, source: Path, table: Mapping[str, Any], prefix: str = "") -> None:
        self.source, self.table, self.prefix = source, table, prefix

    def fail(self, key: str, message: str) -> ConfigError:
        return ConfigError(f"config {self.source}: `{self.prefix}{key}` {message}")

    def string(self, key: str, default: str | None = None) -> str:
        value = self.table.get(key, default)
        if value is None:
            raise self.fail(key, "is required")
        if not isinstance(value, str) or not value.strip():
            raise self.fail(key, f"must be a non-empty string, not {value!r}")
        return value

    def integer(self, key: str, default: int | None, minimum: int) -> int | None:
        value = self.table.get(key, default)
        if value is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
            raise self.fail(key, f"must be an integer >= {minimum}, not {value!r}")
        return value

    def strings(self, key: str) -> tuple[str, ...] | None:
        value = self.table.get(key)
        if value is None:
            return None
        if (
            not isinstance(value, list)
            or not value
            or not all(isinstance(v, str) and v for v in value)
        ):
            raise self.fail(key, f"must be a non-empty list of names, not {value!r}")
        if len(set(value)) != len(value):
            raise self.fail(key, f"lists a name twice: {value!r}")
        return tuple(value)

    def check_keys(self, allowed: set[str]) -> None:
        unknown = sorted(set(self.table) - allowed)
        if unknown:
            raise self.fail(
                unknown[0], f"is not a known key (known keys: {', '.join(sorted(allowed))})"
            )


def parse_run_config(
    data: Mapping[str, Any], source: Path, dataset_override: Path | None = None
) -> RunConfig:
    """Validate parsed TOML; relative ``dataset``/``prompt`` resolve against the config's folder."""
    top = _Reader(source, data)
    top.check_keys(_TOP_KEYS)
    task = top.string("task")
    if task not in TASKS:
        raise top.fail("task", f"must be one of {', '.join(TASKS)}, not {task!r}")
    base = source.parent
    if dataset_override is not None:
        dataset = dataset_override
    elif "dataset" in data:
        dataset = base / top.string("dataset")
    else:
        raise top.fail("dataset", "is required (or pass --dataset DIR)")
    model_table = data.get("model")
    if not isinstance(model_table, Mapping):
        raise top.fail("model", 'must be a table: [model] family = "...", name = "..."')
    model = _Reader(source, model_table, "model.")
    model.check_keys(_MODEL_KEYS)
    params = model_table.get("params", {})
    if not isinstance(params, Mapping):
        raise model.fail("params", "must be a table of keyword arguments ([model.params])")
    try:
        json.dumps(dict(params))
    except TypeError:
        raise model.fail(
            "params", "may hold strings, numbers, booleans, lists and tables only"
        ) from None
    batch_size = top.integer("batch_size", 1, 1)
    seed = top.integer("seed", 0, 0)
    if task not in FOLDER_TASKS:
        for key in ("subsets", "classes"):
            if key in data:
                raise top.fail(
                    key,
                    f"does not apply to {task} (it reads its items from an annotation file); "
                    "use [filter] split/doc_class instead",
                )
    filters = _filters(top, data, task)
    fields = _fields(top, data, task)
    system_prompt = (
        (base / top.string("system_prompt")).resolve() if "system_prompt" in data else None
    )
    if system_prompt is not None and "system_prompt" in params:
        raise model.fail(
            "params.system_prompt", "and `system_prompt` are both set; keep one of them"
        )
    return RunConfig(
        task=task,
        dataset=dataset.resolve(),
        prompt=(base / top.string("prompt")).resolve(),
        model=ModelConfig(model.string("family"), model.string("name"), dict(params)),
        subsets=top.strings("subsets"),
        sample_size=top.integer("sample_size", None, 1),
        seed=seed if seed is not None else 0,
        batch_size=batch_size if batch_size is not None else 1,
        output_dir=Path(top.string("output_dir", "runs")),
        classes=top.strings("classes"),
        filters=filters,
        fields=fields,
        system_prompt=system_prompt,
    )


def _filters(top: _Reader, data: Mapping[str, Any], task: str) -> dict[str, tuple[str, ...]]:
    table = data.get("filter")
    if table is None:
        return {}
    if task not in FILTERS:
        raise top.fail("filter", f"does not apply to {task} (use `subsets` and `classes`)")
    if not isinstance(table, Mapping):
        raise top.fail("filter", 'must be a table, e.g. [filter] split = ["test"]')
    reader = _Reader(top.source, table, "filter.")
    reader.check_keys(set(FILTERS[task]))
    return {key: value for key in FILTERS[task] if (value := reader.strings(key)) is not None}


def _fields(top: _Reader, data: Mapping[str, Any], task: str) -> dict[str, dict[str, str]]:
    table = data.get("fields")
    if task != "extraction":
        if table is not None:
            raise top.fail("fields", f"applies to the extraction task only, not {task}")
        return {}
    if not isinstance(table, Mapping) or not table:
        raise top.fail(
            "fields",
            "is required for extraction: one table per document class, "
            'e.g. [fields.inn] number = "digits"',
        )
    fields: dict[str, dict[str, str]] = {}
    for doc_class, declared in table.items():
        if not isinstance(declared, Mapping) or not declared:
            raise top.fail(f"fields.{doc_class}", "must be a table of field names and normalisers")
        for name, normaliser in declared.items():
            if normaliser not in NORMALISERS:
                raise top.fail(
                    f"fields.{doc_class}.{name}",
                    f"must name a normaliser ({', '.join(NORMALISERS)}), not {normaliser!r}",
                )
        fields[doc_class] = dict(declared)
    return fields


def load_run_config(path: Path, dataset_override: Path | None = None) -> RunConfig:
    """Read and validate a run config file."""
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"config file {path} does not exist") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"config file {path} cannot be read: {exc}") from None
    return parse_run_config(data, path, dataset_override)
