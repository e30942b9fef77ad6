"""Stand-in torch wheels padded to a realistic weight (for the image benchmark)."""

from __future__ import annotations

import base64
import hashlib
import zipfile
import zlib
from pathlib import Path

from release_tool.sandbox.indexes import add_standin_wheel, write_standin_wheel

from tests.support.sandbox import clean_env
from tests.support.tools import run_uv


def _check_record(wheel: Path) -> dict[str, int]:
    """Every file hashed in RECORD with its size; path -> size."""
    sizes: dict[str, int] = {}
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        record = next(n for n in names if n.endswith(".dist-info/RECORD"))
        for line in zf.read(record).decode().splitlines():
            path, hashed, size = line.rsplit(",", 2)
            if path == record:
                assert (hashed, size) == ("", "")
                continue
            data = zf.read(path)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
            assert hashed == f"sha256={digest.decode()}"
            assert int(size) == len(data)
            sizes[path] = len(data)
        assert names == {*sizes, record}
    return sizes


def test_padded_wheel_is_valid_incompressible_and_still_a_standin(tmp_path: Path) -> None:
    wheel = write_standin_wheel(tmp_path, "torch", "2.6.0+cu124", [], pad_mb=3)
    (tmp_path / "again").mkdir()
    again = write_standin_wheel(tmp_path / "again", "torch", "2.6.0+cu124", [], pad_mb=3)
    assert again.read_bytes() == wheel.read_bytes()  # reproducible
    sizes = _check_record(wheel)
    parts = sorted(p for p in sizes if p.endswith(".bin"))
    assert sum(sizes[p] for p in parts) == 3 * 2**20
    with zipfile.ZipFile(wheel) as zf:
        first = zf.read(parts[0])
        assert "rehearsal stand-in" in zf.read("torch/_standin_padding/README.txt").decode()
    assert len(zlib.compress(first)) > 0.99 * len(first)
    assert wheel.stat().st_size > 3 * 2**20

    env = clean_env()
    run_uv("venv", str(tmp_path / "venv"), cwd=tmp_path, env=env)
    python = tmp_path / "venv" / "bin" / "python"
    run_uv("pip", "install", "--offline", "-p", str(python), str(wheel), cwd=tmp_path, env=env)
    site = next((tmp_path / "venv" / "lib").glob("python3*/site-packages"))
    installed = sum(p.stat().st_size for p in (site / "torch" / "_standin_padding").glob("*.bin"))
    assert installed == 3 * 2**20
    imported = run_uv(
        "run",
        "--no-project",
        "-p",
        str(python),
        "python",
        "-c",
        "import torch",
        cwd=tmp_path,
        env=env,
        check=False,
    )
    assert imported.returncode != 0
    assert "rehearsal stand-in" in imported.stderr


def test_padding_replaces_the_served_wheel(tmp_path: Path) -> None:
    add_standin_wheel(tmp_path, "torch", "2.6.0+cu124", [])
    small = (tmp_path / "torch" / "torch-2.6.0+cu124-py3-none-any.whl").read_bytes()
    add_standin_wheel(tmp_path, "torch", "2.6.0+cu124", [], pad_mb=1)
    wheels = list((tmp_path / "torch").glob("*.whl"))
    assert [w.name for w in wheels] == ["torch-2.6.0+cu124-py3-none-any.whl"]
    padded = wheels[0].read_bytes()
    assert len(padded) > 2**20 > len(small)
    page = (tmp_path / "torch" / "index.html").read_text(encoding="utf-8")
    assert f"#sha256={hashlib.sha256(padded).hexdigest()}" in page
    assert not list((tmp_path / "torch").glob("*.partial"))
