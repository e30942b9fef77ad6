"""Where each package stands: version in packages/*, last release, profile pins, pending.
Pure: built from facts the command gathered."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Literal

from packaging.version import Version

from release_tool.core.bump import release_versions
from release_tool.core.profile_state import NOT_LOCKED, ProfileState, lock_disagreements
from release_tool.core.versions import parse_tag
from release_tool.errors import InputRejected


@dataclass(frozen=True)
class ProfileCell:
    tag: str | None
    commit: str | None  # locked commit (None: not locked at this tag)


UNKNOWN = "unknown"


@dataclass(frozen=True)
class MovedTag:
    """A profile's locked commit that is no longer the commit its tag names (force-moved)."""

    env: str
    tag: str
    locked_commit: str
    tag_commit: str


@dataclass(frozen=True)
class PackageStatus:
    package: str
    version: str | None
    last_tag: str | None
    unreachable: str | None  # why the repository could not be read
    profiles: Mapping[str, ProfileCell]
    pending: tuple[str, ...]  # what is known to be pending (from local files when unreachable)
    reachable: bool  # whether the repository's tags could be read
    pending_complete: bool  # False: the repository was unreachable, more may be pending
    moved_tag: tuple[MovedTag, ...] = ()  # as check --remote reports it


@dataclass(frozen=True)
class ProfileLockStatus:
    env: str
    state: Literal["agrees", "not yet locked", "disagrees"]
    problems: tuple[str, ...]


def _version(tag: str | None) -> Version | None:
    if tag is None:
        return None
    try:
        return parse_tag(tag)
    except InputRejected:
        return None


def last_release(tags: Sequence[str]) -> str | None:
    """The tag of the highest version among ``tags`` (None: no version tag)."""
    versions = release_versions(tags)
    if not versions:
        return None
    best = versions[-1]
    return next(t for t in tags if _version(t) == best)


def _local_pending(
    version: Version | None, cells: Mapping[str, ProfileCell], order: Sequence[str]
) -> list[str]:
    """What the working tree alone shows: packages/* newer than the first profile's pin."""
    first = order[0] if order else None
    if version is None or first is None:
        return []
    pinned = _version(cells[first].tag)
    if pinned is not None and version > pinned:
        return [f"packages/* {version} newer than {first} {cells[first].tag}"]
    return []


def _pending(
    version: Version | None,
    last: str | None,
    cells: Mapping[str, ProfileCell],
    order: Sequence[str],
    *,
    reachable: bool,
) -> tuple[str, ...]:
    out: list[str] = [] if reachable else _local_pending(version, cells, order)
    last_v = _version(last)
    if version is not None and (last_v is None or version > last_v) and last is not None:
        out.append(f"{version} not released")
    first = order[0] if order else None
    if first is not None and last_v is not None:
        pinned = _version(cells[first].tag)
        if pinned is None or last_v > pinned:
            out.append(f"{last} not in {first}")
    for lower, upper in pairwise(order):
        a, b = cells[lower], cells[upper]
        if a.tag is not None and (a.tag, a.commit) != (b.tag, b.commit):
            out.append(f"{lower} {a.tag} not in {upper}")
    return tuple(out)


def moved_tags(cells: Mapping[str, ProfileCell], tags: Mapping[str, str]) -> tuple[MovedTag, ...]:
    """The profiles whose locked commit differs from the commit the tag names now."""
    return tuple(
        MovedTag(env, cell.tag, cell.commit, tags[cell.tag])
        for env, cell in cells.items()
        if cell.tag is not None
        and cell.commit is not None
        and cell.tag in tags
        and tags[cell.tag] != cell.commit
    )


def package_status(
    package: str,
    version: Version | None,
    tags: Mapping[str, str] | Sequence[str] | str,
    states: Sequence[ProfileState],
) -> PackageStatus:
    """``tags``: the repository's tags (-> commit), or the reason it could not be read."""
    cells = {
        s.env: ProfileCell(p.tag if (p := s.pin(package)) else None, s.locked_commit(package))
        for s in states
    }
    unreachable = tags if isinstance(tags, str) else None
    last = None if isinstance(tags, str) else last_release(list(tags))
    order = [s.env for s in states]
    reachable = unreachable is None
    return PackageStatus(
        package,
        str(version) if version is not None else None,
        last,
        unreachable,
        cells,
        _pending(version, last, cells, order, reachable=reachable),
        reachable,
        reachable,
        moved_tags(cells, tags) if isinstance(tags, Mapping) else (),
    )


def pending_text(status: PackageStatus) -> str:
    """The pending cell: what is pending, ``unknown`` where the repository could not be
    read (never "nothing" then), ``nothing`` only when everything was read."""
    known = "; ".join(status.pending)
    if not status.pending_complete:
        return f"{known}; {UNKNOWN} beyond that" if known else UNKNOWN
    return known or "nothing"


def lock_status(state: ProfileState) -> ProfileLockStatus:
    if state.lock is None:
        return ProfileLockStatus(state.env, NOT_LOCKED, ())
    problems = lock_disagreements(state)
    return ProfileLockStatus(state.env, "disagrees" if problems else "agrees", problems)
