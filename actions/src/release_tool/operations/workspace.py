"""Where a release operation works: one checkout, its config, the process environment,
and where its progress lines go. Promote and relock take it with their request, so a
caller that may run either (``refresh``) builds it once."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from release_tool.core.config import Config

Progress = Callable[[str], None]


def silent(_message: str) -> None:
    """Progress that goes nowhere (the default)."""


@dataclass(frozen=True)
class Workspace:
    checkout: Path  # the monorepo checkout (its origin is where branches are pushed)
    config: Config
    environ: Mapping[str, str]  # the process environment, not a profile
    say: Progress = silent
