"""The GPU result file (built from a job's outputs) and the sticky comment rendered from them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from release_tool.cli import main
from release_tool.core.config import BackendConfig, ProfileConfig
from release_tool.core.gate import decide
from release_tool.core.gpu_report import render_report
from release_tool.core.gpu_result import (
    Counts,
    build_result,
    count_junit,
    parse_result,
    read_smoke_line,
)
from release_tool.core.matrix import dump_matrix, plan_matrix
from release_tool.errors import InputRejected

from tests.support.sandbox import clean_env, git

FIXTURES = Path(__file__).parent / "fixtures"
SAMPLE_COMMIT = "0123456789abcdef0123456789abcdef01234567"
SAMPLE_LOCK = "5f4dcc3b5aa765d61d8327deb882cf995f4dcc3b5aa765d61d8327deb882cf99"
ENTRIES = plan_matrix(
    [ProfileConfig("staging", "staging", False, True)],
    [
        BackendConfig("cu124", "cu124", "12.4", ("self-hosted", "gpu"), 60),
        BackendConfig("cu128", "cu128", "12.8", ("self-hosted", "gpu"), 60),
    ],
)


def _samples() -> list[object]:
    return [
        parse_result(path.read_text(encoding="utf-8"), str(path))
        for path in sorted((FIXTURES / "gpu-results").glob("*.json"))
    ]


def test_comment_rendered_from_sample_artifacts() -> None:
    decision = decide(
        ENTRIES,
        _samples(),  # type: ignore[arg-type]
        commit=SAMPLE_COMMIT,
        lock_hashes={"staging": SAMPLE_LOCK},
        fork=False,
    )
    got = render_report(decision, "https://github.com/o/r/actions/runs/42")
    assert got == (FIXTURES / "gpu-report.md").read_text(encoding="utf-8")


def test_comment_for_an_empty_matrix_and_a_missing_result() -> None:
    empty = render_report(decide([], [], commit=SAMPLE_COMMIT, lock_hashes={}, fork=False))
    assert empty == (
        "### GPU gate: ✅ passed\n\nNo profile changed at `0123456789ab`: "
        "there was nothing to run on a GPU.\n"
    )
    missing = render_report(
        decide(ENTRIES[:1], [], commit=SAMPLE_COMMIT, lock_hashes={}, fork=False)
    )
    assert "| staging | cu124 | — | (expects 12.4) | — | no result | — | — | ❌ " in missing


def test_sample_results_round_trip() -> None:
    for result in _samples():
        again = parse_result(json.dumps(result.to_json()), "again")  # type: ignore[attr-defined]
        assert again == result


def test_artifact_text_cannot_break_the_table() -> None:
    (result,) = [r for r in _samples() if r.backend == "cu124"]  # type: ignore[attr-defined]
    import dataclasses  # noqa: PLC0415

    odd = dataclasses.replace(result, gpu="A | B\n| injected |")
    decision = decide(
        ENTRIES[:1], [odd], commit=SAMPLE_COMMIT, lock_hashes={"staging": SAMPLE_LOCK}, fork=False
    )
    row = [line for line in render_report(decision).splitlines() if "injected" in line]
    assert len(row) == 1
    assert "A \\| B \\| injected \\|" in row[0]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[]", "is not a GPU result file"),
        ('{"schema": 2}', "is not a GPU result file"),
        ('{"schema": 1, "profile": "staging"}', "'backend' is missing"),
        (
            '{"schema": 1, "profile": "s", "backend": "b", "commit": "c", "lock_fresh": "yes"}',
            "'lock_fresh' must be a bool",
        ),
    ],
)
def test_bad_result_files_are_named(text: str, message: str) -> None:
    with pytest.raises(InputRejected, match=message):
        parse_result(text, "r.json")


def test_smoke_line_and_junit_counts() -> None:
    smoke = read_smoke_line((FIXTURES / "smoke-cu124.txt").read_text(encoding="utf-8"))
    assert smoke["device_name"] == "NVIDIA L4"
    assert read_smoke_line("no json here\n{broken") == {}
    counts, seconds = count_junit((FIXTURES / "gpu-tests-junit.xml").read_text(encoding="utf-8"))
    assert counts == Counts(passed=3, failed=1, errors=0, skipped=1)
    assert seconds == pytest.approx(12.345)
    assert count_junit("") == (Counts(), None)
    with pytest.raises(InputRejected, match="not valid XML"):
        count_junit("<testsuite")


def test_build_result_from_job_outputs() -> None:
    result = build_result(
        ENTRIES[0],
        commit=SAMPLE_COMMIT,
        lock_sha256=SAMPLE_LOCK,
        lock_fresh=True,
        synced=True,
        smoke_outcome="success",
        smoke_output=(FIXTURES / "smoke-cu124.txt").read_text(encoding="utf-8"),
        junit=(FIXTURES / "gpu-tests-junit.xml").read_text(encoding="utf-8"),
        job_seconds=61.23,
        run_url=None,
    )
    assert (result.torch, result.cuda, result.gpu) == ("2.6.0+cu124", "12.4", "NVIDIA L4")
    assert result.durations.smoke_seconds == 1.75
    assert result.durations.job_seconds == 61.2
    assert result.problems == ["1 GPU tests failed and 0 errored"]
    assert result.to_json()["success"] is False


def test_build_result_when_the_smoke_never_ran() -> None:
    result = build_result(
        ENTRIES[1],
        commit=SAMPLE_COMMIT,
        lock_sha256=None,
        lock_fresh=False,
        synced=False,
        smoke_outcome="skipped",
        smoke_output="",
        junit="",
        job_seconds=None,
        run_url=None,
    )
    assert result.smoke == "not run"
    assert result.problems == ["the lock is stale (uv lock --check failed)"]


def test_gpu_result_command_writes_the_artifact(
    checkout: tuple[Path, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root, _ = checkout
    entry = json.dumps(json.loads(dump_matrix(ENTRIES))[0], indent=2)  # as toJSON(matrix)
    out = tmp_path / "out" / "result.json"
    argv = [
        "gpu-result",
        "--entry",
        entry,
        "--output",
        str(out),
        "--repo",
        str(root),
        "--lock-check",
        "success",
        "--sync",
        "success",
        "--smoke",
        "success",
        "--smoke-output",
        str(FIXTURES / "smoke-cu124.txt"),
        "--junit",
        str(tmp_path / "never-written.xml"),
        "--started",
        "1",
    ]
    assert main(argv, env=clean_env()) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["commit"] == git("rev-parse", "HEAD", cwd=root)
    assert data["lock_sha256"] is not None and len(data["lock_sha256"]) == 64
    assert data["tests"] == {"passed": 0, "failed": 0, "errors": 0, "skipped": 0}
    assert data["success"] is False
    assert "no GPU test passed" in capsys.readouterr().err
