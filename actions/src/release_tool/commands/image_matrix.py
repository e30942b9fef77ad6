"""Decide which image variants to publish: the publish workflow's build matrix (JSON).

  release-tool image-matrix                    every env: dev, staging, prod
  release-tool image-matrix --env staging      one env (workflow_dispatch)

A variant (`dev`; `<profile>-<backend>`) is published when its inputs changed since
its last successful publication: the org.opencontainers.image.revision label of its
floating tag, read from the registry. No floating tag yet: published. Its last smoke
failed (so the tag still names an older revision): published again, its sibling not.
An env whose profile has no uv.lock yet is skipped with a notice. Each entry carries the
variant's name, env, backend, the smoke backend and the GPU runner labels from
[tool.release-tool]; the list is `[]` when nothing is to be published. In GitHub
Actions it is also the step output `matrix`.
Exit codes: 0 done, 2 input rejected, 1 registry/git failure, 3 bug, 130 interrupted.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from pathlib import Path

from release_tool.adapters.actions_io import append_step_summary, write_step_outputs
from release_tool.adapters.config_file import load_project_config
from release_tool.adapters.git import git_result, git_succeeds, run_git
from release_tool.adapters.registry import RegistryClient
from release_tool.commands.options import add_repo_option
from release_tool.core import image_publication as publication
from release_tool.core.images import ImageSettings, repository_of
from release_tool.core.oci import parse_mirrors, parse_reference
from release_tool.errors import OperationalError

ENVS = ("dev", "staging", "prod")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--env", default="all", choices=("all", *ENVS), help="which env's images (default: all)"
    )
    parser.add_argument(
        "--mirror",
        action="append",
        default=[],
        metavar="REGISTRY=URL",
        help="ask URL instead of REGISTRY for the floating tags (repeatable)",
    )
    add_repo_option(parser)


def _changed(
    root: Path, old: str, head: str, paths: tuple[str, ...], env: Mapping[str, str]
) -> bool | None:
    if not git_succeeds("cat-file", "-e", f"{old}^{{commit}}", cwd=root, env=env):
        return None
    done = git_result("diff", "--quiet", old, head, "--", *paths, cwd=root, env=env, check=False)
    if done.returncode not in {0, 1}:
        raise OperationalError(f"git diff {old[:10]} {head[:10]} failed: {done.stderr.strip()}")
    return done.returncode == 1


def _notice(env: Mapping[str, str], message: str) -> None:
    print(f"release-tool: {message}", file=sys.stderr)
    if env.get("GITHUB_ACTIONS") == "true":
        print(f"::notice title=image-matrix::{message}")
        append_step_summary(env, f"- {message}")


def run(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    root, config = load_project_config(args.repo, env)
    head = run_git("rev-parse", "HEAD", cwd=root, env=env, what="git rev-parse HEAD")
    repository = repository_of(ImageSettings.from_config(config))
    client = RegistryClient(parse_mirrors(args.mirror), env=env)
    chosen = ENVS if args.env == "all" else (args.env,)
    entries = []
    for name in chosen:
        if name != "dev" and not (root / config.profile(name).directory / "uv.lock").is_file():
            _notice(env, f"{name} is not yet locked: no {name} image to publish")
            continue
        for variant in publication.variants(config, name):
            labels = client.labels(parse_reference(f"{repository}:{variant.floating}"))
            published = (labels or {}).get(publication.REVISION_LABEL) or None
            changed = None
            if published is not None and published != head:
                changed = _changed(root, published, head, variant.inputs, env)
            decision = publication.decide(variant, published, head, changed)
            verdict = "publish" if decision.publish else "skip"
            print(f"release-tool: {variant.name}: {verdict} ({decision.reason})", file=sys.stderr)
            if decision.publish:
                entries.append(variant.to_json())
    text = publication.dump(entries)
    print(text)
    write_step_outputs(env, {"matrix": text})
    return 0
