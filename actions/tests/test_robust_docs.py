"""docs/release-tool.md's exit-code table matches the behaviour: each documented code
is produced by a run of the CLI that the row describes (issue 17). That the docs show
exactly ``EXIT_CODES`` is test_cli_surface's check."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from release_tool import cli

from .conftest import FIXTURES, ROOT

TOOL = Path(sys.executable).parent / "release-tool"


def documented_codes() -> dict[int, str]:
    """The table as test_cli_surface proves it equal to the docs: EXIT_CODES."""
    return cli.EXIT_CODES


def test_the_table_lists_every_code_the_tool_uses() -> None:
    assert set(cli.EXIT_CODES) == {0, 1, 2, 3, 130, 143}


def _intake(tmp_path: Path, text: str | None) -> int:
    path = tmp_path / "event.json"
    if text is not None:
        path.write_text(text, encoding="utf-8")
    return cli.main(["intake", "--payload", str(path)], env={})


def _raising(exc: BaseException) -> Callable[..., int]:
    def run(*_args: object) -> int:
        raise exc

    return run


def test_code_0_done(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _intake(tmp_path, (FIXTURES / "event-single.json").read_text()) == 0
    assert json.loads(capsys.readouterr().out)["package"] == "hello-world"


@pytest.mark.parametrize(
    ("event", "fragment"),
    [
        (
            '{"package": "hello-world", "tag": "0.2.0\\n", "repository": '
            '"VLMHyperBenchTeam/hello_world", "sha": "ffc6e14b397e062247aca738cd50133ab39240be"}',
            "malformed tag",
        ),
        ('{"action": null, "client_payload": {}}', "event type None"),
        ('{"a": ' + "9" * 4301 + "}", "4300 digits"),
    ],
)
def test_code_2_input_rejected(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], event: str, fragment: str
) -> None:
    assert "input rejected" in documented_codes()[2]
    assert _intake(tmp_path, event) == 2
    err = capsys.readouterr().err
    assert fragment in err and err.count("\n") == 1 and "Traceback" not in err


def test_code_1_operational_failure(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert "operational failure" in documented_codes()[1]
    assert _intake(tmp_path, None) == 1
    err = capsys.readouterr().err
    assert "cannot read" in err and err.count("\n") == 1


def test_code_3_bug(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from release_tool.commands import intake  # noqa: PLC0415 - patched for this test only

    monkeypatch.setattr(intake, "run", _raising(RuntimeError("a bug")))
    assert cli.main(["intake"], env={}) == 3
    err = capsys.readouterr().err
    assert "Traceback" in err and "unexpected error (a bug)" in err


def test_code_130_interrupted(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from release_tool.commands import intake  # noqa: PLC0415 - patched for this test only

    monkeypatch.setattr(intake, "run", _raising(KeyboardInterrupt()))
    assert cli.main(["intake"], env={}) == 130
    assert capsys.readouterr().err == "release-tool intake: interrupted\n"


def test_code_143_terminated() -> None:
    """A real SIGTERM while intake waits on a stdin that never ends."""
    assert "SIGTERM" in documented_codes()[143]
    child = subprocess.Popen(
        [str(TOOL), "intake", "--payload", "-"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    time.sleep(1.0)  # let it reach the read (a signal before the boundary exits -15)
    child.send_signal(signal.SIGTERM)
    _, err = child.communicate(timeout=60)
    assert child.returncode == 143, err
    assert err == "release-tool intake: terminated (SIGTERM); cleaned up\n"
