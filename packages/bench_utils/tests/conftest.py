from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from bench_utils.demo_data import make_demo_data
from model_interface import ENTRY_POINT_GROUP

HERE = Path(__file__).parent


@pytest.fixture
def scripted_family(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Install the scripted family as a real distribution (dist-info + entry point)."""
    site = tmp_path_factory.mktemp("site")
    shutil.copy(HERE / "scripted_family.py", site / "vlmhb_scripted_family.py")
    info = site / "vlmhb_scripted_family-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: vlmhb-scripted-family\nVersion: 1.0\n"
    )
    (info / "entry_points.txt").write_text(
        f"[{ENTRY_POINT_GROUP}]\nScripted-VL = vlmhb_scripted_family:Scripted\n"
        "Plain-VL = vlmhb_scripted_family:Plain\n"
    )
    sys.path.insert(0, str(site))
    try:
        yield "Scripted-VL"
    finally:
        sys.path.remove(str(site))
        sys.modules.pop("vlmhb_scripted_family", None)


@pytest.fixture(scope="session")
def demo_dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default demo dataset, written once per session (tests must not modify it)."""
    root = tmp_path_factory.mktemp("demo") / "data"
    make_demo_data(root)
    return root


@pytest.fixture
def wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rich wraps at the terminal width; a wide one keeps each message on one line."""
    monkeypatch.setenv("COLUMNS", "500")


def _write_config(
    directory: Path, task: str, prompt: str, params: dict[str, object], **top: object
) -> Path:
    """A run config for the scripted family: ``prompt`` text, model ``params``, ``top`` keys."""
    (directory / "prompt.txt").write_text(prompt, encoding="utf-8")
    lines = [f"task = {json.dumps(task)}", 'prompt = "prompt.txt"']
    lines += [f"{key} = {json.dumps(value)}" for key, value in top.items()]
    lines += ["[model]", 'family = "Scripted-VL"', 'name = "scripted"', "[model.params]"]
    lines += [f"{key} = {json.dumps(value)}" for key, value in params.items()]
    config = directory / f"{task}.toml"
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return config


def _only_run_dir(output: Path) -> Path:
    (run_dir,) = list(output.iterdir())
    return run_dir


@pytest.fixture
def write_config() -> Callable[..., Path]:
    """Write a scripted-family run config (see :func:`_write_config`)."""
    return _write_config


@pytest.fixture
def only_run_dir() -> Callable[[Path], Path]:
    """The one run directory under an output directory."""
    return _only_run_dir
