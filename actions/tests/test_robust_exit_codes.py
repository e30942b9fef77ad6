"""Exit codes that disagreed with the documented table (issue 17), moved tags in
``status``, the ``v`` prefix on input. Real git and uv in a sandbox."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from release_tool.cli import main
from release_tool.core.versions import resolve_tag
from release_tool.errors import InputRejected

from tests.support.sandbox import (
    ROOT,
    Sandbox,
    add_package_tag,
    git,
    make_monorepo,
    make_sandbox,
)

pytestmark = pytest.mark.uvlock

SHA_A = "a" * 40
SHA_B = "b" * 40


def test_resolve_tag_v_prefix_both_ways_and_ambiguity() -> None:
    assert resolve_tag("v0.2.7", {"0.2.7": SHA_A}, "p") == "0.2.7"
    assert resolve_tag("0.2.7", {"v0.2.7": SHA_A}, "p") == "v0.2.7"
    assert resolve_tag("0.2.7", {"0.2.7": SHA_A, "v0.2.7": SHA_A}, "p") == "0.2.7"
    assert resolve_tag("v0.2.7", {"0.2.7": SHA_A, "v0.2.7": SHA_A}, "p") == "v0.2.7"
    assert resolve_tag("0.2.8", {"0.2.7": SHA_A}, "p") is None
    with pytest.raises(InputRejected, match="ambiguous"):
        resolve_tag("0.2.14", {"0.2.14": SHA_A, "v0.2.14": SHA_B}, "p")


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Sandbox:
    sb = make_sandbox(tmp_path_factory.mktemp("exitcodes"))
    add_package_tag(sb, "hello-world", "0.2.0")
    add_package_tag(sb, "hello-world", "0.2.14")
    add_package_tag(sb, "hello-world", "v0.2.14")
    repo = sb.packages["hello-world"]
    tree = git("rev-parse", "0.2.0^{tree}", cwd=repo.bare)
    blob = git("rev-parse", "0.2.0:pyproject.toml", cwd=repo.bare)
    git("tag", "0.2.20", tree, cwd=repo.bare)
    git("tag", "0.2.21", blob, cwd=repo.bare)
    return sb


_names = iter(range(100))


@pytest.fixture
def mono(sandbox: Sandbox) -> Path:
    return make_monorepo(sandbox, name=f"mono{next(_names)}")


def promote(
    sandbox: Sandbox, mono: Path, capsys: pytest.CaptureFixture[str], tag: str
) -> tuple[int, str]:
    capsys.readouterr()
    argv = ["promote", "--repo", str(mono), "--env", "staging", "--package", "hello-world"]
    code = main([*argv, "--tag", tag], env=sandbox.env())
    err = capsys.readouterr().err
    return code, err.splitlines()[-1]


@pytest.mark.parametrize(("tag", "kind"), [("0.2.20", "tree"), ("0.2.21", "blob")])
def test_a_tag_naming_a_tree_or_blob_is_exit_2(
    sandbox: Sandbox, mono: Path, capsys: pytest.CaptureFixture[str], tag: str, kind: str
) -> None:
    code, last = promote(sandbox, mono, capsys, tag)
    assert code == 2
    assert f"tag {tag} in " in last and f"names a {kind}, not a commit" in last


def test_v_prefix_on_input_finds_a_tag_without_it(
    sandbox: Sandbox, mono: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _ = promote(sandbox, mono, capsys, "v0.2.0")
    assert code == 0
    pyproject = git("show", "release/staging/hello-world:staging/pyproject.toml", cwd=mono)
    assert 'hello_world.git", tag = "0.2.0" }' in pyproject


def test_both_spellings_at_different_commits_are_ambiguous(
    sandbox: Sandbox, mono: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for typed in ("0.2.14", "v0.2.14"):
        code, last = promote(sandbox, mono, capsys, typed)
        assert code == 2
        assert "both tags 0.2.14" in last and "ambiguous" in last


@pytest.mark.parametrize("locked", [False, True], ids=["fetch", "uv-lock"])
def test_profile_pinning_another_package_at_a_missing_tag_is_exit_2(
    sandbox: Sandbox, mono: Path, capsys: pytest.CaptureFixture[str], locked: bool
) -> None:
    if locked:  # with a lock, the tag is first read by uv lock (git's many-line error)
        assert promote(sandbox, mono, capsys, "0.2.0")[0] == 0
        git("merge", "-q", "--ff-only", "release/staging/hello-world", cwd=mono)
        add_package_tag(sandbox, "hello-world", "0.2.1")
    path = mono / "staging" / "pyproject.toml"
    text = path.read_text(encoding="utf-8")
    start = text.index('print_utils.git", tag = "') + len('print_utils.git", tag = "')
    end = text.index('"', start)
    path.write_text(text[:start] + "9.9.9" + text[end:], encoding="utf-8")
    git("commit", "-qam", "pin a tag that does not exist", cwd=mono, env=sandbox.env())
    capsys.readouterr()
    argv = ["promote", "--repo", str(mono), "--env", "staging", "--package", "hello-world"]
    code = main([*argv, "--tag", "0.2.1" if locked else "0.2.0"], env=sandbox.env())
    err = capsys.readouterr().err
    last = err.splitlines()[-1]
    assert code == 2, last
    assert ("locking staging" in err) is locked  # which reader met the missing tag
    assert "pins print-utils at tag 9.9.9, which does not exist" in last
    assert last.startswith("release-tool promote: ")


def test_check_remote_with_an_unreachable_repository_is_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "mono"
    root.mkdir()
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    for env in ("staging", "prod"):
        shutil.copytree(ROOT / env, root / env, ignore=shutil.ignore_patterns(".venv"))
    gitconfig = tmp_path / "gitconfig"
    gitconfig.write_text(
        f'[url "file://{tmp_path}/nowhere/"]\n\tinsteadOf = https://github.com/\n',
        encoding="utf-8",
    )
    env = {"PATH": "/usr/bin:/bin", "GIT_CONFIG_GLOBAL": str(gitconfig), "HOME": str(tmp_path)}
    code = main(["check", "--repo", str(root), "--remote"], env=env)
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("release-tool check: cannot reach the repository ")
    assert err.count("\n") == 1


def test_status_flags_a_force_moved_tag(
    sandbox: Sandbox, mono: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    add_package_tag(sandbox, "print-utils", "0.2.5")
    argv = ["promote", "--repo", str(mono), "--env", "staging", "--package", "print-utils"]
    assert main([*argv, "--tag", "0.2.5"], env=sandbox.env()) == 0
    git("merge", "-q", "--ff-only", "release/staging/print-utils", cwd=mono)
    locked = sandbox.packages["print-utils"].tags["0.2.5"]
    moved = add_package_tag(sandbox, "print-utils", "0.2.5", move=True)
    capsys.readouterr()
    assert main(["status", "--json", "--repo", str(mono)], env=sandbox.env()) == 0
    data = json.loads(capsys.readouterr().out)
    by_name = {p["package"]: p for p in data["packages"]}
    assert by_name["print-utils"]["moved_tag"] == [
        {"env": "staging", "tag": "0.2.5", "locked_commit": locked, "tag_commit": moved}
    ]
    assert by_name["hello-world"]["moved_tag"] == []
