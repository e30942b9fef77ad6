"""Read the GitHub Actions workflows and composite actions the way the tests need them.

YAML 1.2 (ruamel): ``on`` stays a string key, unlike YAML 1.1 loaders.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from tests.support.sandbox import ROOT

WORKFLOWS = ROOT / ".github" / "workflows"
ACTIONS = ROOT / "actions"
PINS_FILE = ROOT / ".github" / "action-pins.toml"
TEMPLATES = ROOT / "docs" / "templates"
USES_LINE = re.compile(r"^\s*(?:-\s+)?uses:\s*(?P<ref>\S+)(?:\s+#\s*(?P<comment>.*))?$")


def load_yaml(path: Path) -> dict[str, Any]:
    data = YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{path} is not a YAML mapping"
    return data


def workflow_files() -> list[Path]:
    return sorted([*WORKFLOWS.glob("*.yml"), *WORKFLOWS.glob("*.yaml")])


def action_files() -> list[Path]:
    return sorted([*ACTIONS.glob("*/action.yml"), *ACTIONS.glob("*/action.yaml")])


def template_files() -> list[Path]:
    return sorted(TEMPLATES.glob("*.yml"))


@dataclass(frozen=True)
class Step:
    """One step, with where it lives (``file``, ``job`` or None for an action)."""

    file: Path
    job: str | None
    index: int
    data: dict[str, Any]

    @property
    def where(self) -> str:
        job = f" job {self.job}" if self.job else ""
        return f"{self.file.relative_to(ROOT)}{job} step {self.index}"

    @property
    def uses(self) -> str:
        return str(self.data.get("uses", ""))

    @property
    def run(self) -> str | None:
        run = self.data.get("run")
        return None if run is None else str(run)


def jobs(path: Path) -> dict[str, dict[str, Any]]:
    return load_yaml(path).get("jobs", {})  # type: ignore[no-any-return]


def steps_of(path: Path) -> Iterator[Step]:
    """Every step of a workflow (all jobs) or of a composite action."""
    data = load_yaml(path)
    if "jobs" in data:
        for name, job in data["jobs"].items():
            for i, step in enumerate(job.get("steps", [])):
                yield Step(path, name, i, step)
    else:
        for i, step in enumerate(data.get("runs", {}).get("steps", [])):
            yield Step(path, None, i, step)


def all_steps() -> Iterator[Step]:
    for path in [*workflow_files(), *action_files()]:
        yield from steps_of(path)


def uses_lines(path: Path) -> Iterator[tuple[int, str, str | None]]:
    """(line number, reference, trailing comment) of every ``uses:`` line, read as text."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        match = USES_LINE.match(line)
        if match:
            yield number, match["ref"].strip("'\""), match["comment"]


def load_pins() -> dict[str, dict[str, str]]:
    with PINS_FILE.open("rb") as fh:
        return tomllib.load(fh)["actions"]  # type: ignore[no-any-return]


def triggers(path: Path) -> dict[str, Any]:
    on = load_yaml(path)["on"]
    if isinstance(on, str):
        return {on: None}
    if isinstance(on, list):
        return dict.fromkeys(on)
    return on  # type: ignore[no-any-return]
