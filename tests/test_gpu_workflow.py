"""gpu.yml: the fork guard, labels and timeout from the matrix, the required job runs the gate."""

from __future__ import annotations

import json
import re

from release_tool.core.config import BackendConfig, ProfileConfig
from release_tool.core.matrix import MatrixEntry, plan_matrix

from tests.support.sandbox import ROOT
from tests.support.workflows import jobs, load_yaml, steps_of, triggers

GPU = ROOT / ".github" / "workflows" / "gpu.yml"
JOBS = jobs(GPU)
FORK_GUARD = "!github.event.pull_request.head.repo.fork"


def _runs(job: str) -> str:
    return "\n".join(s.run or "" for s in steps_of(GPU) if s.job == job).replace("\\\n", " ")


def test_runs_on_every_pull_request_and_by_hand() -> None:
    on = triggers(GPU)
    assert set(on) == {"pull_request", "workflow_dispatch"}
    assert on["pull_request"] is None  # no branch or path filter: every PR gets the check


def test_the_self_hosted_job_never_runs_a_fork_and_takes_labels_from_the_matrix() -> None:
    gpu = JOBS["gpu"]
    assert FORK_GUARD in gpu["if"]
    assert "needs.plan.outputs.matrix != '[]'" in gpu["if"]
    assert gpu["runs-on"] == "${{ matrix.labels }}"
    assert gpu["timeout-minutes"] == "${{ matrix.timeout_minutes }}"
    assert gpu["strategy"]["matrix"] == {"include": "${{ fromJSON(needs.plan.outputs.matrix) }}"}
    assert gpu["strategy"]["fail-fast"] is False
    assert gpu["permissions"] == {"contents": "read"}
    assert "secrets." not in json.dumps(gpu), "the GPU job gets no secrets"
    assert gpu["env"]["EXPECT_CUDA"] == "${{ matrix.cuda }}"


def test_the_matrix_keys_the_workflow_reads_are_the_ones_the_tool_writes() -> None:
    entry: MatrixEntry = plan_matrix(
        [ProfileConfig("staging", "staging", False, True)],
        [BackendConfig("cu124", "cu124", "12.4", ("self-hosted", "gpu"), 1)],
    )[0]
    written = set(entry.to_json())
    expressions = re.findall(r"\$\{\{(.*?)\}\}", GPU.read_text(encoding="utf-8"))
    read = {key for e in expressions for key in re.findall(r"\bmatrix\.([a-z_]+)", e)}
    assert "labels" in read and "timeout_minutes" in read
    assert read <= written  # `profile` is also the check job's own matrix key


def test_the_gpu_job_installs_exactly_the_lock_then_smokes_and_tests() -> None:
    script = _runs("gpu")
    assert 'uv lock --check --project "$PROFILE_DIR"' in script
    assert 'uv sync --project "$PROFILE_DIR" --extra "$EXTRA" --locked --group test' in script
    assert "--frozen" not in script
    assert 'vlmhb smoke --backend "$BACKEND" --expect-cuda "$EXPECT_CUDA"' in script
    assert "pytest tests/gpu -m gpu" in script
    assert "release-tool gpu-result" in script
    uploads = [s for s in steps_of(GPU) if s.uses.startswith("actions/upload-artifact@")]
    assert len(uploads) == 1
    assert uploads[0].data["if"] == "${{ !cancelled() }}"  # even when a step failed
    assert uploads[0].data["with"]["name"] == "gpu-result-${{ matrix.id }}"
    result = [s for s in steps_of(GPU) if s.run and "gpu-result" in s.run]
    assert result[0].data["if"] == "${{ !cancelled() }}"


def test_plan_uses_the_tool_and_checks_the_changed_profiles_remotely() -> None:
    assert "release-tool matrix --env changed" in _runs("plan")
    assert "fetch-depth" in json.dumps(JOBS["plan"]["steps"])
    assert "release-tool check --remote" in _runs("check")
    assert JOBS["check"]["strategy"]["matrix"]["profile"] == (
        "${{ fromJSON(needs.plan.outputs.profiles) }}"
    )


def test_the_required_job_runs_the_gate() -> None:
    gate = JOBS["gate"]
    assert gate["name"] == "GPU gate"
    assert set(gate["needs"]) == set(JOBS) - {"gate"}
    # always(), not !cancelled(): a hand-cancelled run fails the required check, never skips it
    assert gate["if"] == "${{ always() }}"
    assert "release-tool gate" in _runs("gate")
    (step,) = [
        s for s in steps_of(GPU) if s.job == "gate" and s.run and "release-tool gate" in s.run
    ]
    assert step.data["env"]["FORK"] == "${{ github.event.pull_request.head.repo.fork == true }}"
    comment = [s for s in steps_of(GPU) if s.uses == "$/actions/comment"]
    assert comment and comment[0].data["with"]["kind"] == "gpu"
    assert FORK_GUARD in comment[0].data["if"]
    assert load_yaml(GPU).get("permissions") == {}
