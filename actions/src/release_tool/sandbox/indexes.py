"""Stand-in PyTorch indexes: PEP 503 trees of tiny, clearly labelled wheels.

Each wheel's module raises an ImportError saying it is a rehearsal stand-in, so
nothing can mistake it for torch. Benchmarks can pad a wheel with incompressible
data files (``pad_mb``) so that installing it costs what the real CUDA build costs
in bytes. uv finds them through ``UV_INDEX`` by the index
names the profiles use (``pytorch-cu124``, ``pytorch-cu128``); the profiles'
files stay unchanged.
"""

from __future__ import annotations

import base64
import hashlib
import io
import itertools
import random
import zipfile
from collections.abc import Iterator
from pathlib import Path

# What each backend index serves in the stand-in (the newest a real index has).
STANDIN_WHEELS: dict[str, list[tuple[str, str, list[str]]]] = {
    "cu124": [("torch", "2.6.0+cu124", []), ("torchvision", "0.21.0+cu124", ["torch==2.6.0"])],
    "cu128": [("torch", "2.11.0+cu128", []), ("torchvision", "0.26.0+cu128", ["torch==2.11.0"])],
}


PAD_PART_MB = 64


def _padding_parts(name: str, version: str, pad_mb: int) -> Iterator[tuple[str, bytes]]:
    """(path, bytes) of the padding: seeded pseudo-random data, reproducible and
    incompressible, in parts of at most ``PAD_PART_MB`` MiB."""
    for number, start in enumerate(range(0, pad_mb, PAD_PART_MB)):
        size = min(PAD_PART_MB, pad_mb - start) * 2**20
        data = random.Random(f"{name}-{version}-{number}").randbytes(size)  # noqa: S311
        yield f"{name}/_standin_padding/part-{number:03d}.bin", data


def _record_line(path: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{path},sha256={digest},{len(data)}"


def write_standin_wheel(
    directory: Path, name: str, version: str, requires: list[str], *, pad_mb: int = 0
) -> Path:
    """Write a stand-in wheel into ``directory``, padded with ``pad_mb`` MiB of
    incompressible data files (stored, not deflated) under ``<name>/_standin_padding/``;
    a valid wheel (RECORD hashes every file) whose module still refuses to import."""
    filename, small = standin_wheel(name, version, requires)
    path = directory / filename
    if not pad_mb:
        path.write_bytes(small)
        return path
    partial = path.with_suffix(".partial")
    with zipfile.ZipFile(io.BytesIO(small)) as source, zipfile.ZipFile(partial, "w") as zf:
        infos = source.infolist()
        record = next(i for i in infos if i.filename.endswith(".dist-info/RECORD"))
        lines = source.read(record).decode().splitlines()
        for info in infos:
            if info is not record:
                zf.writestr(info, source.read(info), zipfile.ZIP_DEFLATED)
        note = (
            f"Padding of a rehearsal stand-in wheel for {name} {version}: {pad_mb} MiB of "
            "pseudo-random bytes so that installing it costs what the real CUDA build costs "
            "in bytes. Not the real package.\n"
        ).encode()
        padding = [(f"{name}/_standin_padding/README.txt", note)]
        for part, data in itertools.chain(padding, _padding_parts(name, version, pad_mb)):
            zf.writestr(zipfile.ZipInfo(part, date_time=(2020, 1, 1, 0, 0, 0)), data)
            lines.insert(-1, _record_line(part, data))
        zf.writestr(record, "\n".join(lines) + "\n", zipfile.ZIP_DEFLATED)
    partial.replace(path)
    return path


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
        record_lines.append(_record_line(path, data))
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
        with wheel.open("rb") as fh:
            sha = hashlib.file_digest(fh, "sha256").hexdigest()
        links.append(f'<a href="{wheel.name}#sha256={sha}">{wheel.name}</a>')
    (project / "index.html").write_text(
        "<!DOCTYPE html><html><body>" + "".join(links) + "</body></html>\n", encoding="utf-8"
    )


def add_standin_wheel(
    index: Path, name: str, version: str, requires: list[str], *, pad_mb: int = 0
) -> None:
    """Serve one more stand-in wheel from ``index`` (a newer build, as a real index would);
    the same name and version again replaces it (``pad_mb``: see :func:`write_standin_wheel`)."""
    project = index / name
    project.mkdir(parents=True, exist_ok=True)
    write_standin_wheel(project, name, version, requires, pad_mb=pad_mb)
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
