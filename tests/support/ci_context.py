"""The CI context no test may inherit from the machine it runs on."""

from __future__ import annotations

import os
import re

import pytest

# What GitHub Actions (or a maintainer's shell) may set that changes what release-tool
# does: pushing, tokens, step outputs.
CI_CONTEXT = re.compile(r"(GITHUB|RUNNER|ACTIONS)_\w*|GH_TOKEN|RELEASE_TOOL_TOKEN")


def strip_ci_context(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Remove every CI-context variable from ``os.environ`` for one test; their names."""
    names = sorted(name for name in os.environ if CI_CONTEXT.fullmatch(name))
    for name in names:
        monkeypatch.delenv(name)
    return names
