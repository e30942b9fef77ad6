"""One reader for the hidden JSON blocks of PR bodies, one contract: absent or not as
release-tool writes it reads as None (pins and relock blocks alike), never an error."""

from __future__ import annotations

import pytest
from release_tool.core.hidden_block import read_block, render_block, text_fields
from release_tool.core.relock_render import read_relock_block, render_relock_block
from release_tool.core.render import BlockPin, PinsBlock, read_pins_block

PIN = {"package": "hello-world", "tag": "0.2.0", "commit": "a" * 40, "repository": "o/h"}


def test_a_block_reads_back_and_the_last_one_wins() -> None:
    first = render_block("pins", {"env": "prod"})
    assert first == '<!-- release-tool:pins {"env":"prod"} -->'
    body = f"> quoted {first}\n\ntext\n{render_block('pins', {'env': 'staging'})}\n"
    assert read_block(body, "pins") == {"env": "staging"}
    # another kind's block is not this kind's
    assert read_block(render_relock_block("prod", upgrade=True), "pins") is None


@pytest.mark.parametrize(
    "body",
    [
        "no block",
        "<!-- release-tool:pins {not json} -->",
        "<!-- release-tool:pins [1] -->",  # not matched: a block holds an object
        '<!-- release-tool:pins {"env": "prod"} --> <!-- release-tool:pins {broken} -->',
    ],
)
def test_absent_or_unreadable_reads_as_none(body: str) -> None:
    assert read_block(body, "pins") is None


@pytest.mark.parametrize(
    "data",
    [
        {"pins": [PIN]},  # no env
        {"env": 3, "pins": [PIN]},
        {"env": "prod"},  # no pins
        {"env": "prod", "pins": {"hello-world": PIN}},
        {"env": "prod", "pins": ["hello-world"]},
        {"env": "prod", "pins": [{**PIN, "tag": 2}]},
        {"env": "prod", "pins": [{k: v for k, v in PIN.items() if k != "repository"}]},
    ],
)
def test_a_pins_block_not_as_written_reads_as_none(data: dict[str, object]) -> None:
    # Before: KeyError/TypeError escaped read_pins_block, and only refresh caught them.
    assert read_pins_block(render_block("pins", data)) is None


@pytest.mark.parametrize("data", [{"upgrade": True}, {"env": ["prod"]}])
def test_a_relock_block_not_as_written_reads_as_none(data: dict[str, object]) -> None:
    assert read_relock_block(render_block("relock", data)) is None


def test_both_kinds_read_through_the_one_reader() -> None:
    body = render_block("pins", {"env": "prod", "rollback": True, "pins": [PIN]})
    assert read_pins_block(body) == PinsBlock(
        "prod", (BlockPin("hello-world", "0.2.0", "a" * 40, "o/h"),), rollback=True
    )
    assert read_block(render_relock_block("prod", upgrade=False), "relock") == {
        "env": "prod",
        "upgrade": False,
    }


def test_text_fields() -> None:
    assert text_fields(PIN, "package", "tag") == ("hello-world", "0.2.0")
    assert text_fields(PIN, "package", "missing") is None
    assert text_fields(["package"], "package") is None
