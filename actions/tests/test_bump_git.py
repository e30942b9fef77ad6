"""`release-tool bump` with real git and real uv on a sandbox clone of this repository."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from release_tool.cli import main

from tests.support.monorepo import Monorepo, make_monorepo

BRANCH = "bump/hello-world-0.2.1"


@pytest.fixture
def mono(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Monorepo:
    made = make_monorepo(tmp_path, legacy={"hello-world": ["0.1.0", "0.2.0"]})
    monkeypatch.chdir(made.work)
    return made


def _state(mono: Monorepo) -> tuple[str, str, str, str]:
    """What a bump must never change in the user's checkout."""
    return (
        mono.git("rev-parse", "HEAD"),
        mono.git("status", "--porcelain"),
        mono.git("for-each-ref", "--format=%(refname) %(objectname)"),
        mono.git("worktree", "list", "--porcelain"),
    )


def _lock_version(text: str, name: str) -> str:
    entries = [p for p in tomllib.loads(text)["package"] if p["name"] == name]
    assert len(entries) == 1
    return str(entries[0]["version"])


@pytest.mark.uvlock
def test_bump_commits_version_and_lock_in_one_bot_commit(
    mono: Monorepo, capsys: pytest.CaptureFixture[str]
) -> None:
    (mono.work / "scratch.txt").write_text("the user's own work\n", encoding="utf-8")
    before = _state(mono)
    assert main(["bump", "--package", "hello-world", "--bump", "patch"], mono.env()) == 0
    assert "0.2.0 -> 0.2.1 on bump/hello-world-0.2.1 (created)" in capsys.readouterr().out

    head, status, refs, worktrees = _state(mono)
    assert (head, status, worktrees) == (before[0], before[1], before[3])
    assert (mono.work / "scratch.txt").read_text(encoding="utf-8") == "the user's own work\n"
    assert f"refs/heads/{BRANCH}" in refs

    commit = mono.git("rev-parse", BRANCH)
    assert mono.git("rev-parse", f"{commit}^") == mono.git("rev-parse", "origin/main")
    changed = mono.git("diff", "--name-only", f"{commit}^", commit).splitlines()
    assert changed == ["packages/hello_world/pyproject.toml", "uv.lock"]
    pyproject = mono.git("show", f"{commit}:packages/hello_world/pyproject.toml")
    assert tomllib.loads(pyproject)["project"]["version"] == "0.2.1"
    assert _lock_version(mono.git("show", f"{commit}:uv.lock"), "hello-world") == "0.2.1"
    assert mono.git("log", "-1", "--format=%an <%ae>|%cn|%s", commit) == (
        "vlmhb-release-bot[bot] <vlmhb-release-bot[bot]@users.noreply.github.com>"
        "|vlmhb-release-bot[bot]|chore(release): bump hello-world to 0.2.1"
    )
    # the same bump again keeps the branch as it is
    assert main(["bump", "--package", "hello-world", "--version", "0.2.1"], mono.env()) == 0
    assert "(unchanged)" in capsys.readouterr().out
    assert mono.git("rev-parse", BRANCH) == commit


@pytest.mark.uvlock
def test_bump_moves_the_branch_when_origin_moved(
    mono: Monorepo, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["bump", "--package", "hello-world", "--bump", "patch"], mono.env()) == 0
    first = mono.git("rev-parse", BRANCH)
    mono.commit_change("docs/notes.md", "note\n", "docs: a note")
    assert main(["bump", "--package", "hello-world", "--bump", "patch"], mono.env()) == 0
    assert "(updated)" in capsys.readouterr().out
    second = mono.git("rev-parse", BRANCH)
    assert second != first
    assert mono.git("rev-parse", f"{second}^") == mono.git("rev-parse", "origin/main")


@pytest.mark.uvlock
def test_bump_dev_and_json(mono: Monorepo, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bump", "--package", "hello-world", "--bump", "dev", "--json"], mono.env()) == 0
    out = capsys.readouterr().out
    assert '"to": "0.2.1.dev0"' in out
    assert '"branch": "bump/hello-world-0.2.1.dev0"' in out
    assert '"last_release": "0.2.0"' in out


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["--package", "hello-world", "--version", "0.2.0"], "not greater than its last release"),
        (["--package", "hello-world", "--version", "0.1.9"], "not greater than its last release"),
        (["--package", "hello-world", "--version", "not-a-version"], "not a PEP 440 version"),
        (["--package", "no-such-package", "--bump", "patch"], "unknown package"),
    ],
)
def test_bump_refusals_leave_no_trace(
    mono: Monorepo, capsys: pytest.CaptureFixture[str], argv: list[str], words: str
) -> None:
    before = _state(mono)
    assert main(["bump", *argv], mono.env()) == 2
    err = capsys.readouterr().err
    assert words in err
    assert "Traceback" not in err
    assert _state(mono) == before


def test_a_failing_uv_lock_leaves_no_branch_and_no_worktree(
    mono: Monorepo, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _state(mono)
    assert (
        main(["bump", "--package", "hello-world", "--bump", "patch"], mono.env({"UV": "false"}))
        == 1
    )
    assert "uv lock (re-locking the workspace) failed" in capsys.readouterr().err
    assert _state(mono) == before


def test_an_unreachable_package_repository_is_an_operational_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    made = make_monorepo(tmp_path)  # no package repositories at all
    monkeypatch.chdir(made.work)
    assert main(["bump", "--package", "hello-world", "--bump", "patch"], made.env()) == 1
    err = capsys.readouterr().err
    assert "cannot reach the repository https://github.com/VLMHyperBenchTeam/hello_world.git" in err
