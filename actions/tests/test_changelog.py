"""Release notes from conventional-commit subjects (pure, table-driven)."""

from __future__ import annotations

import pytest
from release_tool.core.changelog import (
    Change,
    group_changes,
    is_bump_subject,
    parse_subject,
    render_tag_message,
)


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("feat: add page ordering", Change("feat", "add page ordering")),
        ("fix(bench-utils): count tokens once", Change("fix", "count tokens once", "bench-utils")),
        ("perf: cache the processor", Change("perf", "cache the processor")),
        ("docs: explain profiles", Change("docs", "explain profiles")),
        ("refactor(core)!: split the runner", Change("refactor", "split the runner", "core", True)),
        ("feat!: drop Python 3.10", Change("feat", "drop Python 3.10", None, True)),
        ("FEAT: shouting type", Change("feat", "shouting type")),
        ("chore: tidy", Change("other", "tidy")),
        ("ci(workflows): pin actions", Change("other", "pin actions", "workflows")),
        ("Update README.md", Change("other", "Update README.md")),
        ("feat add missing colon", Change("other", "feat add missing colon")),
        ("Foundation: uv workspace", Change("other", "Foundation: uv workspace")),
        ("test: cover bump", Change("other", "cover bump")),
        ("fix: keep (#12) suffix (#12)", Change("fix", "keep (#12) suffix (#12)")),
        ("  fix:   trim   ", Change("fix", "trim")),
    ],
)
def test_parse_subject(subject: str, expected: Change) -> None:
    assert parse_subject(subject) == expected


@pytest.mark.parametrize(
    ("subject", "is_bump"),
    [
        ("chore(release): bump hello-world to 0.2.1", True),
        ("chore(release): bump hello-world to 0.2.1 (#34)", True),
        ("chore(release): bump the docs", False),
        ("feat: bump hello-world to 0.2.1", False),
    ],
)
def test_bump_subjects_are_recognized(subject: str, is_bump: bool) -> None:
    assert is_bump_subject(subject) is is_bump


def test_groups_keep_their_order_and_drop_empty_ones_and_bumps() -> None:
    subjects = [
        "docs: usage",
        "chore(release): bump hello-world to 0.2.1 (#3)",
        "fix: second fix",
        "feat: a feature",
        "fix: first fix",
        "",
        "misc",
    ]
    grouped = group_changes(subjects)
    assert list(grouped) == ["feat", "fix", "docs", "other"]
    assert [c.text for c in grouped["fix"]] == ["second fix", "first fix"]
    assert [c.text for c in grouped["other"]] == ["misc"]


def test_tag_message_lists_the_changes_since_the_previous_tag() -> None:
    message = render_tag_message(
        "hello-world",
        "0.2.1",
        "0.2.0",
        ["fix(hello): greet once", "feat!: greet in Russian", "chore: tidy"],
    )
    assert message == (
        "hello-world 0.2.1\n"
        "\n"
        "Changes since 0.2.0:\n"
        "\n"
        "Features:\n"
        "- BREAKING: greet in Russian\n"
        "\n"
        "Fixes:\n"
        "- hello: greet once\n"
        "\n"
        "Other changes:\n"
        "- tidy\n"
    )


def test_first_release_and_no_changes_say_so() -> None:
    message = render_tag_message("print-utils", "0.2.0", None, ["chore(release): bump x to 1"])
    assert message.splitlines() == [
        "print-utils 0.2.0",
        "",
        "Changes (first release from the monorepo):",
        "",
        "- no changes besides the version",
    ]
