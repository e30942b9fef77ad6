"""Shared fixtures of the release-tool tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from release_tool.core.config import Config, load_config

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def config() -> Config:
    return load_config((ROOT / "pyproject.toml").read_text(encoding="utf-8"), {})
