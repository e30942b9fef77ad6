"""The result file a GPU job uploads, and how it is built from the job's outputs.

One JSON object per (profile, backend) job (``SCHEMA`` 1)::

    {"schema": 1, "profile": "staging", "backend": "cu124", "commit": "<40 hex>",
     "lock_sha256": "<64 hex>" | null, "lock_fresh": true, "synced": true,
     "torch": "2.6.0+cu124", "cuda": "12.4", "expected_cuda": "12.4",
     "gpu": "NVIDIA H100 80GB HBM3", "smoke": "passed" | "failed" | "not run",
     "tests": {"passed": 5, "failed": 0, "errors": 0, "skipped": 0},
     "durations": {"smoke_seconds": 3.1, "tests_seconds": 12.0, "job_seconds": 95.0},
     "run_url": "https://github.com/.../actions/runs/1", "success": true}

Pure: text in, record out; the command reads the files and hashes the lock.
"""

from __future__ import annotations

import json
import math
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from release_tool.core.json_text import parse_json
from release_tool.core.matrix import MatrixEntry
from release_tool.errors import InputRejected

SCHEMA = 1
PASSED, FAILED, NOT_RUN = "passed", "failed", "not run"


@dataclass(frozen=True)
class Counts:
    passed: int = 0
    failed: int = 0
    errors: int = 0
    skipped: int = 0


@dataclass(frozen=True)
class Durations:
    smoke_seconds: float | None = None
    tests_seconds: float | None = None
    job_seconds: float | None = None


