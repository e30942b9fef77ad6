"""The monorepo side of a publication: its state, and the split of a package directory.

``git subtree split --prefix=<dir> <rev>`` rewrites the commits of ``<rev>`` that
touch ``<dir>`` into a history rooted at that directory. It is deterministic:
the same history always yields the same commits, so each publication
fast-forwards the package repository's default branch. Nothing here creates a
ref or touches the working tree.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from release_tool.adapters.git import checkout_root, commit_at, git_succeeds, read_file_at, run_git
from release_tool.errors import InputRejected, OperationalError


def find_toplevel(cwd: Path, env: Mapping[str, str]) -> Path:
    """The root of the monorepo checkout holding ``cwd``."""
    root = checkout_root(cwd, env)
    if root is None:
        raise InputRejected(f"{cwd} is not inside a git checkout of the monorepo")
    return root


def fetch_default(
    root: Path, branch: str, env: Mapping[str, str], auth: Sequence[tuple[str, str]] = ()
) -> str:
    """Fetch ``origin/<branch>`` (``auth``: git config entries with the token) and return
    its commit."""
    run_git(
        "fetch",
        "--quiet",
        "--no-tags",
        "origin",
        f"+refs/heads/{branch}:refs/remotes/origin/{branch}",
        cwd=root,
        env=env,
        what=f"fetching {branch} from origin",
        echo=True,
        git_config=auth,
    )
    return resolve(root, f"refs/remotes/origin/{branch}", env)


def resolve(root: Path, rev: str, env: Mapping[str, str]) -> str:
    commit = commit_at(rev, cwd=root, env=env)
    if commit is None:
        raise OperationalError(f"{rev} names no commit in {root}")
    return commit


def require_clean_at(root: Path, branch: str, origin_head: str, env: Mapping[str, str]) -> None:
    """Refuse unless the working tree is clean and HEAD is ``origin/<branch>``."""
    status = run_git("status", "--porcelain", "--untracked-files=normal", cwd=root, env=env)
    if status:
        first = status.splitlines()[0].strip()
        raise InputRejected(
            f"the working tree has uncommitted or untracked changes ({first!s}, ...); "
            "commit or stash them first"
        )
    head = resolve(root, "HEAD", env)
    if head != origin_head:
        raise InputRejected(
            f"HEAD ({head[:12]}) is not origin/{branch} ({origin_head[:12]}); "
            f"check out {branch} and pull (publish releases exactly what origin/{branch} holds)"
        )


# Splits already made by this process: (checkout, directory, commit) -> split commit.
# A split is a pure function of the commit's history, so one publication that adopts and
# then publishes at the same commit (the rehearsal) splits each package once.
_SPLITS: dict[tuple[str, str, str], str] = {}


def split_directory(root: Path, directory: str, rev: str, env: Mapping[str, str]) -> str:
    """The commit of ``directory``'s split history at ``rev``."""
    if not git_succeeds("cat-file", "-e", f"{rev}:{directory}", cwd=root, env=env):
        raise InputRejected(f"{directory} does not exist at {rev[:12]} of the monorepo")
    key = (str(root.resolve()), directory, resolve(root, rev, env))
    known = _SPLITS.get(key)
    if known and git_succeeds("cat-file", "-e", f"{known}^{{commit}}", cwd=root, env=env):
        print(f"{directory}: split of {key[2][:12]} already made ({known[:12]})", file=sys.stderr)
        return known
    out = run_git(
        "subtree",
        "split",
        "-q",
        f"--prefix={directory}",
        rev,
        cwd=root,
        env=env,
        what=f"git subtree split of {directory}",
        echo=True,
    )
    commit = out.splitlines()[-1].strip() if out else ""
    if len(commit) != 40:
        raise OperationalError(f"git subtree split of {directory} gave no commit: {out!r}")
    _SPLITS[key] = commit
    return commit


def split_directories(
    root: Path, directories: Sequence[str], rev: str, env: Mapping[str, str]
) -> dict[str, str]:
    """:func:`split_directory` for several directories at once, in parallel (each split is
    one ``git subtree split`` process, mostly waiting on git's own forks); remembered, so
    the per-package calls that follow find them made."""
    unique = list(dict.fromkeys(directories))
    if len(unique) < 2:
        return {d: split_directory(root, d, rev, env) for d in unique}
    with ThreadPoolExecutor(max_workers=min(len(unique), 4)) as pool:
        futures = {d: pool.submit(split_directory, root, d, rev, env) for d in unique}
        return {d: future.result() for d, future in futures.items()}


def read_file(root: Path, rev: str, path: str, env: Mapping[str, str]) -> str:
    text = read_file_at(rev, path, cwd=root, env=env)
    if text is None:
        raise OperationalError(f"{path} does not exist at {rev[:12]} of the monorepo")
    return text
