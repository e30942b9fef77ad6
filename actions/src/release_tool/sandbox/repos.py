"""Bare package repositories holding synthetic releases, behind git ``insteadOf``.

A synthetic release is a copy of the package's directory with ``version`` equal to
the tag and internal requirements unbounded, as in the team's real old tags. The
repositories are named as their URLs end (``hello_world.git``) in one directory,
and a git config redirects each URL prefix there, so the real https URLs stay in
every file.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import tomlkit

from release_tool.adapters.git import run_git

# A fixed maintainer and clock: the same sandbox always yields the same commits.
MAINTAINER = {
    "GIT_AUTHOR_NAME": "Package Maintainer",
    "GIT_AUTHOR_EMAIL": "maintainer@example.invalid",
    "GIT_COMMITTER_NAME": "Package Maintainer",
    "GIT_COMMITTER_EMAIL": "maintainer@example.invalid",
    "GIT_AUTHOR_DATE": "2025-01-01T00:00:00Z",
    "GIT_COMMITTER_DATE": "2025-01-01T00:00:00Z",
}


def repo_dir_name(url: str) -> str:
    """The bare repository's directory name: the URL's last part (``hello_world.git``)."""
    return url.rstrip("/").rsplit("/", 1)[-1]


def url_prefix(url: str) -> str:
    """Everything before the repository name (``https://github.com/ORG/``)."""
    return url.rstrip("/").rsplit("/", 1)[0] + "/"


def _unbound_internal(requirement: str, internal: Iterable[str]) -> str:
    name = re.split(r"[<>=!~;\[ ]", requirement, maxsplit=1)[0].strip()
    return name if name in set(internal) else requirement


def synthesize_package(
    source: Path,
    dest: Path,
    version: str,
    internal: Iterable[str],
    *,
    dependencies: list[str] | None = None,
    requires_python: str | None = None,
) -> None:
    """Copy a package directory with ``version`` set and internal requirements unbounded
    (``dependencies`` replaces them all; ``requires_python`` replaces that)."""
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(source, dest, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    pyproject = dest / "pyproject.toml"
    doc = tomlkit.parse(pyproject.read_text(encoding="utf-8"))
    project = doc["project"]
    project["version"] = version
    if dependencies is not None:
        project["dependencies"] = dependencies
    else:
        deps = project.get("dependencies", [])
        for i, req in enumerate(list(deps)):
            deps[i] = _unbound_internal(str(req), internal)
    if requires_python is not None:
        project["requires-python"] = requires_python
    pyproject.write_text(tomlkit.dumps(doc), encoding="utf-8")


@dataclass(frozen=True)
class PackageRepo:
    name: str
    bare: Path
    work: Path  # the maintainer's working repository the bare one is fed from
    source: Path  # the package directory synthetic releases are copied from
    tags: dict[str, str]  # tag -> peeled commit


def _replace_tree(work: Path, staged: Path) -> None:
    for child in work.iterdir():
        if child.name != ".git":
            shutil.rmtree(child) if child.is_dir() else child.unlink()
    shutil.copytree(staged, work, dirs_exist_ok=True)
    shutil.rmtree(staged)


def make_package_repo(
    repos_root: Path,
    name: str,
    repo_url: str,
    source: Path,
    tags: Iterable[str],
    *,
    internal: Iterable[str],
    env: Mapping[str, str],
) -> PackageRepo:
    """A bare repo at ``repos_root/<repo name>`` with one commit and annotated tag per version."""
    internal = list(internal)
    bare = repos_root / repo_dir_name(repo_url)
    work = repos_root / ".work" / bare.name.removesuffix(".git")
    work.mkdir(parents=True)
    author = {**env, **MAINTAINER}
    run_git("init", "-q", "-b", "main", str(work), cwd=repos_root, env=env)
    repo = PackageRepo(name, bare, work, source, {})
    for tag in tags:
        synthesize_package(source, repos_root / ".stage", tag.removeprefix("v"), internal)
        _replace_tree(work, repos_root / ".stage")
        run_git("add", "-A", cwd=work, env=author)
        run_git("commit", "-q", "-m", f"release {tag}", cwd=work, env=author)
        run_git("tag", "-a", tag, "-m", f"{name} {tag}", cwd=work, env=author)
        repo.tags[tag] = run_git("rev-parse", "HEAD", cwd=work, env=env)
    run_git("clone", "-q", "--bare", str(work), str(bare), cwd=repos_root, env=env)
    return repo


def commit_release(
    repo: PackageRepo,
    tag: str,
    *,
    internal: Iterable[str],
    env: Mapping[str, str],
    version: str | None = None,
    dependencies: list[str] | None = None,
    requires_python: str | None = None,
    move: bool = False,
) -> str:
    """Commit a synthetic release of ``repo`` and tag it (annotated) in its bare repo.

    ``version`` is what pyproject.toml declares (default: the tag's version); ``move``
    re-points an existing tag (force-pushed), as a careless maintainer would. The commit.
    """
    stage = repo.bare.parent / ".stage"
    synthesize_package(
        repo.source,
        stage,
        version or tag.removeprefix("v"),
        internal,
        dependencies=dependencies,
        requires_python=requires_python,
    )
    _replace_tree(repo.work, stage)
    author = {**env, **MAINTAINER}
    force = ["-f"] if move else []
    run_git("add", "-A", cwd=repo.work, env=author)
    run_git("commit", "-q", "--allow-empty", "-m", f"release {tag}", cwd=repo.work, env=author)
    run_git("tag", "-a", *force, tag, "-m", f"{repo.name} {tag}", cwd=repo.work, env=author)
    run_git("push", "-q", *force, str(repo.bare), f"refs/tags/{tag}", cwd=repo.work, env=env)
    commit = run_git("rev-parse", "HEAD", cwd=repo.work, env=env)
    repo.tags[tag] = commit
    return commit


def write_gitconfig(path: Path, repos_root: Path, prefixes: Iterable[str]) -> Path:
    """A global git config redirecting each URL prefix to ``repos_root``."""
    redirects = "".join(
        f'[url "file://{repos_root}/"]\n\tinsteadOf = {prefix}\n'
        for prefix in sorted(set(prefixes))
    )
    path.write_text(
        redirects + "[user]\n\tname = Sandbox\n\temail = sandbox@example.invalid\n"
        '[init]\n\tdefaultBranch = main\n[protocol "file"]\n\tallow = always\n'
        "[commit]\n\tgpgsign = false\n[tag]\n\tgpgsign = false\n",
        encoding="utf-8",
    )
    return path
