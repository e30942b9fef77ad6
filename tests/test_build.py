"""Every workspace member builds, and nothing workspace-only leaks into what is published."""

from __future__ import annotations

import tarfile
import tomllib
import zipfile
from pathlib import Path

import pytest

from tests.support.sandbox import ROOT, clean_env, load_config
from tests.support.tools import run_uv

PACKAGES: dict[str, dict[str, str]] = load_config()["packages"]  # type: ignore[assignment]


@pytest.mark.uvlock
def test_build_all_packages_carries_no_workspace_source(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    run_uv("build", "--all-packages", "--out-dir", str(out), cwd=ROOT, env=clean_env())
    sdists = {p.name.rsplit("-", 1)[0]: p for p in out.glob("*.tar.gz")}
    wheels = {p.name.split("-", 1)[0]: p for p in out.glob("*.whl")}
    expected = {name.replace("-", "_") for name in PACKAGES} | {"release_tool"}
    assert set(sdists) == expected
    assert set(wheels) == expected
    for name, sdist in sdists.items():
        with tarfile.open(sdist) as tar:
            member = next(m for m in tar.getmembers() if m.name.endswith("/pyproject.toml"))
            extracted = tar.extractfile(member)
            assert extracted is not None
            pyproject = tomllib.loads(extracted.read().decode())
        sources = pyproject.get("tool", {}).get("uv", {}).get("sources", {})
        assert not any("workspace" in s for s in sources.values()), name
        assert "workspace" not in pyproject.get("tool", {}).get("uv", {}), name
    for name, wheel in wheels.items():
        with zipfile.ZipFile(wheel) as zf:
            metadata = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
            text = zf.read(metadata).decode()
        assert "file://" not in text, name
        assert "Version: 0.2.0" in text, name
