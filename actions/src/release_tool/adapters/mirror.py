"""A package repository (the mirror that receives releases), through a scratch bare clone.

The scratch clone lives in a temporary directory: the split commits are pushed
into it from the monorepo (no ref is created in the monorepo), the branch and
tag are made there, and only ``push`` talks to the real repository.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from release_tool.adapters.git import commit_at, git_succeeds, run_git
from release_tool.core.skip_markers import neutralise

SPLIT_REF = "refs/release-tool/split"


@dataclass(frozen=True)
class Mirror:
    """A scratch bare clone of one package repository."""

    path: Path
    url: str
    env: Mapping[str, str] = field(repr=False)
    secrets: tuple[str, ...] = field(default=(), repr=False)  # masked in any message
    # git config entries carrying the token: given to the push only, never a local call.
    auth: tuple[tuple[str, str], ...] = field(default=(), repr=False)

    def _git(
        self, *args: str, what: str | None = None, echo: bool = False, remote: bool = False
    ) -> str:
        return run_git(
            *args,
            cwd=self.path,
            env=self.env,
            what=what,
            echo=echo,
            secrets=self.secrets,
            git_config=self.auth if remote else (),
        )

    def default_branch(self) -> str:
        """The repository's default branch (the remote HEAD the clone copied)."""
        return self._git("symbolic-ref", "--short", "HEAD")

    def head_of(self, branch: str) -> str | None:
        return commit_at(f"refs/heads/{branch}", cwd=self.path, env=self.env)

    def tags(self) -> list[str]:
        out = self._git("for-each-ref", "--format=%(refname:strip=2)", "refs/tags")
        return out.splitlines() if out else []

    def tags_merged_into(self, commit: str) -> list[str]:
        out = self._git("tag", "--merged", commit)
        return out.splitlines() if out else []

    def tag_commit(self, tag: str) -> str:
        return self._git("rev-parse", f"refs/tags/{tag}^{{commit}}")

    def is_ancestor(self, older: str, newer: str) -> bool:
        return git_succeeds(
            "merge-base", "--is-ancestor", older, newer, cwd=self.path, env=self.env
        )

    def subjects(self, commit: str, since: str | None) -> list[str]:
        """Commit subjects from ``since`` (exclusive) to ``commit``, newest first."""
        span = f"{since}..{commit}" if since else commit
        out = self._git("log", "--no-merges", "--format=%s", span)
        return out.splitlines() if out else []

    def create_tag(self, tag: str, commit: str, message: str, env: Mapping[str, str]) -> None:
        run_git(
            "tag",
            "--annotate",
            "--cleanup=whitespace",
            "--file=-",
            tag,
            commit,
            cwd=self.path,
            env=env,
            what=f"creating tag {tag}",
            echo=True,
            input_text=neutralise(message),
        )

    def set_branch(self, branch: str, commit: str) -> None:
        self._git("update-ref", f"refs/heads/{branch}", commit, what=f"moving {branch}")

    def push(self, refspecs: Sequence[str], leases: Sequence[str] = ()) -> None:
        """Push ``refspecs`` to the real repository, all or nothing."""
        self._git(
            "push",
            "--atomic",
            "--quiet",
            "--no-verify",
            *(f"--force-with-lease={lease}" for lease in leases),
            "origin",
            *refspecs,
            what=f"pushing to {self.url}",
            echo=True,
            remote=True,
        )


def clone_mirror(
    url: str,
    dest: Path,
    env: Mapping[str, str],
    secrets: tuple[str, ...] = (),
    auth: tuple[tuple[str, str], ...] = (),
) -> Mirror:
    """A scratch bare clone of ``url`` at ``dest`` (an empty repository is fine);
    ``auth`` (git config entries with the token) is used by the clone and the push."""
    run_git(
        "clone",
        "--bare",
        "--quiet",
        "--",
        url,
        str(dest),
        cwd=dest.parent,
        env=env,
        what=f"cloning the package repository {url}",
        echo=True,
        secrets=secrets,
        git_config=auth,
    )
    return Mirror(dest, url, env, secrets, auth)


def bring_commit(monorepo: Path, mirror: Mirror, commit: str) -> None:
    """Copy ``commit`` and its history from the monorepo into the scratch clone."""
    run_git(
        "push",
        "--quiet",
        "--no-verify",
        "--force",
        str(mirror.path),
        f"{commit}:{SPLIT_REF}",
        cwd=monorepo,
        env=mirror.env,
        what="copying the split into the scratch clone",
    )
