"""Plan the Docker images of an environment from its lock and the current commit.

Prints the references each image gets (`<registry>/<image>:<profile>-<backend>`,
`...-<lock sha256, 12 hex>`, `sha-<commit 7>-...`, `dev`, `dev-<commit 7>`, and
`latest` for prod on the designated backend) and its labels. Without a profile
lock it prints the floating references, says "not yet locked" and exits 0.
`--bake FILE` writes a `docker buildx bake` file; `--export-dir DIR` writes the
third-party exports (pylock.toml) and internal pin lists the runtime build reads.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from release_tool.adapters import process
from release_tool.adapters.config_file import load_project_config
from release_tool.adapters.git import run_git
from release_tool.adapters.uv import uv_binary
from release_tool.commands.options import add_json_option, add_repo_option
from release_tool.core import bake as bake_core
from release_tool.core import images as core
from release_tool.core.config import Config
from release_tool.errors import InputRejected

BASE_IMAGES = Path("docker/base-images.toml")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--env", required=True, help="dev (the workspace) or a profile's images")
    parser.add_argument("--backend", help="one CUDA backend only (staging and prod)")
    add_json_option(parser)
    parser.add_argument("--bake", type=Path, metavar="FILE", help="write a buildx bake file")
    parser.add_argument(
        "--export-dir",
        type=Path,
        metavar="DIR",
        help="write the runtime exports under DIR/<profile>-<backend>/",
    )
    parser.add_argument("--commit", help="the monorepo commit (default: GITHUB_SHA, else HEAD)")
    parser.add_argument(
        "--created", help="OCI created timestamp (default: the commit's committer date)"
    )
    add_repo_option(parser)


def _commit_and_created(
    args: argparse.Namespace, root: Path, env: Mapping[str, str]
) -> tuple[str, str]:
    commit = args.commit or env.get("GITHUB_SHA")
    if not commit:
        commit = run_git("rev-parse", "HEAD", cwd=root, env=env, what="git rev-parse")
    commit = commit.strip().lower()
    created = args.created or run_git(
        "show", "-s", "--format=%cI", commit, cwd=root, env=env, what="git show"
    )
    return commit, created.strip()


def _base_images(root: Path) -> dict[str, str]:
    path = root / BASE_IMAGES
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except tomllib.TOMLDecodeError as exc:
        raise InputRejected(f"{path}: {exc}") from None
    result = {}
    for key, entry in data.items():
        image, digest = str(entry.get("image", "")), str(entry.get("digest", ""))
        result[key] = f"{image}@{digest}" if digest else image
    return result


def _read_lock(path: Path, packages: tuple[str, ...]) -> core.LockFacts | None:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    return core.read_lock_facts(text, packages)


def build_plan(
    args: argparse.Namespace, env: Mapping[str, str]
) -> tuple[core.ImagesPlan, core.LockFacts | None, Path, Config]:
    """The plan, the lock's facts (None: not locked), the project root and its config."""
    root, config = load_project_config(args.repo, env)
    settings = core.ImageSettings.from_config(config)
    internal = tuple(config.packages)
    python_version = (root / ".python-version").read_text(encoding="utf-8").strip()
    bases = _base_images(root)
    commit, created = _commit_and_created(args, root, env)
    if args.env == "dev":
        if args.backend:
            raise InputRejected("the dev image has one variant; --backend is for staging and prod")
        lock = _read_lock(root / "uv.lock", internal)
        plan = core.plan_dev(
            settings,
            lock,
            commit=commit,
            created=created,
            python_version=python_version,
            base_image=bases.get("dev"),
        )
        return plan, lock, root, config
    backends = tuple(config.backends.values())
    if args.backend:
        backends = tuple(b for b in backends if b.name == args.backend)
        if not backends:
            known = ", ".join(config.backends)
            raise InputRejected(f"unknown backend {args.backend!r}; configured: {known}")
    lock = _read_lock(root / config.profile(args.env).directory / "uv.lock", internal)
    plan = core.plan_runtime(
        settings,
        args.env,
        backends,
        lock,
        commit=commit,
        created=created,
        python_version=python_version,
        base_images=bases,
    )
    return plan, lock, root, config


