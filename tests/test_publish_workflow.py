"""publish.yml: the workflow linters and the hardening invariants (text level)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.sandbox import ROOT, clean_env
from tests.support.workflows import load_yaml, triggers

WORKFLOW = ROOT / ".github" / "workflows" / "publish.yml"
TEXT = WORKFLOW.read_text(encoding="utf-8")


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(Path(ROOT / ".venv" / "bin")))
    assert found, f"{name} is a dev dependency; run `uv sync --all-packages`"
    return found


@pytest.mark.parametrize(
    "argv",
    [
        ["check-jsonschema", "--builtin-schema", "vendor.github-workflows"],
        ["zizmor", "--offline", "--no-progress"],
        ["actionlint"],
    ],
    ids=["check-jsonschema", "zizmor", "actionlint"],
)
def test_linters_find_nothing(argv: list[str]) -> None:
    done = subprocess.run(
        [_tool(argv[0]), *argv[1:], str(WORKFLOW)],
        cwd=ROOT,
        env=clean_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_hardening_invariants() -> None:
    assert re.search(r"^permissions: \{\}$", TEXT, re.MULTILINE)
    jobs = re.findall(r"^  ([a-z-]+):\n    name:", TEXT, re.MULTILINE)
    assert jobs == ["plan", "build", "collect", "smoke", "tag"]
    blocks = re.split(r"^  [a-z-]+:\n    name:", TEXT, flags=re.MULTILINE)[1:]
    for job, block in zip(jobs, blocks, strict=True):
        assert "timeout-minutes:" in block, job
        assert "permissions:" in block, job
    for line in re.findall(r"uses: (\S+.*)$", TEXT, re.MULTILINE):
        assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+.*", line), line
    assert TEXT.count("persist-credentials: false") == TEXT.count("actions/checkout@")
    assert "enable-cache: false" in TEXT
    assert "pull_request_target" not in TEXT
    # no expression inside a run: script; values reach the shell through env:
    for script in re.findall(r"run: \|\n((?:          .*\n|\n)+)", TEXT):
        assert "${{" not in script
    assert "${{" not in "".join(re.findall(r"run: (?!\|).*", TEXT))
    # packages: write only under the protected environment
    for block in blocks:
        if "packages: write" in block:
            assert "environment: publish" in block


def test_bases_workflow_is_weekly_least_privilege_and_uses_the_release_app() -> None:
    path = ROOT / ".github" / "workflows" / "bases.yml"
    data = load_yaml(path)
    on = triggers(path)
    assert set(on) == {"schedule", "workflow_dispatch"} and len(on["schedule"]) == 1
    assert data["permissions"] == {}
    (job,) = data["jobs"].values()
    assert job["permissions"] == {"contents": "read"}
    assert job["environment"] == "release-bot" and job["timeout-minutes"] <= 15
    (token,) = [s for s in job["steps"] if s.get("id") == "app-token"]
    assert token["with"] == {
        "client-id": "${{ vars.RELEASE_APP_CLIENT_ID }}",
        "private-key": "${{ secrets.RELEASE_APP_PRIVATE_KEY }}",
        "permission-contents": "write",
        "permission-pull-requests": "write",
    }
    runs = [s for s in job["steps"] if "run" in s]
    assert [s["run"].split("release-tool ")[-1] for s in runs] == [
        "bases --update",
        "bases --check",
    ]
    # the App token reaches the publishing step only
    assert runs[0]["env"] == {"RELEASE_TOOL_TOKEN": "${{ steps.app-token.outputs.token }}"}
    assert "env" not in runs[1]
