"""The one commit a release operation proposes on a release branch, as publishing reads it.

Promotion, re-lock and base-image outcomes (built in ``operations/``) and a checked release
bundle (:mod:`release_tool.core.bundle_check`) all carry these fields; publishing reads
them through :meth:`BranchProposal.branch_fields` whatever the outcome.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Literal

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
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(BranchProposal)}

    def as_json(self) -> dict[str, Any]:
        return self.branch_fields()
