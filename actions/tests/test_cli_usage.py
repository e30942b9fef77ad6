"""A mistyped option is reported with the usage of the subcommand it was given to."""

from __future__ import annotations

import pytest
from release_tool.cli import COMMANDS, main


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
