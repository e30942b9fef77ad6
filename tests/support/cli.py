"""The one in-process runner of ``release-tool`` for tests: exit code, stdout, stderr."""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from release_tool.cli import main

from tests.support.sandbox import clean_env


@dataclass(frozen=True)
class CliRun:
    code: int
    out: str
    err: str

    def __iter__(self) -> Iterator[Any]:
        """``code, out, err = run_cli(...)``."""
        return iter(self.as_tuple())

    def as_tuple(self) -> tuple[int, str, str]:
        return self.code, self.out, self.err

    def json(self) -> Any:
        return json.loads(self.out)


def run_cli(
    argv: Sequence[str], env: Mapping[str, str] | None = None, *, cwd: Path | None = None
) -> CliRun:
    """``release-tool ARGV`` in this process (``env`` default: a clean copy of ours), in
    ``cwd`` when given; what it printed is captured, not shown."""
    out, err = io.StringIO(), io.StringIO()
    where = contextlib.chdir(cwd) if cwd is not None else contextlib.nullcontext()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), where:
        code = main(list(argv), env=dict(env) if env is not None else clean_env())
    return CliRun(code, out.getvalue(), err.getvalue())