@dataclass(frozen=True)
class GpuResult:
    profile: str
    backend: str
    commit: str
    lock_sha256: str | None
    lock_fresh: bool
    synced: bool
    torch: str | None
    cuda: str | None
    expected_cuda: str
    gpu: str | None
    smoke: str
    tests: Counts = field(default_factory=Counts)
    durations: Durations = field(default_factory=Durations)
    run_url: str | None = None

    @property
    def key(self) -> str:
        return f"{self.profile}-{self.backend}"

    @property
    def problems(self) -> list[str]:
        """Why this job failed, in words; empty when it passed."""
        # A stale lock or a failed install explains everything after it: name only that.
        if not self.lock_fresh:
            return ["the lock is stale (uv lock --check failed)"]
        if not self.synced:
            return ["the locked environment did not install (uv sync --locked failed)"]
        found: list[str] = []
        if self.smoke != PASSED:
            found.append(f"the smoke run {'did not run' if self.smoke == NOT_RUN else 'failed'}")
        elif self.cuda != self.expected_cuda:
            found.append(f"torch reports CUDA {self.cuda}, expected {self.expected_cuda}")
        counts = self.tests
        if counts.failed or counts.errors:
            found.append(f"{counts.failed} GPU tests failed and {counts.errors} errored")
        elif counts.passed == 0:
            found.append("no GPU test passed (none ran)")
        return found

    @property
    def success(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        return {"schema": SCHEMA, **data, "success": self.success}


def _optional(raw: Mapping[str, Any], name: str, kind: type, where: str) -> Any:
    value = raw.get(name)
    if value is None:
        return None
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if not isinstance(value, kind) or isinstance(value, bool) != (kind is bool):
        raise InputRejected(f"{where}: {name!r} must be a {kind.__name__}, got {value!r}")
    return value


def _required(raw: Mapping[str, Any], name: str, kind: type, where: str) -> Any:
    value = _optional(raw, name, kind, where)
    if value is None:
        raise InputRejected(f"{where}: {name!r} is missing")
    return value


def parse_result(text: str, source: str) -> GpuResult:
    """Read a result file; one sentence naming the file when it is not one."""
    raw = parse_json(text, source)
    if not isinstance(raw, dict) or raw.get("schema") != SCHEMA:
        raise InputRejected(f"{source} is not a GPU result file (schema {SCHEMA})")
    tests = raw.get("tests") or {}
    durations = raw.get("durations") or {}
    if not isinstance(tests, dict) or not isinstance(durations, dict):
        raise InputRejected(f"{source}: 'tests' and 'durations' must be objects")
    return GpuResult(
        profile=_required(raw, "profile", str, source),
        backend=_required(raw, "backend", str, source),
        commit=_required(raw, "commit", str, source),
        lock_sha256=_optional(raw, "lock_sha256", str, source),
        lock_fresh=_required(raw, "lock_fresh", bool, source),
        synced=_required(raw, "synced", bool, source),
        torch=_optional(raw, "torch", str, source),
        cuda=_optional(raw, "cuda", str, source),
        expected_cuda=_required(raw, "expected_cuda", str, source),
        gpu=_optional(raw, "gpu", str, source),
        smoke=_required(raw, "smoke", str, source),
        tests=Counts(
            **{k: _optional(tests, k, int, source) or 0 for k in ("passed", "failed", "errors")},
            skipped=_optional(tests, "skipped", int, source) or 0,
        ),
        durations=Durations(
            **{k: _optional(durations, k, float, source) for k in asdict(Durations())}
        ),
        run_url=_optional(raw, "run_url", str, source),
    )


def read_smoke_line(text: str) -> dict[str, Any]:
    """The last JSON object line ``vlmhb smoke`` printed (empty when it printed none)."""
    for raw in reversed(text.splitlines()):
        line = raw.strip()
        if line.startswith("{"):
            try:
                data = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(data, dict):
                return data
    return {}


def count_junit(text: str) -> tuple[Counts, float | None]:
    """Test counts and total seconds from a pytest ``--junitxml`` report (empty text: none)."""
    if not text.strip():
        return Counts(), None
    try:
        root = ET.fromstring(text)  # noqa: S314 - our own job's pytest report
    except ET.ParseError as exc:
        raise InputRejected(f"the JUnit report is not valid XML ({exc})") from None
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    total = failed = errors = skipped = 0
    seconds = 0.0
    for suite in suites:
        total += int(suite.get("tests", "0"))
        failed += int(suite.get("failures", "0"))
        errors += int(suite.get("errors", "0"))
        skipped += int(suite.get("skipped", "0"))
        seconds += float(suite.get("time", "0") or 0)
    passed = max(total - failed - errors - skipped, 0)
    return Counts(passed, failed, errors, skipped), seconds


def _smoke_seconds(smoke: Mapping[str, Any]) -> float | None:
    parts = [smoke.get(k) for k in ("load_seconds", "generate_seconds")]
    numbers = [float(p) for p in parts if isinstance(p, int | float) and not isinstance(p, bool)]
    total = sum(numbers)
    return round(total, 3) if numbers and math.isfinite(total) else None


def _text(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def build_result(
    entry: MatrixEntry,
    *,
    commit: str,
    lock_sha256: str | None,
    lock_fresh: bool,
    synced: bool,
    smoke_outcome: str,
    smoke_output: str,
    junit: str,
    job_seconds: float | None,
    run_url: str | None,
) -> GpuResult:
    """The record of one GPU job from its step outcomes and outputs."""
    smoke = read_smoke_line(smoke_output)
    smoke_state = {"success": PASSED, "failure": FAILED}.get(smoke_outcome, NOT_RUN)
    counts, tests_seconds = count_junit(junit)
    gpu = smoke.get("device_name") or smoke.get("device") or smoke.get("gpu")
    return GpuResult(
        profile=entry.profile,
        backend=entry.backend,
        commit=commit,
        lock_sha256=lock_sha256,
        lock_fresh=lock_fresh,
        synced=synced,
        torch=_text(smoke.get("torch")),
        cuda=_text(smoke.get("cuda")),
        expected_cuda=entry.cuda,
        gpu=_text(gpu),
        smoke=smoke_state,
        tests=counts,
        durations=Durations(
            smoke_seconds=_smoke_seconds(smoke),
            tests_seconds=round(tests_seconds, 3) if tests_seconds is not None else None,
            job_seconds=round(job_seconds, 1) if job_seconds is not None else None,
        ),
        run_url=run_url,
    )
