"""List the model families installed here (entry-point group vlmhyperbench.models)."""

from __future__ import annotations

import argparse
import json

from model_interface import available_families
from print_utils import print_table


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")


def run(args: argparse.Namespace) -> int:
    families = {name: ep.value for name, ep in sorted(available_families().items())}
    if args.json:
        print(json.dumps(families, sort_keys=True))
    else:
        print_table(("family", "implementation"), families.items(), title="model families")
    return 0
