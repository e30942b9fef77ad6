"""Real stand-ins for GitHub and the PyTorch indexes (recipes in docs/testing.md).

The implementation lives in :mod:`release_tool.sandbox` (``release-tool rehearse``
and the benchmarks use the same code); this module binds it to this repository:

- package repositories: local bare git repos whose tags hold synthetic copies of
  a package (``version`` equal to the tag, internal requirements unbounded, as in
  the team's real old tags), reached through git's ``insteadOf`` so the project's
  real https://github.com URLs stay in its files;
- PyTorch indexes: PEP 503 trees of tiny labelled stand-in wheels, selected by
  index name through ``UV_INDEX``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path

from release_tool.core.config import Config
from release_tool.core.config import load_config as load_typed_config
from release_tool.sandbox import environment, repos
from release_tool.sandbox.environment import uv_index_env
from release_tool.sandbox.indexes import STANDIN_WHEELS, make_standin_indexes
from release_tool.sandbox.monorepo import clone_monorepo
from release_tool.sandbox.repos import PackageRepo, synthesize_package
from release_tool.sandbox.world import World, build_world

__all__ = [
    "GITHUB_PREFIX",
    "ROOT",
    "STANDIN_WHEELS",
    "PackageRepo",
    "Sandbox",
    "add_package_tag",
    "clean_env",
    "git",
    "load_config",
    "make_monorepo",
    "make_package_repo",
    "make_sandbox",
    "make_standin_indexes",
    "package_workdir",
    "profile_pins",
    "synthesize_package",
    "uv_index_env",
    "write_gitconfig",
]

ROOT = Path(__file__).resolve().parents[2]
GITHUB_PREFIX = "https://github.com/VLMHyperBenchTeam/"

Sandbox = World


def load_config(root: Path = ROOT) -> dict[str, object]:
    """``[tool.release-tool]`` as plain data (tests compare files against it)."""
    with (root / "pyproject.toml").open("rb") as fh:
        data = tomllib.load(fh)
    return data["tool"]["release-tool"]  # type: ignore[no-any-return]


def typed_config(root: Path = ROOT) -> Config:
    return load_typed_config((root / "pyproject.toml").read_text(encoding="utf-8"), {})


def clean_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for spawned tools: no GITHUB_*/RUNNER_* leaks from CI, plus ``extra``."""
    return environment.clean_env(os.environ, extra)


def checkout_files() -> list[str]:
    """This checkout's files as git sees them: tracked, and untracked but not ignored
    (a tracked file deleted in the working tree is listed; callers check it exists)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        env=clean_env(),
        capture_output=True,
        check=True,
    ).stdout.decode()
    return [name for name in listed.split("\0") if name]


def copy_checkout(dest: Path) -> Path:
    """The working tree's files (:func:`checkout_files`) copied into ``dest``, no ``.git``."""
    for name in checkout_files():
        source = ROOT / name
        if source.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    return dest


def git(*args: str, cwd: Path, env: Mapping[str, str] | None = None) -> str:
    done = subprocess.run(
        ["git", *args],
        cwd=cwd,
        env=clean_env(env),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise RuntimeError(f"git {' '.join(args)} failed in {cwd}: {done.stderr.strip()}")
    return done.stdout.strip()


def make_package_repo(  # noqa: PLR0917 - mirrors the repo's identity fields
    repos_root: Path,
    name: str,
    repo_url: str,
    source: Path,
    tags: Iterable[str],
    internal: Iterable[str],
) -> PackageRepo:
    """A bare repo at ``repos_root/<repo name>`` with one annotated tag per version."""
    env = clean_env({"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"})
    return repos.make_package_repo(
        repos_root, name, repo_url, source, tags, internal=internal, env=env
    )


def write_gitconfig(path: Path, repos_root: Path) -> Path:
    """A global git config redirecting the org's GitHub URLs to ``repos_root``."""
    return repos.write_gitconfig(path, repos_root, [GITHUB_PREFIX])


def profile_pins(profile_dir: Path) -> dict[str, str]:
    """package -> tag pinned by a profile pyproject."""
    with (profile_dir / "pyproject.toml").open("rb") as fh:
        sources = tomllib.load(fh)["tool"]["uv"]["sources"]
    return {
        name: src["tag"] for name, src in sources.items() if isinstance(src, dict) and "tag" in src
    }


def make_sandbox(
    root: Path, extra_tags: Mapping[str, Iterable[str]] | None = None, project: Path = ROOT
) -> Sandbox:
    """Package repos holding the tags both profiles pin today (plus ``extra_tags``)."""
    root.mkdir(parents=True, exist_ok=True)
    return build_world(project, typed_config(project), root, os.environ, extra_tags=extra_tags)


def package_workdir(repo: PackageRepo) -> Path:
    """The working repository the bare one is fed from."""
    return repo.work


def add_package_tag(
    sandbox: Sandbox,
    name: str,
    tag: str,
    *,
    version: str | None = None,
    dependencies: list[str] | None = None,
    requires_python: str | None = None,
    move: bool = False,
) -> str:
    """Commit a synthetic release of ``name`` and tag it (annotated) in its bare repo.

    ``version`` is what pyproject.toml declares (default: the tag's version);
    ``dependencies`` replaces the declared requirements; ``move`` re-points an
    existing tag (force-pushed), as a careless maintainer would. Returns the commit.
    """
    return sandbox.release(
        name,
        tag,
        version=version,
        dependencies=dependencies,
        requires_python=requires_python,
        move=move,
    )


def make_monorepo(sandbox: Sandbox, name: str = "mono", project: Path = ROOT) -> Path:
    """A bare clone of the committed project as ``origin`` and a working clone of it.

    The origin holds the project's HEAD as ``main``; the clone's real GitHub URLs are
    redirected to the sandbox's package repositories by the sandbox's gitconfig.
    """
    origin = sandbox.root / f"{name}-origin.git"
    return clone_monorepo(project, origin, sandbox.root / name, sandbox.env())
