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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from release_tool.adapters import process
from release_tool.core import bake as bake_core
from release_tool.core import images as core
from release_tool.errors import InputRejected

ENVS = ("dev", "staging", "prod")
BASE_IMAGES = Path("docker/base-images.toml")


@dataclass(frozen=True)
class _Config:
    """The part of ``[tool.release-tool]`` images need (the shared loader replaces this)."""

    settings: core.ImageSettings
    backends: tuple[core.Backend, ...]
    packages: tuple[str, ...]
    profiles: Mapping[str, str]  # profile -> directory


def _table(data: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
    value = data.get(key)
    if not isinstance(value, Mapping):
        raise InputRejected(f"pyproject.toml: [{where}.{key}] is missing or not a table")
    return value


def _string(data: Mapping[str, Any], key: str, where: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise InputRejected(f"pyproject.toml: {where}.{key} must be a non-empty string")
    return value


def load_config(root: Path, env: Mapping[str, str]) -> _Config:
    try:
        data = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InputRejected(f"cannot read {root / 'pyproject.toml'}: {exc}") from None
    where = "tool.release-tool"
    config = _table(data.get("tool", {}), "release-tool", "tool")
    images = _table(config, "images", where)
    repository = env.get("GITHUB_REPOSITORY") or _string(config, "repository", where)
    settings = core.ImageSettings(
        registry=_string(images, "registry", f"{where}.images"),
        name=_string(images, "name", f"{where}.images"),
        latest_backend=_string(images, "latest-backend", f"{where}.images"),
        source=f"https://github.com/{repository}",
    )
    backends = tuple(
        core.Backend(
            name,
            _string(cfg, "extra", f"{where}.backends.{name}"),
            _string(cfg, "cuda", f"{where}.backends.{name}"),
        )
        for name, cfg in _table(config, "backends", where).items()
    )
    if settings.latest_backend not in {b.name for b in backends}:
        raise InputRejected(
            f"pyproject.toml: images.latest-backend {settings.latest_backend!r} is not a backend"
        )
    profiles = {
        name: _string(cfg, "directory", f"{where}.profiles.{name}")
        for name, cfg in _table(config, "profiles", where).items()
    }
    packages = tuple(_table(config, "packages", where))
    return _Config(settings, backends, packages, profiles)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--env", required=True, choices=ENVS, help="which images to plan")
    parser.add_argument("--backend", help="one CUDA backend only (staging and prod)")
    parser.add_argument("--json", action="store_true", help="print the plan as JSON")
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
    parser.add_argument("--root", type=Path, default=Path(), help="repository root (default: .)")


def _git(root: Path, env: Mapping[str, str], *args: str) -> str:
    return process.run(["git", *args], cwd=root, env=env, what=f"git {args[0]}", echo=None).stdout


def _commit_and_created(args: argparse.Namespace, env: Mapping[str, str]) -> tuple[str, str]:
    commit = args.commit or env.get("GITHUB_SHA") or _git(args.root, env, "rev-parse", "HEAD")
    commit = commit.strip().lower()
    created = args.created or _git(args.root, env, "show", "-s", "--format=%cI", commit).strip()
    return commit, created


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
) -> tuple[core.ImagesPlan, core.LockFacts | None, _Config]:
    root: Path = args.root
    config = load_config(root, env)
    python_version = (root / ".python-version").read_text(encoding="utf-8").strip()
    bases = _base_images(root)
    commit, created = _commit_and_created(args, env)
    if args.env == "dev":
        if args.backend:
            raise InputRejected("the dev image has one variant; --backend is for staging and prod")
        lock = _read_lock(root / "uv.lock", config.packages)
        plan = core.plan_dev(
            config.settings,
            lock,
            commit=commit,
            created=created,
            python_version=python_version,
            base_image=bases.get("dev"),
        )
        return plan, lock, config
    backends = config.backends
    if args.backend:
        backends = tuple(b for b in backends if b.name == args.backend)
        if not backends:
            known = ", ".join(b.name for b in config.backends)
            raise InputRejected(f"unknown backend {args.backend!r}; configured: {known}")
    if args.env not in config.profiles:
        raise InputRejected(f"profile {args.env!r} is not configured in [tool.release-tool]")
    lock = _read_lock(root / config.profiles[args.env] / "uv.lock", config.packages)
    plan = core.plan_runtime(
        config.settings,
        args.env,
        backends,
        lock,
        commit=commit,
        created=created,
        python_version=python_version,
        base_images=bases,
    )
    return plan, lock, config


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


def _write_bake(path: Path, plan: core.ImagesPlan, root: Path, export_dir: str) -> None:
    for image in plan.images:
        base = image.build_args.get("BASE_IMAGE", "")
        if not core.is_pinned(base):
            raise InputRejected(
                f"the base image of {image.variant} ({base or 'none'}) is not pinned by digest;"
                f" write its digest into {root / BASE_IMAGES} (see docker/README.md)"
            )
    bake = bake_core.render_bake(plan, export_dir=export_dir)
    _write_atomic(path, json.dumps(bake, indent=2, sort_keys=True) + "\n")


def _write_exports(
    directory: Path,
    *,
    plan: core.ImagesPlan,
    lock: core.LockFacts,
    config: _Config,
    root: Path,
    env: Mapping[str, str],
) -> int:
    exports = bake_core.plan_exports(
        plan,
        lock,
        uv=env.get("UV") or "uv",
        project_dir=str(root / config.profiles[plan.env]),
        internal_names=config.packages,
        export_dir=str(directory),
    )
    for export in exports:
        (directory / export.directory).mkdir(parents=True, exist_ok=True)
        process.run(export.argv, env=env, what=f"uv export for {export.directory}", echo=sys.stderr)
        _write_atomic(directory / export.directory / "internal.txt", export.internal)
    return len(exports)


def _context_relative(args: argparse.Namespace) -> str:
    """EXPORT_DIR as the Dockerfile sees it: relative to the build context (the root)."""
    export_dir: Path = args.export_dir or args.root / "docker" / "exports"
    relative = Path(os.path.relpath(export_dir.resolve(), args.root.resolve()))
    if relative.parts[:1] == ("..",):
        raise InputRejected(f"--export-dir {export_dir} must lie inside the repository root")
    return relative.as_posix()


def run(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    plan, lock, config = build_plan(args, env)
    if args.json:
        print(json.dumps(plan_to_json(plan, lock), indent=2))
    else:
        _print_text(plan, lock)
    if lock is None:
        if args.bake or args.export_dir:
            print(f"{plan.env} is {core.NOT_LOCKED}: nothing written", file=sys.stderr)
        return 0
    if args.export_dir is not None:
        if plan.env == "dev":
            print("the dev image builds from the root lock: no export needed", file=sys.stderr)
        else:
            count = _write_exports(
                args.export_dir, plan=plan, lock=lock, config=config, root=args.root, env=env
            )
            print(f"wrote {count} export(s) under {args.export_dir}", file=sys.stderr)
    if args.bake is not None:
        _write_bake(args.bake, plan, args.root, _context_relative(args))
        print(f"wrote {args.bake}", file=sys.stderr)
    return 0
