"""The errors ``vlmhb`` reports as one sentence, and the exit code of each.

Every module's rejected-input error (``ConfigError``, ``DatasetError``, ...) derives
from :class:`UsageError`, so the one boundary in :func:`bench_utils.cli.main` maps it by
type: no command converts errors by hand.
"""

from __future__ import annotations


class UsageError(ValueError):
    """Rejected input: one sentence saying what was wrong and what to do; exit 2."""
