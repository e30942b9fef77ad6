"""Each composite action's steps run as the runner runs them, on a downloaded monorepo tree.

The runner downloads an action's repository at a commit as a tree without ``.git``
and points ``GITHUB_ACTION_PATH`` into it; the step runs with the env mapping its
YAML defines, a ``GITHUB_OUTPUT`` file and ``RUNNER_TEMP``. Here the tree is this
repository's files as the next commit holds them (tracked and untracked-but-not-
ignored files; in CI exactly HEAD), and the tool runs for real through
``uv run --locked --no-dev --package release-tool`` against the in-process fake
GitHub. ``promote``, ``relock`` and ``refresh`` act on a sandbox monorepo checkout
whose bare origin the fake serves (real git, real uv, stand-in torch indexes).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

from tests.support.action_runner import StepRun, action_outputs, run_action
from tests.support.fake_github import FakeGitHub, Request, serve_fake_github
from tests.support.github_sandbox import REPO, TOKEN
from tests.support.monorepo import make_monorepo
from tests.support.release_github import Flow, build_flow_sandbox, make_flow
from tests.support.sandbox import Sandbox, clean_env, copy_checkout, git

SHA = "89abcdef0123456789abcdef0123456789abcdef"
MONOREPO = REPO


@pytest.fixture(scope="module")
def downloaded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This repository as the runner lays out a downloaded action: its files, no .git."""
    root = tmp_path_factory.mktemp("_actions") / MONOREPO / "HEAD"
    root.mkdir(parents=True)
    copy_checkout(root)
    assert not (root / ".git").exists() and (root / "actions" / "promote" / "action.yml").is_file()
    return root


@pytest.fixture(scope="module")
def served() -> Iterator[FakeGitHub]:
    with serve_fake_github(FakeGitHub(token=TOKEN)) as fake:
        yield fake


@pytest.fixture
def fake(served: FakeGitHub) -> FakeGitHub:
    """The module's fake GitHub, emptied, holding the monorepo (no origin behind it)."""
    served.reset()
    served.add_repo(MONOREPO)
    return served


