"""Profile rewrites: golden before/after files, round-trip identity, idempotence."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from release_tool.core.pyproject_edit import GitPin, read_pins, rewrite_pins
from release_tool.errors import InputRejected

from .conftest import FIXTURES, ROOT

CASES = sorted(p for p in (FIXTURES / "pyproject").iterdir() if p.is_dir())


def _pins(case: Path) -> dict[str, GitPin]:
    data = json.loads((case / "pins.json").read_text(encoding="utf-8"))
    return {name: GitPin(url, tag) for name, (url, tag) in data.items()}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_golden_rewrite(case: Path) -> None:
    before = (case / "before.toml").read_text(encoding="utf-8")
    after = (case / "after.toml").read_text(encoding="utf-8")
    assert rewrite_pins(before, _pins(case)) == after
    # A second run changes nothing.
    assert rewrite_pins(after, _pins(case)) == after


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_round_trip_identity(case: Path) -> None:
    for name in ("before.toml", "after.toml"):
        text = (case / name).read_text(encoding="utf-8")
        assert rewrite_pins(text, read_pins(text).pins) == text


def test_package_new_to_the_profile_is_added_in_the_files_style() -> None:
    real = (ROOT / "staging/pyproject.toml").read_text(encoding="utf-8")
    # The real file with hello-world removed: adding it back must give the real file.
    without = "".join(line for line in real.splitlines(keepends=True) if "hello-world" not in line)
    assert without != real
    url = "https://github.com/VLMHyperBenchTeam/hello_world.git"
    assert rewrite_pins(without, {"hello-world": GitPin(url, "0.0.11")}) == real


def test_read_pins_of_a_profile() -> None:
    pins = read_pins((ROOT / "staging/pyproject.toml").read_text(encoding="utf-8"))
    assert pins.pins["hello-world"].tag == "0.0.11"
    assert "torch" in pins.other_sources
    assert "bench-utils" in pins.dependencies


def test_malformed_profile_is_refused() -> None:
    with pytest.raises(InputRejected, match="not valid TOML"):
        read_pins("[project\n")
