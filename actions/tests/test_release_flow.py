"""The whole flow in a sandbox with the fake GitHub: bump -> PR -> merge -> publish --all.

Real git (a bare monorepo origin, bare package repositories), real uv, real
PyGithub against the in-process fake GitHub server on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from release_tool.adapters.dispatch import github_sender
from release_tool.adapters.github import GithubAdapter
from release_tool.cli import build_parser, main
from release_tool.commands.bump import bump
from release_tool.commands.publish import publish
from release_tool.core.github_context import GithubContext

from tests.support.fake_github import FakeGitHub, serve_fake_github
from tests.support.github_sandbox import REPO, TOKEN, Sleeps, fast_policy
from tests.support.monorepo import PACKAGES, Monorepo, make_monorepo

BRANCH = "bump/hello-world-0.2.1"
HELLO_PATCH = ("--package", "hello-world", "--bump", "patch")


@pytest.fixture
def fake() -> Iterator[FakeGitHub]:
    with serve_fake_github(FakeGitHub(token=TOKEN)) as served:
        yield served


def _args(*argv: str) -> argparse.Namespace:
    return build_parser().parse_args(list(argv))


def _operations(path: Path, name: str = "operation") -> list[str]:
    """The ``name`` step outputs written so far (``name<<DELIMITER`` blocks)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [lines[i + 1] for i, line in enumerate(lines) if line.startswith(f"{name}<<")]


def _fast(context: GithubContext) -> GithubAdapter:
    return GithubAdapter(context, fast_policy(Sleeps([])))


def _intake(event: dict[str, Any], tmp_path: Path, env: dict[str, str]) -> dict[str, Any]:
    path = tmp_path / "event.json"
    path.write_text(json.dumps({"action": event["event_type"], **event}), encoding="utf-8")
    with contextlib.redirect_stdout(io.StringIO()) as out:
        assert main(["intake", "--payload", str(path)], env) == 0
    return json.loads(out.getvalue())  # type: ignore[no-any-return]


