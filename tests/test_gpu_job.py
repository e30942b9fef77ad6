"""gpu.yml's GPU job, step by step as written, on a sandbox profile with stand-in torch.

No GPU here: the stand-in torch wheels install but refuse to import, so the smoke run
and the GPU tests fail, which is exactly what the job must report. The steps that must
work on any machine do: the lock check, the locked sync with the test group, the
result file, and the gate's one-sentence verdict on it.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tarfile
from pathlib import Path
from typing import Any

import pytest
from release_tool.cli import main
from release_tool.core.matrix import parse_matrix

from tests.support.sandbox import ROOT, Sandbox, clean_env, git, make_sandbox
from tests.support.tools import run_uv
from tests.support.workflows import jobs

pytestmark = [pytest.mark.uvlock, pytest.mark.slow]

GPU_JOB = jobs(ROOT / ".github" / "workflows" / "gpu.yml")["gpu"]
ENTRY = {
    "id": "staging-cu124",
    "profile": "staging",
    "directory": "staging",
    "backend": "cu124",
    "extra": "cu124",
    "cuda": "12.4",
    "labels": ["self-hosted", "linux", "x64", "gpu", "cuda-12.4"],
    "timeout_minutes": 60,
}
IDENT = {
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.invalid",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.invalid",
}


def _expression(value: str, values: dict[str, str]) -> str:
    """``${{ matrix.X }}``, ``${{ steps.X.outcome }}``… in an env value, with the job's values."""

    def one(match: re.Match[str]) -> str:
        key = match[1].strip()
        if key == "toJSON(matrix)":
            return json.dumps(ENTRY, indent=2)
        assert key in values, f"no value for {key!r} in this test"
        return values[key]

    return re.sub(r"\$\{\{(.*?)\}\}", one, value)


def _condition(condition: str | None, outcomes: dict[str, str], failed: bool) -> bool:
    """The few `if:` forms gpu.yml uses; any other fails the test, to be taught here."""
    if condition is None:
        return not failed  # success()
    text = condition.strip().removeprefix("${{").removesuffix("}}")
    result = True
    for term in (t.strip() for t in text.split("&&")):
        if term == "!cancelled()":
            continue
        match = re.fullmatch(r"steps\.([a-z-]+)\.outcome == '([a-z]+)'", term)
        assert match, f"gpu.yml uses an if: term this test cannot evaluate: {term!r}"
        result = result and outcomes.get(match[1], "skipped") == match[2]
    return result


def run_gpu_job(work: Path, env: dict[str, str], temp: Path) -> tuple[dict[str, str], Path]:
    """Run the job's steps; return the step outcomes and the uploaded artifacts folder."""
    values = {f"matrix.{k}": str(v) for k, v in ENTRY.items()}
    values |= {
        "github.server_url": "https://github.com",
        "github.repository": "VLMHyperBenchTeam/vlmhyperbench_playground",
        "github.run_id": "7",
    }
    job_env = {k: _expression(str(v), values) for k, v in GPU_JOB["env"].items()}
    outcomes: dict[str, str] = {}
    outputs: dict[str, dict[str, str]] = {}
    artifacts = temp / "artifacts"
    exported: dict[str, str] = {}  # what steps wrote to GITHUB_ENV
    caches: dict[str, bool] = {}
    failed = False
    for i, step in enumerate(GPU_JOB["steps"]):
        step_id = step.get("id", f"step{i}")
        if not _condition(step.get("if"), outcomes, failed):
            outcomes[step_id] = "skipped"
            continue
        uses = step.get("uses", "")
        if uses.startswith(("actions/checkout@", "astral-sh/setup-uv@")):
            outcomes[step_id] = "success"  # the sandbox is the checkout; uv is on PATH
            continue
        if uses.startswith("actions/upload-artifact@"):
            name = _expression(step["with"]["name"], values)
            source = Path(step["with"]["path"].replace("${{ runner.temp }}", str(temp)))
            (artifacts / name).mkdir(parents=True)
            shutil.copy(source, artifacts / name / source.name)
            outcomes[step_id] = "success"
            continue
        assert "run" in step, f"gpu.yml gpu step {i}: {uses} is not emulated here"
        step_values = (
            values
            | {f"steps.{k}.outcome": v for k, v in outcomes.items()}
            | {f"steps.{k}.outputs.{n}": v for k, o in outputs.items() for n, v in o.items()}
        )
        output_file = temp / f"output-{i}"
        env_file = temp / f"env-{i}"
        step_env = {
            **env,
            **job_env,
            **exported,
            **{k: _expression(str(v), step_values) for k, v in (step.get("env") or {}).items()},
            "RUNNER_TEMP": str(temp),
            "GITHUB_OUTPUT": str(output_file),
            "GITHUB_ENV": str(env_file),
        }
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
            cwd=work,
            env=step_env,
            capture_output=True,
            text=True,
            check=False,
        )
        outcomes[step_id] = "success" if done.returncode == 0 else "failure"
        failed = failed or done.returncode != 0
        lines = output_file.read_text(encoding="utf-8").splitlines() if output_file.exists() else []
        outputs[step_id] = dict(line.split("=", 1) for line in lines if "=" in line)
        if env_file.exists():
            written = dict(
                line.split("=", 1)
                for line in env_file.read_text("utf-8").splitlines()
                if "=" in line
            )
            # The per-job caches must sit in RUNNER_TEMP; the emulation keeps the warm
            # shared uv cache (a cold one would download every wheel of the profile).
            for name in ("UV_CACHE_DIR", "HF_HOME"):
                if name in written:
                    assert written.pop(name).startswith(f"{temp}/"), name
                    caches[name] = True
            exported.update(written)
        (temp / f"log-{step_id}.txt").write_text(done.stdout + done.stderr, encoding="utf-8")
    assert caches == {"UV_CACHE_DIR": True, "HF_HOME": True}
    return outcomes, artifacts


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Sandbox:
    return make_sandbox(tmp_path_factory.mktemp("gpu-sandbox"))


