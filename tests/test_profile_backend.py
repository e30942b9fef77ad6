"""Which torch build a profile installs: the documented default (no extra) is cu124."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.support.sandbox import ROOT, make_sandbox
from tests.support.tools import run_uv


def _installed(python: Path, env: dict[str, str], cwd: Path) -> dict[str, str]:
    # The stand-in torch wheels cannot be imported; read the venv's metadata instead.
    listing = run_uv("pip", "list", "--python", str(python), "--format", "json", cwd=cwd, env=env)
    return {row["name"]: row["version"] for row in json.loads(listing.stdout)}


@pytest.mark.uvlock
@pytest.mark.slow
def test_staging_sync_without_an_extra_installs_the_cu124_build(tmp_path: Path) -> None:
    sandbox = make_sandbox(tmp_path / "sandbox")
    work = tmp_path / "staging"
    shutil.copytree(ROOT / "staging", work, ignore=shutil.ignore_patterns(".venv", "uv.lock"))
    venv = tmp_path / "venv"
    env = sandbox.env({"UV_PROJECT_ENVIRONMENT": str(venv)})
    run_uv("lock", "--project", str(work), cwd=tmp_path, env=env)

    run_uv("sync", "--project", str(work), "--locked", cwd=tmp_path, env=env)
    installed = _installed(venv / "bin" / "python", env, tmp_path)
    assert installed["torch"] == "2.6.0+cu124"
    assert installed["torchvision"] == "0.21.0+cu124"
    # The model package at its published tag came from its git repository, with its stack.
    assert installed["model-qwen2-5-vl"] == "0.1.2"
    assert {"transformers", "qwen-vl-utils", "accelerate"} <= set(installed)

    run_uv("sync", "--project", str(work), "--locked", "--extra", "cu128", cwd=tmp_path, env=env)
    installed = _installed(venv / "bin" / "python", env, tmp_path)
    assert installed["torch"] == "2.11.0+cu128"
    assert installed["torchvision"] == "0.26.0+cu128"
