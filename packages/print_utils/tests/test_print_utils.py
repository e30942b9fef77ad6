from __future__ import annotations

import io

import pytest
from print_utils import make_table, print_mapping, print_status, print_table, track
from rich.console import Console


def _console() -> tuple[Console, io.StringIO]:
    buffer = io.StringIO()
    return Console(file=buffer, width=100, color_system=None), buffer


def test_status_line_has_level_and_message() -> None:
    console, buffer = _console()
    print_status("lock verified", "ok", console=console)
    assert buffer.getvalue().strip() == "OK lock verified"


def test_unknown_level_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown status level 'loud'"):
        print_status("x", "loud")


def test_table_renders_every_cell() -> None:
    console, buffer = _console()
    print_table(("package", "tag"), [("hello-world", "0.2.0"), ("bench-utils", 1)], console=console)
    text = buffer.getvalue()
    for cell in ("package", "tag", "hello-world", "0.2.0", "bench-utils", "1"):
        assert cell in text


def test_row_of_wrong_width_is_rejected() -> None:
    with pytest.raises(ValueError, match="has 1 cells, expected 2"):
        make_table(("a", "b"), [("only",)])


def test_mapping_prints_keys_and_values() -> None:
    console, buffer = _console()
    print_mapping({"accuracy": 0.75}, title="metrics", console=console)
    assert "accuracy" in buffer.getvalue()
    assert "0.75" in buffer.getvalue()


def test_track_yields_every_item_in_order() -> None:
    console, _ = _console()
    assert list(track([3, 1, 2], "items", console=console)) == [3, 1, 2]
