"""Every `release-tool …` (and `vlmhb …`) the workflows and actions run parses with the real parser.

The steps run for real in bash with a recording `uv` first on PATH, so the command
lines checked are the ones the shell builds (arrays, optional flags), not a regex's
guess. A renamed or removed flag fails here, not in a release.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from bench_utils.cli import build_parser as vlmhb_parser
from release_tool.cli import build_parser as release_tool_parser

from tests.support.action_runner import run_action
from tests.support.sandbox import ROOT, clean_env
from tests.support.workflows import ACTIONS, action_files, load_yaml, workflow_files

SHA = "0123456789abcdef0123456789abcdef01234567"
ENTRY = {
    "id": "staging-cu124",
    "profile": "staging",
    "directory": "staging",
    "backend": "cu124",
    "extra": "cu124",
    "cuda": "12.4",
    "labels": ["self-hosted", "gpu"],
    "timeout_minutes": 60,
}
# What each action is run with: together they give every input a non-default value.
SCENARIOS: dict[str, list[dict[str, str]]] = {
    "intake": [{}, {"payload-file": "/tmp/event.json"}],
    "promote": [
        {"token": "t", "payload-file": "/tmp/payload.json"},
        {"token": "t", "env": "staging", "pins": f"hello-world=0.3.0 bench-utils=0.2.0@{SHA}"},
        {"token": "t", "env": "prod", "from-env": "staging", "packages": "hello-world bench-utils"},
        {
            "token": "t",
            "env": "prod",
            "package": "hello-world",
            "tag": "0.0.10",
            "allow-downgrade": "true",
            "reason": "0.0.11 breaks --help; rolling back",
        },
        {"payload-file": "/tmp/payload.json", "bundle-out": "/tmp/release-bundle"},
    ],
    "publish": [{"token": "t"}, {"token": "t", "package": "hello-world", "dry-run": "true"}],
    "refresh": [
        {"token": "t", "list": "true"},
        {"token": "t", "env": "staging", "pr": "12"},
        {"token": "t", "env": "staging", "pr": "12", "bundle-out": "/tmp/release-bundle"},
    ],
    "relock": [
        {"token": "t", "env": "staging"},
        {"token": "t", "env": "prod", "upgrade": "false"},
        {"env": "prod", "bundle-out": "/tmp/release-bundle"},
    ],
    "publish-bundle": [{"token": "t", "bundle": "/tmp/release-bundle"}],
    "comment": [{"token": "t", "pr": "12", "kind": "gpu", "file": "/tmp/report.md"}],
    "notify": [
        {
            "token": "t",
            "repository": "VLMHyperBenchTeam/vlmhyperbench_playground",
            "package": "hello-world",
            "tag": "0.3.0",
            "sha": SHA,
            "env": "prod",
        }
    ],
    "report-failure": [
        {
            "token": "t",
            "package": "hello-world",
            "tag": "0.3.0",
            "env": "staging",
            "run-url": "https://github.com/o/r/actions/runs/1",
            "log-file": "/tmp/release-tool.log",
        }
    ],
}
# Sample values for the env variables the workflow steps define, by name.
WORKFLOW_SAMPLES = {
    "BASE": SHA,
    "PROFILE": "staging",
    "PROFILE_DIR": "staging",
    "EXTRA": "cu124",
    "BACKEND": "cu124",
    "EXPECT_CUDA": "12.4",
    "ENTRY": json.dumps(ENTRY, indent=2),
    "LOCK_CHECK": "success",
    "SYNC": "success",
    "SMOKE": "failure",
    "STARTED": "1700000000",
    "RUN_URL": "https://github.com/o/r/actions/runs/1",
    "MATRIX": json.dumps([ENTRY]),
    "FORK": "false",
    "PLAN": "success",
    "CHECK": "success",
    "ENV_NAME": "staging",
    "RELEASE_TOOL_TOKEN": "ghs_sample",
    "RELEASE_TOOL_REGISTRY_USER": "octocat",
    "RELEASE_TOOL_REGISTRY_TOKEN": "ghs_sample",
    "VARIANT": "staging-cu124",
    "METADATA": '{"runtime-staging-cu124": {"containerimage.digest": "sha256:' + "0" * 64 + '"}}',
}
TOOL_LINE = re.compile(r"\buv run\b[^\n]*\b(release-tool|vlmhb) [a-z]")
RECORDER = """#!/usr/bin/env python3
import json, os, sys
with open(os.environ["UV_RECORD"], "a", encoding="utf-8") as fh:
    fh.write(json.dumps(sys.argv[1:]) + "\\n")
