"""The words of a re-lock: title, commit message and PR body. Pure.

The body ends with ``<!-- release-tool:relock {...} -->`` (the profile and whether
third-party updates were taken), read back by :func:`read_relock_block` so that
``refresh`` can re-run the same re-lock on a newer base.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from release_tool.core.config import RELEASE_PREFIX
from release_tool.core.hidden_block import read_block, render_block
from release_tool.core.lockfile import LockDiff
from release_tool.core.render import render_next_steps, render_notes, render_set_diff

RELOCK_KIND = "relock"


@dataclass(frozen=True)
class KeptPin:
    package: str
    tag: str
    commit: str


@dataclass(frozen=True)
class RelockBlock:
    """What a re-lock PR's body records about the re-lock that made it."""

    env: str
    upgrade: bool


def render_relock_block(env: str, *, upgrade: bool) -> str:
    return render_block(RELOCK_KIND, {"env": env, "upgrade": upgrade})


def read_relock_block(body: str) -> RelockBlock | None:
    """The re-lock a body records (None when it records none, or not as release-tool
    writes it: see :mod:`release_tool.core.hidden_block`)."""
    data = read_block(body, RELOCK_KIND)
    if data is None or not isinstance(data.get("env"), str):
        return None
    return RelockBlock(data["env"], data.get("upgrade") is True)


def relock_branch(env: str, prefix: str = RELEASE_PREFIX) -> str:
    return f"{prefix}{env}/relock"


def relock_title(env: str, *, upgrade: bool, initial: bool) -> str:
    if initial:
        return f"{env}: first lock"
    return f"{env}: re-lock" + (" with third-party updates" if upgrade else "")


def relock_commit_message(
    env: str, pins: Sequence[KeptPin], *, upgrade: bool, initial: bool, moved: Sequence[str]
) -> str:
    lines = [relock_title(env, upgrade=upgrade, initial=initial), ""]
    lines.append("Internal pins kept at their tag and commit:")
    lines += [f"{p.package} {p.tag} at {p.commit}" for p in pins]
    if moved:
        lines += ["", "Third-party packages that moved: " + ", ".join(moved)]
    return "\n".join(lines) + "\n"


def relock_body(
    env: str,
    profile_dir: str,
    base_branch: str,
    pins: Sequence[KeptPin],
    *,
    upgrade: bool,
    lock_diff: LockDiff,
    warnings: Sequence[str],
    backends: Sequence[str],
) -> str:
    what = "third-party updates taken (`--upgrade`)" if upgrade else "no upgrade asked"
    if lock_diff.initial:
        what = "the profile's first lock"
    out = [f"## Re-lock of `{env}` ({what})", ""]
    out += ["Every internal package stays at its tag and commit:", ""]
    out += ["| package | tag | commit |", "|---|---|---|"]
    out += [f"| {p.package} | {p.tag} | `{p.commit[:10]}` |" for p in pins]
    out.append("")
    out += render_notes(warnings)
    out += ["### Lock diff", ""]
    for diff in lock_diff.sets:
        out += render_set_diff(diff, lock_diff.initial)
    out += render_next_steps(backends, profile_dir, base_branch)
    out += [render_relock_block(env, upgrade=upgrade), ""]
    return "\n".join(out)
