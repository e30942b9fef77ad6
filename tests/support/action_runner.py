"""Run the ``run:`` steps of a composite action or a workflow job as the runner would.

The runner gives each step the env mapping its YAML defines (with ``${{ inputs.X }}``
replaced by the action's inputs), ``GITHUB_ACTION_PATH``, ``GITHUB_OUTPUT``,
``GITHUB_STEP_SUMMARY`` and ``RUNNER_TEMP``, and runs the script with
``bash --noprofile --norc -eo pipefail``. Outputs are read back from the
``GITHUB_OUTPUT`` file (``name=value`` and ``name<<DELIM`` forms).
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.support.workflows import load_yaml

INPUT_REF = re.compile(r"^\$\{\{ inputs\.([A-Za-z0-9_-]+) \}\}$")


@dataclass(frozen=True)
class StepRun:
    step_id: str | None
    returncode: int
    stdout: str
    stderr: str
    outputs: dict[str, str]


def read_outputs(path: Path) -> dict[str, str]:
    outputs: dict[str, str] = {}
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    i = 0
    while i < len(lines):
        line = lines[i]
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            end = lines.index(delimiter, i + 1)
            outputs[name] = "\n".join(lines[i + 1 : end])
            i = end + 1
            continue
        name, _, value = line.partition("=")
        outputs[name] = value
        i += 1
    return outputs


def action_env(step: Mapping[str, Any], inputs: Mapping[str, str], where: str) -> dict[str, str]:
    """The step's ``env:`` with each ``${{ inputs.X }}`` replaced by the input's value."""
    env: dict[str, str] = {}
    for name, value in (step.get("env") or {}).items():
        match = INPUT_REF.match(str(value))
        assert match, f"{where}: env {name} is not a plain input reference: {value!r}"
        env[name] = inputs[match[1]]
    return env


def action_inputs(action: Mapping[str, Any], given: Mapping[str, str]) -> dict[str, str]:
    """The inputs the runner passes: the defaults, overridden by ``given``."""
    declared = action.get("inputs") or {}
    unknown = set(given) - set(declared)
    assert not unknown, f"unknown inputs {unknown}"
    values = {name: str(spec.get("default", "")) for name, spec in declared.items()}
    values.update(given)
    missing = [n for n, spec in declared.items() if spec.get("required") and not values[n]]
    assert not missing, f"required inputs missing: {missing}"
    return values


def run_action(
    action_dir: Path,
    inputs: Mapping[str, str],
    *,
    workspace: Path,
    runner_temp: Path,
    base_env: Mapping[str, str],
) -> list[StepRun]:
    """Run every step of the composite action at ``action_dir``; stop at the first failure."""
    action = load_yaml(action_dir / "action.yml")
    values = action_inputs(action, inputs)
    runs: list[StepRun] = []
    for i, step in enumerate(action["runs"]["steps"]):
        assert "run" in step, f"{action_dir.name} step {i}: only run steps are supported here"
        output = runner_temp / f"output-{action_dir.name}-{i}"
        summary = runner_temp / "step-summary.md"
        env = {
            **base_env,
            **action_env(step, values, f"{action_dir.name} step {i}"),
            "GITHUB_ACTION_PATH": str(action_dir),
            "GITHUB_OUTPUT": str(output),
            "GITHUB_STEP_SUMMARY": str(summary),
            "GITHUB_WORKSPACE": str(workspace),
            "RUNNER_TEMP": str(runner_temp),
        }
        done = run_script(str(step["run"]), workspace, env)
        runs.append(
            StepRun(step.get("id"), done.returncode, done.stdout, done.stderr, read_outputs(output))
        )
        if done.returncode:
            break
    return runs


def action_outputs(action_dir: Path, runs: list[StepRun]) -> dict[str, str]:
    """The action's declared outputs, resolved from its steps' outputs."""
    action = load_yaml(action_dir / "action.yml")
    by_id = {r.step_id: r.outputs for r in runs if r.step_id}
    result: dict[str, str] = {}
    for name, spec in (action.get("outputs") or {}).items():
        match = re.fullmatch(r"\$\{\{ steps\.([a-z-]+)\.outputs\.([a-z-]+) \}\}", spec["value"])
        assert match, f"{action_dir.name} output {name}"
        result[name] = by_id.get(match[1], {}).get(match[2], "")
    return result


def run_script(script: str, cwd: Path, env: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    """A ``run:`` script as the runner runs it: ``bash --noprofile --norc -eo pipefail``."""
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
        cwd=cwd,
        env=dict(env),
        capture_output=True,
        text=True,
        check=False,
    )
