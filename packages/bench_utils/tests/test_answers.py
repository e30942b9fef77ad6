from __future__ import annotations

import pytest
from bench_utils.answers import (
    extract_page_list,
    format_classes,
    parse_class_index,
    parse_page_order,
)

CLASSES = ["invoice", "letter", "receipt"]


def test_classes_field_lists_indices_and_names() -> None:
    assert format_classes(CLASSES) == "0: invoice, 1: letter, 2: receipt"


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("2", 2),
        ("  1\n", 1),
        ("0.", 0),
        ("(2)", 2),
        ("**1**", 1),
        ("Class: 2", 2),
        ("The document is class 1 (letter).", 1),
        ("I think the answer is 0, an invoice.", 0),
        ("2.0", 2),
        ("1: letter", 1),
        ("Answer: 2. Answer: 2.", 2),  # the same number twice is still one answer
        ("receipt", 2),  # no number: exactly one class name
        ("It looks like a LETTER.", 1),
        ("3", None),  # out of range
        ("-1", None),
        ("2.5", None),
        ("1 or 2", None),  # ambiguous
        ("invoice or receipt", None),
        ("letterhead", None),  # a name only counts as a whole word
        ("", None),
        ("I cannot read this document.", None),
    ],
)
def test_class_index_parsing(answer: str, expected: int | None) -> None:
    assert parse_class_index(answer, CLASSES) == expected


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ('{"ordered_pages": [2, 0, 1]}', [2, 0, 1]),
        ('```json\n{"ordered_pages": [1, 2, 0]}\n```', [1, 2, 0]),
        ('```\n{"ordered_pages": [0, 2, 1]}\n```', [0, 2, 1]),
        ('Sure! {"ordered_pages": [2, 1, 0]} is my answer.', [2, 1, 0]),
        # JSON wins over a list or digits elsewhere in the text
        ('Pages [0, 1, 2] become {"ordered_pages": [1, 0, 2]}', [1, 0, 2]),
        ('{"pages": 3} so [2, 0, 1]', [2, 0, 1]),  # JSON without the key: next rule
        ("The order is [2, 0, 1].", [2, 0, 1]),
        ("[see below] then [1,2,0]", [1, 2, 0]),  # first bracketed list of integers
        ("2, 0, 1", [2, 0, 1]),
        ("First page 2, then 0 and 1", [2, 0, 1]),
        ("2 -> 0 -> 1", [2, 0, 1]),
        ('{"ordered_pages": "2,0,1"}', None),  # the key decides; a string is no list
        ('{"ordered_pages": [2, 0, true]}', None),
        ("no idea", None),
    ],
)
def test_page_list_extraction_order(answer: str, expected: list[int] | None) -> None:
    assert extract_page_list(answer) == expected


@pytest.mark.parametrize(
    ("answer", "pages", "expected"),
    [
        ('{"ordered_pages": [2, 0, 1]}', 3, [2, 0, 1]),
        ("[3, 1, 0, 2]", 4, [3, 1, 0, 2]),
        ("1 0", 2, [1, 0]),
        ('{"ordered_pages": [1, 2, 3]}', 3, None),  # 1-based: not a permutation of 0..2
        ('{"ordered_pages": [0, 0, 1]}', 3, None),  # repeated page
        ("[0, 1]", 3, None),  # a page missing
        ("Pages 1 to 3: 2, 0, 1", 3, None),  # digits rule sees 1, 3, 2, 0, 1
        ("", 3, None),
    ],
)
def test_page_order_must_be_a_permutation(
    answer: str, pages: int, expected: list[int] | None
) -> None:
    assert parse_page_order(answer, pages) == expected
