"""Turn a model's free-text answer into a class index or a page order.

Both parsers are pure functions of the answer text; they never raise on bad
answers. ``None`` means "no usable answer": an unparsed class (counted as the
predicted class ``None``) or a malformed page order (scored as a failure).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_FENCED = re.compile(r"```(?:json|JSON)?\s*(.*?)```", re.DOTALL)
_BRACKETED = re.compile(r"\[([^\[\]]*)\]")
_INTEGER_LIST = re.compile(r"\s*-?\d+\s*(?:,\s*-?\d+\s*)*,?\s*")


def format_classes(classes: Sequence[str]) -> str:
    """The ``{classes}`` prompt field: ``0: name, 1: name, ...``."""
    return ", ".join(f"{index}: {name}" for index, name in enumerate(classes))


def _as_integer(token: str) -> int | None:
    number = float(token)
    return int(number) if number.is_integer() else None


def parse_class_index(answer: str, classes: Sequence[str]) -> int | None:
    """The class index an answer names, or ``None`` when it names none or several.

    Numbers win: when the answer holds exactly one distinct number (``"2"``,
    ``" 2. "``, ``"The class is 2 (letter)."``, ``"2.0"``) that is its index, if
    in range. With no number at all, exactly one class name appearing as a whole
    word (case-insensitive) is accepted. Anything else, e.g. two different
    numbers or an index out of range, is ``None``.
    """
    numbers = {_as_integer(token) for token in _NUMBER.findall(answer)}
    if numbers:
        if len(numbers) != 1:
            return None
        (index,) = numbers
        return index if index is not None and 0 <= index < len(classes) else None
    lowered = answer.lower()
    named = [
        i
        for i, name in enumerate(classes)
        if re.search(rf"(?<!\w){re.escape(name.lower())}(?!\w)", lowered)
    ]
    return named[0] if len(named) == 1 else None


def _json_objects(answer: str) -> list[object]:
    """JSON values found in fenced blocks first, then every ``{...}`` that decodes."""
    decoder = json.JSONDecoder()
    found: list[object] = []
    for block in _FENCED.findall(answer):
        try:
            found.append(json.loads(block))
        except json.JSONDecodeError:
            continue
    for start in (m.start() for m in re.finditer(r"\{", answer)):
        try:
            value, _ = decoder.raw_decode(answer, start)
        except json.JSONDecodeError:
            continue
        found.append(value)
    return found


def _integer_items(values: object) -> list[int] | None:
    if not isinstance(values, list):
        return None
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return None
    return list(values)


def extract_page_list(answer: str) -> list[int] | None:
    """The list of page numbers an answer gives, before any validation.

    Tried in order: a JSON object with ``"ordered_pages"`` (in a fenced block or
    bare), then the first bracketed list of integers, then every integer in the
    text. The first step that finds something decides.
    """
    for value in _json_objects(answer):
        if isinstance(value, dict) and "ordered_pages" in value:
            return _integer_items(value["ordered_pages"])
    for inner in _BRACKETED.findall(answer):
        if _INTEGER_LIST.fullmatch(inner):
            return [int(token) for token in re.findall(r"-?\d+", inner)]
    digits = re.findall(r"-?\d+", answer)
    return [int(token) for token in digits] if digits else None


def parse_page_order(answer: str, page_count: int) -> list[int] | None:
    """A 0-based page order that is a permutation of ``range(page_count)``, else ``None``."""
    pages = extract_page_list(answer)
    if pages is None or sorted(pages) != list(range(page_count)):
        return None
    return pages


# -- field extraction ------------------------------------------------------------------

_TRAILING_COMMA = re.compile(r",(\s*[}\]])")


def _decode_object(text: str, start: int) -> dict[str, object] | None:
    decoder = json.JSONDecoder()
    for candidate in (text[start:], _TRAILING_COMMA.sub(r"\1", text[start:])):
        try:
            value, _ = decoder.raw_decode(candidate)
        except json.JSONDecodeError:
            continue
        if isinstance(value, dict):
            return value
    return None


def parse_json_object(answer: str) -> dict[str, object] | None:
    """The JSON object a model's answer holds, read tolerantly; ``None`` if there is none.

    Fenced code blocks are tried first, then the whole answer; in each, the first
    ``{`` that starts a decodable object wins. Trailing commas before ``}`` or
    ``]`` are forgiven.
    """
    for text in (*_FENCED.findall(answer), answer):
        for match in re.finditer(r"\{", text):
            value = _decode_object(text, match.start())
            if value is not None:
                return value
    return None


def field_text(value: object) -> str:
    """A JSON value as field text: strings as they are, ``null`` as empty, others as JSON."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def field_key(name: str) -> str:
    """How keys are matched to declared fields: case-folded, spaces and dashes as ``_``."""
    return re.sub(r"[\s\-]+", "_", name.strip()).casefold()
