"""The GPU target a test runs against, as the GPU job describes it in its environment."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class GpuTarget:
    backend: str
    cuda: str
    model: str | None  # VLMHB_SMOKE_MODEL on the runner; None: the tiny model built on the spot
