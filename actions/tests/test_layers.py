"""What import-linter cannot see: ``core/`` runs no process and reads no environment."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

CORE = Path(__file__).resolve().parents[1] / "src" / "release_tool" / "core"
FORBIDDEN_MODULES = {"subprocess", "os"}


def impurities(source: str) -> list[str]:
    """Each use of a process or of the process environment in ``source``, as a sentence."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name.split(".")[0] for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [(node.module or "").split(".")[0]]
        elif isinstance(node, ast.Attribute) and node.attr in {"environ", "getenv", "system"}:
            names = [f"os.{node.attr}"]
        else:
            continue
        found += [f"line {node.lineno}: {name}" for name in names if name in FORBIDDEN_MODULES]
        found += [f"line {node.lineno}: {name}" for name in names if name.startswith("os.")]
    return found


def test_core_runs_no_process_and_reads_no_environment() -> None:
    modules = sorted(CORE.rglob("*.py"))
    assert len(modules) > 10
    problems = {
        str(path.relative_to(CORE)): impurities(path.read_text(encoding="utf-8"))
        for path in modules
    }
    assert {name: found for name, found in problems.items() if found} == {}


@pytest.mark.parametrize(
    "source",
    [
        "import subprocess",
        "from subprocess import run",
        "import os",
        "from os import environ",
        "from os.path import join",
        "x = mapping.environ['HOME']",
        "value = env.getenv('HOME')",
    ],
)
def test_each_impurity_is_caught(source: str) -> None:
    assert impurities(source)


def test_pure_code_passes() -> None:
    source = "from collections.abc import Mapping\ndef f(env: Mapping[str, str]): ..."
    assert impurities(source) == []
