"""`release-tool matrix`: the plan as a table, and `--env changed` against real git."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from release_tool.cli import main
from release_tool.core.config import BackendConfig, ProfileConfig
from release_tool.core.matrix import (
    changed_profiles,
    dump_matrix,
    parse_matrix,
    plan_matrix,
    select_profiles,
)
from release_tool.errors import InputRejected

from tests.support.action_runner import read_outputs
from tests.support.sandbox import ROOT, clean_env, git

PROFILES = [
    ProfileConfig("staging", "staging", False, True),
    ProfileConfig("prod", "prod", False, False),
]
CU124 = BackendConfig("cu124", "cu124", "12.4", ("self-hosted", "linux", "gpu", "cuda-12.4"), 60)
CU128 = BackendConfig("cu128", "cu128", "12.8", ("self-hosted", "linux", "gpu", "cuda-12.8"), 45)


def _entry(profile: str, backend: BackendConfig) -> dict[str, object]:
    return {
        "id": f"{profile}-{backend.name}",
        "profile": profile,
        "directory": profile,
        "backend": backend.name,
        "extra": backend.extra,
        "cuda": backend.cuda,
        "labels": list(backend.runner_labels),
        "timeout_minutes": backend.timeout_minutes,
    }


@pytest.mark.parametrize(
    ("env", "paths", "expected"),
    [
        ("staging", None, [_entry("staging", CU124), _entry("staging", CU128)]),
        ("prod", None, [_entry("prod", CU124), _entry("prod", CU128)]),
        ("changed", [], []),
        ("changed", ["README.md", "packages/x/pyproject.toml", "stagingfoo/a"], []),
        ("changed", ["staging/uv.lock"], [_entry("staging", CU124), _entry("staging", CU128)]),
        ("changed", ["prod/pyproject.toml"], [_entry("prod", CU124), _entry("prod", CU128)]),
        (
            "changed",
            ["prod/uv.lock", "staging/pyproject.toml"],
            [_entry(p, b) for p in ("staging", "prod") for b in (CU124, CU128)],
        ),
    ],
)
def test_matrix_json_table(env: str, paths: list[str] | None, expected: object) -> None:
    entries = plan_matrix(select_profiles(env, PROFILES, paths), [CU124, CU128])
    text = dump_matrix(entries)
    assert json.loads(text) == expected
    assert "\n" not in text  # one line: a step output
    for item in json.loads(text):
        assert "self-hosted" in item["labels"]
        assert "gpu" in item["labels"]
    assert parse_matrix(text) == entries


def test_changed_profiles_match_whole_directories_only() -> None:
    assert changed_profiles(["staging"], PROFILES) == [PROFILES[0]]
    assert changed_profiles(["staging-old/uv.lock", "prod.md"], PROFILES) == []


@pytest.mark.parametrize(
    ("labels", "message"),
    [
        (("linux", "gpu"), "must include 'self-hosted' and 'gpu'"),
        (("self-hosted", "linux", "x64"), "must include 'self-hosted' and 'gpu'"),
    ],
)
def test_backend_without_gpu_labels_is_refused(labels: tuple[str, ...], message: str) -> None:
    backend = BackendConfig("cu124", "cu124", "12.4", labels, 60)
    with pytest.raises(InputRejected, match=message):
        plan_matrix(PROFILES, [backend])


def test_unknown_env_is_refused() -> None:
    with pytest.raises(InputRejected, match="unknown env 'dev': choose one of staging, prod"):
        select_profiles("dev", PROFILES, None)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "is not JSON"),
        ('{"a": 1}', "must be a JSON list"),
        ("[1]", "entry 0 must be an object"),
        (
            '[{"profile": "staging", "directory": "staging", "backend": "cu124", "extra": '
            '"cu124", "cuda": "12.4", "labels": ["self-hosted"], "timeout_minutes": "60"}]',
            "'timeout_minutes' must be a int",
        ),
    ],
)
def test_parse_matrix_rejects_bad_input(text: str, message: str) -> None:
    with pytest.raises(InputRejected, match=message):
        parse_matrix(text)


def test_parse_matrix_rejects_duplicates() -> None:
    text = dump_matrix(plan_matrix([PROFILES[0], PROFILES[0]], [CU124]))
    with pytest.raises(InputRejected, match="lists staging-cu124 more than once"):
        parse_matrix(text)


# --- the command, on a real git repository -------------------------------------------


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository holding this project's config and both profiles, one commit on main."""
    work = tmp_path / "mono"
    work.mkdir()
    shutil.copy(ROOT / "pyproject.toml", work / "pyproject.toml")
    for profile in ("staging", "prod"):
        (work / profile).mkdir()
        shutil.copy(ROOT / profile / "pyproject.toml", work / profile / "pyproject.toml")
    git("init", "-q", "-b", "main", cwd=work, env=_ident())
    git("add", "-A", cwd=work, env=_ident())
    git("commit", "-q", "-m", "base", cwd=work, env=_ident())
    git("checkout", "-q", "-b", "pr", cwd=work, env=_ident())
    return work


