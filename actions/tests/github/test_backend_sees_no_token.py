"""A promoted tag's own build backend never sees a credential (issue: the token reached it).

The tag's metadata is dynamic, so ``uv lock`` runs the tag's in-tree backend, which
dumps its environment. ``promote`` (with and without ``--dry-run``), ``refresh`` and
``relock`` run with canaries in all three token variables, the runner's ``ACTIONS_*``
tokens and a credential ``GIT_CONFIG_*`` pair: the backend must see none of them, while
the push and the API calls still authenticate. Then every output, step output, file of
the checkout (``.git/config`` included) and the PR texts are searched for the canaries.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from tests.support.canary import (
    CANARIES,
    HEADER_CANARY,
    all_files,
    canary_env,
    findings,
    read_dumps,
    release_canary_tag,
    secret_values,
)
from tests.support.fake_github import FakeGitHub
from tests.support.github_sandbox import REPO, TOKEN
from tests.support.release_github import Flow, Published, build_flow_sandbox, make_flow
from tests.support.sandbox import Sandbox, git

pytestmark = [pytest.mark.uvlock, pytest.mark.security]
PROFILE = "staging/pyproject.toml"


@pytest.fixture(scope="module")
def canary_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Sandbox:
    sandbox = build_flow_sandbox(tmp_path_factory.mktemp("canary-sandbox"))
    for tag in ("0.9.0", "0.9.1"):
        release_canary_tag(sandbox.packages["hello-world"], tag, sandbox.env())
    return sandbox


@pytest.fixture
def canary_flow(
    canary_sandbox: Sandbox, fake: FakeGitHub, tmp_path: Path, fast_github: object
) -> Flow:
    return make_flow(canary_sandbox, fake, tmp_path / "flow")


def test_no_command_hands_a_credential_to_the_tags_backend(
    canary_flow: Flow, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    flow = canary_flow
    dumps = tmp_path / "dumps"
    dumps.mkdir()
    runs: list[tuple[str, Published]] = []
    seen_by_backend: dict[str, int] = {}

    def run(label: str, *argv: str, actions: bool = True) -> Published:
        before = len(read_dumps(dumps))
        env = flow.env(actions=actions, **canary_env(TOKEN), CANARY_DUMP_DIR=str(dumps))
        done = flow.cli(*argv, env=env)
        runs.append((label, done))
        seen_by_backend[label] = len(read_dumps(dumps)) - before
        assert done.rc == 0, f"{label}: {done.err}"
        return done

    repo = str(flow.work)
    run("promote --dry-run", "promote", "--env", "staging", "--pin", "hello-world=0.9.0",
        "--dry-run", "--repo", repo, actions=False)  # fmt: skip
    run("promote", "promote", "--env", "staging", "--pin", "hello-world=0.9.0", "--repo", repo)
    # another profile change lands on main: the open PR's lock goes stale -> refresh
    flow.commit_on_main("staging/README.md", "a note\n", "docs: staging note")
    run("refresh", "refresh", "--env", "staging", "--repo", repo, "--json")
    # a hand edit pins the second canary tag without locking it -> relock
    text = flow.remote_file("main", PROFILE).replace('tag = "0.0.11"', 'tag = "0.9.1"')
    flow.commit_on_main(PROFILE, text, "staging: pin hello-world 0.9.1 by hand")
    run("relock", "relock", "--env", "staging", "--repo", repo)

    # The backend really ran in each command (else the search below proves nothing)...
    assert all(count > 0 for count in seen_by_backend.values()), seen_by_backend
    envs = read_dumps(dumps)
    # ...with everything else it needs, and none of the credentials.
    for env in envs:
        assert "GIT_CONFIG_GLOBAL" in env and "UV_INDEX" in env
        assert not {"RELEASE_TOOL_TOKEN", *CANARIES} & set(env)
        assert not any(key.startswith("ACTIONS_") for key in env)
    assert findings([repr(e) for e in envs], secret_values(TOKEN)) == []

    # The push and the API did authenticate: the branch is on origin, the PR is there.
    heads = {str(p["head"]) for p in flow.fake.repo(REPO).pulls()}
    assert heads == {"release/staging/hello-world", "release/staging/relock"}
    assert flow.remote_sha("release/staging/relock") is not None
    assert all(r.headers.get("Authorization") == f"token {TOKEN}" for r in flow.fake.requests)

    # Nothing the commands wrote holds a canary.
    texts = [done.out + done.err for _, done in runs]
    texts += [rec.getMessage() for rec in caplog.records]
    texts += [flow.outputs.read_text("utf-8"), flow.summary.read_text("utf-8")]
    state = flow.fake.repo(REPO)
    texts += [str(p.get("title")) + str(p.get("body")) for p in state.issues.values()]
    texts += [str(c.get("body")) for c in state.comments.values()]
    # The checkout's tracked files hold this test's own canary literal: search its .git,
    # every file git does not track as committed, and the whole bare origin.
    untracked = git("status", "--porcelain", "--ignored", "-uall", cwd=flow.work).splitlines()
    files = [flow.work / line[3:] for line in untracked]
    files += [*all_files(flow.work / ".git"), *all_files(flow.origin)]
    texts += [p.read_bytes().decode("utf-8", "replace") for p in files if p.is_file()]
    assert "[remote" in (flow.work / ".git" / "config").read_text("utf-8")
    assert findings(texts, [*secret_values(TOKEN), HEADER_CANARY]) == []
    assert "$ git push" in "".join(texts)  # the helper's echo was captured
