"""The README's shell commands, read from its fenced ``bash`` blocks (tests and bench)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_BLOCK = re.compile(r"^```bash\n(.*?)^```", re.MULTILINE | re.DOTALL)


def bash_blocks(path: Path = ROOT / "README.md") -> list[list[str]]:
    """Each fenced bash block's command lines (comments and blank lines left out)."""
    text = path.read_text(encoding="utf-8")
    return [
        [line for line in block.splitlines() if line.strip() and not line.startswith("#")]
        for block in _BLOCK.findall(text)
    ]


def block_with(first: str, path: Path = ROOT / "README.md") -> list[str]:
    """The one bash block whose first command starts with ``first``."""
    found = [b for b in bash_blocks(path) if b and b[0].startswith(first)]
    if len(found) != 1:
        raise LookupError(f"{path.name}: {len(found)} bash blocks start with {first!r}")
    return found[0]


def main_job() -> str:
    """The README's main-job line (the rehearsal)."""
    return block_with("uv run --package release-tool release-tool rehearse")[0]


def pypi_route() -> list[str]:
    """The README's lines that install uv from PyPI under PEP 668."""
    return block_with("python3 -m venv")
