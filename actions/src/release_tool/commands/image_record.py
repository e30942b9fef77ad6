"""Write the record of one pushed image variant, for the publish workflow's later jobs.

  release-tool images --env staging --backend cu124 --json --bake docker-bake.json > plan.json
  (bake builds and pushes by digest; its `metadata` output goes to --metadata)
  release-tool image-record --variant staging-cu124 --plan plan.json --metadata - --dir records

Writes DIR/smoke-<variant>.json: the variant's matrix entry (env, backend, smoke backend,
runner labels), its repository, the pushed digest and the tags to move after the smoke
run. The file name is unique per variant, so the collect job can download every record
into one directory (download-artifact with merge-multiple).
Exit codes: 0 done, 2 input rejected (no digest for the variant in the metadata), 1
filesystem failure, 3 bug, 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from pathlib import Path

from release_tool.adapters.config_file import load_project_config
from release_tool.commands.context import read_input
from release_tool.commands.options import add_repo_option
from release_tool.core import image_publication as publication
from release_tool.core.json_text import parse_json
from release_tool.errors import InputRejected


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--variant", required=True, help="dev or <profile>-<backend>")
    parser.add_argument("--plan", required=True, help="`release-tool images --json` output")
    parser.add_argument("--metadata", required=True, help="bake's metadata JSON file, or -")
    parser.add_argument("--dir", type=Path, required=True, help="where to write the record")
    add_repo_option(parser)


def run(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    _, config = load_project_config(args.repo, env)
    env_name = "dev" if args.variant == "dev" else args.variant.rsplit("-", 1)[0]
    if env_name not in ("dev", *config.profiles):
        raise InputRejected(f"{args.variant!r} is not dev or <profile>-<backend>")
    variant = next(
        (v for v in publication.variants(config, env_name) if v.name == args.variant), None
    )
    if variant is None:
        raise InputRejected(f"{args.variant!r} is not an image variant of {env_name}")
    plan = parse_json(read_input(args.plan), args.plan)
    metadata = parse_json(read_input(args.metadata), "the bake metadata")
    images = [i for i in plan.get("images", []) if i.get("floating", [None])[0] == variant.name]
    if len(images) != 1:
        raise InputRejected(f"{args.plan} holds no image plan of {variant.name}")
    record = publication.make_record(variant.to_json(), images[0], metadata)
    path = args.dir / publication.record_file(variant.name)
    args.dir.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(f"release-tool: wrote {path}", file=sys.stderr)
    return 0
