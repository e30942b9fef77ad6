"""Next versions, bump refusals and the pyproject rewrite (pure, table-driven)."""

from __future__ import annotations

import pytest
from packaging.version import Version
from release_tool.core.bump import (
    bump_branch,
    choose_version,
    commit_message,
    next_version,
    read_project_version,
    release_versions,
    set_project_version,
)
from release_tool.errors import InputRejected


@pytest.mark.parametrize(
    ("base", "part", "expected"),
    [
        ("0.2.0", "patch", "0.2.1"),
        ("0.2.0", "minor", "0.3.0"),
        ("0.2.0", "major", "1.0.0"),
        ("0.2.0", "dev", "0.2.1.dev0"),
        ("0.2.1.dev0", "dev", "0.2.1.dev1"),
        ("0.2.1.dev4", "patch", "0.2.1"),
        ("0.3.0.dev2", "minor", "0.3.0"),
        ("0.3.1.dev2", "minor", "0.4.0"),
        ("1.0.0rc1", "major", "1.0.0"),
        ("1.0.0rc1", "dev", "1.0.0rc2.dev0"),
        ("1.0.0rc1.dev3", "dev", "1.0.0rc1.dev4"),
        ("0.0.11", "patch", "0.0.12"),
        ("1.2", "patch", "1.2.1"),
        ("1.2.3.post1", "patch", "1.2.4"),
    ],
)
def test_next_version(base: str, part: str, expected: str) -> None:
    new = next_version(Version(base), part)
    assert new == Version(expected)
    assert new > Version(base)


def test_release_versions_ignore_other_tags_and_accept_v() -> None:
    tags = ["0.1.2", "v0.2.0", "latest", "0.2.1.dev0", "release-1"]
    assert release_versions(tags) == [Version("0.1.2"), Version("0.2.0"), Version("0.2.1.dev0")]


@pytest.mark.parametrize(
    ("current", "last", "version", "part", "expected"),
    [
        ("0.2.0", None, "0.2.1", None, "0.2.1"),
        ("0.2.0", "0.2.0", None, "patch", "0.2.1"),
        ("0.2.0", "0.2.0", None, "dev", "0.2.1.dev0"),
        ("0.2.0", "0.1.2", "v0.3.0", None, "0.3.0"),
        ("0.2.1.dev0", "0.2.1.dev0", None, "dev", "0.2.1.dev1"),
        # no release yet: the base is the version on the default branch
        ("0.2.0", None, None, "minor", "0.3.0"),
    ],
)
def test_choose_version(
    current: str, last: str | None, version: str | None, part: str | None, expected: str
) -> None:
    target = choose_version(
        "hello-world",
        Version(current),
        Version(last) if last else None,
        version=version,
        part=part,
    )
    assert target.new == Version(expected)


@pytest.mark.parametrize(
    ("current", "last", "version", "part", "words"),
    [
        ("0.2.1", "0.2.1", "0.2.1", None, "not greater than its last release 0.2.1"),
        ("0.2.1", "0.2.1", "0.2.0", None, "not greater than its last release"),
        ("0.2.1", "0.2.1", "0.2.1.dev3", None, "not greater than its last release"),
        ("0.2.0", None, "0.2.0", None, "already at 0.2.0"),
        ("0.3.0", "0.2.0", "0.2.5", None, "lower than 0.3.0"),
        ("0.3.0", "0.2.0", None, "patch", "lower than 0.3.0"),
        ("0.2.0", None, "banana", None, "not a PEP 440 version"),
        ("0.2.0", None, None, None, "exactly one of"),
        ("0.2.0", None, "0.3.0", "patch", "exactly one of"),
    ],
)
def test_choose_version_refusals(
    current: str, last: str | None, version: str | None, part: str | None, words: str
) -> None:
    with pytest.raises(InputRejected, match=words.replace(".", r"\.")):
        choose_version(
            "hello-world",
            Version(current),
            Version(last) if last else None,
            version=version,
            part=part,
        )


PYPROJECT = """\
[project]
name = "hello-world"   # the distribution
version = "0.2.0"  # bumped by release-tool
dependencies = []

[tool.other]
version = "9.9.9"
"""


def test_set_project_version_keeps_comments_and_touches_only_the_project_version() -> None:
    out = set_project_version(PYPROJECT, Version("0.2.1"))
    assert out == PYPROJECT.replace('"0.2.0"', '"0.2.1"')
    assert read_project_version(out, "x") == Version("0.2.1")
    assert set_project_version(out, Version("0.2.1")) == out


def test_read_project_version_refuses_a_pyproject_without_one() -> None:
    with pytest.raises(InputRejected, match="no readable"):
        read_project_version("[project]\nname = 'x'\n", "packages/x/pyproject.toml")
    with pytest.raises(InputRejected, match="not a PEP 440"):
        read_project_version("[project]\nversion = 'one'\n", "packages/x/pyproject.toml")


def test_branch_and_message_are_conventional() -> None:
    target = choose_version("hello-world", Version("0.2.0"), Version("0.2.0"), part="patch")
    assert bump_branch("hello-world", target.new) == "bump/hello-world-0.2.1"
    message = commit_message(target)
    assert message.splitlines()[0] == "chore(release): bump hello-world to 0.2.1"
    assert "last release 0.2.0" in message
