"""Making the bump commit in a temporary worktree, so the user's checkout is never touched.

The worktree is detached at the base commit; the bump is written there,
``uv lock`` re-locks the workspace, and one commit by the bot records both
(built with ``commit-tree``, as promote does). Only the branch ref is then set
in the user's repository, never a checked-out branch. On any failure the
worktree is removed and no ref has moved.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from release_tool.adapters import process
from release_tool.adapters.git import Checkout
from release_tool.adapters.uv import uv_binary
from release_tool.core.config import BotIdentity
from release_tool.errors import InputRejected

LOCK = "uv.lock"


@dataclass(frozen=True)
class BumpCommit:
    commit: str
    tree: str
    changed: tuple[str, ...]  # paths the commit changes, relative to the root
    diff: str


def make_bump_commit(
    checkout: Checkout,
    base: str,
    *,
    rewrites: Mapping[str, Callable[[str], str]],
    message: str,
    bot: BotIdentity,
    env: Mapping[str, str],
) -> BumpCommit:
    """Apply ``rewrites`` (path -> text function) at ``base``, re-lock, commit; the new commit."""
    with checkout.temporary_worktree(base) as tree:
        for path, rewrite in rewrites.items():
            file = tree / path
            file.write_text(rewrite(file.read_text(encoding="utf-8")), encoding="utf-8")
        process.run(
            [uv_binary(env), "lock", "--project", str(tree)],
            cwd=tree,
            env=env,
            what="uv lock (re-locking the workspace)",
        )
        tree_id = checkout.write_tree(tree, [*rewrites, LOCK])
        changed = checkout.git("diff", "--cached", "--name-only", what="git diff", cwd=tree)
        diff = checkout.git("diff", "--cached", what="git diff", cwd=tree)
    commit = checkout.commit_tree(tree_id, base, message, bot)
    return BumpCommit(commit, tree_id, tuple(changed.splitlines()), diff)


def set_bump_branch(
    checkout: Checkout, branch: str, base: str, made: BumpCommit
) -> tuple[str, str]:
    """Point ``branch`` at the bump; ``(result, branch head)``. The result is ``created``,
    ``updated``, or ``unchanged`` when the branch already holds a commit with the same
    parent and tree (kept as it is)."""
    if branch in checkout.checked_out_branches():
        raise InputRejected(f"{branch} is checked out in a worktree; switch to another branch")
    old = checkout.branch_commit(branch)
    if old is None:
        checkout.update_branch(branch, made.commit, None)
        return "created", made.commit
    if checkout.tree_and_parents(old) == (made.tree, (base,)):
        return "unchanged", old
    checkout.update_branch(branch, made.commit, old)
    return "updated", made.commit
