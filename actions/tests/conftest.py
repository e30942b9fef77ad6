"""Shared fixtures of the release-tool tests."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from release_tool.core.config import Config, load_config

ROOT = Path(__file__).resolve().parents[2]
# The integration tests reuse the repository's sandbox helpers (tests/support).
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def config() -> Config:
    return load_config((ROOT / "pyproject.toml").read_text(encoding="utf-8"), {})
