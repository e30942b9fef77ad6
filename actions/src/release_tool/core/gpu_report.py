"""The sticky PR comment of the GPU gate: one Markdown table row per matrix entry.

Pure: a :class:`~release_tool.core.gate.Decision` in, Markdown out
(``release-tool comment --kind gpu`` posts it).
"""

from __future__ import annotations

from release_tool.core.gate import Decision, Row
from release_tool.core.gpu_result import Durations

HEADER = (
    "| Profile | Backend | Torch | CUDA | GPU | Smoke | Tests (pass/fail/err/skip) "
    "| Durations (smoke / tests / job) | Result |",
    "|---|---|---|---|---|---|---|---|---|",
)


def _cell(value: object) -> str:
    """A table cell: no pipes or newlines from the artifact can break the table."""
    if value is None or value == "":
        return "—"
    return str(value).replace("|", "\\|").replace("\r", " ").replace("\n", " ")


def _seconds(value: float | None) -> str:
    if value is None:
        return "—"
    minutes, seconds = divmod(value, 60)
    return f"{int(minutes)}m{seconds:02.0f}s" if minutes else f"{value:.1f}s"


def _durations(durations: Durations) -> str:
    return " / ".join(
        _seconds(v)
        for v in (durations.smoke_seconds, durations.tests_seconds, durations.job_seconds)
    )


def render_row(row: Row) -> str:
    entry, result = row.entry, row.result
    verdict = "✅ passed" if row.passed else "❌ " + _cell(row.verdict)
    if result is None:
        cells = [entry.profile, entry.backend, None, f"(expects {entry.cuda})", None, "no result"]
        return "| " + " | ".join(_cell(c) for c in cells) + f" | — | — | {verdict} |"
    tests = result.tests
    cells = [
        entry.profile,
        entry.backend,
        result.torch,
        result.cuda or f"(expects {entry.cuda})",
        result.gpu,
        result.smoke,
        f"{tests.passed} / {tests.failed} / {tests.errors} / {tests.skipped}",
        _durations(result.durations),
    ]
    link = f" ([log]({_cell(result.run_url)}))" if result.run_url else ""
    return "| " + " | ".join(_cell(c) for c in cells) + f" | {verdict}{link} |"


def render_report(decision: Decision, run_url: str | None = None) -> str:
    """The whole comment: verdict, table, and the reasons the gate failed."""
    commit = decision.commit[:12]
    if not decision.rows and decision.passed:
        lines = [
            "### GPU gate: ✅ passed",
            "",
            f"No profile changed at `{commit}`: there was nothing to run on a GPU.",
        ]
    else:
        verdict = "✅ passed" if decision.passed else "❌ failed"
        lines = [f"### GPU gate: {verdict}", "", f"Commit under test: `{commit}`", ""]
        if decision.rows:
            lines += [*HEADER, *(render_row(row) for row in decision.rows)]
        if not decision.passed:
            lines += ["", "Why it failed:", *(f"- {_cell(reason)}" for reason in decision.reasons)]
    if run_url:
        lines += ["", f"[Workflow run]({run_url})"]
    return "\n".join(lines) + "\n"
