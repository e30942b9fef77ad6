"""Check a fresh lock against facts that do not come from uv.

Each check can fail: the promoted packages are locked at the commit ``git ls-remote``
gave; every internal package comes from its configured repository and nowhere else
(a same-named stranger on PyPI is the dependency-confusion risk); every other git
entry still matches the profile's pins (and, where the tag did not change, the commit
locked before).
"""

from __future__ import annotations

from collections.abc import Mapping

from release_tool.core.config import Config
from release_tool.core.lockfile import Lock
from release_tool.core.pyproject_edit import ProfilePins


def expected_source(url: str, tag: str, commit: str) -> str:
    return f"{url}?tag={tag}#{commit}"


def verify_lock(
    lock: Lock,
    *,
    config: Config,
    profile: ProfilePins,
    promoted: Mapping[str, tuple[str, str]],
    before: Lock | None,
) -> tuple[str, ...]:
    """Problems found in ``lock`` (empty when it is sound). ``promoted``: name -> (tag, commit)."""
    problems: list[str] = []
    for name, (tag, commit) in promoted.items():
        want = expected_source(config.packages[name].url, tag, commit)
        entries = lock.named(name)
        if [e.source for e in entries] != [want]:
            got = ", ".join(f"{e.source_kind} {e.source}" for e in entries) or "nothing"
            problems.append(f"{name} should be locked at {want} but the lock has {got}")
    for name, cfg in config.packages.items():
        for entry in lock.named(name):
            if entry.source_kind != "git" or entry.git_url != cfg.url:
                problems.append(
                    f"internal package {name} is locked from {entry.source_kind} "
                    f"{entry.source}, not from its repository {cfg.url}"
                )
        if name in profile.dependencies and not lock.named(name):
            problems.append(f"internal package {name} is a dependency but is not in the lock")
    for entry in lock.packages:
        if entry.source_kind != "git" or entry.name in promoted:
            continue
        pin = profile.pins.get(entry.name)
        if pin is None or pin.url != entry.git_url or pin.tag != entry.git_tag:
            problems.append(
                f"git entry {entry.name} ({entry.source}) matches no pin of the profile"
            )
            continue
        for old in before.named(entry.name) if before else ():
            if old.git_tag == entry.git_tag and old.git_commit != entry.git_commit:
                problems.append(
                    f"{entry.name} {entry.git_tag} moved from {old.git_commit} to "
                    f"{entry.git_commit} although it was not promoted"
                )
    return tuple(problems)
