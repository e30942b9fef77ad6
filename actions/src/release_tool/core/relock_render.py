"""The words of a re-lock: title, commit message and PR body. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from release_tool.core.lockfile import LockDiff
from release_tool.core.render import _safe, _set_section


@dataclass(frozen=True)
class KeptPin:
    package: str
    tag: str
    commit: str


def relock_branch(env: str) -> str:
    return f"release/{env}/relock"


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
    for warning in warnings:
        out += ["> [!NOTE]", f"> {_safe(warning)}", ""]
    out += ["### Lock diff", ""]
    for diff in lock_diff.sets:
        out += _set_section(diff, lock_diff.initial)
    gpu = ", ".join(f"`{b}`" for b in backends)
    out += [
        "",
        "### What happens next",
        "",
        f"1. The GPU jobs ({gpu}) test this branch's `{profile_dir}/uv.lock`.",
        f"2. When they pass, merge into `{base_branch}`.",
        "",
    ]
    return "\n".join(out)
