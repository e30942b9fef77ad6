"""The hidden JSON blocks at the end of a release PR's body. Pure.

``<!-- release-tool:KIND {...} -->`` is invisible on GitHub and read back later
(``refresh`` re-runs the change it records). One reader serves every kind, with one
contract: a body that carries no block of the kind, or whose last one is not what
release-tool writes, reads as None (it was not made by release-tool, or was edited),
never as an error. The last block wins, so a block quoted earlier in the body (from a
commit message) cannot stand in for it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

OPEN = "<!-- release-tool:"
CLOSE = " -->"


def render_block(kind: str, data: Mapping[str, Any]) -> str:
    """``data`` as the hidden block of ``kind`` (compact, keys sorted)."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"))
    return f"{OPEN}{kind} {text}{CLOSE}"


def read_block(body: str, kind: str) -> dict[str, Any] | None:
    """The JSON object of the last ``kind`` block in ``body`` (None: none, or not an object)."""
    pattern = re.escape(f"{OPEN}{kind} ") + r"(\{.*?\})" + re.escape(CLOSE)
    found = re.findall(pattern, body, re.S)
    if not found:
        return None
    try:
        data = json.loads(found[-1])
    except json.JSONDecodeError:
        return None
    return data if isinstance(data, dict) else None


def text_fields(data: object, *names: str) -> tuple[str, ...] | None:
    """The values of ``names`` when ``data`` is an object holding a string at each, else None."""
    if not isinstance(data, dict):
        return None
    texts = tuple(value for name in names if isinstance(value := data.get(name), str))
    return texts if len(texts) == len(names) else None
