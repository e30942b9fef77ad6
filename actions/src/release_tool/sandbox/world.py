"""A project's whole sandbox: package repositories at the tags its profiles pin, the
git config that redirects the project's repository URLs to them, stand-in indexes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from release_tool.core.config import Config
from release_tool.core.pyproject_edit import read_pins
from release_tool.sandbox.environment import sandbox_env
from release_tool.sandbox.indexes import make_standin_indexes
from release_tool.sandbox.repos import (
    PackageRepo,
    commit_release,
    make_package_repo,
    url_prefix,
    write_gitconfig,
)


@dataclass(frozen=True)
class World:
    root: Path
    repos: Path
    gitconfig: Path
    indexes: dict[str, Path] | None  # None: the real PyTorch indexes
    packages: dict[str, PackageRepo]
    internal: tuple[str, ...]
    base_env: Mapping[str, str]

    def env(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        return sandbox_env(self.base_env, self.gitconfig, self.indexes, extra)

    def release(self, package: str, tag: str, **changes: object) -> str:
        """A new synthetic release of ``package`` tagged ``tag`` (see ``commit_release``)."""
        return commit_release(
            self.packages[package],
            tag,
            internal=self.internal,
            env=self.env(),
            **changes,  # type: ignore[arg-type]
        )


def pinned_tags(project: Path, config: Config) -> dict[str, list[str]]:
    """package -> the tags the project's profiles pin today (profile order, no repeats)."""
    wanted: dict[str, list[str]] = {name: [] for name in config.packages}
    for profile in config.profiles.values():
        path = project / profile.directory / "pyproject.toml"
        if not path.is_file():
            continue
        for name, pin in read_pins(path.read_text(encoding="utf-8")).pins.items():
            if name in wanted and pin.tag not in wanted[name]:
                wanted[name].append(pin.tag)
    return wanted


def build_world(
    project: Path,
    config: Config,
    root: Path,
    base_env: Mapping[str, str],
    *,
    extra_tags: Mapping[str, Iterable[str]] | None = None,
    empty: Iterable[str] = (),
    standin_indexes: bool = True,
) -> World:
    """Repositories for every configured package holding the tags the profiles pin
    (plus ``extra_tags``); a package with no tag at all gets an ``empty`` repository
    when named there and none otherwise."""
    wanted = pinned_tags(project, config)
    for name, tags in (extra_tags or {}).items():
        wanted[name].extend(t for t in tags if t not in wanted[name])
    repos = root / "repos"
    repos.mkdir(parents=True)
    prefixes = {url_prefix(p.url) for p in config.packages.values()}
    gitconfig = write_gitconfig(root / "gitconfig", repos, prefixes)
    indexes = make_standin_indexes(root / "indexes") if standin_indexes else None
    world = World(root, repos, gitconfig, indexes, {}, tuple(config.packages), base_env)
    env = world.env()
    empty = set(empty)
    for name, package in config.packages.items():
        if wanted[name] or name in empty:
            world.packages[name] = make_package_repo(
                repos,
                name,
                package.url,
                project / package.directory,
                wanted[name],
                internal=config.packages,
                env=env,
            )
    return world
