from __future__ import annotations

from pathlib import Path

import pytest
from prompt_handler import Prompt, PromptError, load_prompt, render_prompt


def test_render_fills_named_fields(tmp_path: Path) -> None:
    file = tmp_path / "p.txt"
    file.write_text('Classes: {classes}. Reply as {{"class": N}}.\n', encoding="utf-8")
    expected = 'Classes: 0: a, 1: b. Reply as {"class": N}.'
    assert render_prompt(file, classes="0: a, 1: b") == expected


def test_fields_are_listed() -> None:
    assert Prompt("{a} and {b} and {a}").fields == frozenset({"a", "b"})


@pytest.mark.parametrize(
    ("template", "fields", "message"),
    [
        ("{a} {b}", {"a": 1}, "needs the field(s) b"),
        ("{a}", {"a": 1, "c": 2}, "has no field(s) c; its fields are: a"),
        ("plain", {"x": 1}, "its fields are: none"),
    ],
)
def test_missing_and_unknown_fields_are_errors(
    template: str, fields: dict[str, object], message: str
) -> None:
    with pytest.raises(PromptError, match=message.replace("(", r"\(").replace(")", r"\)")):
        Prompt(template).render(**fields)


@pytest.mark.parametrize("template", ["{0}", "{a.b}", "{a:>3}", "{a!r}", "{unclosed"])
def test_malformed_templates_are_errors(template: str) -> None:
    with pytest.raises(PromptError):
        Prompt(template).render(a=1)


def test_missing_file_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(PromptError, match=r"prompt file .*nope.txt does not exist"):
        load_prompt(tmp_path / "nope.txt")
