"""A mistyped option is reported with the usage of the subcommand it was given to."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest
from release_tool.cli import COMMANDS, build_parser, main

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_an_unknown_option_prints_its_subcommands_usage(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as raised:
        main([command, "--no-such-option"], env={})
    assert raised.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(f"usage: release-tool {command} ")
    # the subcommand's parser reports it (a missing required option comes first)
    assert f"\nrelease-tool {command}: error: " in err


def test_the_unknown_option_is_named(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["status", "--jsn"], env={})
    err = capsys.readouterr().err
    assert err.startswith("usage: release-tool status [-h] [--json]")
    assert "release-tool status: error: unrecognized arguments: --jsn" in err


def test_an_unknown_command_prints_the_top_level_usage(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as raised:
        main(["stats"], env={})
    assert raised.value.code == 2
    assert capsys.readouterr().err.startswith("usage: release-tool [-h] COMMAND")


def _help(command: str) -> str:
    subparsers = build_parser()._subparsers
    assert subparsers is not None
    (action,) = subparsers._group_actions
    return str(action.choices[command].format_help())  # type: ignore[attr-defined]


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_help_examples_keep_their_line_continuations(command: str) -> None:
    text = _help(command)
    # a backslash-newline eaten by Python joins two example lines: "staging       --run-url"
    assert not re.search(r"\S {4,}--[a-z]", text), text
    for line, following in itertools.pairwise(text.splitlines()):
        if line.rstrip().endswith("\\"):
            assert following.startswith("      "), (line, following)


def test_comment_examples_use_the_kind_gpu_yml_posts() -> None:
    workflow = (ROOT / ".github" / "workflows" / "gpu.yml").read_text(encoding="utf-8")
    kinds = set(re.findall(r"^\s+kind: (\S+)$", workflow, re.MULTILINE))
    assert kinds == {"gpu"}
    documented = _help("comment") + (ROOT / "docs" / "github.md").read_text(encoding="utf-8")
    assert set(re.findall(r"--kind[ =]([a-z0-9._-]+)", documented)) == kinds
