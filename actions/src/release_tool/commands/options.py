"""The options several commands share, written once: the checkout, ``--json``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

REPO_HELP = "the monorepo checkout to work in (default: the current directory)"
JSON_HELP = "print the result as JSON on stdout (progress and reports go to stderr)"


class _DeprecatedRoot(argparse.Action):
    """``--root DIR``: the old spelling of ``--repo DIR``, kept for one release."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[Any] | None,
        option_string: str | None = None,
    ) -> None:
        print(
            f"release-tool {parser.prog.rsplit(' ', 1)[-1]}: --root is deprecated and will be "
            "removed in the next release; use --repo",
            file=sys.stderr,
        )
        setattr(namespace, self.dest, Path(str(values)))


def add_repo_option(parser: argparse.ArgumentParser) -> None:
    """``--repo DIR`` (into ``args.repo``); ``--root DIR`` still works, with a notice."""
    parser.add_argument("--repo", type=Path, default=Path(), metavar="DIR", help=REPO_HELP)
    parser.add_argument(
        "--root", dest="repo", action=_DeprecatedRoot, metavar="DIR", help="deprecated: --repo"
    )


def add_json_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help=JSON_HELP)
