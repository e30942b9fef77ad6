"""Shared fixtures of the release-tool tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from release_tool.core.config import Config, load_config

from tests.support.sandbox import git

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
# The one-package pin the fixtures' dispatch events carry (fixtures/event-single.json).
SHA = "ffc6e14b397e062247aca738cd50133ab39240be"
GOOD = {
    "package": "hello-world",
    "tag": "0.2.0",
    "sha": SHA,
    "repository": "VLMHyperBenchTeam/hello_world",
}


@pytest.fixture(scope="session")
def config() -> Config:
    return load_config((ROOT / "pyproject.toml").read_text(encoding="utf-8"), {})


@pytest.fixture
def checkout(tmp_path: Path) -> tuple[Path, str]:
    """A one-commit git checkout holding a staging lock: (root, HEAD commit)."""
    root = tmp_path / "mono"
    (root / "staging").mkdir(parents=True)
    (root / "staging" / "uv.lock").write_text("version = 1\n", encoding="utf-8")
    env = {
        "GIT_CONFIG_GLOBAL": "/dev/null",
        "GIT_AUTHOR_NAME": "t",
        "GIT_COMMITTER_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.invalid",
        "GIT_COMMITTER_EMAIL": "t@example.invalid",
    }
    git("init", "-q", "-b", "main", cwd=root, env=env)
    git("add", "-A", cwd=root, env=env)
    git("commit", "-q", "-m", "x", cwd=root, env=env)
    return root, git("rev-parse", "HEAD", cwd=root)
