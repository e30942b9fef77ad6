"""``release-tool status`` and ``check``: fixtures with known problems, this repository as
committed, and real repositories behind ``insteadOf`` for the remote parts."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.support.cli import run_cli
from tests.support.sandbox import (
    ROOT,
    Sandbox,
    add_package_tag,
    git,
    make_monorepo,
    make_sandbox,
)

FIXTURE_LOCK = Path(__file__).parent / "fixtures" / "lock" / "staging.uv.lock"


def run(
    capsys: pytest.CaptureFixture[str], *argv: str, env: dict[str, str] | None = None
) -> tuple[int, str, str]:
    return run_cli(argv, env).as_tuple()


def test_check_passes_on_this_repository_as_committed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clone = tmp_path / "clone"
    git("clone", "-q", str(ROOT), str(clone), cwd=tmp_path)
    rc, out, err = run(capsys, "check", "--repo", str(clone))
    assert rc == 0, out + err
    assert "consistent: staging, prod" in out
    # Lagging pins and missing locks are information, not problems.
    assert "info: staging: staging/uv.lock not yet locked" in out
    assert "info: prod: pins hello-world 0.0.11; packages/hello_world has 0.2.0" in out


def _project(tmp_path: Path) -> Path:
    """The repository's configuration, profiles and package versions, as plain files."""
    project = tmp_path / "project"
    for rel in ("pyproject.toml", "staging/pyproject.toml", "prod/pyproject.toml"):
        (project / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / rel, project / rel)
    for member in (ROOT / "packages").iterdir():
        if (member / "pyproject.toml").is_file():
            (project / "packages" / member.name).mkdir(parents=True)
            shutil.copy(
                member / "pyproject.toml", project / "packages" / member.name / "pyproject.toml"
            )
    return project


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_check_lists_every_known_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = _project(tmp_path)
    staging, prod = project / "staging/pyproject.toml", project / "prod/pyproject.toml"
    _edit(staging, "VLMHyperBenchTeam/hello_world.git", "SomeoneElse/hello_world.git")
    _edit(
        staging,
        'print-utils = { git = "https://github.com/VLMHyperBenchTeam/print_utils.git", '
        'tag = "0.0.1" }\n',
        "",
    )
    _edit(staging, 'model_interface.git", tag = "0.1.2"', 'model_interface.git", tag = "0.1.3"')
    shutil.copy(FIXTURE_LOCK, project / "staging/uv.lock")
    _edit(prod, 'prompt_handler.git", tag = "0.0.1"', 'prompt_handler.git", tag = "banana"')
    _edit(prod, 'hello_world.git", tag = "0.0.11"', 'hello_world.git", tag = "0.3.0rc1"')
    _edit(prod, 'required-version = ">=0.13.9,<0.14"', 'required-version = "==0.13.0"')
    rc, out, err = run(capsys, "check", "--repo", str(project))
    assert rc == 2, out + err
    problems = out.split("problem(s) in staging, prod:")[1]
    for expected in [
        "staging: hello-world comes from https://github.com/SomeoneElse/hello_world.git, not",
        "staging: print-utils is a dependency without its git source",
        "staging/uv.lock has model-interface from https://github.com/VLMHyperBenchTeam/",
        "but the pyproject pins 0.1.3",
        "prod: prompt-handler: malformed tag 'banana'",
        "prod: hello-world is pinned to the pre-release 0.3.0rc1",
        "the uv version pins differ",
    ]:
        assert expected in problems, expected
    assert "info: prod: prod/uv.lock not yet locked" in out
    rc, out, _ = run(capsys, "check", "--repo", str(project), "--env", "prod", "--json")
    data = json.loads(out)
    assert rc == 2 and not any(p.startswith("staging") for p in data["problems"])


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Sandbox:
    return make_sandbox(tmp_path_factory.mktemp("status"))


@pytest.mark.uvlock
def test_status_and_check_remote_against_real_repositories(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    mono = make_monorepo(sandbox, name="status")
    rc, out, err = run(
        capsys, "relock", "--env", "staging", "--repo", str(mono), "--json", env=sandbox.env()
    )
    assert rc == 0, err
    git("merge", "-q", "--ff-only", json.loads(out)["branch"], cwd=mono, env=sandbox.env())
    rc, out, err = run(capsys, "status", "--json", "--repo", str(mono), env=sandbox.env())
    assert rc == 0, err
    status = {p["package"]: p for p in json.loads(out)["packages"]}
    hello = status["hello-world"]
    commit = sandbox.packages["hello-world"].tags["0.0.11"]
    assert (
        hello["version"] == "0.2.0"
        and hello["last_tag"] == "0.0.11"
        and hello["unreachable"] is None
    )
    assert hello["profiles"]["staging"] == {"tag": "0.0.11", "commit": commit}
    assert hello["profiles"]["prod"] == {"tag": "0.0.11", "commit": None}
    assert hello["pending"] == ["0.2.0 not released", "staging 0.0.11 not in prod"]
    assert hello["reachable"] is True and hello["pending_complete"] is True
    profiles = {p["env"]: p["state"] for p in json.loads(out)["profiles"]}
    assert profiles == {"staging": "agrees", "prod": "not yet locked"}
    rc, out, err = run(capsys, "check", "--remote", "--repo", str(mono), env=sandbox.env())
    assert rc == 0, out + err
    # A lock made against anything but the real repositories: the tag names another commit.
    moved = add_package_tag(sandbox, "hello-world", "0.0.11", move=True)
    rc, out, _ = run(
        capsys, "check", "--remote", "--env", "staging", "--repo", str(mono), env=sandbox.env()
    )
    assert rc == 2
    assert f"locks hello-world 0.0.11 at {commit[:12]}, but the tag names {moved[:12]}" in out
    # Offline, the same repository is consistent.
    rc, _, _ = run(capsys, "check", "--env", "staging", "--repo", str(mono), env=sandbox.env())
    assert rc == 0
    # Unreachable repositories: status says why and still exits 0.
    nowhere = tmp_path / "gitconfig"
    nowhere.write_text(
        f'[url "file://{tmp_path}/nowhere/"]\n\tinsteadOf = https://github.com/VLMHyperBenchTeam/\n'
    )
    cut_off = sandbox.env({"GIT_CONFIG_GLOBAL": str(nowhere)})
    rc, out, err = run(capsys, "status", "--repo", str(mono), env=cut_off)
    assert rc == 0, err
    assert "unreachable: fatal:" in out and "staging lock: agrees" in out
    assert "nothing" not in out and "unknown" in out
    rc, out, _ = run(capsys, "status", "--json", "--repo", str(mono), env=cut_off)
    offline = {p["package"]: p for p in json.loads(out)["packages"]}
    for package in offline.values():
        assert package["last_tag"] is None
        assert package["reachable"] is False and package["pending_complete"] is False
        assert "does not appear to be a git repository" in package["unreachable"]
    # what the working tree knows is pending is shown all the same
    assert offline["hello-world"]["pending"] == [
        "packages/* 0.2.0 newer than staging 0.0.11",
        "staging 0.0.11 not in prod",
    ]
