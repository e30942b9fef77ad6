"""``scripts/test``'s own options: ``--fast`` and ``-m`` compose with the GPU deselection.

The script runs with a recording ``uv`` first on PATH (every call is written to a log
and succeeds), so what it would hand to pytest is read back exactly; the recorded
marker expression is then given to the real pytest on a module holding one test per
marker, which shows what it selects.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MARKERS = ("gpu", "container", "model", "heavy", "slow", "uvlock")

RECORDING_UV = """#!/usr/bin/env bash
printf '%s\\n' "$(printf '%q ' "$@")" >> "$UV_CALLS"
case "$1 ${2:-}" in
  "--version "*) echo "uv 0.13.9" ;;
  "python find") exit 1 ;;
esac
exit 0
"""


def _run_script(tmp_path: Path, *args: str) -> tuple[list[list[str]], str]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    uv = bin_dir / "uv"
    uv.write_text(RECORDING_UV, encoding="utf-8")
    uv.chmod(0o755)
    calls = tmp_path / "calls.log"
    calls.unlink(missing_ok=True)
    env = {
        "PATH": f"{bin_dir}:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "UV_CALLS": str(calls),
    }
    done = subprocess.run(
        ["bash", str(ROOT / "scripts" / "test"), *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    recorded = [shlex.split(line) for line in calls.read_text(encoding="utf-8").splitlines()]
    return recorded, done.stdout + done.stderr


def _pytest_call(calls: list[list[str]]) -> list[str]:
    found = [c for c in calls if c[:3] == ["run", "--frozen", "pytest"]]
    assert len(found) == 1, calls
    return found[0][3:]


def _selected(tmp_path: Path, expression: str) -> set[str]:
    """The tests of a module with one test per marker that the real pytest selects."""
    module = tmp_path / "probe" / "test_probe.py"
    module.parent.mkdir(exist_ok=True)
    tests = ["import pytest", "", "def test_plain():", "    pass"]
    for marker in MARKERS:
        tests += ["", f"@pytest.mark.{marker}", f"def test_{marker}():", "    pass"]
    module.write_text("\n".join(tests) + "\n", encoding="utf-8")
    (module.parent / "pytest.ini").write_text(
        "[pytest]\nmarkers =\n" + "".join(f"    {m}: x\n" for m in MARKERS), encoding="utf-8"
    )
    argv = [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"]
    done = subprocess.run(
        [*argv, "-m", expression, str(module)],
        cwd=module.parent,
        env={**os.environ, "PYTEST_ADDOPTS": ""},
        capture_output=True,
        text=True,
        check=False,
    )
    return {line.split("::")[-1] for line in done.stdout.splitlines() if "::" in line}


def test_plain_run_deselects_only_gpu(tmp_path: Path) -> None:
    calls, out = _run_script(tmp_path)
    args = _pytest_call(calls)
    assert args == ["-m", "not gpu"]
    assert "(buildah, skopeo, docker-registry, debootstrap; chromium for report.html)" in out
    assert _selected(tmp_path, args[1]) == {f"test_{m}" for m in ("plain", *MARKERS[1:])}


def test_fast_deselects_the_documented_set_and_keeps_the_rest(tmp_path: Path) -> None:
    calls, out = _run_script(tmp_path, "--fast", "-q")
    args = _pytest_call(calls)
    assert args == ["-m", "not gpu and not container and not model and not heavy", "-q"]
    assert "container tools not needed" in out
    assert _selected(tmp_path, args[1]) == {"test_plain", "test_slow", "test_uvlock"}
    documented = (ROOT / "docs" / "testing.md").read_text(encoding="utf-8")
    assert "`scripts/test --fast`" in documented
    for marker in ("container", "model", "heavy"):
        assert f"`{marker}`" in documented


@pytest.mark.parametrize("spelling", [["-m", "not container"], ["-mnot container"]])
def test_a_marker_expression_is_combined_never_replacing_not_gpu(
    tmp_path: Path, spelling: list[str]
) -> None:
    calls, _ = _run_script(tmp_path, *spelling, "tests/x")
    args = _pytest_call(calls)
    assert args == ["-m", "not gpu and (not container)", "tests/x"]
    selected = _selected(tmp_path, args[1])
    assert "test_gpu" not in selected and "test_container" not in selected
    assert "test_model" in selected


def test_fast_and_a_marker_expression_together(tmp_path: Path) -> None:
    calls, _ = _run_script(tmp_path, "-m", "uvlock or slow", "--fast")
    (expression,) = _pytest_call(calls)[1:]
    assert _selected(tmp_path, expression) == {"test_slow", "test_uvlock"}
