"""The staging and prod profiles: structure, guards, and real locks against local repos."""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

from tests.support.sandbox import (
    GITHUB_PREFIX,
    ROOT,
    Sandbox,
    clean_env,
    load_config,
    make_package_repo,
    make_sandbox,
    profile_pins,
)
from tests.support.tools import lock_entries, read_lock, run_uv

PROFILES = ("staging", "prod")
CONFIG = load_config()
PACKAGES: dict[str, dict[str, str]] = CONFIG["packages"]  # type: ignore[assignment]
INDEX_URLS = {
    "pytorch-cu124": "https://download.pytorch.org/whl/cu124",
    "pytorch-cu128": "https://download.pytorch.org/whl/cu128",
}


def _toml(path: Path) -> dict[str, object]:
    with path.open("rb") as fh:
        return tomllib.load(fh)


def test_required_uv_version_is_the_same_everywhere() -> None:
    versions = {
        str(p): _toml(p)["tool"]["uv"]["required-version"]  # type: ignore[index]
        for p in (
            ROOT / "pyproject.toml",
            ROOT / "staging/pyproject.toml",
            ROOT / "prod/pyproject.toml",
        )
    }
    assert len(set(versions.values())) == 1, versions


@pytest.mark.parametrize("profile", PROFILES)
def test_every_internal_package_has_its_configured_git_source(profile: str) -> None:
    data = _toml(ROOT / profile / "pyproject.toml")
    deps = {re.split(r"[<>=!~;\[ ]", d)[0] for d in data["project"]["dependencies"]}  # type: ignore[index]
    sources = data["tool"]["uv"]["sources"]  # type: ignore[index]
    for name, cfg in PACKAGES.items():
        assert name in deps, f"{profile} does not depend on {name}"
        source = sources.get(name)
        # Without a git source, PyPI's unrelated bench-utils/hello-world would be installed.
        assert source is not None, f"{profile}: {name} has no git source"
        assert source["git"] == cfg["repository"], f"{profile}: {name} source is {source}"
        assert set(source) == {"git", "tag"}


@pytest.mark.parametrize("profile", PROFILES)
def test_profile_declares_exclusive_backends_from_named_indexes(profile: str) -> None:
    data = _toml(ROOT / profile / "pyproject.toml")
    uv = data["tool"]["uv"]  # type: ignore[index]
    assert uv["conflicts"] == [[{"extra": "cu124"}, {"extra": "cu128"}]]
    assert uv["environments"] == ["sys_platform == 'linux'"]
    indexes = {i["name"]: i for i in uv["index"]}
    assert {n: i["url"] for n, i in indexes.items()} == INDEX_URLS
    assert all(i["explicit"] for i in indexes.values())
    extras = data["project"]["optional-dependencies"]  # type: ignore[index]
    assert set(extras) == {"cu124", "cu128"}
    assert uv["sources"]["torch"] == [
        {"index": "pytorch-cu124", "extra": "cu124"},
        {"index": "pytorch-cu128", "extra": "cu128"},
    ]


def foreign_lock_urls(lock_text: str) -> list[str]:
    """URLs in a lock that are neither a configured package repository nor an index."""
    allowed = [cfg["repository"] for cfg in PACKAGES.values()]
    allowed += list(INDEX_URLS.values())
    allowed += ["https://pypi.org/simple", "https://files.pythonhosted.org/"]
    urls = re.findall(r'(?:url|registry|git|source) = "([^"]+)"', lock_text)
    urls += re.findall(r'"((?:file|https?)://[^"]+)"', lock_text)
    return sorted({u for u in urls if not any(u.startswith(a) for a in allowed)})


