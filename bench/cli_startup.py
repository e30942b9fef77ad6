"""``release-tool --help`` start-up: every command module imported up front (as before
issue 17) vs imported on use (now), side by side. Prints figures; asserts nothing.

Run: uv run --frozen python -m bench.cli_startup [--runs 9]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

EAGER = "from release_tool import cli; cli.build_parser().parse_args(['--help'])"
LAZY = "from release_tool import cli; cli.main(['--help'])"


def _seconds(code: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], stdout=subprocess.DEVNULL, check=False)
    return time.perf_counter() - started


def main_bench() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=9)
    runs = parser.parse_args().runs
    eager = statistics.median(_seconds(EAGER) for _ in range(runs))
    lazy = statistics.median(_seconds(LAZY) for _ in range(runs))
    tool = Path(sys.executable).parent / "release-tool"
    print(f"release-tool --help ({tool}), median of {runs} runs")
    print(f"  every command imported (before): {eager:.3f} s")
    print(f"  imported on use (now):          {lazy:.3f} s")
    print(f"  ratio: {eager / lazy:.1f}x")


if __name__ == "__main__":
    main_bench()
