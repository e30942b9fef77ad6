"""git on the command line, through the one subprocess helper.

Used where a git porcelain command has no GitPython equivalent worth its
weight (``subtree split``, pushes with leases, bare scratch clones). Reads are
run quietly; writes are echoed so a long run shows its progress.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from release_tool.adapters import process


def git(
    *args: str,
    cwd: Path,
    env: Mapping[str, str],
    what: str | None = None,
    echo: bool = False,
    input_text: str | None = None,
    secrets: Sequence[str] = (),
) -> str:
    """Run ``git ARGS`` in ``cwd``; its stdout, stripped. OperationalError names ``what``."""
    result = process.run(
        ["git", *args],
        cwd=cwd,
        env=env,
        what=what,
        echo=sys.stderr if echo else None,
        input_text=input_text,
        secrets=secrets,
    )
    return result.stdout.strip()


def git_ok(*args: str, cwd: Path, env: Mapping[str, str]) -> bool:
    """Whether ``git ARGS`` exits 0 (for questions git answers with its exit status)."""
    result = process.run(["git", *args], cwd=cwd, env=env, check=False, echo=None)
    return result.returncode == 0


def identity_env(env: Mapping[str, str], name: str, email: str) -> dict[str, str]:
    """``env`` with ``name <email>`` as author, committer and tagger."""
    return {
        **env,
        "GIT_AUTHOR_NAME": name,
        "GIT_AUTHOR_EMAIL": email,
        "GIT_COMMITTER_NAME": name,
        "GIT_COMMITTER_EMAIL": email,
    }
