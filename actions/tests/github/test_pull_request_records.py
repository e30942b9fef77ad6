"""Labels, markers and outcomes of the pull-request records (pure)."""

from __future__ import annotations

import pytest
from release_tool.core.pull_requests import (
    PrOutcome,
    PullRequestSpec,
    hidden_marker,
    label_colour,
    release_labels,
    with_marker,
)


@pytest.mark.parametrize(
    ("env", "packages", "expected"),
    [
        ("staging", ["hello-world"], ("release", "env:staging", "package:hello-world")),
        ("prod", ["a", "b", "a"], ("release", "env:prod", "package:a", "package:b")),
        ("staging", [], ("release", "env:staging")),
    ],
)
def test_release_labels(env: str, packages: list[str], expected: tuple[str, ...]) -> None:
    assert release_labels(env, packages) == expected


@pytest.mark.parametrize(
    ("name", "colour"),
    [
        ("release", "0e8a16"),
        ("env:staging", "1d76db"),
        ("package:bench-utils", "5319e7"),
        ("releases", "ededed"),
        ("environment", "ededed"),
    ],
)
def test_label_colours(name: str, colour: str) -> None:
    assert label_colour(name) == colour


@pytest.mark.parametrize(
    ("outcome", "outputs", "line"),
    [
        (
            PrOutcome("created", 7, "https://github.com/o/r/pull/7", "release/staging/x"),
            {"operation": "created", "pr-number": "7", "pr-url": "https://github.com/o/r/pull/7"},
            "Release pull request [#7](https://github.com/o/r/pull/7): **created**",
        ),
        (
            PrOutcome("unchanged", None, None, "release/prod/x"),
            {"operation": "unchanged", "pr-number": "", "pr-url": ""},
            "Release pull request: **unchanged** (`release/prod/x`)",
        ),
    ],
)
def test_outcome_outputs_and_summary(
    outcome: PrOutcome, outputs: dict[str, str], line: str
) -> None:
    assert outcome.as_outputs() == outputs
    assert outcome.summary_line() == line
    assert outcome.as_dict()["operation"] == outcome.operation


def test_markers() -> None:
    assert hidden_marker("gpu-results") == "<!-- release-tool:gpu-results -->"
    assert with_marker("closed", "why").splitlines() == ["<!-- release-tool:closed -->", "why"]
    for bad in ("", "Upper", "has space", "x-->", "<!--"):
        with pytest.raises(ValueError, match="marker key"):
            hidden_marker(bad)


def test_spec_refuses_the_base_as_head_and_an_empty_title() -> None:
    with pytest.raises(ValueError, match="differ from the base"):
        PullRequestSpec("main", "main", "t", "b")
    with pytest.raises(ValueError, match="title"):
        PullRequestSpec("release/staging/x", "main", "  ", "b")