def plan_to_json(plan: core.ImagesPlan, lock: core.LockFacts | None) -> dict[str, Any]:
    return {
        "env": plan.env,
        "status": plan.status,
        "locked": plan.locked,
        "lock_sha256": lock.sha256 if lock else None,
        "images": [
            {
                "target": image.target,
                "profile": image.profile,
                "backend": image.backend,
                "variant": image.variant,
                "repository": image.repository,
                "floating": list(image.floating),
                "immutable": list(image.immutable),
                "references": list(image.references),
                "labels": dict(image.labels),
                "build_args": dict(image.build_args),
                "cache": image.cache,
            }
            for image in plan.images
        ],
    }


def _print_text(plan: core.ImagesPlan, lock: core.LockFacts | None) -> None:
    state = f"lock {lock.short}" if lock else f"{core.NOT_LOCKED}: floating references only"
    print(f"{plan.env} images ({state})")
    for image in plan.images:
        print(f"  {image.variant}")
        for ref in image.references:
            kind = "floating" if ref.rpartition(":")[2] in image.floating else "immutable"
            print(f"    {ref}  ({kind})")


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    Path(tmp).replace(path)


def _check_bake(plan: core.ImagesPlan, root: Path) -> None:
    """Refuse a bake file whose base images are not pinned by digest."""
    for image in plan.images:
        base = image.build_args.get("BASE_IMAGE", "")
        if not core.is_pinned(base):
            raise InputRejected(
                f"the base image of {image.variant} ({base or 'none'}) is not pinned by digest;"
                f" write its digest into {root / BASE_IMAGES} (see docker/README.md)"
            )


def _write_bake(path: Path, plan: core.ImagesPlan, export_dir: str) -> None:
    bake = bake_core.render_bake(plan, export_dir=export_dir)
    _write_atomic(path, json.dumps(bake, indent=2, sort_keys=True) + "\n")


def _write_exports(
    directory: Path,
    *,
    plan: core.ImagesPlan,
    lock: core.LockFacts,
    config: Config,
    root: Path,
    env: Mapping[str, str],
) -> int:
    exports = bake_core.plan_exports(
        plan,
        lock,
        uv=uv_binary(env),
        project_dir=str(root / config.profile(plan.env).directory),
        internal_names=tuple(config.packages),
        export_dir=str(directory),
    )
    for export in exports:
        (directory / export.directory).mkdir(parents=True, exist_ok=True)
        process.run(export.argv, env=env, what=f"uv export for {export.directory}")
        _write_atomic(directory / export.directory / "internal.txt", export.internal)
    return len(exports)


def _context_relative(args: argparse.Namespace, root: Path) -> str:
    """EXPORT_DIR as the Dockerfile sees it: relative to the build context (the root)."""
    export_dir: Path = args.export_dir or root / "docker" / "exports"
    relative = Path(os.path.relpath(export_dir.resolve(), root.resolve()))
    if relative.parts[:1] == ("..",):
        raise InputRejected(f"--export-dir {export_dir} must lie inside the repository root")
    return relative.as_posix()


def run(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    plan, lock, root, config = build_plan(args, env)
    if args.json:
        print(json.dumps(plan_to_json(plan, lock), indent=2))
    else:
        _print_text(plan, lock)
    if lock is None:
        if args.bake or args.export_dir:
            print(f"{plan.env} is {core.NOT_LOCKED}: nothing written", file=sys.stderr)
        return 0
    # Everything that can refuse the options is checked before anything is written.
    context_dir = _context_relative(args, root) if args.bake is not None else ""
    if args.bake is not None:
        _check_bake(plan, root)
    if args.export_dir is not None:
        if plan.env == "dev":
            print("the dev image builds from the root lock: no export needed", file=sys.stderr)
        else:
            count = _write_exports(
                args.export_dir, plan=plan, lock=lock, config=config, root=root, env=env
            )
            print(f"wrote {count} export(s) under {args.export_dir}", file=sys.stderr)
    if args.bake is not None:
        _write_bake(args.bake, plan, context_dir)
        print(f"wrote {args.bake}", file=sys.stderr)
    return 0