def test_committed_profile_locks_hold_no_sandbox_urls() -> None:
    """Only locks made against the real repositories may be committed (none is, until the
    pipeline commits the first one); a lock with file:// or loopback URLs is a sandbox artefact."""
    tracked = subprocess.run(
        ["git", "ls-files", "--", *(f"{p}/uv.lock" for p in PROFILES)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    for lock in tracked:
        assert foreign_lock_urls((ROOT / lock).read_text(encoding="utf-8")) == [], lock


def test_sandbox_url_detector_catches_local_artefacts() -> None:
    lock = (
        'source = { git = "https://github.com/VLMHyperBenchTeam/hello_world.git?tag=0.0.11#abc" }\n'
        'source = { git = "file:///tmp/repos/bench_utils.git?tag=0.1.2#abc" }\n'
        'source = { registry = "http://127.0.0.1:8000/simple" }\n'
        'url = "https://download.pytorch.org/whl/cu124/torch-2.6.0.whl"\n'
    )
    assert foreign_lock_urls(lock) == [
        "file:///tmp/repos/bench_utils.git?tag=0.1.2#abc",
        "http://127.0.0.1:8000/simple",
    ]


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Sandbox:
    return make_sandbox(tmp_path_factory.mktemp("sandbox"))


@pytest.mark.uvlock
@pytest.mark.parametrize("profile", PROFILES)
def test_profile_locks_against_the_published_tags(
    profile: str, sandbox: Sandbox, tmp_path: Path
) -> None:
    work = tmp_path / profile
    shutil.copytree(ROOT / profile, work, ignore=shutil.ignore_patterns(".venv", "uv.lock"))
    run_uv("lock", "--project", str(work), cwd=tmp_path, env=sandbox.env())
    lock = read_lock(work / "uv.lock")
    for name, tag in profile_pins(ROOT / profile).items():
        commit = sandbox.packages[name].tags[tag]
        # The real https URL is recorded, with the commit the local tag points at.
        assert lock[name]["source"] == {"git": f"{PACKAGES[name]['repository']}?tag={tag}#{commit}"}
        assert lock[name]["version"] == tag
    torch = {e["version"]: e["source"]["registry"] for e in lock_entries(work / "uv.lock", "torch")}
    assert set(torch) == {"2.6.0+cu124", "2.11.0+cu128"}
    assert torch["2.6.0+cu124"].endswith("/cu124")
    assert torch["2.11.0+cu128"].endswith("/cu128")
    # Both backends at once is refused by the conflict declaration.
    both = run_uv(
        "sync",
        "--project",
        str(work),
        "--extra",
        "cu124",
        "--extra",
        "cu128",
        "--locked",
        cwd=tmp_path,
        env=sandbox.env(),
        check=False,
    )
    assert both.returncode != 0
    assert "cu124" in both.stderr
    assert "cu128" in both.stderr


@pytest.mark.uvlock
def test_member_with_internal_dependency_locks_alone_from_git(tmp_path: Path) -> None:
    """bench-utils at a tag, taken alone, resolves its internal requirements from git.

    uv applies sources to direct requirements only, so the consumer lists every
    internal package (as the profiles do); bench-utils' own pyproject must carry no
    workspace source, or uv would refuse it outside the workspace.
    """
    repos = tmp_path / "repos"
    repos.mkdir()
    needed = ["bench-utils", "model-interface", "print-utils", "prompt-handler"]
    commits = {
        name: make_package_repo(
            repos,
            name,
            PACKAGES[name]["repository"],
            ROOT / PACKAGES[name]["directory"],
            ["0.2.0"],
            internal=[],
        ).tags["0.2.0"]
        for name in needed
    }
    project = tmp_path / "consumer"
    project.mkdir()
    local = {n: PACKAGES[n]["repository"].removeprefix(GITHUB_PREFIX) for n in needed}
    sources = "\n".join(
        f'{name} = {{ git = "file://{repos}/{local[name]}", tag = "0.2.0" }}' for name in needed
    )
    (project / "pyproject.toml").write_text(
        '[project]\nname = "consumer"\nversion = "0"\nrequires-python = ">=3.11"\n'
        f"dependencies = {needed!r}\n[tool.uv]\npackage = false\n"
        f"[tool.uv.sources]\n{sources}\n",
        encoding="utf-8",
    )
    env = clean_env({"UV_PROJECT_ENVIRONMENT": str(tmp_path / "venv")})
    run_uv("sync", "--project", str(project), cwd=tmp_path, env=env)
    lock = read_lock(project / "uv.lock")
    for name in needed:
        assert lock[name]["source"]["git"].endswith(f"?tag=0.2.0#{commits[name]}")
    python = tmp_path / "venv" / "bin" / "python"
    out = subprocess.run(
        [str(python), "-c", "import bench_utils; print(bench_utils.kendall_tau([1, 0], [0, 1]))"],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    ).stdout
    assert out.strip() == "-1.0"
