"""Text metrics, normalisers and the tolerant JSON reader, on hand-worked values."""

# ruff: noqa: RUF001 - Cyrillic letters are meant
from __future__ import annotations

import pytest
from bench_utils.answers import field_key, field_text, parse_json_object
from bench_utils.metrics import (
    anls,
    cer,
    char_error_rate,
    exact_match,
    normalize_text,
    word_error_rate,
)
from bench_utils.normalisers import NORMALISERS


def test_normalize_text_keeps_cyrillic_and_folds_case_width_and_spaces() -> None:
    assert normalize_text("  ООО\u00a0«Ромашка»\t МОСКВА ") == "ооо «ромашка» москва"
    assert normalize_text("\uff11\uff12\u3000ab") == "12 ab"  # full-width digits and space
    assert exact_match("Поставка", " ПОСТАВКА ") == 1.0
    assert exact_match("Поставка", "Поставки") == 0.0


@pytest.mark.parametrize(
    ("predicted", "truth", "expected"),
    [
        ("1260", "1250", 0.75),  # 1 edit / 4
        ("No", "INV-7", 0.0),  # 4 edits / 5 = 0.8 >= 0.5
        ("abcd", "abef", 0.0),  # 2 / 4 = 0.5 is not below the threshold
        ("abcde", "abcxy", 0.6),  # 2 / 5 = 0.4 < 0.5 -> 1 - 0.4
        ("", "", 1.0),  # both empty: NL 0
        ("", "x", 0.0),
        ("Иванов", "иванов", 1.0),
    ],
)
def test_anls(predicted: str, truth: str, expected: float) -> None:
    assert anls(predicted, truth) == pytest.approx(expected)


def test_cer_is_capped_and_handles_empty_truth() -> None:
    assert cer("2024-03-16", "2024-03-15") == pytest.approx(0.1)
    assert cer("a much longer answer", "ab") == 1.0  # 18 edits / 2, capped
    assert cer("", "") == 0.0
    assert cer("x", "") == 1.0
    assert char_error_rate("ABC", "abc") == 1.0  # case counts when not normalised
    assert cer("ABC", "abc") == 0.0


def test_word_error_rate() -> None:
    assert word_error_rate("ОВД Тверского  района", "ОВД Тверского района") == 0.0
    assert word_error_rate("ОВД района", "ОВД Тверского района") == pytest.approx(1 / 3)
    assert word_error_rate("a b c d e", "x") == 1.0  # capped
    assert word_error_rate("", "") == 0.0
    assert word_error_rate("x", "") == 1.0


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ('```json\n{"a": "1",}\n```', {"a": "1"}),  # fenced, trailing comma
        ('Here: {"a": {"b": [1, 2,],},} done', {"a": {"b": [1, 2]}}),
        ('text {not json} then {"a": null}', {"a": None}),  # the first decodable object
        ("```\n[1, 2]\n``` and no object", None),
        ("nothing here", None),
        ("", None),
    ],
)
def test_parse_json_object(answer: str, expected: dict[str, object] | None) -> None:
    assert parse_json_object(answer) == expected


def test_field_text_and_keys() -> None:
    assert field_text(None) == ""
    assert field_text(500100732259) == "500100732259"
    assert field_text(["a", "б"]) == '["a", "б"]'
    assert field_key(" Issue-Date ") == field_key("issue date") == "issue_date"


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("digits", "123-456-789 01", "12345678901"),
        ("digits", "\uff14\uff15 12", "4512"),  # full-width digits via NFKC
        ("date", "15.03.2019", "2019-03-15"),
        ("date", "5/3/2019", "2019-03-05"),
        ("date", "2019.03.15", "2019-03-15"),
        ("date", " 2019-03-15 ", "2019-03-15"),
        ("date", "31.02.2019", "31.02.2019"),  # not a date: left as text
        ("date", "15 March  2019", "15 March 2019"),
        ("spaces", " ОВД  Тверского\nрайона ", "ОВД Тверского района"),
        ("lower", " ОВД  Тверского ", "овд тверского"),
        ("exact", " A  b ", "A  b"),
    ],
)
def test_normalisers(name: str, text: str, expected: str) -> None:
    assert NORMALISERS[name](text) == expected
