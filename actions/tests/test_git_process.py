"""The one way to run git (adapters.git) on the one subprocess helper (adapters.process)."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest
from release_tool.adapters import process
from release_tool.adapters.git import Checkout, git_succeeds, read_file_at, run_git
from release_tool.adapters.push import Origin, read_remote_branch
from release_tool.errors import OperationalError

from tests.support.sandbox import clean_env, git

ENV = clean_env(
    {
        "GIT_CONFIG_GLOBAL": "/dev/null",
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "a",
        "GIT_AUTHOR_EMAIL": "a@example.invalid",
        "GIT_COMMITTER_NAME": "a",
        "GIT_COMMITTER_EMAIL": "a@example.invalid",
    }
)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    work = tmp_path / "work"
    git("init", "-q", "-b", "main", str(work), cwd=tmp_path, env=ENV)
    (work / "pyproject.toml").write_text('[project]\nname = "x"\n', encoding="utf-8")
    git("add", "-A", cwd=work, env=ENV)
    git("commit", "-q", "-m", "one", cwd=work, env=ENV)
    return work


def test_a_file_at_a_commit_is_read_exactly(repo: Path) -> None:
    head = run_git("rev-parse", "HEAD", cwd=repo, env=ENV)
    assert len(head) == 40  # stripped: no newline
    # a file keeps its final newline (a rewrite of it must not drop it)
    assert read_file_at(head, "pyproject.toml", cwd=repo, env=ENV) == '[project]\nname = "x"\n'
    assert Checkout(repo, ENV).read_file(head, "pyproject.toml") == '[project]\nname = "x"\n'
    assert read_file_at(head, "missing.toml", cwd=repo, env=ENV) is None


def test_a_failure_is_one_operational_error_with_gits_message(repo: Path) -> None:
    with pytest.raises(OperationalError, match=r"^reading nothing failed \(exit 128\): fatal: "):
        run_git("show", "nothing:here", cwd=repo, env=ENV, what="reading nothing")
    assert git_succeeds("rev-parse", "--verify", "--quiet", "HEAD", cwd=repo, env=ENV)
    assert not git_succeeds("rev-parse", "--verify", "--quiet", "nope", cwd=repo, env=ENV)


def test_echo_follows_the_stderr_of_the_moment_and_masks_secrets(repo: Path) -> None:
    stream = io.StringIO()
    with contextlib.redirect_stderr(stream):
        process.run(["git", "--version", "--", "s3cret"], env=ENV, check=False, secrets=["s3cret"])
        run_git("status", "--short", cwd=repo, env=ENV, echo=True)
        run_git("status", "--short", cwd=repo, env=ENV)  # a read: quiet
    assert stream.getvalue() == "$ git --version -- ***\n$ git status --short\n"


def test_origins_default_echo_is_the_stderr_of_the_moment(repo: Path, tmp_path: Path) -> None:
    bare = tmp_path / "origin.git"
    git("clone", "-q", "--bare", str(repo), str(bare), cwd=tmp_path, env=ENV)
    git("remote", "add", "origin", str(bare), cwd=repo, env=ENV)
    origin = Origin(repo, ENV)  # no echo given: the default
    stream = io.StringIO()
    with contextlib.redirect_stderr(stream):
        assert read_remote_branch(origin, "release/staging/x") is None
    assert stream.getvalue().startswith("$ git ls-remote -- origin refs/heads/release/staging/x")
