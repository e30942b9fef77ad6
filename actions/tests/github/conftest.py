"""Fixtures for the GitHub adapters: a fake GitHub on 127.0.0.1 and a local bare origin."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from release_tool.adapters.github import GithubAdapter

from tests.support.fake_github import FakeGitHub, serve_fake_github
from tests.support.github_sandbox import (
    TOKEN,
    BareOrigin,
    Sleeps,
    fast_policy,
    make_bare_origin,
    make_context,
)


@pytest.fixture
def fake() -> Iterator[FakeGitHub]:
    with serve_fake_github(FakeGitHub(token=TOKEN)) as served:
        yield served


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps([])


@pytest.fixture
def adapter(fake: FakeGitHub, sleeps: Sleeps) -> GithubAdapter:
    return GithubAdapter(make_context(fake), fast_policy(sleeps))


@pytest.fixture
def origin(tmp_path: Path) -> BareOrigin:
    return make_bare_origin(tmp_path)
