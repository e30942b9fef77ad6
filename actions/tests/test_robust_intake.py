"""Hostile intake (issue 17): linear duplicate check, full matches, huge integers,
bounded reads, ``"action": null``. Each case failed before the fix."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from release_tool.cli import main
from release_tool.core.config import Config, load_config
from release_tool.core.payload import MAX_EVENT_CHARS, parse_event, parse_pin_spec
from release_tool.core.versions import parse_tag
from release_tool.errors import InputRejected

from tests.support import hostile_events

from .conftest import GOOD, ROOT, SHA


def test_duplicate_key_check_is_linear(config: Config) -> None:
    text = hostile_events.many_keys()
    assert len(text) <= MAX_EVENT_CHARS
    started = time.monotonic()
    with pytest.raises(InputRejected, match=r"repeats the key 'k[0-9]+'"):
        parse_event(text, config)
    # not a timing assert on speed: a guard against the minutes-long quadratic check,
    # far above the benchmark's figure (bench/intake.py).
    assert time.monotonic() - started < 60


@pytest.mark.parametrize("field", ["tag", "sha", "repository", "package"])
@pytest.mark.parametrize("suffix", ["\n", "\r\n", "\r", "\x00"])
def test_trailing_newline_is_refused(field: str, suffix: str, config: Config) -> None:
    with pytest.raises(InputRejected):
        parse_event(json.dumps({**GOOD, field: GOOD[field] + suffix}), config)


def test_tag_and_pin_spec_trailing_newline(config: Config) -> None:
    with pytest.raises(InputRejected):
        parse_tag("0.2.0\n")
    with pytest.raises(InputRejected):
        parse_pin_spec(f"hello-world=0.2.0@{SHA}\n", config)


@pytest.mark.parametrize(
    "where",
    [
        lambda n: {**GOOD, "extra": n},
        lambda n: {"client_payload": GOOD, "sender": {"id": n}},
        lambda n: {"client_payload": {**GOOD, "tag": n}},
        lambda n: [n],
    ],
)
def test_huge_integer_anywhere_is_exit_2(where: Any, tmp_path: Path) -> None:
    data = where("HUGE")
    text = json.dumps(data).replace('"HUGE"', "9" * 4301)
    event = tmp_path / "event.json"
    event.write_text(text)
    assert main(["intake", "--payload", str(event)], env={}) == 2


def test_action_null_is_refused(config: Config) -> None:
    with pytest.raises(InputRejected, match="event type None"):
        parse_event(json.dumps({"action": None, "client_payload": GOOD}), config)
    with pytest.raises(InputRejected, match="event type"):
        parse_event(json.dumps({"action": 7, "client_payload": GOOD}), config)


def _intake_subprocess(stdin: Any, payload: str) -> subprocess.CompletedProcess[str]:
    # a memory cap well under what an unbounded read of /dev/zero would take
    limit = "import resource; resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30)); "
    code = limit + "import sys; from release_tool.cli import main; sys.exit(main())"
    return subprocess.run(
        [sys.executable, "-c", code, "intake", "--payload", payload],
        stdin=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
        env={**os.environ, "GITHUB_EVENT_PATH": ""},
    )


def test_dev_zero_is_refused_without_reading_it_all() -> None:
    done = _intake_subprocess(subprocess.DEVNULL, "/dev/zero")
    assert done.returncode == 2, done.stderr
    assert "longer than" in done.stderr and done.stderr.count("\n") == 1


def test_endless_stdin_is_refused() -> None:
    with Path("/dev/zero").open("rb") as zero:
        done = _intake_subprocess(zero, "-")
    assert done.returncode == 2, done.stderr
    assert "longer than" in done.stderr and done.stderr.count("\n") == 1


def test_event_at_the_bound_is_read(tmp_path: Path, config: Config) -> None:
    padding = MAX_EVENT_CHARS - len(json.dumps({"client_payload": GOOD, "p": ""})) - 1
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"client_payload": GOOD, "p": " " * padding}))
    assert main(["intake", "--payload", str(event)], env={}) == 0


def test_config_names_and_urls_need_full_matches() -> None:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    with pytest.raises(InputRejected):
        load_config(text, {"GITHUB_REPOSITORY": "VLMHyperBenchTeam/VLMHyperBench\n"})


@pytest.mark.parametrize("shape", sorted(hostile_events.SHAPES))
def test_hostile_4mb_events_are_refused(shape: str, tmp_path: Path) -> None:
    event = tmp_path / "event.json"
    event.write_text(hostile_events.SHAPES[shape](), encoding="utf-8")
    assert main(["intake", "--payload", str(event)], env={}) == 2
