"""The forms of a promotion between profiles: ``--from-env`` (take exactly what another
profile pins and locks) and the note a direct promotion carries when its pins were
not tested in the profile that normally feeds the target. Pure."""

from __future__ import annotations

from collections.abc import Sequence

from release_tool.core.config import Config
from release_tool.core.payload import Pin
from release_tool.core.profile_state import ProfileState, lock_disagreements
from release_tool.errors import InputRejected


def pins_from_env(
    config: Config, source: ProfileState, target: ProfileState, names: Sequence[str]
) -> tuple[Pin, ...]:
    """``source``'s pins (tag and locked commit) for ``names`` (none: every internal pin
    that differs from ``target``'s tag or locked commit)."""
    if source.lock is None:
        raise InputRejected(
            f"{source.env} has no uv.lock yet, so it pins no tested commit; "
            f"promote into {source.env} first"
        )
    disagreements = lock_disagreements(source)
    explicit = bool(names)
    wanted = (
        list(names) if explicit else sorted(n for n in source.pins.pins if n in config.packages)
    )
    pins: list[Pin] = []
    for name in wanted:
        package = config.package(name)
        pin = source.pin(name)
        if pin is None:
            raise InputRejected(f"{source.env} does not pin {name}; nothing to take from it")
        if pin.url != package.url:
            raise InputRejected(
                f"{source.env} pins {name} from {pin.url}, not its configured repository "
                f"{package.url}; run release-tool check"
            )
        commit = source.locked_commit(name)
        if commit is None:
            detail = next((d for d in disagreements if f" {name} " in f" {d} "), "")
            raise InputRejected(
                f"{source.env}'s uv.lock does not lock {name} {pin.tag} ({detail or 'no entry'}); "
                f"run release-tool relock --env {source.env} first"
            )
        same = target.pin(name) == pin and target.locked_commit(name) == commit
        if same and not explicit:
            continue
        pins.append(Pin(name, pin.tag, commit, package.slug))
    return tuple(pins)


def untested_note(planned: Sequence[tuple[str, str, str]], tested: ProfileState) -> str | None:
    """A warning naming the planned ``(package, tag, commit)`` that ``tested`` does not pin
    and lock at that same commit (None: all of them were tested there)."""
    untested = []
    for package, tag, commit in planned:
        have = tested.pin(package)
        if have is None or have.tag != tag or tested.locked_commit(package) != commit:
            where = f"{tested.env} pins {have.tag}" if have else f"not in {tested.env}"
            untested.append(f"{package} {tag} ({where})")
    if not untested:
        return None
    return (
        f"Not tested in {tested.env}: " + ", ".join(untested) + ". This is a direct "
        f"promotion; the normal path is --from-env {tested.env}."
    )
