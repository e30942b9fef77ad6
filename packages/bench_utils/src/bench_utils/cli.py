"""The ``vlmhb`` command line: one parser, one error boundary.

Subcommands live in their own modules and register themselves in
:data:`SUBCOMMANDS` (name -> module path); each module exposes
``add_arguments(parser)`` and ``run(args) -> int``. Modules import lazily so
``vlmhb --help`` never imports torch.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version

from model_interface import ModelError
from prompt_handler import PromptError

from bench_utils.console import say_error
from bench_utils.errors import UsageError

# Each error type the boundary reports in one sentence, and its exit code (first match).
EXIT_CODES: tuple[tuple[type[Exception], int], ...] = (
    (UsageError, 2),
    (PromptError, 2),
    (ModelError, 1),
)

SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "families": ("bench_utils.commands.families", "list the installed model families"),
    "run": ("bench_utils.commands.run", "run a benchmark task on a dataset and write a report"),
    "make-demo-data": (
        "bench_utils.commands.make_demo_data",
        "write a small synthetic document dataset",
    ),
    "smoke": ("bench_utils.commands.smoke", "check torch, the device and a model generating"),
}


def _version() -> str:
    try:
        return version("bench-utils")
    except PackageNotFoundError:
        return "0+unknown"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vlmhb",
        description="VLMHyperBench: evaluate vision-language models on document tasks.",
    )
    parser.add_argument("--version", action="version", version=f"vlmhb {_version()}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (module_path, help_text) in SUBCOMMANDS.items():
        module = importlib.import_module(module_path)
        command = sub.add_parser(name, help=help_text, description=module.__doc__)
        module.add_arguments(command)
        command.set_defaults(_module=module)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args._module.run(args))
    except tuple(error for error, _ in EXIT_CODES) as exc:
        say_error(str(exc))
        return next(code for error, code in EXIT_CODES if isinstance(exc, error))
    except KeyboardInterrupt:
        say_error("interrupted")
        return 130


if __name__ == "__main__":
    sys.exit(main())
