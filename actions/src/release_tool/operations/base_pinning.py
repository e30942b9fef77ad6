"""Pin the base images: resolve each entry's index digest, then rewrite the file.

``resolve_changes`` asks the registry; ``commit_bases`` writes the rewrite as one
commit on ``release/bases`` (from the base branch head, in a throwaway worktree, the
checkout untouched), the outcome :mod:`release_tool.operations.publication` publishes like a
promotion's or a re-lock's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from release_tool.adapters.git import Checkout
from release_tool.adapters.registry import RegistryClient
from release_tool.core import base_images as bases
from release_tool.core.branch_proposal import BranchStatus
from release_tool.core.config import Config
from release_tool.core.oci import parse_reference
from release_tool.errors import OperationalError
from release_tool.operations.branch_commit import BranchCommit, commit_on_branch

Progress = Callable[[str], None]


@dataclass(frozen=True)
class BasesOutcome(BranchCommit):
    """A base-image update on ``release/bases``; ``env`` is always ``"bases"`` (what the
    branch changes, where a release names a profile)."""

    changes: tuple[bases.DigestChange, ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "branch": self.branch,
            "base_branch": self.base_branch,
            "base_commit": self.base_commit,
            "commit": self.commit,
            "title": self.title,
            "changes": [change_json(c) for c in self.changes],
        }


def change_json(change: bases.DigestChange) -> dict[str, Any]:
    return {
        "variant": change.variant,
        "image": change.image,
        "old": change.old,
        "new": change.new,
        "changed": change.changed,
    }


def resolve_changes(
    entries: Sequence[bases.BaseEntry], client: RegistryClient, say: Progress
) -> tuple[bases.DigestChange, ...]:
    """Each entry with the index digest its tag resolves to now (one request per image)."""
    seen: dict[str, str] = {}
    changes = []
    for entry in entries:
        if entry.image not in seen:
            say(f"resolving {entry.image}")
            seen[entry.image] = client.index_digest(parse_reference(entry.image))
        changes.append(
            bases.DigestChange(entry.variant, entry.image, entry.digest, seen[entry.image])
        )
    return tuple(changes)


def commit_bases(
    root: Path,
    config: Config,
    client: RegistryClient,
    env: Mapping[str, str],
    *,
    dry_run: bool = False,
    say: Progress = lambda _msg: None,
) -> BasesOutcome:
    """Resolve the base branch's file and commit its rewrite on ``release/bases``."""
    checkout = Checkout(root, env)
    base = checkout.resolve_base(config.default_branch)
    previous = checkout.branch_commit(bases.BRANCH)
    text = checkout.read_file(base, bases.PATH)
    if text is None:
        raise OperationalError(f"{config.default_branch} has no {bases.PATH}")
    changes = resolve_changes(bases.read_base_images(text), client, say)

    def outcome(status: BranchStatus, commit: str | None) -> BasesOutcome:
        return BasesOutcome(
            status=status,
            env="bases",
            branch=bases.BRANCH,
            base_branch=config.default_branch,
            base_commit=base,
            commit=commit,
            previous_branch_commit=previous,
            title=bases.bases_title(changes),
            body=bases.bases_body(changes, base_branch=config.default_branch),
            changes=changes,
        )

    new_text = bases.rewrite_digests(text, {c.variant: c.new for c in changes if c.changed})
    if new_text == text:
        say(f"every digest in {bases.PATH} is its tag's current index: nothing to commit")
        return outcome("noop", None)
    if dry_run:
        return outcome("dry-run", None)
    with checkout.temporary_worktree(base) as tree:
        (tree / bases.PATH).write_text(new_text, encoding="utf-8")
        tree_id = checkout.write_tree(tree, [bases.PATH])
    written = commit_on_branch(
        checkout,
        bases.BRANCH,
        tree=tree_id,
        base=base,
        previous=previous,
        message=bases.bases_commit_message(changes),
        bot=config.bot,
        say=say,
    )
    return outcome(written.status, written.head)
