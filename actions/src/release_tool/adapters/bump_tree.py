"""Making the bump commit in a temporary worktree, so the user's checkout is never touched.

The worktree is detached at the base commit; the bump is written there,
``uv lock`` re-locks the workspace, and one commit by the bot records both.
Only the branch ref is then set in the user's repository (never the current
branch). On any failure the worktree is removed and no ref has moved.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from release_tool.adapters import process
from release_tool.adapters.gitcli import git, git_ok, identity_env
from release_tool.errors import InputRejected


@dataclass(frozen=True)
class BumpCommit:
    commit: str
    tree: str
    changed: tuple[str, ...]  # paths the commit changes, relative to the root
    diff: str


def make_bump_commit(
    root: Path,
    base: str,
    *,
    rewrites: Mapping[str, Callable[[str], str]],
    message: str,
    bot: tuple[str, str],
    env: Mapping[str, str],
) -> BumpCommit:
    """Apply ``rewrites`` (path -> text function) at ``base``, re-lock, commit; the new commit."""
    with tempfile.TemporaryDirectory(prefix="release-tool-bump-") as scratch:
        tree = Path(scratch) / "tree"
        git(
            "worktree",
            "add",
            "--detach",
            "--quiet",
            str(tree),
            base,
            cwd=root,
            env=env,
            what="creating a temporary worktree",
            echo=True,
        )
        try:
            for path, rewrite in rewrites.items():
                file = tree / path
                file.write_text(rewrite(file.read_text(encoding="utf-8")), encoding="utf-8")
            uv = env.get("UV") or "uv"
            process.run(
                [uv, "lock"],
                cwd=tree,
                env=env,
                what="uv lock (re-locking the workspace)",
                echo=sys.stderr,  # the current stream, not the one bound at import
            )
            git("add", "--", *rewrites, "uv.lock", cwd=tree, env=env)
            changed = tuple(git("diff", "--cached", "--name-only", cwd=tree, env=env).splitlines())
            diff = git("diff", "--cached", cwd=tree, env=env)
            bot_env = identity_env(env, *bot)
            git(
                "commit",
                "--quiet",
                "--no-verify",
                "--file=-",
                cwd=tree,
                env=bot_env,
                what="committing the bump",
                echo=True,
                input_text=message,
            )
            commit = git("rev-parse", "HEAD", cwd=tree, env=env)
            tree_id = git("rev-parse", "HEAD^{tree}", cwd=tree, env=env)
        finally:
            process.run(
                ["git", "worktree", "remove", "--force", str(tree)],
                cwd=root,
                env=env,
                check=False,
                echo=None,
            )
            process.run(["git", "worktree", "prune"], cwd=root, env=env, check=False, echo=None)
    return BumpCommit(commit, tree_id, changed, diff)


def set_bump_branch(
    root: Path, branch: str, base: str, made: BumpCommit, env: Mapping[str, str]
) -> str:
    """Point ``branch`` at the bump: ``created``, ``updated``, or ``unchanged`` when the
    branch already holds a commit with the same parent and tree (kept as it is)."""
    ref = f"refs/heads/{branch}"
    current = (
        git("symbolic-ref", "--quiet", "HEAD", cwd=root, env=env)
        if git_ok("symbolic-ref", "--quiet", "HEAD", cwd=root, env=env)
        else ""
    )
    if current == ref:
        raise InputRejected(f"{branch} is checked out here; switch to another branch first")
    if git_ok("rev-parse", "--verify", "--quiet", ref, cwd=root, env=env):
        old = git("rev-parse", ref, cwd=root, env=env)
        parent = (
            git("rev-parse", f"{old}^", cwd=root, env=env)
            if git_ok("rev-parse", "--verify", "--quiet", f"{old}^", cwd=root, env=env)
            else ""
        )
        if parent == base and git("rev-parse", f"{old}^{{tree}}", cwd=root, env=env) == made.tree:
            return "unchanged"
        git("update-ref", ref, made.commit, old, cwd=root, env=env, what=f"updating {branch}")
        return "updated"
    git("update-ref", ref, made.commit, "", cwd=root, env=env, what=f"creating {branch}")
    return "created"


def branch_head(root: Path, branch: str, env: Mapping[str, str]) -> str:
    return git("rev-parse", f"refs/heads/{branch}", cwd=root, env=env)
