"""GitHub Actions step outputs and job summary, written through the files Actions names.

Both functions take the environment as a mapping and do nothing (returning
False) outside Actions, i.e. when ``GITHUB_OUTPUT`` / ``GITHUB_STEP_SUMMARY``
is unset, so the same command runs locally unchanged.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path

from release_tool.adapters.process import redact

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*\Z")


def _delimiter(value: str) -> str:
    while True:
        candidate = f"ghadelimiter_{uuid.uuid4()}"
        if candidate not in value:
            return candidate


def format_outputs(outputs: Mapping[str, str]) -> str:
    """``name<<DELIM`` blocks: safe for any value, newlines included."""
    lines: list[str] = []
    for name, value in outputs.items():
        if not _NAME.fullmatch(name):
            raise ValueError(f"not a valid step output name: {name!r}")
        delimiter = _delimiter(value)
        lines += [f"{name}<<{delimiter}", value, delimiter]
    return "".join(f"{line}\n" for line in lines)


def write_step_outputs(
    env: Mapping[str, str], outputs: Mapping[str, str], secrets: Iterable[str] = ()
) -> bool:
    """Append ``outputs`` to the step's output file; False when not in Actions."""
    path = env.get("GITHUB_OUTPUT", "")
    if not path:
        return False
    secrets = tuple(secrets)
    masked = {name: redact(value, secrets) for name, value in outputs.items()}
    with Path(path).open("a", encoding="utf-8") as fh:
        fh.write(format_outputs(masked))
    return True


def append_step_summary(env: Mapping[str, str], markdown: str, secrets: Iterable[str] = ()) -> bool:
    """Append one Markdown block (a line, usually) to the job summary; False when not in Actions."""
    path = env.get("GITHUB_STEP_SUMMARY", "")
    if not path:
        return False
    with Path(path).open("a", encoding="utf-8") as fh:
        fh.write(redact(markdown, tuple(secrets)).rstrip("\n") + "\n")
    return True
