"""CI skip markers: found and neutralised in every text the tool commits or titles.

GitHub runs no ``push`` or ``pull_request`` workflow for a commit whose message holds
``[skip ci]``, ``[ci skip]``, ``[no ci]``, ``[skip actions]`` or ``[actions skip]``,
and skips checks for a commit whose message ends with a ``skip-checks:true`` (or
``skip-checks: true``) trailer (docs/security.md cites the documentation). A release
PR's title becomes the squash commit's message on ``main``, so titles count too.
Text from outside (a rollback reason, a package's commit subjects, tag messages,
payload values) must never silence the checks: each marker is rewritten so that it
still reads the same to a person but no longer matches (brackets become
parentheses, the trailer's colon a space). Matching ignores case and inner spacing,
wider than GitHub's own, on purpose.
"""

from __future__ import annotations

import re

_BRACKETED = re.compile(
    r"\[\s*(skip\s+ci|ci\s+skip|no\s+ci|skip\s+actions|actions\s+skip)\s*\]", re.IGNORECASE
)
_TRAILER = re.compile(r"(skip-checks)\s*:\s*(true)", re.IGNORECASE)


def find_skip_marker(text: str) -> str | None:
    """The first CI skip marker in ``text`` (None: none)."""
    found = [m for m in (_BRACKETED.search(text), _TRAILER.search(text)) if m is not None]
    return min(found, key=lambda m: m.start()).group(0) if found else None


def neutralise(text: str) -> str:
    """``text`` with every CI skip marker made inert (``[skip ci]`` -> ``(skip ci)``)."""
    text = _BRACKETED.sub(lambda m: f"({m.group(1)})", text)
    return _TRAILER.sub(lambda m: f"{m.group(1)} {m.group(2)}", text)
