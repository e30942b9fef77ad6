"""`release-tool gate`: the aggregate decision as a table, then the command on real files."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path

import pytest
from release_tool.cli import main
from release_tool.core.config import BackendConfig, ProfileConfig
from release_tool.core.gate import FORK_SENTENCE, decide
from release_tool.core.gpu_result import Counts, Durations, GpuResult
from release_tool.core.matrix import dump_matrix, plan_matrix

from tests.support.sandbox import clean_env

COMMIT = "a" * 40
OTHER = "b" * 40
LOCK = "c" * 64
ENTRIES = plan_matrix(
    [ProfileConfig("staging", "staging", False, True)],
    [
        BackendConfig("cu124", "cu124", "12.4", ("self-hosted", "gpu"), 60),
        BackendConfig("cu128", "cu128", "12.8", ("self-hosted", "gpu"), 60),
    ],
)
HASHES: dict[str, str | None] = {"staging": LOCK}


def _ok(backend: str, cuda: str) -> GpuResult:
    return GpuResult(
        profile="staging",
        backend=backend,
        commit=COMMIT,
        lock_sha256=LOCK,
        lock_fresh=True,
        synced=True,
        torch=f"2.6.0+{backend}",
        cuda=cuda,
        expected_cuda=cuda,
        gpu="NVIDIA H100 80GB HBM3",
        smoke="passed",
        tests=Counts(passed=4),
        durations=Durations(3.0, 10.0, 90.0),
    )


OK124, OK128 = _ok("cu124", "12.4"), _ok("cu128", "12.8")
replace = dataclasses.replace


@pytest.mark.parametrize(
    ("case", "entries", "results", "hashes", "fork", "reasons"),
    [
        ("empty matrix", [], [], {}, False, []),
        ("empty matrix from a fork", [], [], {}, True, []),
        ("all passed", ENTRIES, [OK124, OK128], HASHES, False, []),
        ("fork", ENTRIES, [OK124, OK128], HASHES, True, [FORK_SENTENCE]),
        (
            "missing artifact",
            ENTRIES,
            [OK124],
            HASHES,
            False,
            [
                "staging/cu128: no result artifact (the GPU job was skipped, cancelled, timed out "
                "or could not upload); re-run the failed jobs"
            ],
        ),
        (
            "failed backend",
            ENTRIES,
            [OK124, replace(OK128, smoke="failed", tests=Counts(passed=3, failed=1))],
            HASHES,
            False,
            [
                "staging/cu128 failed on NVIDIA H100 80GB HBM3: the smoke run failed; "
                "1 GPU tests failed and 0 errored"
            ],
        ),
        (
            "wrong CUDA",
            ENTRIES,
            [OK124, replace(OK128, cuda="12.6")],
            HASHES,
            False,
            [
                "staging/cu128 failed on NVIDIA H100 80GB HBM3: torch reports CUDA 12.6, "
                "expected 12.8"
            ],
        ),
        (
            "no test ran",
            ENTRIES,
            [OK124, replace(OK128, tests=Counts(skipped=4))],
            HASHES,
            False,
            ["staging/cu128 failed on NVIDIA H100 80GB HBM3: no GPU test passed (none ran)"],
        ),
        (
            "stale lock",
            ENTRIES,
            [replace(OK124, lock_fresh=False, synced=False, smoke="not run"), OK128],
            HASHES,
            False,
            [
                "staging/cu124: staging/uv.lock is stale (uv lock --check failed); re-lock it "
                "with release-tool relock --env staging"
            ],
        ),
        (
            "another lock",
            ENTRIES,
            [OK124, replace(OK128, lock_sha256="d" * 64)],
            HASHES,
            False,
            [
                "staging/cu128: the job installed a lock (sha256 dddddddddddd) other than "
                "staging/uv.lock at the commit under test (sha256 cccccccccccc)"
            ],
        ),
        (
            "another commit",
            ENTRIES,
            [replace(OK124, commit=OTHER), OK128],
            HASHES,
            False,
            [
                "staging/cu124: the result is from commit bbbbbbbbbbbb, not the commit under test "
                "aaaaaaaaaaaa; re-run the GPU jobs for this commit"
            ],
        ),
        (
            "two results",
            ENTRIES[:1],
            [OK124, OK124],
            HASHES,
            False,
            ["staging/cu124: 2 result files, expected exactly one"],
        ),
        (
            "stray result",
            ENTRIES[:1],
            [OK124, OK128],
            HASHES,
            False,
            ["staging-cu128: a result for a job the matrix does not list"],
        ),
        (
            "sync failed",
            ENTRIES[:1],
            [replace(OK124, synced=False, smoke="not run", tests=Counts())],
            HASHES,
            False,
            [
                "staging/cu124 failed on NVIDIA H100 80GB HBM3: the locked environment did not "
                "install (uv sync --locked failed)"
            ],
        ),
    ],
)
def test_gate_table(  # noqa: PLR0917 - one row of the table
    case: str,
    entries: list[object],
    results: list[GpuResult],
    hashes: dict[str, str | None],
    fork: bool,
    reasons: list[str],
) -> None:
    decision = decide(entries, results, commit=COMMIT, lock_hashes=hashes, fork=fork)  # type: ignore[arg-type]
    assert list(decision.reasons) == reasons, case
    assert decision.passed is (not reasons)


# --- the command: matrix file, results folder as download-artifact lays it out -----------


def _write_results(folder: Path, commit: str, lock: str, **changes: object) -> None:
    for result in (OK124, OK128):
        changed = replace(result, commit=commit, lock_sha256=lock)
        if result is OK128:
            changed = replace(changed, **changes)  # type: ignore[arg-type]
        artifact = folder / f"gpu-result-{result.key}"
        artifact.mkdir(parents=True)
        (artifact / "result.json").write_text(json.dumps(changed.to_json()), encoding="utf-8")


def _gate(
    root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], *extra: str
) -> tuple[int, str, str]:
    matrix = tmp_path / "matrix.json"
    matrix.write_text(dump_matrix(ENTRIES), encoding="utf-8")
    report = tmp_path / "report.md"
    argv = [
        "gate",
        "--matrix",
        str(matrix),
        "--results",
        str(tmp_path / "results"),
        "--repo",
        str(root),
        "--report",
        str(report),
        *extra,
    ]
    code = main(argv, env=clean_env())
    text = report.read_text(encoding="utf-8") if report.exists() else ""
    return code, capsys.readouterr().err, text


def test_gate_command_passes(
    checkout: tuple[Path, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root, commit = checkout
    lock = hashlib.sha256((root / "staging" / "uv.lock").read_bytes()).hexdigest()
    _write_results(tmp_path / "results", commit, lock)
    code, err, report = _gate(root, tmp_path, capsys)
    assert code == 0, err
    assert "GPU gate passed: 2 job(s)" in err
    assert report.startswith("### GPU gate: ✅ passed")


def test_gate_command_fails_with_one_sentence_each(
    checkout: tuple[Path, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root, commit = checkout
    _write_results(tmp_path / "results", commit, "e" * 64, smoke="failed")
    (tmp_path / "results" / "junk").mkdir()
    (tmp_path / "results" / "junk" / "x.json").write_text("{nope", encoding="utf-8")
    code, err, report = _gate(root, tmp_path, capsys)
    assert code == 1
    failures = [line for line in err.splitlines() if line.startswith("- ")]
    assert len(failures) == 3, err
    assert "staging/cu124: the job installed a lock (sha256 eeeeeeeeeeee)" in failures[0]
    assert "staging/cu128: the job installed a lock" in failures[1]
    assert failures[2].startswith("- unreadable result file:") and "x.json is not JSON" in err
    assert "❌ failed" in report


def test_gate_command_with_no_results_folder(
    checkout: tuple[Path, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root, _ = checkout
    code, err, _ = _gate(root, tmp_path, capsys)
    assert code == 1
    assert err.count("no result artifact") == 2


def test_gate_command_fork(
    checkout: tuple[Path, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root, _ = checkout
    code, err, _ = _gate(root, tmp_path, capsys, "--fork", "true")
    assert code == 1
    assert "a maintainer must push its commits to a branch" in err


def test_gate_command_empty_matrix_passes_without_results(
    checkout: tuple[Path, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root, _ = checkout
    matrix = tmp_path / "empty.json"
    matrix.write_text("[]\n", encoding="utf-8")
    argv = [
        "gate",
        "--matrix",
        str(matrix),
        "--results",
        str(tmp_path / "none"),
        "--repo",
        str(root),
        "--fork",
        "true",
    ]
    assert main(argv, env=clean_env()) == 0


def test_gate_command_rejects_a_bad_matrix_file(
    checkout: tuple[Path, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root, _ = checkout
    argv = [
        "gate",
        "--matrix",
        str(tmp_path / "missing.json"),
        "--results",
        str(tmp_path),
        "--repo",
        str(root),
    ]
    assert main(argv, env=clean_env()) == 2
    assert "cannot read the matrix file" in capsys.readouterr().err
