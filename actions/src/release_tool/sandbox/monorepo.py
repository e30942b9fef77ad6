"""A sandbox monorepo: a bare ``origin`` holding a project's committed HEAD as its
default branch, and a working clone of it. The project's own repository is only read
(its HEAD is fetched from the origin's side: no ref, hook or file of it changes)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from release_tool.adapters.git import run_git


def make_origin(project: Path, origin: Path, env: Mapping[str, str], branch: str = "main") -> str:
    """Create the bare ``origin`` with the project's HEAD as ``branch``; that commit."""
    head = run_git("rev-parse", "HEAD", cwd=project, env=env, what=f"reading HEAD of {project}")
    origin.parent.mkdir(parents=True, exist_ok=True)
    run_git(
        "init",
        "-q",
        "--bare",
        f"--initial-branch={branch}",
        str(origin),
        cwd=origin.parent,
        env=env,
    )
    run_git(
        "fetch",
        "-q",
        "--no-tags",
        str(project),
        f"{head}:refs/heads/{branch}",
        cwd=origin,
        env=env,
        what=f"copying {project}'s HEAD into {origin}",
    )
    return head


def clone_monorepo(
    project: Path, origin: Path, work: Path, env: Mapping[str, str], branch: str = "main"
) -> Path:
    """``work``: a clone of ``origin`` (created from the project's HEAD when missing)."""
    if not origin.exists():
        make_origin(project, origin, env, branch)
    run_git("clone", "-q", str(origin), str(work), cwd=work.parent, env=env)
    return work
