"""Find benchmark items on disk.

Layout: ``<dataset>/<class>/images/<subset>/<item>`` where an item is an image
file (one page) or a directory of page images (a multi-page document). Page
ordering ground truth lives in ``<dataset>/<class>/jsons/<doc_id>.json`` as
``{"fields": {"<class>": [0-based page order]}}``.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench_utils.errors import UsageError

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".webp"})


class DatasetError(UsageError):
    """The dataset on disk does not have the expected layout; one sentence."""


@dataclass(frozen=True)
class Item:
    """One benchmark item: its class, subset, pages and its path relative to the dataset."""

    label: str
    subset: str
    path: str  # posix, relative to the dataset root: the item's identity
    pages: tuple[Path, ...]
    document: bool  # a directory of pages rather than a single image file


def _is_image(path: Path) -> bool:
    return path.is_file() and path.suffix.lower() in IMAGE_SUFFIXES


def _page_sort_key(path: Path) -> tuple[int, int, str]:
    # Natural order: "10.png" after "9.png"; non-numeric names after numeric ones.
    return (0, int(path.stem), path.name) if re.fullmatch(r"\d+", path.stem) else (1, 0, path.name)


def sorted_pages(directory: Path) -> tuple[Path, ...]:
    """The page images of a document directory, in natural file-name order."""
    return tuple(sorted((p for p in directory.iterdir() if _is_image(p)), key=_page_sort_key))


def find_classes(root: Path) -> list[str]:
    """Class names: the dataset's subdirectories that hold an ``images`` directory, sorted."""
    if not root.is_dir():
        raise DatasetError(f"dataset directory {root} does not exist")
    classes = sorted(p.name for p in root.iterdir() if (p / "images").is_dir())
    if not classes:
        raise DatasetError(
            f"dataset {root} has no <class>/images/<subset>/ directories; "
            "see docs/benchmark.md for the layout (vlmhb make-demo-data builds an example)"
        )
    return classes


def find_subsets(root: Path, classes: Sequence[str]) -> list[str]:
    """Every subset name found under any class, sorted."""
    return sorted(
        {p.name for label in classes for p in (root / label / "images").iterdir() if p.is_dir()}
    )


def find_items(root: Path, classes: Sequence[str], subset: str) -> list[Item]:
    """Every item of ``subset`` across ``classes``, sorted by path."""
    items: list[Item] = []
    for label in classes:
        directory = root / label / "images" / subset
        if not directory.is_dir():
            continue
        for entry in sorted(directory.iterdir()):
            if _is_image(entry):
                pages: tuple[Path, ...] = (entry,)
            elif entry.is_dir():
                pages = sorted_pages(entry)
                if not pages:
                    continue
            else:
                continue
            relative = entry.relative_to(root).as_posix()
            items.append(Item(label, subset, relative, pages, entry.is_dir()))
    return sorted(items, key=lambda item: item.path)


def sample_items(items: Sequence[Item], size: int | None, seed: int, subset: str) -> list[Item]:
    """A reproducible sample of ``size`` items (all when ``size`` is None or larger)."""
    if size is None or size >= len(items):
        return list(items)
    rng = random.Random(f"{seed}:{subset}")  # noqa: S311 - reproducible sampling
    chosen = rng.sample(list(items), size)
    return sorted(chosen, key=lambda item: item.path)


def truth_path(root: Path, item: Item) -> Path:
    """Where the page-order ground truth of a document item lives."""
    doc_id = item.path.rsplit("/", 1)[-1]
    return root / item.label / "jsons" / f"{doc_id}.json"


def read_page_order(root: Path, item: Item) -> list[int]:
    """The 0-based reading order of a document's pages, validated."""
    path = truth_path(root, item)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DatasetError(f"document {item.path} has no ground truth file {path}") from None
    except (OSError, json.JSONDecodeError) as exc:
        raise DatasetError(f"ground truth file {path} cannot be read: {exc}") from None
    fields = data.get("fields") if isinstance(data, dict) else None
    order = fields.get(item.label) if isinstance(fields, dict) else None
    if not isinstance(order, list) or sorted(order) != list(range(len(item.pages))):
        raise DatasetError(
            f'ground truth file {path} must hold {{"fields": {{"{item.label}": [...]}}}} '
            f"with a permutation of 0..{len(item.pages) - 1} (the document has "
            f"{len(item.pages)} pages)"
        )
    return [int(page) for page in order]