"""


@pytest.fixture
def recorder(tmp_path: Path) -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    uv = bin_dir / "uv"
    uv.write_text(RECORDER, encoding="utf-8")
    uv.chmod(0o755)
    return bin_dir


def _env(tmp_path: Path, recorder: Path) -> dict[str, str]:
    return clean_env(
        {"PATH": f"{recorder}{os.pathsep}{os.environ['PATH']}", "UV_RECORD": str(tmp_path / "uv")}
    )


def _recorded(tmp_path: Path) -> list[list[str]]:
    path = tmp_path / "uv"
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    return [json.loads(line) for line in lines]


def _tool_argv(uv_argv: list[str], tool: str) -> list[str] | None:
    """What follows the program name in ``uv run [options] <tool> …``; None for other uv calls."""
    if not uv_argv or uv_argv[0] != "run":
        return None
    for i, word in enumerate(uv_argv):
        if word == tool and uv_argv[i - 1] not in {"--package", "--project"}:
            return uv_argv[i + 1 :]
    return None


def _parse(parser_factory: Callable[[], object], argv: list[str], where: str) -> None:
    parser = parser_factory()
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        try:
            parser.parse_args(argv)  # type: ignore[attr-defined]
        except SystemExit:
            pytest.fail(
                f"{where}: {argv} does not parse: {err.getvalue().strip().splitlines()[-1]}"
            )


def _scenarios() -> Iterator[tuple[str, dict[str, str]]]:
    for name, scenarios in SCENARIOS.items():
        for scenario in scenarios:
            yield name, scenario


def test_every_action_and_every_input_has_a_scenario() -> None:
    names = {p.parent.name for p in action_files()}
    assert set(SCENARIOS) == names
    for name in names:
        declared = load_yaml(ACTIONS / name / "action.yml").get("inputs") or {}
        exercised = {k for s in SCENARIOS[name] for k, v in s.items()}
        assert exercised == set(declared), f"{name}: inputs without a scenario"


@pytest.mark.parametrize(("name", "inputs"), list(_scenarios()))
def test_action_command_lines_parse(
    name: str, inputs: dict[str, str], tmp_path: Path, recorder: Path
) -> None:
    runs = run_action(
        ACTIONS / name,
        inputs,
        workspace=ROOT,
        runner_temp=tmp_path,
        base_env=_env(tmp_path, recorder),
    )
    assert all(r.returncode == 0 for r in runs), runs[-1].stderr
    calls = (_tool_argv(argv, "release-tool") for argv in _recorded(tmp_path))
    tool_calls = [c for c in calls if c is not None]
    assert tool_calls, f"{name}: no release-tool call was made"
    for uv_argv in _recorded(tmp_path):
        assert uv_argv[:4] == ["run", "--locked", "--no-dev", "--package"], uv_argv
    for argv in tool_calls:
        _parse(release_tool_parser, argv, f"actions/{name}")


def _workflow_steps() -> Iterator[tuple[str, dict[str, object], dict[str, str]]]:
    for path in workflow_files():
        for job_name, job in load_yaml(path).get("jobs", {}).items():
            for i, step in enumerate(job.get("steps", [])):
                run = str(step.get("run", "")).replace("\\\n", " ")
                if TOOL_LINE.search(run):
                    where = f"{path.name} {job_name} step {i}"
                    yield where, step, dict(job.get("env") or {})


WORKFLOW_STEPS = list(_workflow_steps())


@pytest.mark.parametrize(
    ("where", "step", "job_env"), WORKFLOW_STEPS, ids=[w for w, *_ in WORKFLOW_STEPS]
)
def test_workflow_command_lines_parse(
    where: str, step: dict[str, object], job_env: dict[str, str], tmp_path: Path, recorder: Path
) -> None:
    names = {**job_env, **dict(step.get("env") or {})}  # type: ignore[call-overload]
    unknown = set(names) - set(WORKFLOW_SAMPLES)
    assert not unknown, f"{where}: add sample values for {unknown} to WORKFLOW_SAMPLES"
    env = {
        **_env(tmp_path, recorder),
        **{name: WORKFLOW_SAMPLES[name] for name in names},
        "RUNNER_TEMP": str(tmp_path),
        "GITHUB_OUTPUT": str(tmp_path / "output"),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary"),
    }
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", str(step["run"])],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    parsed = 0
    for uv_argv in _recorded(tmp_path):
        for tool, factory in (("release-tool", release_tool_parser), ("vlmhb", vlmhb_parser)):
            argv = _tool_argv(uv_argv, tool)
            if argv is not None:
                _parse(factory, argv, where)
                parsed += 1
    assert parsed, f"{where}: no release-tool or vlmhb command ran"
