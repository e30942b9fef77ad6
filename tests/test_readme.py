"""The README's setup commands: the same everywhere they are written, and working on a
Python marked externally managed (PEP 668), as Debian 12 and recent Ubuntu ship it."""

from __future__ import annotations

import os
import re
import subprocess
import tomllib
from pathlib import Path

import pytest
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from tests.support.pep668 import externally_managed_python
from tests.support.readme import ROOT, bash_blocks, block_with, main_job, pypi_route
from tests.support.sandbox import checkout_files
from tests.support.tools import uv_binary


def _text(path: str) -> str:
    return (ROOT / path).read_text(encoding="utf-8")


def _required_uv() -> str:
    with (ROOT / "pyproject.toml").open("rb") as fh:
        spec: str = tomllib.load(fh)["tool"]["uv"]["required-version"]
    return spec


def test_readme_commands_agree_with_ci_and_the_docs() -> None:
    spec = _required_uv()
    readme = _text("README.md")
    # every uv the README installs is the range .ci/run installs (it reads the same key)
    assert '["tool"]["uv"]["required-version"]' in _text(".ci/run")
    assert '"uv$spec"' in _text(".ci/run")
    installed = re.findall(r'install "uv([^"]*)"', readme)
    assert installed and set(installed) == {spec}
    assert f"`{spec}`" in readme
    (version,) = set(re.findall(r"astral\.sh/uv/([0-9.]+)/install\.sh", readme))
    assert Version(version) in SpecifierSet(spec)
    assert block_with("curl -LsSf https://astral.sh/uv/") == [
        f"curl -LsSf https://astral.sh/uv/{version}/install.sh | sh"
    ]
    # the main job and the tests, as the README, CI and the docs write them
    job = main_job()
    assert job.startswith("uv run --package release-tool release-tool rehearse ")
    assert job in _text("docs/release-flow.md")
    assert "`uv run --package release-tool release-tool rehearse`" in _text(
        "docs/pipeline-setup.md"
    )
    tests_block = block_with("uv run --package release-tool")
    assert tests_block == [job, "bash .ci/run"]
    assert "run: bash .ci/run" in _text(".github/workflows/ci.yml")
    assert ["scripts/test --fast"] in bash_blocks()
    assert "`scripts/test --fast`" in _text("docs/testing.md")
    # the PyPI route says what a fresh Debian/Ubuntu needs first
    assert "sudo apt install python3-venv" in readme
    assert "externally-managed-environment" in readme


def test_no_project_file_points_outside_the_repository() -> None:
    # the developers' notes folder next to the checkout, however it is spelled
    notes = "/".join(("shared", "NOTES"))
    pins = "-".join(("ACTION", "PINS"))
    parent = r"\.parent\s*/\s*[\"']shared[\"']"
    pattern = re.compile(rf"{notes}|\.\./shared\b|(?<![\w-])NOTES\.md|{pins}\.md|{parent}")
    offenders = [
        name
        for name in checkout_files()
        if (ROOT / name).is_file()
        and pattern.search((ROOT / name).read_text(encoding="utf-8", errors="replace"))
    ]
    assert offenders == []


@pytest.mark.slow
def test_pypi_route_works_on_an_externally_managed_python(tmp_path: Path) -> None:
    python = externally_managed_python(tmp_path)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python3").symlink_to(python)
    home = tmp_path / "home"
    home.mkdir()
    env = {
        "PATH": f"{bin_dir}:/usr/bin:/bin",
        "HOME": str(home),
        "LANG": "C.UTF-8",
        **{k: v for k, v in os.environ.items() if k.startswith(("SSL_CERT", "PIP_INDEX"))},
    }
    # the marker is real: the system pip refuses, as on Debian 12
    refused = subprocess.run(
        ["python3", "-m", "pip", "install", "--dry-run", "uv"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert refused.returncode != 0
    assert "externally-managed-environment" in refused.stderr or "No module named pip" in (
        refused.stderr
    )
    # the README's lines, exactly, in one shell; then uv answers from the new PATH
    lines = pypi_route()
    script = "\n".join(["set -euo pipefail", *lines, "command -v uv", "uv --version"])
    done = subprocess.run(
        ["bash", "-c", script], env=env, cwd=home, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    where, version = done.stdout.strip().splitlines()[-2:]
    assert where.startswith(str(home)) and "/bin/uv" in where
    assert Version(version.split()[1]) in SpecifierSet(_required_uv())


def test_a_marked_copy_stands_in_where_the_system_python_is_not_marked(tmp_path: Path) -> None:
    python = externally_managed_python(tmp_path, system=None)
    assert python.is_relative_to(tmp_path)
    stdlib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('stdlib'))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert (Path(stdlib) / "EXTERNALLY-MANAGED").is_file()
    assert Path(stdlib).is_relative_to(tmp_path)
    venv = tmp_path / "venv"
    subprocess.run([str(python), "-m", "venv", "--without-pip", str(venv)], check=True)
    assert (venv / "bin" / "python").exists()


def _exported(*args: str) -> set[str]:
    """The distributions uv would install from the root lock for ``args`` (its own words)."""
    out = subprocess.run(
        [uv_binary(), "export", "--frozen", "--no-hashes", "--no-header", "--no-annotate", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    names = set()
    for raw in out.splitlines():
        line = raw.strip()
        if line.startswith("-e "):
            names.add(Path(line[3:]).name)
        elif line and not line.startswith("#"):
            names.add(re.split(r"[=<>;\s]", line, maxsplit=1)[0].lower())
    return names


def test_the_main_job_installs_no_torch_and_a_plain_sync_still_installs_release_tool() -> None:
    main_job_set = _exported("--package", "release-tool")
    assert "actions" in main_job_set  # release-tool, editable from ./actions
    heavy = {n for n in main_job_set if n.startswith(("torch", "nvidia", "triton"))}
    assert heavy == set()
    assert len(main_job_set) < 30
    # a plain `uv sync` at the root (the default groups: dev) holds release-tool and torch
    everything = _exported()
    assert {"actions", "torch", "model_qwen2.5-vl"} <= everything
    assert main_job_set < everything
