"""No test inherits the GitHub Actions context or a token (the root conftest's fixture)."""

from __future__ import annotations

import os

import pytest

from tests.support.ci_context import strip_ci_context

LEAKS = {
    "GITHUB_ACTIONS": "true",
    "GITHUB_TOKEN": "ghs_leak",
    "GITHUB_OUTPUT": "/tmp/out",
    "RUNNER_TEMP": "/tmp",
    "ACTIONS_ID_TOKEN_REQUEST_URL": "http://x",
    "GH_TOKEN": "ghs_leak",
    "RELEASE_TOOL_TOKEN": "ghs_leak",
}
KEPT = {"GITHUBISH": "1", "MY_GITHUB_TOKEN": "kept", "HOME_RUNNER_": "kept"}


def test_every_ci_variable_goes_and_nothing_else() -> None:
    outer = pytest.MonkeyPatch()
    try:
        for name, value in {**LEAKS, **KEPT}.items():
            outer.setenv(name, value)
        inner = pytest.MonkeyPatch()
        assert strip_ci_context(inner) == sorted(LEAKS)
        assert not set(LEAKS) & set(os.environ)
        assert {name: os.environ[name] for name in KEPT} == KEPT
        inner.undo()
        assert {name: os.environ[name] for name in LEAKS} == LEAKS
    finally:
        outer.undo()


def test_the_autouse_fixture_ran_for_this_test() -> None:
    assert [name for name in os.environ if name.startswith(("GITHUB_", "RUNNER_"))] == []
