"""Repository-wide pytest policy.

With VLMHB_FORBID_SKIPS=1 (set by scripts/test, so in CI) a skipped test is a
failure: heavy tests (model, container, uv locks) must run in CI, never vanish
behind a skip. Tests that cannot run on a CPU machine carry the ``gpu`` marker
and are deselected explicitly by scripts/test instead.

Every exchange with a fake GitHub that breaks GitHub's API description fails the
test that made it (:func:`github_contract`), even where a module shares one fake.

No test sees the GitHub Actions context or a token of the machine it runs on
(:func:`no_github_context`): a test that needs one sets it itself.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.support.ci_context import strip_ci_context


@pytest.fixture
def cli() -> Callable[..., Any]:
    """The shared in-process ``release-tool`` runner (``tests.support.cli.run_cli``)."""
    from tests.support.cli import run_cli  # noqa: PLC0415 - only the release-tool tests need it

    return run_cli


@pytest.fixture(autouse=True)
def no_github_context(monkeypatch: pytest.MonkeyPatch) -> None:
    strip_ci_context(monkeypatch)


@pytest.fixture(autouse=True)
def github_contract() -> Iterator[None]:
    yield
    # Only a process that loaded the fake can hold violations; the others (the GPU
    # profile's venv among them) need neither it nor the validator's libraries.
    fake = sys.modules.get("tests.support.fake_github")
    found = fake.take_violations() if fake is not None else []
    if found:
        from tests.support.github_contract import shared_contract, summary  # noqa: PLC0415

        source = shared_contract().source
        pytest.fail(
            f"{len(found)} exchange(s) with the fake GitHub break {source}:\n{summary(found)}"
        )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> object:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if (
        report.skipped
        and os.environ.get("VLMHB_FORBID_SKIPS") == "1"
        and not hasattr(report, "wasxfail")
    ):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"skipped in CI, where every test must run: {reason}"
    return None
