"""Step outputs and job summary through the files GitHub Actions names."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from release_tool.adapters.actions_io import (
    append_step_summary,
    format_outputs,
    write_step_outputs,
)
from release_tool.core.pull_requests import PrOutcome


def parse_outputs(text: str) -> dict[str, str]:
    """Read GITHUB_OUTPUT the way the runner does (heredoc-style delimiters)."""
    values: dict[str, str] = {}
    lines = iter(text.splitlines())
    for line in lines:
        name, delimiter = line.split("<<", 1)
        body: list[str] = []
        for inner in lines:
            if inner == delimiter:
                break
            body.append(inner)
        values[name] = "\n".join(body)
    return values


def test_outputs_and_summary_are_appended(tmp_path: Path) -> None:
    out, summary = tmp_path / "out", tmp_path / "summary"
    out.write_text("earlier<<EOF\nkept\nEOF\n", encoding="utf-8")
    env = {"GITHUB_OUTPUT": str(out), "GITHUB_STEP_SUMMARY": str(summary)}
    outcome = PrOutcome("created", 3, "https://github.com/o/r/pull/3", "release/staging/x")
    assert write_step_outputs(env, outcome.as_outputs())
    assert append_step_summary(env, outcome.summary_line())
    assert parse_outputs(out.read_text(encoding="utf-8")) == {
        "earlier": "kept",
        "operation": "created",
        "pr-number": "3",
        "pr-url": "https://github.com/o/r/pull/3",
    }
    assert summary.read_text(encoding="utf-8") == (
        "Release pull request [#3](https://github.com/o/r/pull/3): **created**\n"
    )


def test_multiline_and_hostile_values_survive(tmp_path: Path) -> None:
    out = tmp_path / "out"
    value = "line 1\nEOF\nname<<X\n\n ghadelimiter_x \n"
    assert write_step_outputs({"GITHUB_OUTPUT": str(out)}, {"body": value, "empty": ""})
    assert parse_outputs(out.read_text(encoding="utf-8")) == {"body": value, "empty": ""}
    delimiters = re.findall(r"<<(ghadelimiter_[0-9a-f-]{36})$", out.read_text(), re.MULTILINE)
    assert len(set(delimiters)) == 2


def test_outside_actions_nothing_is_written(tmp_path: Path) -> None:
    assert write_step_outputs({}, {"operation": "created"}) is False
    assert append_step_summary({"GITHUB_STEP_SUMMARY": ""}, "line") is False
    assert list(tmp_path.iterdir()) == []


def test_bad_output_names_are_refused() -> None:
    for name in ("", "a b", "x<<y", "1abc", "a\nb"):
        with pytest.raises(ValueError, match="not a valid step output name"):
            format_outputs({name: "v"})


def test_secrets_are_masked_in_outputs_and_summary(tmp_path: Path) -> None:
    env = {"GITHUB_OUTPUT": str(tmp_path / "o"), "GITHUB_STEP_SUMMARY": str(tmp_path / "s")}
    write_step_outputs(env, {"detail": "failed with ghs_SECRET"}, secrets=["ghs_SECRET"])
    append_step_summary(env, "oops ghs_SECRET", secrets=["ghs_SECRET"])
    text = (tmp_path / "o").read_text() + (tmp_path / "s").read_text()
    assert "ghs_SECRET" not in text
    assert "failed with ***" in text
