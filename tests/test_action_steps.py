"""Each composite action's steps run as the runner runs them, on a downloaded monorepo tree.

The runner downloads an action's repository at a commit as a tree without ``.git``
and points ``GITHUB_ACTION_PATH`` into it; the step runs with the env mapping its
YAML defines, a ``GITHUB_OUTPUT`` file and ``RUNNER_TEMP``. Here the tree is
``git archive HEAD`` of this repository and the tool runs for real through
``uv run --locked --no-dev --package release-tool``.
"""

from __future__ import annotations

import json
import subprocess
import tarfile
from pathlib import Path

import pytest

from tests.support.action_runner import action_outputs, run_action
from tests.support.monorepo import make_monorepo
from tests.support.sandbox import ROOT, clean_env

SHA = "89abcdef0123456789abcdef0123456789abcdef"
MONOREPO = "VLMHyperBenchTeam/vlmhyperbench_playground"


@pytest.fixture(scope="module")
def downloaded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This repository at HEAD as the runner lays out a downloaded action: no .git."""
    root = tmp_path_factory.mktemp("_actions") / MONOREPO / "HEAD"
    root.mkdir(parents=True)
    archive = root.parent / "tree.tar"
    subprocess.run(
        ["git", "archive", "--format=tar", f"--output={archive}", "HEAD"],
        cwd=ROOT,
        env=clean_env(),
        check=True,
    )
    with tarfile.open(archive) as tar:
        tar.extractall(root, filter="data")
    archive.unlink()
    assert not (root / ".git").exists()
    return root


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
