"""One error boundary: every module's rejected-input error is a UsageError (exit 2)."""

from __future__ import annotations

import argparse
import types

import pytest
from bench_utils import cli
from bench_utils.dataset import DatasetError
from bench_utils.demo_data import DemoDataError
from bench_utils.errors import UsageError
from bench_utils.predictions import PredictionsError
from bench_utils.runconfig import ConfigError
from bench_utils.rundir import RunDirError
from bench_utils.tasks.base import TaskError
from model_interface import ModelError
from prompt_handler import PromptError

INPUT_ERRORS = (ConfigError, DatasetError, TaskError, RunDirError, PredictionsError, DemoDataError)


CASES = [
    *((kind("bad input"), 2) for kind in INPUT_ERRORS),
    (PromptError("bad prompt"), 2),
    (ModelError("no model"), 1),
]


@pytest.mark.parametrize(("error", "code"), CASES)
def test_the_boundary_maps_each_error_type_to_its_exit_code(
    error: Exception, code: int, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def fail(args: argparse.Namespace) -> int:
        raise error

    command = types.SimpleNamespace(run=fail)
    monkeypatch.setattr(cli, "build_parser", lambda: _parser_running(command))
    assert cli.main(["x"]) == code
    assert str(error) in capsys.readouterr().err


def test_every_input_error_is_a_usage_error() -> None:
    assert all(issubclass(kind, UsageError) for kind in INPUT_ERRORS)


def test_a_bug_is_not_swallowed(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(args: argparse.Namespace) -> int:
        raise RuntimeError("a bug")

    monkeypatch.setattr(
        cli, "build_parser", lambda: _parser_running(types.SimpleNamespace(run=fail))
    )
    with pytest.raises(RuntimeError, match="a bug"):
        cli.main(["x"])


def _parser_running(module: object) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="vlmhb")
    parser.add_argument("command")
    parser.set_defaults(_module=module)
    return parser
