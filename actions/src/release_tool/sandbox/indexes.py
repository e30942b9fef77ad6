"""Stand-in PyTorch indexes: PEP 503 trees of tiny, clearly labelled wheels.

Each wheel's module raises an ImportError saying it is a rehearsal stand-in, so
nothing can mistake it for torch. uv finds them through ``UV_INDEX`` by the index
names the profiles use (``pytorch-cu124``, ``pytorch-cu128``); the profiles'
files stay unchanged.
"""

from __future__ import annotations

import base64
import hashlib
import io
import zipfile
from pathlib import Path

# What each backend index serves in the stand-in (the newest a real index has).
STANDIN_WHEELS: dict[str, list[tuple[str, str, list[str]]]] = {
    "cu124": [("torch", "2.6.0+cu124", []), ("torchvision", "0.21.0+cu124", ["torch==2.6.0"])],
    "cu128": [("torch", "2.11.0+cu128", []), ("torchvision", "0.26.0+cu128", ["torch==2.11.0"])],
}


def standin_wheel(name: str, version: str, requires: list[str]) -> tuple[str, bytes]:
    """The file name and bytes of a stand-in wheel (reproducible: fixed zip dates)."""
    dist = f"{name}-{version}"
    filename = f"{dist}-py3-none-any.whl"
    module = (
        f'"""Rehearsal stand-in for {name} {version}: not the real package."""\n'
        f"raise ImportError({name!r} ' {version} here is a rehearsal stand-in wheel from a "
        "local test index, not the real package')\n"
    )
    metadata = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n" + "".join(
        f"Requires-Dist: {r}\n" for r in requires
    )
    files = {
        f"{name}/__init__.py": module.encode(),
        f"{dist}.dist-info/METADATA": metadata.encode(),
        f"{dist}.dist-info/WHEEL": (
            b"Wheel-Version: 1.0\nGenerator: vlmhb-sandbox\n"
            b"Root-Is-Purelib: true\nTag: py3-none-any\n"
        ),
    }
    record_lines = []
    for path, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record_lines.append(f"{path},sha256={digest},{len(data)}")
    record_lines.append(f"{dist}.dist-info/RECORD,,")
    files[f"{dist}.dist-info/RECORD"] = ("\n".join(record_lines) + "\n").encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for path, data in files.items():
            zf.writestr(zipfile.ZipInfo(path, date_time=(2020, 1, 1, 0, 0, 0)), data)
    return filename, buffer.getvalue()


def _write_project_page(project: Path) -> None:
    links = []
    for wheel in sorted(project.glob("*.whl")):
        sha = hashlib.sha256(wheel.read_bytes()).hexdigest()
        links.append(f'<a href="{wheel.name}#sha256={sha}">{wheel.name}</a>')
    (project / "index.html").write_text(
        "<!DOCTYPE html><html><body>" + "".join(links) + "</body></html>\n", encoding="utf-8"
    )


def add_standin_wheel(index: Path, name: str, version: str, requires: list[str]) -> None:
    """Serve one more stand-in wheel from ``index`` (a newer build, as a real index would)."""
    filename, data = standin_wheel(name, version, requires)
    project = index / name
    project.mkdir(parents=True, exist_ok=True)
    (project / filename).write_bytes(data)
    _write_project_page(project)
    names = sorted(p.name for p in index.iterdir() if p.is_dir())
    (index / "index.html").write_text(
        "<!DOCTYPE html><html><body>"
        + "".join(f'<a href="{n}/">{n}</a>' for n in names)
        + "</body></html>\n",
        encoding="utf-8",
    )


def make_standin_indexes(root: Path) -> dict[str, Path]:
    """PEP 503 indexes ``root/<backend>/`` of stand-in torch wheels; backend -> directory."""
    result: dict[str, Path] = {}
    for backend, wheels in STANDIN_WHEELS.items():
        index = root / backend
        index.mkdir(parents=True, exist_ok=True)
        for name, version, requires in wheels:
            add_standin_wheel(index, name, version, requires)
        result[backend] = index
    return result
