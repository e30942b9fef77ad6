"""A sandbox monorepo and package repositories for publication tests (real git).

- the monorepo: a bare ``origin`` holding the committed state of this repository
  as its default branch ``main``, and a working clone of it;
- package repositories: bare repos under ``repos/`` reached through git's
  ``insteadOf`` (the project's real https://github.com URLs stay in its files),
  either empty or with an unrelated legacy history and old tags
  (:func:`tests.support.sandbox.make_package_repo`).
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from tests.support.sandbox import (
    GITHUB_PREFIX,
    ROOT,
    clean_env,
    git,
    load_config,
    make_package_repo,
    write_gitconfig,
)

PACKAGES: dict[str, dict[str, str]] = load_config()["packages"]  # type: ignore[assignment]

# A fixed developer identity and clock, so the sandbox's own commits are reproducible.
DEVELOPER = {
    "GIT_AUTHOR_NAME": "Dev Eloper",
    "GIT_AUTHOR_EMAIL": "dev@example.invalid",
    "GIT_COMMITTER_NAME": "Dev Eloper",
    "GIT_COMMITTER_EMAIL": "dev@example.invalid",
    "GIT_AUTHOR_DATE": "2025-06-01T12:00:00Z",
    "GIT_COMMITTER_DATE": "2025-06-01T12:00:00Z",
}


def repo_name(package: str) -> str:
    """The bare repository's directory name (``hello_world.git``)."""
    return PACKAGES[package]["repository"].removeprefix(GITHUB_PREFIX)


@dataclass(frozen=True)
class Monorepo:
    root: Path
    origin: Path  # bare
    work: Path  # the maintainer's clone
    repos: Path  # the package repositories
    gitconfig: Path

    def env(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        return clean_env(
            {
                "GIT_CONFIG_GLOBAL": str(self.gitconfig),
                "GIT_CONFIG_NOSYSTEM": "1",
                "UV_NO_GITHUB_FAST_PATH": "1",
                **(extra or {}),
            }
        )

    def git(self, *args: str, cwd: Path | None = None) -> str:
        return git(*args, cwd=cwd or self.work, env=self.env(DEVELOPER))

    def package_repo(self, package: str) -> Path:
        return self.repos / repo_name(package)

    def pkg_git(self, package: str, *args: str) -> str:
        return git(*args, cwd=self.package_repo(package), env=self.env())

    def commit_change(self, path: str, text: str, subject: str, *, push: bool = True) -> str:
        """Append ``text`` to ``path`` in the clone, commit it on main, push; the commit."""
        file = self.work / path
        file.parent.mkdir(parents=True, exist_ok=True)
        with file.open("a", encoding="utf-8") as fh:
            fh.write(text)
        self.git("add", "--", path)
        self.git("commit", "--quiet", "-m", subject)
        if push:
            self.git("push", "--quiet", "origin", "main")
        return self.git("rev-parse", "HEAD")

    def squash_merge(self, branch: str, subject: str) -> str:
        """Merge ``branch`` into main as one squashed commit (as GitHub does), and push."""
        self.git("merge", "--squash", "--quiet", branch)
        self.git("commit", "--quiet", "-m", subject)
        self.git("push", "--quiet", "origin", "main")
        return self.git("rev-parse", "HEAD")

    def tags(self, package: str) -> dict[str, str]:
        """tag -> peeled commit in the package repository."""
        out = self.pkg_git(package, "for-each-ref", "--format=%(refname:strip=2)", "refs/tags")
        return {t: self.pkg_git(package, "rev-parse", f"{t}^{{commit}}") for t in out.split()}


def make_monorepo(
    root: Path,
    *,
    empty: Iterable[str] = (),
    legacy: Mapping[str, Iterable[str]] | None = None,
) -> Monorepo:
    """The sandbox: this repository's committed HEAD as origin/main, a clone, and the
    package repositories (``empty`` ones, and ``legacy`` ones with old tags)."""
    repos = root / "repos"
    repos.mkdir(parents=True)
    gitconfig = write_gitconfig(root / "gitconfig", repos)
    env = clean_env({"GIT_CONFIG_GLOBAL": str(gitconfig), "GIT_CONFIG_NOSYSTEM": "1"})
    origin = root / "origin.git"
    git("init", "--quiet", "--bare", "--initial-branch=main", str(origin), cwd=root, env=env)
    head = git("rev-parse", "HEAD", cwd=ROOT, env=env)
    # Pushing to a path creates no ref in this repository.
    git("push", "--quiet", str(origin), f"{head}:refs/heads/main", cwd=ROOT, env=env)
    work = root / "work"
    git("clone", "--quiet", str(origin), str(work), cwd=root, env=env)
    for package in empty:
        bare = repos / repo_name(package)
        git("init", "--quiet", "--bare", "--initial-branch=main", str(bare), cwd=root, env=env)
    for package, tags in (legacy or {}).items():
        make_package_repo(
            repos,
            package,
            PACKAGES[package]["repository"],
            ROOT / PACKAGES[package]["directory"],
            list(tags),
            internal=PACKAGES,
        )
    return Monorepo(root, origin, work, repos, gitconfig)


def run_cli(argv: list[str], cwd: Path, env: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    """``release-tool ARGV`` as a user runs it (a subprocess in ``cwd``)."""
    return subprocess.run(
        ["release-tool", *argv], cwd=cwd, env=dict(env), capture_output=True, text=True, check=False
    )
