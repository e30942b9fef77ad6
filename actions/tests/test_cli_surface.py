"""The CLI's shared surface: the exit-code table, ``--repo`` everywhere, one ``--json``."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest
from release_tool.cli import COMMANDS, EXIT_CODES, Command, build_parser, load_command, main
from release_tool.commands.options import JSON_HELP

from tests.support.sandbox import clean_env

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _subparsers() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    (sub,) = (a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


def _options(parser: argparse.ArgumentParser) -> dict[str, argparse.Action]:
    return {flag: action for action in parser._actions for flag in action.option_strings}


def test_the_docs_exit_code_table_is_exit_codes() -> None:
    text = (ROOT / "docs" / "release-tool.md").read_text(encoding="utf-8")
    section = text.split("## Exit codes (every command)", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| (\d+) \| ([^|]+?) \|", section, flags=re.MULTILINE)
    assert {int(code): meaning for code, meaning in rows} == EXIT_CODES
    assert [int(code) for code, _ in rows] == list(EXIT_CODES)


def test_every_command_takes_repo_and_the_one_json_text() -> None:
    subparsers = _subparsers()
    assert set(subparsers) == set(COMMANDS)
    for name, parser in subparsers.items():
        options = _options(parser)
        assert "--repo" in options, name
        assert options["--root"].dest == options["--repo"].dest == "repo", name
        if "--json" in options:
            assert options["--json"].help == JSON_HELP, name


def test_root_still_works_with_a_deprecation_notice(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["matrix", "--env", "staging", "--repo", str(ROOT)], clean_env()) == 0
    with_repo = capsys.readouterr()
    assert "deprecated" not in with_repo.err
    assert main(["matrix", "--env", "staging", "--root", str(ROOT)], clean_env()) == 0
    with_root = capsys.readouterr()
    assert with_root.out == with_repo.out
    assert "release-tool: --root is deprecated" in with_root.err
    assert "use --repo" in with_root.err


def test_repo_names_the_checkout_instead_of_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)  # no project here: only --repo finds the configuration
    event = str(FIXTURES / "event-single.json")
    assert main(["intake", "--payload", event], env={}) == 1
    assert "no pyproject.toml with [tool.release-tool]" in capsys.readouterr().err
    assert main(["intake", "--payload", event, "--repo", str(ROOT)], env={}) == 0
    assert '"package"' in capsys.readouterr().out


def test_every_command_module_is_a_command() -> None:
    for name in COMMANDS:
        module = load_command(name)
        assert isinstance(module, Command), name
        assert module.__doc__, name  # its --help description
