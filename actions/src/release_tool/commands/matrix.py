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
from collections.abc import Mapping

from release_tool.adapters.actions_io import write_step_outputs
from release_tool.adapters.config_file import load_project_config
from release_tool.adapters.git_changes import changed_paths
from release_tool.commands.options import add_repo_option
from release_tool.core.matrix import CHANGED, dump_matrix, plan_matrix, select_profiles
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
    add_repo_option(parser)


def run(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    root, config = load_project_config(args.repo, env)
    profiles = list(config.profiles.values())
    paths = None
    if args.env == CHANGED:
        base = args.base or f"origin/{config.default_branch}"
        paths = changed_paths(root, base, [p.directory for p in profiles], env)
    elif args.base:
        raise InputRejected("--base applies only to --env changed")
    chosen = select_profiles(args.env, profiles, paths)
    entries = plan_matrix(chosen, list(config.backends.values()))
    text = dump_matrix(entries)
    print(text)
    names = json.dumps([p.name for p in chosen], separators=(",", ":"))
    write_step_outputs(env, {"matrix": text, "profiles": names})
    print(
        f"{len(entries)} GPU job(s) for: {', '.join(p.name for p in chosen) or 'no profile'}",
        file=sys.stderr,
    )
    return 0
