"""GitHub Actions step outputs: ``name=value`` lines appended to the ``GITHUB_OUTPUT`` file."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from pathlib import Path


def format_output(name: str, value: str) -> str:
    """One output in the file's syntax; multi-line values get a random heredoc delimiter."""
    if "\n" not in value:
        return f"{name}={value}\n"
    delimiter = f"ghadelimiter_{secrets.token_hex(8)}"
    return f"{name}<<{delimiter}\n{value}\n{delimiter}\n"


def write_outputs(outputs: Mapping[str, str], env: Mapping[str, str]) -> bool:
    """Append ``outputs`` when running as an Actions step; False (nothing written) otherwise."""
    target = env.get("GITHUB_OUTPUT")
    if not target:
        return False
    with Path(target).open("a", encoding="utf-8") as fh:
        for name, value in outputs.items():
            fh.write(format_output(name, value))
    return True
