"""The release branch as ``origin`` has it: fetched, read, compared; the local ref kept in step.

Builds on :mod:`release_tool.adapters.push` (same ``Origin``, same credentials
through the environment). Decides nothing: the publication step asks, this answers.
"""

from __future__ import annotations

from dataclasses import dataclass

from release_tool.adapters.git import ZERO, commit_at
from release_tool.adapters.push import Origin, read_remote_branch
from release_tool.core.supersession import BranchCommit
from release_tool.errors import OperationalError


@dataclass(frozen=True)
class RemoteBranch:
    """``origin``'s release branch, fetched into ``refs/remotes/origin/<branch>``."""

    branch: str
    commit: str


def fetch_release_branch(origin: Origin, branch: str) -> RemoteBranch | None:
    """Fetch ``branch`` (and the base branch) from origin; None when the branch is absent."""
    commit = read_remote_branch(origin, branch)
    if commit is None:
        return None
    origin.git(
        "fetch",
        "--no-tags",
        "--quiet",
        "origin",
        f"+refs/heads/{branch}:refs/remotes/origin/{branch}",
        f"+refs/heads/{origin.base_branch}:refs/remotes/origin/{origin.base_branch}",
        what=f"fetching {branch} from origin",
    )
    fetched = _rev(origin, f"refs/remotes/origin/{branch}")
    # The branch may have moved between ls-remote and fetch: what was fetched is what we saw.
    return RemoteBranch(branch, fetched or commit)


def _rev(origin: Origin, ref: str) -> str | None:
    return commit_at(ref, cwd=origin.checkout, env=origin.env)


def commits_beyond(origin: Origin, commit: str, base: str) -> list[BranchCommit]:
    """The commits of ``commit`` that neither ``base`` nor origin's base branch holds."""
    excluded = [f"^{base}"]
    if _rev(origin, f"refs/remotes/origin/{origin.base_branch}"):
        excluded.append(f"^refs/remotes/origin/{origin.base_branch}")
    out = origin.git(
        "log",
        "--format=%H%x1f%an%x1f%ae%x1f%s",
        commit,
        *excluded,
        "--",
        what=f"reading the commits of {commit[:10]}",
    ).stdout
    commits = []
    for line in out.splitlines():
        sha, name, email, subject = [*line.split("\x1f"), "", "", ""][:4]
        if sha:
            commits.append(BranchCommit(sha, name, email, subject))
    return commits


def read_file_at(origin: Origin, commit: str, path: str) -> str | None:
    done = origin.git("show", f"{commit}:{path}", what=f"reading {path}", check=False)
    return done.stdout if done.returncode == 0 else None


def same_change(origin: Origin, left: str, right: str) -> bool:
    """Whether two commits hold the same tree, parents and message: the same promotion,
    made at another time (a fresh checkout re-running it)."""

    def shape(commit: str) -> str:
        return origin.git("show", "-s", "--format=%T %P%n%B", commit, what=commit[:10]).stdout

    return shape(left) == shape(right)


def set_local_branch(origin: Origin, branch: str, new: str | None, old: str | None) -> None:
    """Move (or with ``new`` None delete) the checkout's ``branch`` if it still is at ``old``."""
    ref = f"refs/heads/{branch}"
    if new is None and old is None:
        return
    args = ["update-ref", "-d", ref, old] if new is None else ["update-ref", ref, new, old or ZERO]
    done = origin.git(*args, what=f"updating {branch}", check=False)
    if done.returncode:
        raise OperationalError(f"updating the local {branch} failed: {done.stderr.strip()}")
