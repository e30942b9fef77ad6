"""Which paths a pull request changed, and the commit checked out, through git."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from release_tool.adapters.git import commit_at, run_git
from release_tool.errors import InputRejected


def resolve_commit(root: Path, rev: str, env: Mapping[str, str]) -> str:
    """The full commit ``rev`` names in ``root``; one sentence when it names none."""
    commit = commit_at(rev, cwd=root, env=env)
    if commit is None:
        raise InputRejected(
            f"{rev!r} is not a commit in {root} (a shallow checkout lacks the base: "
            "check out with fetch-depth: 0)"
        )
    return commit


def changed_paths(root: Path, base: str, dirs: Sequence[str], env: Mapping[str, str]) -> list[str]:
    """Paths under ``dirs`` that differ between the merge base of ``base`` and HEAD, and HEAD."""
    base_commit = resolve_commit(root, base, env)
    head = resolve_commit(root, "HEAD", env)
    out = run_git(
        "diff",
        "--name-only",
        "--no-renames",
        "-z",
        f"{base_commit}...{head}",
        "--",
        *dirs,
        cwd=root,
        env=env,
        what=f"git diff against {base}",
        strip=False,
    )
    return [p for p in out.split("\0") if p]
