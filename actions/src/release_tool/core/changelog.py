"""Release notes from conventional-commit subjects: grouped, ordered, plain text.

A subject ``type(scope)!: description`` lands in the group of its type
(feat, fix, perf, docs, refactor; anything else, or no type at all, in
"Other changes"). The release tool's own bump commits are left out: the tag
itself says which version it is.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

GROUPS: tuple[tuple[str, str], ...] = (
    ("feat", "Features"),
    ("fix", "Fixes"),
    ("perf", "Performance"),
    ("docs", "Documentation"),
    ("refactor", "Refactoring"),
    ("other", "Other changes"),
)

_CONVENTIONAL = re.compile(
    r"^(?P<type>[A-Za-z]+)(?:\((?P<scope>[^()]*)\))?(?P<breaking>!)?:\s*(?P<text>.+)$"
)
# The types of the Conventional Commits spec and of the Angular convention it grew from;
# another word before a colon ("Foundation: ...") is prose, kept whole.
TYPES = frozenset(
    {"feat", "fix", "perf", "docs", "refactor", "build", "chore", "ci", "revert", "style", "test"}
)
# Matches the subjects `release-tool bump` writes (see core.bump.commit_message).
_BUMP_SUBJECT = re.compile(r"^chore\(release\): bump \S+ to \S+( \(#\d+\))?$")


@dataclass(frozen=True)
class Change:
    group: str
    text: str
    scope: str | None = None
    breaking: bool = False

    def render(self) -> str:
        scope = f"{self.scope}: " if self.scope else ""
        mark = "BREAKING: " if self.breaking else ""
        return f"- {mark}{scope}{self.text}"


def parse_subject(subject: str) -> Change:
    """One commit subject as a :class:`Change` (non-conventional subjects go to "other")."""
    subject = subject.strip()
    match = _CONVENTIONAL.match(subject)
    if match is None or match["type"].lower() not in TYPES:
        return Change("other", subject)
    kind = match["type"].lower()
    group = kind if kind in dict(GROUPS) else "other"
    return Change(group, match["text"].strip(), match["scope"] or None, bool(match["breaking"]))


def is_bump_subject(subject: str) -> bool:
    return bool(_BUMP_SUBJECT.match(subject.strip()))


def group_changes(subjects: Sequence[str]) -> dict[str, list[Change]]:
    """Changes by group, in the order of :data:`GROUPS`; empty groups left out.

    ``subjects`` come newest first (as ``git log`` gives them); each group keeps that order.
    """
    grouped: dict[str, list[Change]] = {key: [] for key, _ in GROUPS}
    for subject in subjects:
        if not subject.strip() or is_bump_subject(subject):
            continue
        change = parse_subject(subject)
        grouped[change.group].append(change)
    return {key: changes for key, changes in grouped.items() if changes}


def render_tag_message(
    package: str, version: str, previous: str | None, subjects: Sequence[str]
) -> str:
    """The annotated tag's message: a title line, then the grouped changes since ``previous``."""
    since = f"since {previous}" if previous else "(first release from the monorepo)"
    lines = [f"{package} {version}", "", f"Changes {since}:"]
    grouped = group_changes(subjects)
    if not grouped:
        lines += ["", "- no changes besides the version"]
    titles = dict(GROUPS)
    for key, changes in grouped.items():
        lines += ["", f"{titles[key]}:", *(change.render() for change in changes)]
    return "\n".join(lines) + "\n"
