"""Pushing release branches to a real bare origin with a lease, credentials via env only."""

from __future__ import annotations

import base64
import io
import subprocess
from pathlib import Path

import pytest
from release_tool.adapters.process import child_env
from release_tool.adapters.push import (
    Origin,
    credential_config,
    delete_remote_branch,
    push_branch,
    read_remote_branch,
)
from release_tool.core.github_context import Secret
from release_tool.errors import InputRejected, OperationalError

from tests.support.git_http import serve_git_http
from tests.support.github_sandbox import BRANCH, TOKEN, BareOrigin
from tests.support.sandbox import clean_env, git


def make_origin(repo: BareOrigin, echo: io.StringIO, token: str | None = TOKEN) -> Origin:
    return Origin(
        checkout=repo.checkout,
        env=clean_env(),
        token=Secret(token) if token else None,
        server_url="https://github.com",
        echo=echo,
    )


def test_push_creates_then_updates_then_skips(origin: BareOrigin) -> None:
    echo = io.StringIO()
    target = make_origin(origin, echo)
    first = origin.commit_on(origin.base_sha, "release 1")
    assert read_remote_branch(target, BRANCH) is None
    result = push_branch(target, BRANCH, first, expected=None)
    assert (result.changed, origin.remote_sha(BRANCH)) == (True, first)
    assert read_remote_branch(target, BRANCH) == first
    second = origin.commit_on(origin.base_sha, "release 2")  # a rewritten one-commit branch
    push_branch(target, BRANCH, second, expected=first)
    assert origin.remote_sha(BRANCH) == second
    pushes = echo.getvalue().count("$ git push")
    again = push_branch(target, BRANCH, second, expected=second)
    assert not again.changed
    assert echo.getvalue().count("$ git push") == pushes  # nothing to do: no push at all
    assert f"--force-with-lease=refs/heads/{BRANCH}:{first}" in echo.getvalue()
    assert origin.remote_sha("main") == origin.base_sha


def test_concurrent_push_makes_the_lease_fail_and_nothing_is_overwritten(
    origin: BareOrigin,
) -> None:
    target = make_origin(origin, io.StringIO())
    ours = origin.commit_on(origin.base_sha, "ours")
    push_branch(target, BRANCH, ours, expected=None)
    theirs = origin.push_concurrently(BRANCH, "a concurrent run")
    newer = origin.commit_on(origin.base_sha, "ours, regenerated")
    with pytest.raises(OperationalError) as caught:
        push_branch(target, BRANCH, newer, expected=ours)
    assert str(caught.value) == (
        f"the branch {BRANCH} on origin changed concurrently (the tool last saw it at "
        f"{ours[:12]}); nothing was overwritten: re-run the command to start from its new state"
    )
    assert caught.value.exit_code == 1
    assert origin.remote_sha(BRANCH) == theirs


def test_a_branch_that_must_not_exist_but_does_is_not_overwritten(origin: BareOrigin) -> None:
    target = make_origin(origin, io.StringIO())
    theirs = origin.push_concurrently(BRANCH, "someone else's")
    with pytest.raises(OperationalError, match="the tool last saw it absent"):
        push_branch(target, BRANCH, origin.commit_on(origin.base_sha, "ours"), expected=None)
    assert origin.remote_sha(BRANCH) == theirs


@pytest.mark.parametrize("branch", ["main", "feature/x", "release", "release/../main", "-x"])
def test_only_release_branches_are_pushed(origin: BareOrigin, branch: str) -> None:
    echo = io.StringIO()
    with pytest.raises(InputRejected, match=f"refusing to push {branch!r}"):
        push_branch(make_origin(origin, echo), branch, origin.base_sha, expected=None)
    assert echo.getvalue() == ""  # refused before running git
    assert origin.remote_sha("main") == origin.base_sha


def test_bad_commit_hashes_are_rejected(origin: BareOrigin) -> None:
    target = make_origin(origin, io.StringIO())
    with pytest.raises(InputRejected, match="full lowercase commit hash"):
        push_branch(target, BRANCH, "HEAD", expected=None)
    with pytest.raises(InputRejected, match="expected remote commit"):
        push_branch(target, BRANCH, origin.base_sha, expected="--force")


