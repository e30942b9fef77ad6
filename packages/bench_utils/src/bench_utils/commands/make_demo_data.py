"""Write a small synthetic document dataset (classification and page ordering) to DIR.

Layout: DIR/<class>/images/<subset>/<image>.png, multi-page documents in
DIR/<class>/images/<subset>/<doc_id>/<page>.png (pages shuffled on disk), and their
reading order in DIR/<class>/jsons/<doc_id>.json.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from print_utils import print_status

from bench_utils.demo_data import CLASSES, SUBSETS, DemoSpec, make_demo_data


def _count(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text} is negative")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("directory", type=Path, metavar="DIR", help="where to write (new or empty)")
    parser.add_argument(
        "--images-per-class",
        type=_count,
        default=4,
        metavar="N",
        help="single images per class and subset",
    )
    parser.add_argument(
        "--documents-per-class",
        type=_count,
        default=2,
        metavar="N",
        help="multi-page documents per class and subset",
    )
    parser.add_argument(
        "--seed", type=int, default=0, metavar="N", help="seed of every random choice"
    )


def run(args: argparse.Namespace) -> int:
    spec = DemoSpec(args.images_per_class, args.documents_per_class, args.seed)
    summary = make_demo_data(args.directory, spec)
    print_status(
        f"wrote {summary.images} images and {summary.documents} documents "
        f"({summary.pages} pages) for classes {', '.join(CLASSES)} in subsets "
        f"{', '.join(SUBSETS)} to {args.directory}",
        "ok",
    )
    return 0
