"""Setup-guide fixes pinned on the files: release.yml's checkout, the template's uv pin."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from packaging.specifiers import SpecifierSet
from packaging.version import Version
from release_tool.adapters.split import fetch_default, require_clean_at
from release_tool.core.setup_rows import RUNNER_MINIMUM
from release_tool.errors import InputRejected

from tests.support.sandbox import ROOT, clean_env, git
from tests.support.workflows import jobs, steps_of, template_files, workflow_files

RELEASE = ROOT / ".github" / "workflows" / "release.yml"


def test_release_checks_out_the_default_branch_not_the_pushed_commit() -> None:
    (checkout,) = [s for s in steps_of(RELEASE) if s.uses.startswith("actions/checkout@")]
    assert checkout.data["with"]["ref"] == "${{ github.event.repository.default_branch }}"
    assert checkout.data["with"]["fetch-depth"] == 0
    # one queue, never cancelled: the later run still publishes what the earlier one saw
    assert jobs(RELEASE)["publish"]["environment"] == "release"


def _commit(work: Path, name: str) -> None:
    (work / name).write_text(name, encoding="utf-8")
    git("add", name, cwd=work)
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", name, cwd=work)


def test_main_moving_during_the_approval_wait_no_longer_blocks_publish(tmp_path: Path) -> None:
    """The pushed commit is refused once main moved; the default branch's head is accepted."""
    origin, work = tmp_path / "origin.git", tmp_path / "work"
    git("init", "-q", "--bare", "-b", "main", str(origin), cwd=tmp_path)
    git("clone", "-q", str(origin), str(work), cwd=tmp_path)
    _commit(work, "bump")
    pushed = git("rev-parse", "HEAD", cwd=work).strip()
    _commit(work, "later-merge")  # lands on main while the release job waits
    git("push", "-q", "origin", "HEAD:main", cwd=work)
    env = clean_env()

    git("checkout", "-q", pushed, cwd=work)  # what the job checked out before the fix
    head = fetch_default(work, "main", env)
    with pytest.raises(InputRejected, match="is not origin/main"):
        require_clean_at(work, "main", head, env)

    git("checkout", "-q", "main", cwd=work)  # ref: the default branch, as release.yml now does
    git("reset", "-q", "--hard", "origin/main", cwd=work)
    require_clean_at(work, "main", fetch_default(work, "main", env), env)


def _required_uv() -> SpecifierSet:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return SpecifierSet(data["tool"]["uv"]["required-version"])


@pytest.mark.parametrize("template", template_files(), ids=lambda p: p.name)
def test_the_template_pins_an_exact_uv_inside_required_version(template: Path) -> None:
    setups = [s for s in steps_of(template) if s.uses.startswith("astral-sh/setup-uv@")]
    assert setups, f"{template.name} sets up no uv"
    for step in setups:
        pinned = str(step.data.get("with", {}).get("version", ""))
        assert pinned, f"{step.where}: setup-uv without version: installs the newest uv"
        version = Version(pinned)  # an exact version, not a range
        assert str(version) == pinned, f"{step.where}: {pinned!r} is not an exact version"
        assert version in _required_uv(), f"{step.where}: uv {pinned} outside required-version"


def test_no_self_hosted_job_uses_a_self_repository_action() -> None:
    """`$/…` needs runner 2.336.0; the GPU runners are only required to have 2.327.1."""
    self_hosted = []
    for path in workflow_files():
        for name, job in jobs(path).items():
            runs_on = json.dumps(job.get("runs-on", ""))
            if "self-hosted" not in runs_on and "matrix." not in runs_on:
                continue
            self_hosted.append(f"{path.name}:{name}")
            for step in steps_of(path):
                if step.job == name:
                    assert not step.uses.startswith("$/"), f"{step.where}: $/ on a GPU runner"
    assert {"gpu.yml:gpu"} <= set(self_hosted), self_hosted


def test_the_runner_minimum_doctor_checks_is_the_one_the_docs_state() -> None:
    """docs/pipeline-setup.md (step 7, with its sources) and gpu-gate.md name doctor's minimum."""
    setup = (ROOT / "docs" / "pipeline-setup.md").read_text(encoding="utf-8")
    gate = (ROOT / "docs" / "gpu-gate.md").read_text(encoding="utf-8")
    assert f"**Version ≥ {RUNNER_MINIMUM}**" in setup
    assert f"runner version {RUNNER_MINIMUM} or later" in gate
    # the $/ minimum is GitHub's changelog figure, above the GPU runners' minimum
    assert "**Version ≥ 2.336.0** wherever a self-hosted job uses a `$/…` action" in setup
    assert Version("2.336.0") > RUNNER_MINIMUM
