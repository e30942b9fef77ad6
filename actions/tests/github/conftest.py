"""Fixtures for the GitHub adapters: a fake GitHub on 127.0.0.1 and a local bare origin."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from release_tool.adapters.github import GithubAdapter
from release_tool.operations import publication

from tests.support.fake_github import FakeGitHub, serve_fake_github
from tests.support.github_sandbox import (
    TOKEN,
    BareOrigin,
    Sleeps,
    fast_policy,
    make_bare_origin,
    make_context,
)
from tests.support.release_github import (
    Flow,
    build_flow_sandbox,
    fast_adapter_factory,
    make_flow,
)
from tests.support.sandbox import Sandbox


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


# -- promotions published on the fake GitHub (tests/support/release_github.py) --
@pytest.fixture(scope="session")
def flow_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Sandbox:
    return build_flow_sandbox(tmp_path_factory.mktemp("flow-sandbox"))


@pytest.fixture
def fast_github(monkeypatch: pytest.MonkeyPatch, sleeps: Sleeps) -> Sleeps:
    """Commands build the real adapter with throttling off and the recording sleep."""
    monkeypatch.setattr(publication, "GithubAdapter", fast_adapter_factory(sleeps))
    return sleeps


@pytest.fixture
def flow(flow_sandbox: Sandbox, fake: FakeGitHub, tmp_path: Path, fast_github: Sleeps) -> Flow:
    return make_flow(flow_sandbox, fake, tmp_path / "flow")