def test_delete_with_lease(origin: BareOrigin) -> None:
    target = make_origin(origin, io.StringIO())
    ours = origin.commit_on(origin.base_sha, "ours")
    push_branch(target, BRANCH, ours, expected=None)
    theirs = origin.push_concurrently(BRANCH, "theirs")
    with pytest.raises(OperationalError, match="changed concurrently"):
        delete_remote_branch(target, BRANCH, expected=ours)
    assert origin.remote_sha(BRANCH) == theirs
    assert delete_remote_branch(target, BRANCH, expected=theirs) is True
    assert origin.remote_sha(BRANCH) is None
    assert delete_remote_branch(target, BRANCH, expected=None) is False
    with pytest.raises(InputRejected):
        delete_remote_branch(target, "main", expected=origin.base_sha)


def test_unreachable_origin_is_one_sentence(origin: BareOrigin, tmp_path: Path) -> None:
    git("remote", "set-url", "origin", str(tmp_path / "missing.git"), cwd=origin.checkout)
    target = make_origin(origin, io.StringIO())
    with pytest.raises(OperationalError) as caught:
        push_branch(target, BRANCH, origin.base_sha, expected=None)
    assert str(caught.value).startswith(f"git push of {BRANCH} to origin failed: ")


def test_credentials_reach_git_through_the_environment_only(origin: BareOrigin) -> None:
    echo = io.StringIO()
    target = make_origin(origin, echo)
    env = child_env(
        {"GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "core.x", "GIT_CONFIG_VALUE_0": "y"},
        credential_config(Secret(TOKEN), "https://github.com"),
    )
    basic = base64.b64encode(f"x-access-token:{TOKEN}".encode()).decode()
    assert env["GIT_CONFIG_COUNT"] == "2"
    assert env["GIT_CONFIG_KEY_0"] == "core.x"  # entries already there are kept
    assert env["GIT_CONFIG_KEY_1"] == "http.https://github.com/.extraheader"
    assert env["GIT_CONFIG_VALUE_1"] == f"AUTHORIZATION: basic {basic}"
    # git itself reads the header for the server's URLs from that environment.
    header = subprocess.run(
        [
            "git",
            "config",
            "--get-urlmatch",
            "http.extraheader",
            "https://github.com/VLMHyperBenchTeam/vlmhyperbench_playground.git",
        ],
        cwd=origin.checkout,
        env=child_env(clean_env(), credential_config(Secret(TOKEN))),
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert header == f"AUTHORIZATION: basic {basic}"
    push_branch(target, BRANCH, origin.commit_on(origin.base_sha, "x"), expected=None)
    read_remote_branch(target, BRANCH)
    config = (origin.checkout / ".git" / "config").read_text(encoding="utf-8")
    remote_url = git("remote", "get-url", "origin", cwd=origin.checkout)
    for text in (echo.getvalue(), config, remote_url, repr(target)):
        assert TOKEN not in text
        assert basic not in text
    assert credential_config(None) == ()


def test_push_over_http_authenticates_with_the_header_from_the_environment(
    origin: BareOrigin, tmp_path: Path
) -> None:
    served_root = origin.bare.parent
    with serve_git_http(served_root, TOKEN) as server:
        url = f"{server.url}/{origin.bare.name}"
        git("remote", "set-url", "origin", url, cwd=origin.checkout)
        echo = io.StringIO()
        target = Origin(origin.checkout, clean_env(), Secret(TOKEN), server.url, echo=echo)
        commit = origin.commit_on(origin.base_sha, "over http")
        push_branch(target, BRANCH, commit, expected=None)
        assert origin.remote_sha(BRANCH) == commit
        assert read_remote_branch(target, BRANCH) == commit
        # The auth scheme is case-insensitive; the credentials are exact.
        assert server.expected.lower() in [a.lower() for a in server.authorizations if a]
        # Without the token the server refuses and git does not prompt: one sentence, exit 1.
        anonymous = Origin(origin.checkout, clean_env(), None, server.url, echo=io.StringIO())
        with pytest.raises(OperationalError, match=f"git push of {BRANCH} to origin failed"):
            push_branch(anonymous, BRANCH, origin.base_sha, expected=commit)
        assert origin.remote_sha(BRANCH) == commit
    assert TOKEN not in echo.getvalue()
    assert TOKEN not in (origin.checkout / ".git" / "config").read_text(encoding="utf-8")