@pytest.mark.uvlock
def test_bump_merge_publish_all_push_notify(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    fake: FakeGitHub,
) -> None:
    mono: Monorepo = make_monorepo(tmp_path / "sandbox", empty=list(PACKAGES))
    monkeypatch.chdir(mono.work)
    fake.add_repo(REPO, git_dir=mono.origin)
    outputs = tmp_path / "github_output"
    outputs.touch()
    actions = mono.env(
        {
            "GITHUB_ACTIONS": "true",
            "GITHUB_API_URL": fake.base,
            "GITHUB_OUTPUT": str(outputs),
            "RELEASE_TOOL_TOKEN": TOKEN,
        }
    )
    sender = github_sender(actions, fast_policy(Sleeps([])))

    # the bootstrap: every package published at its current version, one batch dispatch
    assert publish(_args("publish", "--all", "--notify"), actions, mono.work, sender) == 0
    (bootstrap,) = fake.repo(REPO).dispatches
    assert bootstrap["event_type"] == "package-released"
    assert {p["package"] for p in bootstrap["client_payload"]["pins"]} == set(PACKAGES)
    assert _intake(bootstrap, tmp_path, mono.env())["env"] == "staging"

    # a change, and its bump: pushed to origin with a PR in Actions
    mono.commit_change("packages/hello_world/README.md", "\nHi.\n", "feat(hello): say hi")
    assert (
        bump(
            _args("bump", "--package", "hello-world", "--bump", "patch"), actions, mono.work, _fast
        )
        == 0
    )
    pulls = fake.repo(REPO).pulls()
    assert [(p["head"], p["base"], p["title"]) for p in pulls] == [
        (BRANCH, "main", "chore(release): bump hello-world to 0.2.1")
    ]
    assert "release-tool publish --package hello-world --push --notify" in pulls[0]["body"]
    assert mono.git("ls-remote", "origin", f"refs/heads/{BRANCH}").split()[0] == mono.git(
        "rev-parse", BRANCH
    )
    assert _operations(outputs) == ["created"]
    # the same outputs as promote's: one publication path
    assert _operations(outputs, "status") == ["committed"]
    assert _operations(outputs, "branch") == [BRANCH]
    assert _operations(outputs, "commit") == [mono.git("rev-parse", BRANCH)]

    # the same bump again: nothing written anywhere
    writes = len(fake.writes())
    assert (
        bump(
            _args("bump", "--package", "hello-world", "--bump", "patch"), actions, mono.work, _fast
        )
        == 0
    )
    assert len(fake.writes()) == writes
    assert _operations(outputs) == ["created", "unchanged"]
    assert _operations(outputs, "status") == ["committed", "unchanged"]

    # merged by review (squashed, as GitHub does); publish --all releases just that package
    mono.git("pull", "--quiet", "--ff-only")
    mono.squash_merge(BRANCH, "chore(release): bump hello-world to 0.2.1 (#1)")
    assert publish(_args("publish", "--all", "--notify"), actions, mono.work, sender) == 0
    assert len(fake.repo(REPO).dispatches) == 2
    event = fake.repo(REPO).dispatches[1]
    tags = mono.tags("hello-world")
    assert _intake(event, tmp_path, mono.env()) == {
        "package": "hello-world",
        "tag": "0.2.1",
        "sha": tags["0.2.1"],
        "repository": "VLMHyperBenchTeam/hello_world",
        "env": "staging",
    }
    assert mono.pkg_git("hello-world", "rev-parse", "main") == tags["0.2.1"]
    message = mono.pkg_git("hello-world", "for-each-ref", "--format=%(contents)", "refs/tags/0.2.1")
    assert "Features:\n- hello: say hi" in message

    # a second publish --all does nothing
    assert publish(_args("publish", "--all", "--notify"), actions, mono.work, sender) == 0
    assert len(fake.repo(REPO).dispatches) == 2
    captured = capsys.readouterr()
    assert "Nothing to publish" in captured.out
    assert TOKEN not in captured.out + captured.err + outputs.read_text(encoding="utf-8")


def test_bump_push_without_a_token_is_refused_before_anything_is_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    mono = make_monorepo(tmp_path, empty=["hello-world"])
    monkeypatch.chdir(mono.work)
    assert (
        main(["bump", "--package", "hello-world", "--version", "0.2.1", "--push"], mono.env()) == 2
    )
    assert "no GitHub token" in capsys.readouterr().err
    assert mono.git("branch", "--list", "bump/*") == ""


@pytest.mark.uvlock
def test_bump_never_pushes_over_someone_elses_commit(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    fake: FakeGitHub,
) -> None:
    # bump publishes through the same publish_branch as the release branches.
    mono = make_monorepo(tmp_path / "sandbox", empty=["hello-world"])
    monkeypatch.chdir(mono.work)
    fake.add_repo(REPO, git_dir=mono.origin)
    mono.git("switch", "--quiet", "-c", BRANCH)
    mono.commit_change("packages/hello_world/README.md", "\nmine\n", "docs: mine", push=False)
    mono.git("push", "--quiet", "origin", BRANCH)
    theirs = mono.git("rev-parse", BRANCH)
    mono.git("switch", "--quiet", "main")
    mono.git("branch", "--quiet", "-D", BRANCH)
    actions = mono.env(
        {"GITHUB_ACTIONS": "true", "GITHUB_API_URL": fake.base, "RELEASE_TOOL_TOKEN": TOKEN}
    )
    capsys.readouterr()
    assert main(["bump", *HELLO_PATCH], actions) == 1
    err = capsys.readouterr().err
    assert f"{BRANCH} carries commit {theirs[:10]}" in err
    assert "never force-pushes" in err
    assert mono.git("ls-remote", "origin", f"refs/heads/{BRANCH}").split()[0] == theirs
    assert fake.repo(REPO).pulls() == []
    assert mono.git("branch", "--list", "bump/*") == ""  # the local branch is put back