def _checkout(root: Path, sandbox: Sandbox) -> Path:
    """This repository at HEAD with a staging lock made against the sandbox, committed."""
    work = root / "work"
    work.mkdir()
    archive = root / "tree.tar"
    subprocess.run(
        ["git", "archive", f"--output={archive}", "HEAD"], cwd=ROOT, env=clean_env(), check=True
    )
    with tarfile.open(archive) as tar:
        tar.extractall(work, filter="data")
    run_uv("lock", "--project", "staging", cwd=work, env=sandbox.env())
    git("init", "-q", "-b", "main", cwd=work, env=IDENT)
    git("add", "-A", cwd=work, env=IDENT)
    git("commit", "-q", "-m", "release PR", cwd=work, env=IDENT)
    return work


def _gate(
    work: Path, artifacts: Path, tmp: Path, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str]:
    matrix = tmp / "matrix.json"
    matrix.write_text(json.dumps([ENTRY]), encoding="utf-8")
    parse_matrix(matrix.read_text(encoding="utf-8"))
    code = main(
        ["gate", "--matrix", str(matrix), "--results", str(artifacts), "--repo", str(work)],
        clean_env(),
    )
    return code, capsys.readouterr().err


def test_the_gpu_job_installs_the_lock_and_reports_a_failed_smoke(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    work = _checkout(tmp_path, sandbox)
    temp = tmp_path / "runner-temp"
    temp.mkdir()
    outcomes, artifacts = run_gpu_job(work, sandbox.env(), temp)
    assert outcomes["lock-check"] == "success", (temp / "log-lock-check.txt").read_text()
    assert outcomes["sync"] == "success", (temp / "log-sync.txt").read_text()
    assert outcomes["smoke"] == "failure"
    assert "rehearsal stand-in" in (temp / "log-smoke.txt").read_text()
    assert outcomes["tests"] == "failure"  # ran although the smoke failed
    result: dict[str, Any] = json.loads(
        (artifacts / "gpu-result-staging-cu124" / "result.json").read_text()
    )
    assert result["lock_fresh"] is True and result["synced"] is True
    assert result["smoke"] == "failed" and result["success"] is False
    assert result["commit"] == git("rev-parse", "HEAD", cwd=work)
    assert (
        result["tests"]["passed"] == 0
        and result["tests"]["errors"] + result["tests"]["failed"] == 4
    )
    code, err = _gate(work, artifacts, tmp_path, capsys)
    assert code == 1
    assert "- staging/cu124 failed: the smoke run failed; " in err


def test_a_stale_lock_stops_the_job_and_the_gate_says_so(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    work = _checkout(tmp_path, sandbox)
    pyproject = work / "staging" / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text(encoding="utf-8").replace(
            '"pytest>=8.4",', '"pytest>=8.4",\n    "rich>=13",'
        ),
        encoding="utf-8",
    )
    git("commit", "-q", "-am", "hand edit without a re-lock", cwd=work, env=IDENT)
    temp = tmp_path / "runner-temp"
    temp.mkdir()
    outcomes, artifacts = run_gpu_job(work, sandbox.env(), temp)
    assert outcomes["lock-check"] == "failure"
    assert outcomes["sync"] == outcomes["smoke"] == outcomes["tests"] == "skipped"
    code, err = _gate(work, artifacts, tmp_path, capsys)
    assert code == 1
    assert "staging/cu124: staging/uv.lock is stale (uv lock --check failed)" in err
