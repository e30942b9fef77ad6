"""A profile as its files say it: each internal pin, where its lock has it, and whether
the lock agrees with the pyproject. Pure: text in, records out (read offline)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from release_tool.core.lockfile import Lock, LockedPackage, read_lock
from release_tool.core.pyproject_edit import GitPin, ProfilePins, read_pins

NOT_LOCKED: Final = "not yet locked"


@dataclass(frozen=True)
class ProfileState:
    env: str
    directory: str
    pins: ProfilePins
    lock: Lock | None  # None: the profile has no uv.lock yet

    def locked(self, name: str) -> LockedPackage | None:
        """The lock entry of ``name`` at exactly its pinned URL and tag (None: none such)."""
        pin = self.pins.pins.get(name)
        if pin is None or self.lock is None:
            return None
        for entry in self.lock.named(name):
            if entry.source_kind == "git" and (entry.git_url, entry.git_tag) == (pin.url, pin.tag):
                return entry
        return None

    def locked_commit(self, name: str) -> str | None:
        entry = self.locked(name)
        return entry.git_commit if entry else None

    def pin(self, name: str) -> GitPin | None:
        return self.pins.pins.get(name)


def read_profile_state(env: str, directory: str, pyproject: str, lock: str | None) -> ProfileState:
    pins = read_pins(pyproject, f"{directory}/pyproject.toml")
    return ProfileState(
        env, directory, pins, read_lock(lock, f"{directory}/uv.lock") if lock else None
    )


def lock_disagreements(state: ProfileState) -> tuple[str, ...]:
    """Where the profile's uv.lock does not match its pyproject's git pins (empty: agrees)."""
    lock = state.lock
    if lock is None:
        return ()
    where = f"{state.directory}/uv.lock"
    problems: list[str] = []
    for name, pin in sorted(state.pins.pins.items()):
        entries = lock.named(name)
        if not entries:
            problems.append(f"{where} has no {name}, which the pyproject pins to {pin.tag}")
        elif state.locked(name) is None:
            got = ", ".join(e.source for e in entries)
            problems.append(f"{where} has {name} from {got}, but the pyproject pins {pin.tag}")
    for entry in lock.packages:
        if entry.source_kind == "git" and entry.name not in state.pins.pins:
            problems.append(f"{where} has {entry.name} from git, which the pyproject does not pin")
    for name in state.pins.dependencies:
        if not lock.named(name):
            problems.append(f"{where} lacks the dependency {name}")
    return tuple(dict.fromkeys(problems))
