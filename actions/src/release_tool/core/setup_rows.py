"""`doctor`'s rows and the names it checks for (pure): ✓, ✗ with the fix, ? with the permission.

The checks live in :mod:`setup_access` (Apps, environments, names),
:mod:`setup_rules` (rulesets, forks, the Actions allow-list) and :mod:`setup_runners`
(runners, the checkout, the registry); :mod:`release_tool.core.doctor` runs them all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from packaging.version import Version

from release_tool.core.setup_facts import Denied, Fetched

T = TypeVar("T")
OK, FAIL, UNKNOWN = "ok", "fail", "unknown"
MARKS = {OK: "✓", FAIL: "✗", UNKNOWN: "?"}

# The environments of the monorepo (docs/pipeline-setup.md), those needing an approval.
ENVIRONMENTS = ("release", "release-bot", "prod", "publish")
REVIEWED_ENVIRONMENTS = frozenset({"release", "prod"})
RELEASE_SECRET, RELEASE_VARIABLE = "RELEASE_APP_PRIVATE_KEY", "RELEASE_APP_CLIENT_ID"
DISPATCH_SECRET, DISPATCH_VARIABLE = "DISPATCH_APP_PRIVATE_KEY", "DISPATCH_APP_CLIENT_ID"
PACKAGE_ENVIRONMENT = "release"  # the package template's job environment
# What the workflows' token steps ask of the release App (a test keeps them equal),
# and what POST /repos/{owner}/{repo}/dispatches needs of the dispatch App.
RELEASE_APP_PERMISSIONS = {
    "contents": "write",
    "pull_requests": "write",
    "issues": "write",
    "workflows": "write",  # re-push release branches rebuilt on a newer main (docs/security.md)
}
DISPATCH_APP_PERMISSIONS = {"contents": "write"}
DEFAULT_DISPATCH_APP = "vlmhb-dispatch"
# The required checks on main: the GPU gate and ci.yml's job (a test keeps the name).
GATE_CHECK = "GPU gate"
CI_CHECKS = ("tests (lint, types, pre-commit, pytest, workflow linters)",)
# The GitHub App behind every check run GitHub Actions makes: a required check's source
# (`integration_id` in a ruleset, `app_id` in branch protection). GitHub's docs print no
# number; `GET /apps/github-actions` ("Get an app") and any Actions check run's `app.id`
# give 15368 (docs/pipeline-setup.md, step 11).
GITHUB_ACTIONS_APP_ID = 15368
# The self-hosted jobs' actions run on node24. The runner accepts `using: node24` from
# v2.327.0 (actions/runner #3940); the actions name v2.327.1 as their minimum (e.g.
# actions/checkout's README, "Checkout v5"). Not a GitHub-documented rule: the actions'.
RUNNER_MINIMUM = Version("2.327.1")
# Owners of the third-party actions the workflows use (a test keeps the list complete).
ACTION_OWNERS = ("actions", "astral-sh", "docker")


@dataclass(frozen=True)
class Row:
    group: str
    name: str
    status: str  # OK, FAIL or UNKNOWN
    detail: str = ""  # the fix (FAIL) or the missing permission (UNKNOWN)

    @property
    def mark(self) -> str:
        return MARKS[self.status]


def ok(group: str, name: str, detail: str = "") -> Row:
    return Row(group, name, OK, detail)


def fail(group: str, name: str, fix: str) -> Row:
    return Row(group, name, FAIL, fix)


def unknown(group: str, name: str, denied: Denied) -> Row:
    return Row(group, name, UNKNOWN, f"needs {denied.permission}")


def given(value: Fetched[T], group: str, name: str, out: list[Row]) -> T | None:
    """``value``, or None after appending the ? row its denial gives."""
    if isinstance(value, Denied):
        out.append(unknown(group, name, value))
        return None
    return value


def exit_code(rows: Iterable[Row]) -> int:
    """2 when any row is ✗ or ?, else 0 (an unreachable GitHub is the caller's 1)."""
    return 2 if any(r.status != OK for r in rows) else 0


def render_rows(rows: Iterable[Row], heading: Callable[[str], str] = str) -> str:
    """One line per row: mark, group, name, and the fix or permission."""
    lines = []
    for row in rows:
        tail = f" — {row.detail}" if row.detail else ""
        lines.append(f"{row.mark} {heading(row.group)}: {row.name}{tail}")
    return "\n".join(lines) + "\n"
