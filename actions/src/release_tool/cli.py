"""``release-tool``: one parser, one error boundary.

Subcommands are modules under :mod:`release_tool.commands`, listed in
:data:`COMMANDS` and imported on use (``--help`` imports none); each is a
:class:`Command`. Every exit code is one of :data:`EXIT_CODES` (the table
docs/release-tool.md shows); the boundary is set up before any command is imported.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import traceback
from collections.abc import Mapping, Sequence
from typing import Protocol, cast, runtime_checkable

from release_tool.adapters import scratch, signals
from release_tool.errors import ReleaseToolError

# The exit codes of every command: code -> meaning (docs/release-tool.md shows this table).
EXIT_CODES: dict[int, str] = {
    0: "done",
    2: (
        "input rejected: the input, a flag, the configuration or a refused change is wrong"
        " (doctor: a setting is missing or unreadable)"
    ),
    1: (
        "operational failure: git, uv, the filesystem or a remote failed"
        " (doctor: GitHub unreachable), or a gate failed"
    ),
    3: "unexpected error (a bug)",
    130: "interrupted (Ctrl-C)",
    143: (
        "terminated (SIGTERM: CI cancellation, `timeout`); the running git or uv child gets "
        "SIGTERM too (killed after 10 s), the temporary worktree and directories are removed"
    ),
}


@runtime_checkable
class Command(Protocol):
    """A subcommand module: its docstring is its ``--help`` description."""

    def add_arguments(self, parser: argparse.ArgumentParser) -> None: ...

    def run(self, args: argparse.Namespace, env: Mapping[str, str]) -> int: ...


def load_command(name: str) -> Command:
    """The module of subcommand ``name`` (imported now)."""
    return cast(Command, importlib.import_module(COMMANDS[name][0]))


# name -> (module, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "intake": ("release_tool.commands.intake", "validate a repository_dispatch payload"),
    "promote": ("release_tool.commands.promote", "promote package tags into a profile"),
    "bump": (
        "release_tool.commands.bump",
        "bump a package's version on a bump/<package>-<version> branch",
    ),
    "publish": (
        "release_tool.commands.publish",
        "publish packages to their repositories: split, tag, push, notify",
    ),
    "matrix": ("release_tool.commands.matrix", "print the GPU job matrix (JSON)"),
    "gpu-result": ("release_tool.commands.gpu_result", "write one GPU job's result file"),
    "gate": ("release_tool.commands.gate", "decide the GPU gate from the jobs' results"),
    "relock": (
        "release_tool.commands.relock",
        "re-lock a profile without moving any internal pin (--upgrade: third-party updates)",
    ),
    "status": ("release_tool.commands.status", "per package: versions, tags, pins, pending"),
    "check": ("release_tool.commands.check", "offline consistency of config, profiles, locks"),
    "rehearse": (
        "release_tool.commands.rehearse",
        "rehearse the whole release flow locally in a throwaway directory",
    ),
    "images": ("release_tool.commands.images", "plan the Docker images of an environment"),
    "image-matrix": (
        "release_tool.commands.image_matrix",
        "decide which image variants to publish (the publish workflow's matrix)",
    ),
    "image-record": (
        "release_tool.commands.image_record",
        "write the record of one pushed image variant",
    ),
    "image-collect": (
        "release_tool.commands.image_collect",
        "collect and check the image records of a publish run; --tag moves the tags",
    ),
    "bases": (
        "release_tool.commands.bases",
        "pin the base images by index digest (--update, --check, --push)",
    ),
    "notify": ("release_tool.commands.notify", "send the dispatch that starts a promotion"),
    "refresh": (
        "release_tool.commands.refresh",
        "regenerate open release PRs on the current base head",
    ),
    "publish-bundle": (
        "release_tool.commands.publish_bundle",
        "check a prepare job's release bundle and publish it (push, PR)",
    ),
    "comment": ("release_tool.commands.comment", "create or update a sticky report comment"),
    "doctor": (
        "release_tool.commands.doctor",
        "check the pipeline's setup on GitHub and in the checkout (read-only)",
    ),
    "report-failure": (
        "release_tool.commands.report_failure",
        "open or update the issue of a failed promotion",
    ),
}


def one_line(message: str) -> str:
    """A message as one line: a tool's multi-line stderr joined with ' | '."""
    return " | ".join(line.strip() for line in message.splitlines() if line.strip())


def build_parser(selected: str | None = None) -> argparse.ArgumentParser:
    """The parser; with ``selected`` only that command's module is imported (the
    others are listed by name and help line), so ``--help`` and every run start fast."""
    parser = argparse.ArgumentParser(
        prog="release-tool",
        description="VLMHyperBench's tag-driven release pipeline.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (_, help_text) in COMMANDS.items():
        command = sub.add_parser(
            name, help=help_text, formatter_class=argparse.RawDescriptionHelpFormatter
        )
        if selected is None or name == selected:
            module = load_command(name)
            command.description = module.__doc__
            module.add_arguments(command)
            command.set_defaults(_module=module, _parser=command)
    return parser


def _selected(argv: Sequence[str]) -> str | None:
    """The command named in ``argv`` (the top level takes no option but --help)."""
    for word in argv:
        if not word.startswith("-"):
            return word if word in COMMANDS else None
    return None


def parse(argv: Sequence[str] | None, selected: str | None = None) -> argparse.Namespace:
    """The arguments; an unknown option is reported with its subcommand's usage (exit 2)."""
    args, unknown = build_parser(selected).parse_known_args(argv)
    if unknown:
        args._parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    return args


def main(argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None) -> int:
    # The boundary comes first: Ctrl-C or SIGTERM while the command's modules are
    # still being imported ends in one line too.
    words = list(sys.argv[1:] if argv is None else argv)
    name = _selected(words) or "?"
    try:
        with signals.terminating():
            try:
                args = parse(words, name)
                environ = dict(os.environ if env is None else env)
                command: Command = args._module
                return int(command.run(args, environ))
            finally:
                with signals.deferred():  # what a signal's timing left behind
                    scratch.remove_live()
    except ReleaseToolError as exc:
        print(f"release-tool {name}: {one_line(str(exc))}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"release-tool {name}: interrupted", file=sys.stderr)
        return 130
    except signals.Terminated:
        print(f"release-tool {name}: terminated (SIGTERM); cleaned up", file=sys.stderr)
        return signals.EXIT_CODE
    except Exception:  # noqa: BLE001 - the one boundary that reports bugs
        traceback.print_exc()
        print(
            f"release-tool {name}: unexpected error (a bug); see the traceback above",
            file=sys.stderr,
        )
        return 3


if __name__ == "__main__":
    sys.exit(main())
