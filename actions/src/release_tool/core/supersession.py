"""What an open release branch already proposes, and whether a new promotion may replace it.

Pure: the adapters read the branch (its profile pyproject and the authors of its
commits); these functions decide. A newer tag supersedes the proposal, an older
one is refused, and a branch carrying anyone's commit but the bot's is never
force-pushed over.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from packaging.version import Version

from release_tool.core.config import BotIdentity
from release_tool.core.plan import PlannedPin
from release_tool.core.pyproject_edit import GitPin
from release_tool.core.versions import parse_tag
from release_tool.errors import InputRejected


@dataclass(frozen=True)
class BranchCommit:
    sha: str
    author_name: str
    author_email: str
    subject: str


@dataclass(frozen=True)
class Transition:
    """One package whose proposed tag a promotion replaces."""

    package: str
    old_tag: str
    new_tag: str

    def describe(self) -> str:
        return f"{self.package} {self.old_tag} → {self.new_tag}"


def _version(tag: str) -> Version | None:
    try:
        return parse_tag(tag)
    except InputRejected:
        return None


def transitions(
    proposed: Mapping[str, GitPin], pins: Sequence[PlannedPin]
) -> tuple[Transition, ...]:
    """The packages whose tag on the branch (``proposed``) differs from the new ``pins``."""
    return tuple(
        Transition(pin.package, proposed[pin.package].tag, pin.tag)
        for pin in pins
        if pin.package in proposed and proposed[pin.package].tag != pin.tag
    )


def check_not_older(changes: Iterable[Transition], *, branch: str, allow_older: bool) -> None:
    """Refuse (exit 2) a tag older than the one the branch already proposes."""
    if allow_older:
        return
    for change in changes:
        old, new = _version(change.old_tag), _version(change.new_tag)
        if old is not None and new is not None and new < old:
            raise InputRejected(
                f"{change.package} {change.new_tag} is older than {change.old_tag}, already "
                f"proposed on {branch}; a late older tag is not promoted "
                "(pass --allow-downgrade to replace the proposal on purpose)"
            )


def foreign_commits(commits: Iterable[BranchCommit], bot: BotIdentity) -> list[BranchCommit]:
    """The commits whose author is not the configured bot identity."""
    return [c for c in commits if c.author_email.strip().lower() != bot.email.strip().lower()]


def foreign_reason(branch: str, foreign: Sequence[BranchCommit], bot: BotIdentity) -> str:
    first = foreign[0]
    more = f" and {len(foreign) - 1} more" if len(foreign) > 1 else ""
    return (
        f"{branch} carries commit {first.sha[:10]} by {first.author_name} "
        f"<{first.author_email}>{more}, not by {bot.name}; release-tool never force-pushes "
        "over someone's commit: merge or close the pull request, or delete the branch, "
        "and run again"
    )


def supersession_comment(changes: Sequence[Transition], commit: str) -> str:
    lines = [f"Superseded by a newer tag (regenerated as {commit[:10]}, still one commit):", ""]
    lines += [f"- {change.describe()}" for change in changes]
    return "\n".join(lines) + "\n"
