"""`release-tool images` end to end on copies of this repository's files (real git, real uv)."""

from __future__ import annotations

import json
import shutil
import tomllib
from pathlib import Path

import pytest
from release_tool.cli import main

from tests.support.sandbox import ROOT, clean_env, git, make_sandbox
from tests.support.tools import run_uv

COMMIT = "0123456789abcdef0123456789abcdef01234567"
CREATED = "2026-01-02T03:04:05+00:00"


def _copy_repo(dest: Path) -> Path:
    dest.mkdir(exist_ok=True)
    for name in ("pyproject.toml", ".python-version", "uv.lock"):
        shutil.copy2(ROOT / name, dest / name)
    for profile in ("staging", "prod"):
        (dest / profile).mkdir()
        shutil.copy2(ROOT / profile / "pyproject.toml", dest / profile / "pyproject.toml")
    (dest / "docker").mkdir()
    shutil.copy2(ROOT / "docker" / "base-images.toml", dest / "docker" / "base-images.toml")
    return dest


def _run(
    capsys: pytest.CaptureFixture[str], root: Path, *argv: str, env: dict[str, str] | None = None
) -> tuple[int, str, str]:
    code = main(
        ["images", "--repo", str(root), "--commit", COMMIT, "--created", CREATED, *argv],
        env=env or clean_env(),
    )
    out, err = capsys.readouterr()
    return code, out, err


def test_prod_without_lock_prints_floating_references(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _copy_repo(tmp_path)
    code, out, _ = _run(capsys, root, "--env", "prod", "--backend", "cu124", "--json")
    assert code == 0
    plan = json.loads(out)
    assert (plan["status"], plan["locked"]) == ("not yet locked", False)
    assert [i["references"] for i in plan["images"]] == [
        ["ghcr.io/vlmhyperbenchteam/vlmhyperbench:prod-cu124"]
    ]
    code, out, err = _run(capsys, root, "--env", "prod", "--bake", str(tmp_path / "b.json"))
    assert code == 0
    assert "not yet locked" in out and "nothing written" in err
    assert not (tmp_path / "b.json").exists()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--env", "staging", "--backend", "cu999"], "unknown backend 'cu999'"),
        (["--env", "dev", "--backend", "cu124"], "one variant"),
    ],
)
def test_rejections(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, _, err = _run(capsys, _copy_repo(tmp_path), *argv)
    assert code == 2
    assert message in err
    assert "Traceback" not in err


def test_dev_uses_git_for_commit_and_created(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _copy_repo(tmp_path / "repo")
    env = clean_env(
        {
            "GIT_AUTHOR_NAME": "a",
            "GIT_AUTHOR_EMAIL": "a@example.invalid",
            "GIT_COMMITTER_NAME": "a",
            "GIT_COMMITTER_EMAIL": "a@example.invalid",
            "GIT_COMMITTER_DATE": "2025-05-06T07:08:09+00:00",
            "GIT_CONFIG_GLOBAL": "/dev/null",
        }
    )
    git("init", "-q", str(root), cwd=root, env=env)
    git("add", "-A", cwd=root, env=env)
    git("commit", "-q", "-m", "x", cwd=root, env=env)
    head = git("rev-parse", "HEAD", cwd=root, env=env)
    code = main(["images", "--repo", str(root), "--env", "dev", "--json"], env=env)
    plan = json.loads(capsys.readouterr().out)
    assert code == 0
    (image,) = plan["images"]
    assert image["immutable"] == [f"dev-{head[:7]}"]
    assert image["labels"]["org.opencontainers.image.created"] == "2025-05-06T07:08:09+00:00"
    assert image["labels"]["org.opencontainers.image.revision"] == head


@pytest.mark.uvlock
def test_locked_staging_bake_and_exports(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sandbox = make_sandbox(tmp_path / "sb")
    root = _copy_repo(tmp_path / "repo")
    run_uv("lock", "--project", str(root / "staging"), cwd=root, env=sandbox.env())
    code, out, _ = _run(capsys, root, "--env", "staging", "--json")
    plan = json.loads(out)
    assert code == 0 and plan["locked"] is True
    short = plan["lock_sha256"][:12]
    assert plan["images"][0]["immutable"] == [
        f"staging-cu124-{short}",
        "sha-0123456-staging-cu124",
    ]
    labels = plan["images"][0]["labels"]
    pins = {k.rpartition(".")[2]: v for k, v in labels.items() if ".package." in k}
    assert set(pins) == set(sandbox.packages)
    for name, repo in sandbox.packages.items():
        tag = next(iter(repo.tags))
        assert pins[name] == f"{tag}@{repo.tags[tag]}"
    assert labels["io.github.vlmhyperbenchteam.torch.version"] == "2.6.0+cu124"

    # an unpinned base refuses the bake file, a pinned one writes it
    bake_file = tmp_path / "bake.json"
    code, _, err = _run(capsys, root, "--env", "staging", "--bake", str(bake_file))
    assert code == 2 and "not pinned by digest" in err and not bake_file.exists()
    bases = root / "docker" / "base-images.toml"
    bases.write_text(
        bases.read_text(encoding="utf-8").replace('digest = ""', f'digest = "sha256:{"b" * 64}"'),
        encoding="utf-8",
    )
    export_dir = root / "docker" / "exports"
    code, _, err = _run(
        capsys,
        root,
        "--env",
        "staging",
        "--bake",
        str(bake_file),
        "--export-dir",
        str(export_dir),
        env=sandbox.env(),
    )
    assert code == 0, err
    definition = json.loads(bake_file.read_text(encoding="utf-8"))
    target = definition["target"]["runtime-staging-cu128"]
    assert target["args"]["EXPORT_DIR"] == "docker/exports"
    assert target["args"]["BASE_IMAGE"].endswith("@sha256:" + "b" * 64)
    assert target["labels"] == plan["images"][1]["labels"]
    with (export_dir / "staging-cu124" / "pylock.toml").open("rb") as fh:
        exported = {p["name"]: p["version"] for p in tomllib.load(fh)["packages"]}
    assert exported["torch"] == "2.6.0+cu124"
    assert not set(exported) & set(sandbox.packages)
    internal = (export_dir / "staging-cu124" / "internal.txt").read_text(encoding="utf-8")
    assert sorted(line.split()[0] for line in internal.splitlines()) == sorted(sandbox.packages)
    first = (export_dir / "staging-cu124" / "pylock.toml").read_bytes()
    assert b"#" not in first.split(b"\n", 1)[0]  # no header with this machine's paths
    # a second run writes the same bytes
    _run(capsys, root, "--env", "staging", "--export-dir", str(export_dir), env=sandbox.env())
    assert (export_dir / "staging-cu124" / "pylock.toml").read_bytes() == first
    # an export directory outside the repository is refused before anything is written
    outside = tmp_path / "outside"
    code, _, err = _run(
        capsys,
        root,
        "--env",
        "staging",
        "--bake",
        str(tmp_path / "bake-2.json"),
        "--export-dir",
        str(outside),
        env=sandbox.env(),
    )
    assert code == 2 and "must lie inside the repository root" in err
    assert not outside.exists() and not (tmp_path / "bake-2.json").exists()
