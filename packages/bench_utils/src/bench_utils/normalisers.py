"""Field normalisers for the extraction task, named in the config's ``[fields]`` tables.

Each maps raw text to the form compared for exact match and CER; every one
first applies Unicode NFKC (full-width digits become ASCII, non-breaking
spaces become spaces) and strips the ends.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import date


def _base(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def exact(text: str) -> str:
    """NFKC and the ends stripped, nothing else."""
    return _base(text)


def spaces(text: str) -> str:
    """Whitespace runs folded to one space (case kept)."""
    return " ".join(_base(text).split())


def lower(text: str) -> str:
    """Whitespace folded and lower-cased (any script)."""
    return spaces(text).lower()


def digits(text: str) -> str:
    """Only the digits 0-9, e.g. ``"123-456-789 01"`` -> ``"12345678901"``."""
    return re.sub(r"[^0-9]", "", _base(text))


_DAY_FIRST = re.compile(r"(\d{1,2})[./\-\s](\d{1,2})[./\-\s](\d{4})")
_YEAR_FIRST = re.compile(r"(\d{4})[./\-](\d{1,2})[./\-](\d{1,2})")


def iso_date(text: str) -> str:
    """``DD.MM.YYYY`` (also ``/``, ``-``, space) or ``YYYY-MM-DD`` (also ``.``, ``/``) as ISO.

    Text that holds no valid date of these forms is returned whitespace-folded, so
    it can still match an identical truth but never a real date.
    """
    folded = spaces(text)
    for pattern, order in ((_YEAR_FIRST, (0, 1, 2)), (_DAY_FIRST, (2, 1, 0))):
        match = pattern.fullmatch(folded)
        if match:
            parts = [int(match.group(i + 1)) for i in order]
            try:
                return date(parts[0], parts[1], parts[2]).isoformat()
            except ValueError:
                return folded
    return folded


NORMALISERS: dict[str, Callable[[str], str]] = {
    "exact": exact,
    "spaces": spaces,
    "lower": lower,
    "digits": digits,
    "date": iso_date,
}
