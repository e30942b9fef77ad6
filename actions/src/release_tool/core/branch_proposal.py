"""The one commit a release operation proposes on a release branch, as publishing reads it.

Promotion, re-lock and base-image outcomes (built in ``operations/``) and a checked release
bundle (:mod:`release_tool.core.bundle_check`) all carry the :class:`BranchProposal` fields;
publishing reads them through :meth:`BranchProposal.branch_fields` whatever the outcome.
A :class:`BranchChange` adds what publishing needs beyond the commit (labels, the closing
comment, the promoted tags); a release bundle's plan and its outcome are built on it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Literal

from release_tool.core.plan import PlannedPin

# committed: a new commit on the branch; unchanged: the branch already held the same change;
# noop: the base already is what was asked (no branch written); dry-run: computed only.
BranchStatus = Literal["committed", "unchanged", "noop", "dry-run"]


@dataclass(frozen=True)
class BranchProposal:
    """One commit proposed on a release branch: the part of every promotion, re-lock,
    base-image and bundled outcome that publishing reads."""

    status: BranchStatus
    env: str  # the profile
    branch: str
    base_branch: str
    base_commit: str
    commit: str | None
    previous_branch_commit: str | None
    title: str
    body: str

    def branch_fields(self) -> dict[str, Any]:
        """The :class:`BranchProposal` fields of this outcome, by name."""
        return _fields_of(self, BranchProposal)

    def as_json(self) -> dict[str, Any]:
        return self.branch_fields()


@dataclass(frozen=True)
class BranchChange(BranchProposal):
    """What publishing needs of a promotion, re-lock, base-image update, bump or release
    bundle: one commit on a release branch, and how its pull request is labelled and closed."""

    labels: tuple[str, ...]
    closing_reason: str  # the comment on the PR an empty change closes
    # The tags this change promotes: a proposal of older ones is refused, a replaced
    # one commented, their failure issues closed. A re-lock promotes none.
    pins: tuple[PlannedPin, ...] = ()

    def change_fields(self) -> dict[str, Any]:
        """The :class:`BranchChange` fields of this change (or of a type built on it), by name."""
        return _fields_of(self, BranchChange)


def _fields_of(value: BranchProposal, kind: type[BranchProposal]) -> dict[str, Any]:
    return {f.name: getattr(value, f.name) for f in dataclasses.fields(kind)}
