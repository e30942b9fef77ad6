"""Print the GPU matrix: one JSON entry per (profile, backend) the GPU gate must run.

  release-tool matrix --env staging          # staging x every backend
  release-tool matrix --env changed --base origin/main
                                             # only the profiles the change touched; [] if none

Each entry holds the profile and its directory, the backend, its extra, the
CUDA version torch must report, the self-hosted runner labels and the job
timeout. In GitHub Actions (GITHUB_OUTPUT set) the list is also written as the
step outputs `matrix` and `profiles` (the changed profile names, JSON).
"""

from __future__ import annotations

import argparse
import json
import sys
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from release_tool.adapters.git_changes import changed_paths
from release_tool.adapters.step_output import write_outputs
from release_tool.core.matrix import (
    CHANGED,
    Backend,
    Profile,
    dump_matrix,
    plan_matrix,
    select_profiles,
)
from release_tool.errors import InputRejected


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--env",
        required=True,
        metavar="staging|prod|changed",
        help="a profile, or 'changed': the profiles whose directory differs from --base",
    )
    parser.add_argument(
        "--base",
        metavar="REF",
        help="with --env changed: the base commit or branch to compare with (default: "
        "origin/<default-branch>)",
    )
    parser.add_argument(
        "--root", type=Path, default=Path(), help="the monorepo checkout (default: .)"
    )


def _gpu_config(root: Path) -> tuple[list[Profile], list[Backend], str]:
    """Profiles, backends and default branch from ``[tool.release-tool]``."""
    path = root / "pyproject.toml"
    try:
        tool: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))["tool"][
            "release-tool"
        ]
        profiles = [
            Profile(name, str(cfg.get("directory", name))) for name, cfg in tool["profiles"].items()
        ]
        backends = [
            Backend(
                name=name,
                extra=str(cfg.get("extra", name)),
                cuda=str(cfg["cuda"]),
                runner_labels=tuple(str(label) for label in cfg["runner-labels"]),
                timeout_minutes=int(cfg["timeout-minutes"]),
            )
            for name, cfg in tool["backends"].items()
        ]
    except FileNotFoundError:
        raise InputRejected(f"no pyproject.toml in {root}: run from the monorepo root") from None
    except (KeyError, TypeError, ValueError) as exc:
        raise InputRejected(f"{path}: [tool.release-tool] lacks or mistypes {exc}") from None
    return profiles, backends, str(tool.get("default-branch", "main"))


def run(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    root: Path = args.root
    profiles, backends, default_branch = _gpu_config(root)
    paths = None
    if args.env == CHANGED:
        base = args.base or f"origin/{default_branch}"
        paths = changed_paths(root, base, [p.directory for p in profiles], env)
    elif args.base:
        raise InputRejected("--base applies only to --env changed")
    chosen = select_profiles(args.env, profiles, paths)
    entries = plan_matrix(chosen, backends)
    text = dump_matrix(entries)
    print(text)
    names = json.dumps([p.name for p in chosen], separators=(",", ":"))
    write_outputs({"matrix": text, "profiles": names}, env)
    print(
        f"{len(entries)} GPU job(s) for: {', '.join(p.name for p in chosen) or 'no profile'}",
        file=sys.stderr,
    )
    return 0
