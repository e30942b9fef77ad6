"""Making the bump commit in a temporary worktree, so the user's checkout is never touched.

The worktree is detached at the base commit; the bump is written there,
``uv lock`` re-locks the workspace, and one commit by the bot records both
(made by the caller, as promote makes its own). On any failure the worktree is
removed and no ref has moved.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from release_tool.adapters import process
from release_tool.adapters.git import Checkout
from release_tool.adapters.uv import uv_binary

LOCK = "uv.lock"


@dataclass(frozen=True)
class BumpTree:
    tree: str
    changed: tuple[str, ...]  # paths the commit changes, relative to the root
    diff: str


def make_bump_tree(
    checkout: Checkout,
    base: str,
    *,
    rewrites: Mapping[str, Callable[[str], str]],
    env: Mapping[str, str],
) -> BumpTree:
    """Apply ``rewrites`` (path -> text function) at ``base`` and re-lock; the tree written."""
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
    return BumpTree(tree_id, tuple(changed.splitlines()), diff)
