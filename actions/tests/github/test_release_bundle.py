"""The prepare/publish split: ``promote --bundle-out`` (no token) then ``publish-bundle``.

The publish side never runs uv (a stand-in ``uv`` first on PATH fails the test if
called), and refuses a tampered bundle: another file changed, a lock pinning another
commit, a plan naming another commit, a skip marker in the message.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from tests.support.github_sandbox import REPO, TOKEN
from tests.support.release_github import Flow
from tests.support.sandbox import git

pytestmark = [pytest.mark.uvlock, pytest.mark.security]
BRANCH = "release/staging/hello-world"
BOT = {
    "GIT_AUTHOR_NAME": "vlmhyperbench-release-bot[bot]",
    "GIT_COMMITTER_NAME": "vlmhyperbench-release-bot[bot]",
}


def _failing_uv(root: Path) -> Path:
    """A directory whose ``uv`` fails loudly and leaves a mark: first on PATH."""
    bin_dir = root / "no-uv"
    bin_dir.mkdir(exist_ok=True)
    uv = bin_dir / "uv"
    uv.write_text(
        f"#!/bin/sh\ntouch {root / 'uv-was-called'}\necho 'uv must not run' >&2\nexit 99\n"
    )
    uv.chmod(uv.stat().st_mode | stat.S_IXUSR)
    return bin_dir


def _publish_env(flow: Flow, tmp_path: Path) -> dict[str, str]:
    env = flow.env(PATH=f"{_failing_uv(tmp_path)}{os.pathsep}{os.environ['PATH']}")
    env.pop("UV", None)
    return env


def _prepare(flow: Flow, out: Path) -> dict[str, object]:
    env = flow.env(actions=False)
    env.pop("RELEASE_TOOL_TOKEN")  # the prepare job holds no token at all
    done = flow.cli(
        "promote", "--env", "staging", "--pin", "hello-world=0.2.0",
        "--repo", str(flow.work), "--bundle-out", str(out), env=env,
    )  # fmt: skip
    assert done.rc == 0, done.err
    assert flow.remote_sha(BRANCH) is None  # prepare pushed nothing
    return json.loads((out / "plan.json").read_text("utf-8"))  # type: ignore[no-any-return]


def test_publish_bundle_pushes_and_opens_the_pr_without_uv(flow: Flow, tmp_path: Path) -> None:
    out = tmp_path / "bundle"
    plan = _prepare(flow, out)
    publisher = flow.clone("publisher")  # the publish job's fresh checkout of main
    done = flow.cli(
        "publish-bundle", "--bundle", str(out), "--repo", str(publisher), "--json",
        env=_publish_env(flow, tmp_path), cwd=publisher,
    )  # fmt: skip
    assert done.rc == 0, done.err
    assert not (tmp_path / "uv-was-called").exists()
    assert flow.remote_sha(BRANCH) == plan["commit"]
    (pull,) = flow.fake.repo(REPO).pulls()
    assert pull["head"] == BRANCH and pull["title"] == plan["title"]
    assert done.data["pull_request"]["operation"] == "created"
    assert TOKEN not in done.out + done.err
    # Publishing the same bundle again changes nothing.
    again = flow.cli(
        "publish-bundle", "--bundle", str(out), "--repo", str(publisher),
        env=_publish_env(flow, tmp_path), cwd=publisher,
    )  # fmt: skip
    assert again.rc == 0, again.err
    assert flow.remote_sha(BRANCH) == plan["commit"]


def _tamper(flow: Flow, out: Path, plan: dict[str, object], edit: dict[str, str]) -> None:
    """Rewrite the bundle: a new bot commit on the base with ``edit`` (path -> new text)
    applied on top of the planned commit's tree, and the plan naming it."""
    work = flow.work
    env = flow.sandbox.env(BOT | {"GIT_AUTHOR_EMAIL": "b@x", "GIT_COMMITTER_EMAIL": "b@x"})
    git("checkout", "-q", "--detach", str(plan["commit"]), cwd=work, env=env)
    for path, text in edit.items():
        (work / path).write_text(text, encoding="utf-8")
        git("add", "--", path, cwd=work, env=env)
    bot = flow.sandbox.env(
        {
            "GIT_AUTHOR_NAME": "vlmhyperbench-release-bot[bot]",
            "GIT_COMMITTER_NAME": "vlmhyperbench-release-bot[bot]",
            **_bot_email(work),
        }
    )
    tree = git("write-tree", cwd=work, env=bot)
    message = git("show", "-s", "--format=%B", str(plan["commit"]), cwd=work)
    commit = git(
        "commit-tree", tree, "-p", str(plan["base_commit"]), "-m", message, cwd=work, env=bot
    )
    git("update-ref", f"refs/heads/{BRANCH}", commit, cwd=work)
    git("checkout", "-q", "-f", "main", cwd=work, env=env)
    (out / "release.bundle").unlink()
    git("bundle", "create", "-q", str(out / "release.bundle"), f"refs/heads/{BRANCH}",
        f"^{plan['base_commit']}", cwd=work)  # fmt: skip
    (out / "plan.json").write_text(json.dumps({**plan, "commit": commit}), encoding="utf-8")


def _bot_email(work: Path) -> dict[str, str]:
    from release_tool.adapters.config_file import read_project_config  # noqa: PLC0415

    email = read_project_config(work, {}).bot.email
    return {"GIT_AUTHOR_EMAIL": email, "GIT_COMMITTER_EMAIL": email}


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("other-file", "changes files other than"),
        ("workflow-file", "changes files other than"),
        ("other-commit", "should be locked at"),
        ("skip-marker", "CI skip marker"),
    ],
)
def test_a_tampered_bundle_is_refused(flow: Flow, tmp_path: Path, case: str, reason: str) -> None:
    out = tmp_path / "bundle"
    plan = _prepare(flow, out)
    lock = git("show", f"{plan['commit']}:staging/uv.lock", cwd=flow.work)
    pins = plan["pins"]
    assert isinstance(pins, list)
    if case == "other-file":
        _tamper(flow, out, plan, {"docker/README.md": "now a different file\n"})
    elif case == "workflow-file":
        _tamper(flow, out, plan, {".github/workflows/ci.yml": "on: push\n"})
    elif case == "other-commit":
        real = str(pins[0]["commit"])
        _tamper(flow, out, plan, {"staging/uv.lock": lock.replace(real, "f" * 40) + "\n"})
    else:
        plan = {**plan, "title": f"{plan['title']} [skip ci]"}
        (out / "plan.json").write_text(json.dumps(plan), encoding="utf-8")
    publisher = flow.clone("publisher")
    done = flow.cli(
        "publish-bundle", "--bundle", str(out), "--repo", str(publisher),
        env=_publish_env(flow, tmp_path), cwd=publisher,
    )  # fmt: skip
    assert done.rc == 2, done.err
    assert "the release bundle is refused" in done.err and reason in done.err
    assert flow.remote_sha(BRANCH) is None  # nothing was pushed
    assert flow.fake.repo(REPO).pulls() == []
    assert not (tmp_path / "uv-was-called").exists()
