"""``bump`` and ``publish`` hand no credential to uv, nor to git except where git talks
to a repository (push, ls-remote, fetch, clone).

A stand-in ``uv`` and ``git`` first on PATH record every call's argv and environment
(then run the real tool); git calls that uv makes for git sources are recorded too,
with the environment uv was given. The run holds canaries in all three token variables,
the runner's ``ACTIONS_*`` tokens and a credential ``GIT_CONFIG_*`` pair.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from release_tool.cli import build_parser
from release_tool.commands.bump import bump
from release_tool.commands.publish import publish

from tests.support.canary import (
    HEADER_CANARY,
    canary_env,
    credential_pairs,
    findings,
    make_recorder,
    secret_values,
)
from tests.support.fake_github import FakeGitHub
from tests.support.github_sandbox import REPO, TOKEN, Sleeps
from tests.support.monorepo import make_monorepo
from tests.support.release_github import fast_adapter_factory

pytestmark = [pytest.mark.uvlock, pytest.mark.security]
REMOTE = {"push", "ls-remote", "fetch", "clone"}


def _args(*argv: str) -> argparse.Namespace:
    return build_parser().parse_args(list(argv))


def _subcommand(argv: list[str]) -> str:
    """git's subcommand (the first word that is no option and no ``-c``/``-C`` value)."""
    words = iter(argv)
    for word in words:
        if word in {"-c", "-C"}:
            next(words, None)
        elif not word.startswith("-"):
            return word
    return ""


class Sent:
    def __init__(self) -> None:
        self.payloads: list[Mapping[str, Any]] = []

    def __call__(self, repository: str, payload: Mapping[str, Any]) -> str:
        self.payloads.append(payload)
        return "https://example.invalid/watch"


def test_bump_and_publish_give_credentials_only_to_remote_git_calls(
    tmp_path: Path, fake: FakeGitHub, sleeps: Sleeps, monkeypatch: pytest.MonkeyPatch
) -> None:
    mono = make_monorepo(tmp_path / "mono", empty=["hello-world"])
    fake.add_repo(REPO, git_dir=mono.origin)
    real = {tool: shutil.which(tool) or tool for tool in ("git", "uv")}
    recorder = make_recorder(tmp_path / "rec", sys.executable, real)
    env = mono.env(
        {
            **canary_env(TOKEN),
            "GITHUB_ACTIONS": "true",
            "GITHUB_REPOSITORY": REPO,
            "GITHUB_API_URL": fake.base,
            "PATH": recorder.path(os.environ["PATH"]),
        }
    )
    env.pop("UV", None)  # else the tool runs the uv that runs the tests, not the stand-in
    monkeypatch.chdir(mono.work)

    github = fast_adapter_factory(sleeps)
    assert (
        bump(_args("bump", "--package", "hello-world", "--bump", "patch"), env, mono.work, github)
        == 0
    )
    mono.squash_merge("bump/hello-world-0.2.1", "chore(release): bump hello-world to 0.2.1 (#8)")
    mono.git("pull", "-q", "--ff-only")
    sent = Sent()
    assert (
        publish(
            _args("publish", "--package", "hello-world", "--push", "--notify"), env, mono.work, sent
        )
        == 0
    )

    calls = recorder.calls()
    tools = {str(c["tool"]) for c in calls}
    assert tools == {"git", "uv"}, tools  # both stand-ins were really used
    uv_locks = [c for c in calls if c["tool"] == "uv" and "lock" in c["argv"]]  # type: ignore[operator]
    assert uv_locks, "bump re-locks the workspace through the stand-in uv"
    authed: list[str] = []
    for call in calls:
        env_seen: dict[str, str] = call["env"]  # type: ignore[assignment]
        argv: list[str] = call["argv"]  # type: ignore[assignment]
        assert findings([repr(env_seen)], [t for t in secret_values(TOKEN) if t != TOKEN]) == []
        assert not {"RELEASE_TOOL_TOKEN", "GH_TOKEN", "GITHUB_TOKEN"} & set(env_seen)
        assert not any(k.startswith("ACTIONS_") for k in env_seen)
        assert HEADER_CANARY not in repr(env_seen)
        pairs = credential_pairs(env_seen)
        if call["tool"] == "uv" or _subcommand(argv) not in REMOTE:
            assert pairs == [], (call["tool"], argv)
            assert TOKEN not in repr(env_seen), (call["tool"], argv)
        elif pairs:
            authed.append(_subcommand(argv))
    # The token did reach the calls that talk to a repository: pushes of bump and publish.
    assert "push" in authed and "clone" in authed, authed
    assert sent.payloads and fake.repo(REPO).pulls()
