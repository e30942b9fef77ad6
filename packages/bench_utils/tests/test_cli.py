from __future__ import annotations

import json
import subprocess
import sys

import pytest
from bench_utils.cli import main


def test_families_json_lists_installed_families(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["families", "--json"]) == 0
    assert isinstance(json.loads(capsys.readouterr().out), dict)


def test_help_does_not_import_torch() -> None:
    code = (
        "import sys\nfrom bench_utils.cli import build_parser\nbuild_parser()\n"
        "print('torch' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "False"