def _actions_env(fake: FakeGitHub, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """What a job's runner gives every step: Actions on, the API, the repository."""
    github = {"GITHUB_ACTIONS": "true", "GITHUB_API_URL": fake.base, "GITHUB_REPOSITORY": REPO}
    return {**(base if base is not None else clean_env()), **github}


def _run(
    downloaded: Path,
    name: str,
    inputs: Mapping[str, str],
    *,
    workspace: Path,
    runner_temp: Path,
    env: Mapping[str, str],
) -> tuple[list[StepRun], dict[str, str]]:
    """Run action ``name``'s steps; assert they passed; its declared outputs."""
    runner_temp.mkdir(parents=True, exist_ok=True)
    action = downloaded / "actions" / name
    runs = run_action(action, inputs, workspace=workspace, runner_temp=runner_temp, base_env=env)
    assert [r.returncode for r in runs] == [0] * len(runs), runs[-1].stdout + runs[-1].stderr
    for run in runs:
        assert TOKEN not in run.stdout + run.stderr
    return runs, action_outputs(action, runs)


def _writes(fake: FakeGitHub, since: int = 0) -> list[str]:
    return [f"{r.method} {r.path}" for r in fake.requests[since:] if r.is_write]


def _requests(fake: FakeGitHub, method: str, suffix: str) -> list[Request]:
    return [r for r in fake.requests if r.method == method and r.path.endswith(suffix)]


def _event(path: Path, client_payload: dict[str, object]) -> Path:
    """A repository_dispatch event as GitHub writes it to GITHUB_EVENT_PATH."""
    event = {
        "action": "package-released",
        "branch": "main",
        "client_payload": client_payload,
        "repository": {"full_name": MONOREPO},
        "sender": {"login": "vlmhb-release-bot[bot]"},
        "installation": {"id": 1},
    }
    path.write_text(json.dumps(event), encoding="utf-8")
    return path


def test_intake_writes_the_normalized_payload(downloaded: Path, tmp_path: Path) -> None:
    pin = {
        "package": "hello-world",
        "tag": "v0.0.12",
        "sha": SHA,
        "repository": "VLMHyperBenchTeam/hello_world",
    }
    event = _event(tmp_path / "event.json", pin)
    runs = run_action(
        downloaded / "actions" / "intake",
        {},
        workspace=downloaded,
        runner_temp=tmp_path,
        base_env=clean_env({"GITHUB_EVENT_PATH": str(event)}),
    )
    assert [r.returncode for r in runs] == [0], runs[-1].stderr
    outputs = action_outputs(downloaded / "actions" / "intake", runs)
    payload = json.loads(Path(outputs["payload-file"]).read_text(encoding="utf-8"))
    assert payload["package"] == "hello-world"
    assert payload["sha"] == SHA
    assert payload["env"] == "staging"
    assert payload["tag"] in {"0.0.12", "v0.0.12"}


def test_intake_rejection_is_one_sentence_in_the_log(downloaded: Path, tmp_path: Path) -> None:
    bad = {"package": "hello-world", "tag": "0.0.12", "sha": SHA, "repository": "evil/hello_world"}
    event = _event(tmp_path / "event.json", bad)
    runs = run_action(
        downloaded / "actions" / "intake",
        {},
        workspace=downloaded,
        runner_temp=tmp_path,
        base_env=clean_env({"GITHUB_EVENT_PATH": str(event)}),
    )
    assert runs[-1].returncode == 2
    assert "Traceback" not in runs[-1].stderr
    log = (tmp_path / "release-tool.log").read_text(encoding="utf-8")
    assert "evil/hello_world" in log  # what report-failure will quote
    assert runs[-1].outputs == {}


def test_intake_with_an_explicit_payload_file(downloaded: Path, tmp_path: Path) -> None:
    batch = {
        "pins": [
            {
                "package": "hello-world",
                "tag": "0.0.12",
                "sha": SHA,
                "repository": "VLMHyperBenchTeam/hello_world",
            },
            {
                "package": "print-utils",
                "tag": "0.0.2",
                "sha": SHA,
                "repository": "VLMHyperBenchTeam/print_utils",
            },
        ]
    }
    source = tmp_path / "bare-client-payload.json"
    source.write_text(json.dumps(batch), encoding="utf-8")
    runs = run_action(
        downloaded / "actions" / "intake",
        {"payload-file": str(source)},
        workspace=downloaded,
        runner_temp=tmp_path,
        base_env=clean_env(),
    )
    assert [r.returncode for r in runs] == [0], runs[-1].stderr
    written = json.loads(Path(runs[0].outputs["payload-file"]).read_text(encoding="utf-8"))
    assert [p["package"] for p in written["pins"]] == ["hello-world", "print-utils"]


def test_publish_dry_run_changes_nothing(downloaded: Path, tmp_path: Path) -> None:
    mono = make_monorepo(tmp_path / "sandbox", empty=["hello-world"])
    temp = tmp_path / "runner-temp"
    temp.mkdir()
    runs = run_action(
        downloaded / "actions" / "publish",
        {"token": "t", "package": "hello-world", "dry-run": "true"},
        workspace=mono.work,
        runner_temp=temp,
        base_env=mono.env(),
    )
    assert [r.returncode for r in runs] == [0], runs[-1].stderr
    assert "hello-world" in (temp / "release-tool.log").read_text(encoding="utf-8")
    assert mono.tags("hello-world") == {}


def test_notify_sends_the_dispatch_from_the_pinned_tree(
    downloaded: Path, fake: FakeGitHub, tmp_path: Path
) -> None:
    # A package repository's job: no monorepo checkout; the action reads the config of
    # the monorepo tree it was downloaded as.
    workspace = tmp_path / "hello_world"
    workspace.mkdir()
    inputs = {
        "token": TOKEN,
        "repository": MONOREPO,
        "package": "hello-world",
        "tag": "0.3.0",
        "sha": SHA,
    }
    _, outputs = _run(
        downloaded,
        "notify",
        inputs,
        workspace=workspace,
        runner_temp=tmp_path / "temp",
        env=_actions_env(fake),
    )
    (sent,) = fake.repo(MONOREPO).dispatches
    assert sent["event_type"] == "package-released"
    payload = sent["client_payload"]
    assert (payload["package"], payload["tag"], payload["sha"]) == ("hello-world", "0.3.0", SHA)
    assert payload["repository"] == "VLMHyperBenchTeam/hello_world"
    assert outputs["watch-url"].endswith(f"/{MONOREPO}/actions?query=event%3Arepository_dispatch")
    assert _writes(fake) == [f"POST /repos/{MONOREPO}/dispatches"]
    (auth,) = {r.headers.get("Authorization") for r in fake.requests}
    assert auth == f"token {TOKEN}"


def test_notify_refusal_sends_nothing(downloaded: Path, fake: FakeGitHub, tmp_path: Path) -> None:
    inputs = {"token": TOKEN, "repository": MONOREPO, "package": "hello-world", "tag": "0.3.0"}
    runs = run_action(
        downloaded / "actions" / "notify",
        {**inputs, "sha": "not-a-commit"},
        workspace=tmp_path,
        runner_temp=tmp_path,
        base_env=_actions_env(fake),
    )
    assert runs[-1].returncode == 2 and "Traceback" not in runs[-1].stderr
    assert fake.requests == [] and runs[-1].outputs == {}


def test_comment_is_sticky(downloaded: Path, fake: FakeGitHub, tmp_path: Path) -> None:
    repo = fake.repo(MONOREPO)
    pull = fake.new_issue(repo, "staging: hello-world 0.3.0", "body")
    report = tmp_path / "gpu-report.md"
    report.write_text("## GPU gate\n\n| staging | cu124 | passed |\n", encoding="utf-8")
    inputs = {"token": TOKEN, "pr": str(pull["number"]), "kind": "gpu", "file": str(report)}
    env = _actions_env(fake)
    _, first = _run(
        downloaded, "comment", inputs, workspace=downloaded, runner_temp=tmp_path, env=env
    )
    assert first["operation"] == "created" and first["comment-url"].endswith(
        f"/issues/{pull['number']}#issuecomment-{next(iter(repo.comments))}"
    )
    (comment,) = repo.comments.values()
    assert "| staging | cu124 | passed |" in comment["body"]
    assert comment["body"].startswith("<!-- release-tool:report:gpu -->")

    report.write_text("## GPU gate\n\n| staging | cu124 | failed |\n", encoding="utf-8")
    _, second = _run(
        downloaded, "comment", inputs, workspace=downloaded, runner_temp=tmp_path, env=env
    )
    assert second["operation"] == "updated"
    (comment,) = repo.comments.values()
    assert "| staging | cu124 | failed |" in comment["body"]
    writes = len(_writes(fake))
    _, third = _run(
        downloaded, "comment", inputs, workspace=downloaded, runner_temp=tmp_path, env=env
    )
    assert third["operation"] == "unchanged" and len(_writes(fake)) == writes


def test_report_failure_opens_the_package_issue(
    downloaded: Path, fake: FakeGitHub, tmp_path: Path
) -> None:
    log = tmp_path / "release-tool.log"
    log.write_text(
        "release-tool: resolving hello-world 0.3.0\n"
        "release-tool promote: tag 0.3.0 of hello-world was not found in "
        "https://github.com/VLMHyperBenchTeam/hello_world\n",
        encoding="utf-8",
    )
    inputs = {
        "token": TOKEN,
        "package": "hello-world",
        "tag": "0.3.0",
        "env": "staging",
        "run-url": "https://github.com/o/r/actions/runs/1",
        "log-file": str(log),
    }
    _, outputs = _run(
        downloaded,
        "report-failure",
        inputs,
        workspace=downloaded,
        runner_temp=tmp_path,
        env=_actions_env(fake),
    )
    (issue,) = fake.repo(MONOREPO).issues.values()
    assert outputs["operation"] == "created"
    assert outputs["issue-number"] == str(issue["number"])
    assert outputs["issue-url"].endswith(f"/issues/{issue['number']}")
    assert "hello-world" in issue["title"] and "0.3.0" in issue["title"]
    assert "was not found" in issue["body"] and "actions/runs/1" in issue["body"]
    assert {"release-failure", "env:staging", "package:hello-world"} <= set(issue["label_names"])


@pytest.fixture(scope="module")
def flow_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Sandbox:
    return build_flow_sandbox(tmp_path_factory.mktemp("action-flow"))


@pytest.mark.uvlock
def test_promote_relock_and_refresh_on_a_sandbox_monorepo(
    downloaded: Path, fake: FakeGitHub, flow_sandbox: Sandbox, tmp_path: Path
) -> None:
    fake.reset()
    flow: Flow = make_flow(flow_sandbox, fake, tmp_path / "flow")
    env = _actions_env(fake, flow.sandbox.env())
    temp = tmp_path / "runner-temp"
    repo = fake.repo(MONOREPO)
    commit = flow_sandbox.packages["hello-world"].tags["0.2.0"]

    # promote.yml (workflow_dispatch): the pins and env inputs.
    promote_inputs = {"token": TOKEN, "env": "staging", "pins": f"hello-world=0.2.0@{commit}"}
    _, promoted = _run(
        downloaded, "promote", promote_inputs, workspace=flow.work, runner_temp=temp, env=env
    )
    (pull,) = repo.pulls()
    assert promoted["operation"] == "created" and promoted["status"] == "committed"
    assert promoted["pr-number"] == str(pull["number"])
    assert promoted["pr-url"].endswith(f"/{MONOREPO}/pull/{pull['number']}")
    assert pull["head"] == "release/staging/hello-world" and pull["state"] == "open"
    assert pull["label_names"] == ["release", "env:staging", "package:hello-world"]
    promoted_head = flow.remote_sha("release/staging/hello-world")
    assert promoted_head is not None and f"#{commit}" in flow.remote_file(
        "release/staging/hello-world", "staging/uv.lock"
    )
    assert "hello-world" in (temp / "release-tool.log").read_text(encoding="utf-8")

    # relock.yml: the weekly re-lock of staging (its first lock here).
    _, relocked = _run(
        downloaded,
        "relock",
        {"token": TOKEN, "env": "staging"},
        workspace=flow.clone("relock-runner"),
        runner_temp=tmp_path / "relock-temp",
        env=env,
    )
    relock_pull = next(p for p in repo.pulls() if p["head"] == "release/staging/relock")
    assert relocked["operation"] == "created" and relocked["status"] == "committed"
    assert relocked["pr-number"] == str(relock_pull["number"])
    assert relock_pull["label_names"] == ["release", "env:staging", "relock"]

    # refresh.yml, job list: one matrix entry per open release PR.
    _, listed = _run(
        downloaded,
        "refresh",
        {"token": TOKEN, "list": "true"},
        workspace=flow.clone("list-runner"),
        runner_temp=tmp_path / "list-temp",
        env=env,
    )
    matrix = json.loads(listed["prs"])
    assert listed["count"] == "2"
    assert sorted(matrix, key=lambda e: e["number"]) == [
        {
            "number": pull["number"],
            "branch": "release/staging/hello-world",
            "url": promoted["pr-url"],
            "env": "staging",
            "packages": ["hello-world"],
            "relock": False,
        },
        {
            "number": relock_pull["number"],
            "branch": "release/staging/relock",
            "url": relocked["pr-url"],
            "env": "staging",
            "packages": [],
            "relock": True,
        },
    ]

    # The re-lock is merged: the promotion's lock is stale, the re-lock has become empty.
    main = flow.merge("release/staging/relock")
    before = len(fake.requests)
    results: dict[str, dict[str, str]] = {}
    for entry in matrix:  # refresh.yml, job refresh: one job per entry, a fresh checkout each
        _, results[entry["branch"]] = _run(
            downloaded,
            "refresh",
            {"token": TOKEN, "env": entry["env"], "pr": str(entry["number"])},
            workspace=flow.clone(f"refresh-{entry['number']}"),
            runner_temp=tmp_path / f"refresh-temp-{entry['number']}",
            env=env,
        )
        assert json.loads(results[entry["branch"]]["refreshed"]) == [entry["number"]]
    refreshed_head = flow.remote_sha("release/staging/hello-world")
    assert refreshed_head not in {None, promoted_head}
    parent = git("rev-parse", f"{refreshed_head}^", cwd=flow.origin)
    assert parent == main  # re-made on the new base
    assert flow.commits_on("release/staging/hello-world") == 1
    assert f"#{commit}" in flow.remote_file("release/staging/hello-world", "staging/uv.lock")
    edits = [r for r in fake.requests[before:] if r.method == "PATCH"]
    assert {"body"} in [set(r.body) for r in edits]  # the promotion PR: a new lock diff
    assert repo.issues[relock_pull["number"]]["state"] == "closed"
    assert repo.issues[pull["number"]]["state"] == "open"
    assert flow.remote_sha("release/staging/relock") is None
    closing = [c["body"] for c in repo.comments.values()]
    assert any("lock is already what uv makes of it" in body for body in closing)
