from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def tiny_checkpoint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The family's tiny random checkpoint, built once per test session."""
    from model_qwen2_5_vl import Qwen2_5_VL  # noqa: PLC0415 - torch only for model tests

    return Qwen2_5_VL.build_tiny_checkpoint(tmp_path_factory.mktemp("tiny"))
