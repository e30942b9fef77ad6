"""Write a small synthetic document dataset (all four tasks) to DIR; all of it is fake.

Classification and page ordering: DIR/<class>/images/<subset>/<image>.png, multi-page
documents in DIR/<class>/images/<subset>/<doc_id>/<page>.png (pages shuffled on disk),
and their reading order in DIR/<class>/jsons/<doc_id>.json. VQA: DIR/annotation.csv
and its pages under DIR/vqa/. Extraction: DIR/extraction.jsonl and passport-, INN- and
SNILS-like specimen forms under DIR/forms/. The same seed writes the same bytes.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from bench_utils.console import say
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
        "--vqa-documents-per-class",
        type=_count,
        default=2,
        metavar="N",
        help="VQA documents per class and split (3 or 4 questions each)",
    )
    parser.add_argument(
        "--forms-per-class",
        type=_count,
        default=3,
        metavar="N",
        help="extraction forms per class (passport, inn, snils)",
    )
    parser.add_argument(
        "--seed", type=int, default=0, metavar="N", help="seed of every random choice"
    )


def run(args: argparse.Namespace) -> int:
    spec = DemoSpec(
        args.images_per_class,
        args.documents_per_class,
        args.seed,
        args.vqa_documents_per_class,
        args.forms_per_class,
    )
    summary = make_demo_data(args.directory, spec)
    say(
        f"wrote {summary.images} images and {summary.documents} documents "
        f"({summary.pages} pages) for classes {', '.join(CLASSES)} in subsets "
        f"{', '.join(SUBSETS)}; {summary.questions} VQA questions on "
        f"{summary.vqa_documents} documents; {summary.forms} extraction forms; to "
        f"{args.directory}",
        "ok",
    )
    return 0
