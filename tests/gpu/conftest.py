"""What the GPU job tells these tests: the backend and the CUDA version from the matrix.

These tests use only the installed packages' public API and CLI, so in the GPU job
(`uv sync --project <profile> --extra <backend> --locked --group test`) they test the
tagged packages the profile installs, not this checkout's sources.
"""

from __future__ import annotations

import os

import pytest

from tests.gpu.target import GpuTarget


@pytest.fixture(scope="session")
def target() -> GpuTarget:
    backend, cuda = os.environ.get("BACKEND"), os.environ.get("EXPECT_CUDA")
    if not backend or not cuda:
        pytest.fail(
            "BACKEND and EXPECT_CUDA are not set: the GPU job sets them from its matrix entry "
            "(by hand: BACKEND=cu128 EXPECT_CUDA=12.8 pytest tests/gpu -m gpu)"
        )
    return GpuTarget(backend, cuda, os.environ.get("VLMHB_SMOKE_MODEL") or None)