def _ident() -> dict[str, str]:
    return {
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.invalid",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.invalid",
        "GIT_CONFIG_GLOBAL": "/dev/null",
    }


def _commit(work: Path, *files: str) -> None:
    for name in files:
        path = work / name
        path.write_text(path.read_text(encoding="utf-8") + "\n# touched\n", encoding="utf-8")
    git("commit", "-q", "-am", "change", cwd=work, env=_ident())


def _matrix(
    work: Path, capsys: pytest.CaptureFixture[str], *extra: str, env: dict[str, str] | None = None
) -> list[dict[str, object]]:
    code = main(["matrix", "--env", "changed", "--repo", str(work), *extra], env=env or clean_env())
    out = capsys.readouterr().out
    assert code == 0
    return json.loads(out)  # type: ignore[no-any-return]


def test_changed_with_no_profile_change_is_empty(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _commit(repo, "pyproject.toml")
    assert _matrix(repo, capsys, "--base", "main") == []


def test_changed_one_profile(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _commit(repo, "prod/pyproject.toml")
    got = _matrix(repo, capsys, "--base", "main")
    assert [(e["profile"], e["backend"]) for e in got] == [("prod", "cu124"), ("prod", "cu128")]
    assert {e["cuda"] for e in got} == {"12.4", "12.8"}


def test_changed_both_profiles_writes_step_outputs(
    repo: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    _commit(repo, "prod/pyproject.toml", "staging/pyproject.toml")
    outputs = tmp_path / "github_output"
    got = _matrix(repo, capsys, "--base", "main", env=clean_env({"GITHUB_OUTPUT": str(outputs)}))
    assert [e["id"] for e in got] == ["staging-cu124", "staging-cu128", "prod-cu124", "prod-cu128"]
    written = read_outputs(outputs)
    assert written["matrix"] == json.dumps(got, separators=(",", ":"))
    assert written["profiles"] == '["staging","prod"]'


def test_changed_compares_with_the_merge_base(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A profile change on the base after the branch point is not the PR's change."""
    _commit(repo, "staging/pyproject.toml")
    git("checkout", "-q", "main", cwd=repo, env=_ident())
    _commit(repo, "prod/pyproject.toml")
    git("checkout", "-q", "pr", cwd=repo, env=_ident())
    got = _matrix(repo, capsys, "--base", "main")
    assert {e["profile"] for e in got} == {"staging"}


def test_changed_with_an_unknown_base_is_one_sentence(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["matrix", "--env", "changed", "--repo", str(repo), "--base", "nope"], clean_env())
    err = capsys.readouterr().err
    assert code == 2
    assert "'nope' is not a commit" in err
    assert "fetch-depth: 0" in err
    assert "Traceback" not in err


def test_matrix_of_this_repository(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["matrix", "--env", "staging", "--repo", str(ROOT)], clean_env()) == 0
    got = json.loads(capsys.readouterr().out)
    assert [(e["backend"], e["cuda"]) for e in got] == [("cu124", "12.4"), ("cu128", "12.8")]
