"""Release-tool speed, measured side by side in one run (ratios, not timed tests).

1. ``promote`` of one tag vs the bare ``uv lock --upgrade-package`` it runs, on a
   sandbox with the real profiles (extras included, stand-in torch indexes):
   promote's own overhead = its total minus the time spent inside uv and git
   subprocesses (``adapters.process.run``, which runs every uv and git, is timed).
2. One promotion of K = 20 packages vs K = 1.
3. Sandboxes of N = 100 vs N = 6 packages: the same one-tag promotion.

Each figure is the median of ``--rounds`` runs. Usage:
  uv run python bench/release_flow.py [--rounds 3] [--keep DIR]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from release_tool.adapters import process, uv
from release_tool.adapters.git import run_git
from release_tool.core.config import Config, load_config
from release_tool.core.payload import Pin
from release_tool.core.plan import PromotionRequest
from release_tool.core.pyproject_edit import GitPin, rewrite_pins
from release_tool.operations.promotion import promote
from release_tool.operations.relocking import RelockRequest, relock
from release_tool.operations.workspace import Workspace
from release_tool.sandbox.monorepo import clone_monorepo
from release_tool.sandbox.world import World, build_world

ROOT = Path(__file__).resolve().parents[1]
PREFIX = "https://github.com/VLMHyperBenchTeam/"
SUBPROCESS: dict[str, float] = {"uv": 0.0, "git": 0.0}


def _timed_run(original: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(argv: Any, *args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return original(argv, *args, **kwargs)
        finally:
            kind = "uv" if Path(str(argv[0])).name == "uv" else "git"
            SUBPROCESS[kind] += time.perf_counter() - start

    return wrapper


process.run = _timed_run(process.run)
uv.run = process.run  # type: ignore[attr-defined]


@contextmanager
def quiet() -> Iterator[None]:
    """process.run echoes each command on stderr; keep the report readable."""
    with Path(os.devnull).open("w") as sink, contextlib.redirect_stderr(sink):
        yield


def synthetic_project(dest: Path, extra: int) -> Path:
    """This repository's config, profiles and packages plus ``extra`` tiny packages
    ``syn-NNN`` pinned at 0.1.0 in both profiles; committed as a git repository."""
    dest.mkdir(parents=True)
    for rel in ("pyproject.toml", "staging/pyproject.toml", "prod/pyproject.toml"):
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / rel, dest / rel)
    shutil.copytree(
        ROOT / "packages",
        dest / "packages",
        ignore=shutil.ignore_patterns("tests", "__pycache__", "*.png"),
    )
    names = [f"syn-{i:03d}" for i in range(1, extra + 1)]
    config_lines = []
    for name in names:
        module = name.replace("-", "_")
        package = dest / "packages" / module
        (package / "src" / module).mkdir(parents=True)
        (package / "src" / module / "__init__.py").write_text("", encoding="utf-8")
        (package / "pyproject.toml").write_text(
            f'[project]\nname = "{name}"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n'
            'dependencies = []\n\n[build-system]\nrequires = ["hatchling>=1.27"]\n'
            'build-backend = "hatchling.build"\n\n[tool.hatch.build.targets.wheel]\n'
            f'packages = ["src/{module}"]\n',
            encoding="utf-8",
        )
        config_lines.append(
            f'\n[tool.release-tool.packages.{name}]\nrepository = "{PREFIX}{module}.git"\n'
            f'directory = "packages/{module}"\nmanaged-since = "0.0.1"\n'
        )
    with (dest / "pyproject.toml").open("a", encoding="utf-8") as fh:
        fh.write("".join(config_lines))
    pins = {n: GitPin(f"{PREFIX}{n.replace('-', '_')}.git", "0.1.0") for n in names}
    for profile in ("staging", "prod"):
        path = dest / profile / "pyproject.toml"
        path.write_text(rewrite_pins(path.read_text(encoding="utf-8"), pins), encoding="utf-8")
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    env |= {"GIT_AUTHOR_NAME": "b", "GIT_AUTHOR_EMAIL": "b@x.invalid"}
    env |= {"GIT_COMMITTER_NAME": "b", "GIT_COMMITTER_EMAIL": "b@x.invalid"}
    run_git("init", "-q", "-b", "main", cwd=dest, env=env)
    run_git("add", "-A", cwd=dest, env=env)
    run_git("commit", "-q", "-m", "synthetic project", cwd=dest, env=env)
    return dest


class Bench:
    """A sandbox for one project with staging first-locked and merged into main."""

    def __init__(self, root: Path, project: Path) -> None:
        self.config: Config = load_config((project / "pyproject.toml").read_text("utf-8"), {})
        self.world: World = build_world(project, self.config, root / "sandbox", os.environ)
        self.env = self.world.env()
        self.mono = clone_monorepo(project, root / "origin.git", root / "mono", self.env)
        self.workspace = Workspace(self.mono, self.config, self.env)
        first = relock(self.workspace, RelockRequest("staging"))
        run_git("merge", "-q", "--ff-only", first.branch, cwd=self.mono, env=self.env)

    def promote(self, tags: dict[str, str]) -> tuple[float, float, float]:
        """(total, uv, git) seconds of one promotion; its branch is deleted afterwards."""
        pins = tuple(Pin(n, t, None, self.config.packages[n].slug) for n, t in tags.items())
        SUBPROCESS.update(uv=0.0, git=0.0)
        start = time.perf_counter()
        outcome = promote(self.workspace, PromotionRequest("staging", pins))
        total = time.perf_counter() - start
        assert outcome.status == "committed", outcome.status
        run_git("branch", "-q", "-D", outcome.branch, cwd=self.mono, env=self.env)
        return total, SUBPROCESS["uv"], SUBPROCESS["git"]

    def bare_lock(self, package: str, tag: str) -> float:
        """``uv lock --upgrade-package`` on the profile as promote rewrites it."""
        work = Path(tempfile.mkdtemp(prefix="bare-lock-"))
        try:
            shutil.copytree(self.mono / "staging", work / "staging")
            path = work / "staging" / "pyproject.toml"
            url = self.config.packages[package].url
            path.write_text(
                rewrite_pins(path.read_text("utf-8"), {package: GitPin(url, tag)}), "utf-8"
            )
            start = time.perf_counter()
            uv.lock(work / "staging", [package], self.env, label="bare")
            return time.perf_counter() - start
        finally:
            shutil.rmtree(work, ignore_errors=True)


def median(values: list[float]) -> float:
    return statistics.median(values)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="keep the sandboxes in this directory")
    args = parser.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="bench-release-flow-"))
    try:
        with quiet():
            real = Bench(root / "n6", ROOT)
            real.world.release("hello-world", "0.2.1")
            runs = [real.promote({"hello-world": "0.2.1"}) for _ in range(args.rounds)]
            bare = median([real.bare_lock("hello-world", "0.2.1") for _ in range(args.rounds)])
            big = Bench(root / "n100", synthetic_project(root / "project-n100", 94))
            big.world.release("hello-world", "0.2.1")
            n100 = median([big.promote({"hello-world": "0.2.1"})[0] for _ in range(args.rounds)])
            syn = [f"syn-{i:03d}" for i in range(1, 21)]
            many = Bench(root / "k20", synthetic_project(root / "project-k20", 20))
            for name in syn:
                many.world.release(name, "0.1.1")
            k1 = median([many.promote({syn[0]: "0.1.1"})[0] for _ in range(args.rounds)])
            k20 = median([many.promote(dict.fromkeys(syn, "0.1.1"))[0] for _ in range(args.rounds)])
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)
    total = median([r[0] for r in runs])
    in_uv = median([r[1] for r in runs])
    in_git = median([r[2] for r in runs])
    overhead = median([r[0] - r[1] - r[2] for r in runs])
    print(f"median of {args.rounds} rounds each")
    print(f"1. promote hello-world 0.2.1 (real profiles, N=6): {total:.2f} s")
    print(
        f"   inside uv {in_uv:.2f} s, inside git {in_git:.2f} s, promote's own {overhead:.2f} s"
        f" (target <= 0.5 s)"
    )
    print(f"   bare uv lock --upgrade-package hello-world: {bare:.2f} s")
    print(f"   promote / bare uv lock = {total / bare:.1f}x")
    print(
        f"2. one promotion, K=20 packages: {k20:.2f} s; K=1: {k1:.2f} s; "
        f"K20/K1 = {k20 / k1:.2f}x (target <= 2x)"
    )
    print(
        f"3. one-tag promotion, N=100 packages: {n100:.2f} s; N=6: {total:.2f} s; "
        f"N100/N6 = {n100 / total:.2f}x (target <= 3x)"
    )


if __name__ == "__main__":
    main()
