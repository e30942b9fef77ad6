"""A small synthetic document dataset for tests and demos, drawn with Pillow.

Besides the classification/page-ordering layout below, the same directory gets
the VQA and extraction data of :mod:`bench_utils.demo_annotated`.

Each class has its own look (title, fields and layout), so a real VLM can tell
them apart; subsets degrade the same kind of pages (blur, noise plus rotation).
Multi-page documents store their pages shuffled on disk, with the reading order
in ``<class>/jsons/<doc_id>.json``. Everything derives from the seed: the same
call writes the same bytes.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

from bench_utils.demo_annotated import make_annotated_demo
from bench_utils.errors import UsageError

CLASSES = ("invoice", "letter", "receipt")
SUBSETS = ("clean", "blurred", "noisy")
SIZE = (300, 400)
WORDS = (
    "account",
    "amount",
    "balance",
    "delivery",
    "order",
    "service",
    "payment",
    "total",
    "customer",
    "office",
    "reference",
    "date",
    "number",
    "street",
    "city",
    "project",
    "report",
    "meeting",
    "request",
    "thank",
    "regards",
)

Draw = ImageDraw.ImageDraw
Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


class DemoDataError(UsageError):
    """The demo dataset cannot be written where asked; one sentence."""


@dataclass(frozen=True)
class DemoSpec:
    images_per_class: int = 4
    documents_per_class: int = 2
    seed: int = 0
    vqa_documents_per_class: int = 2  # per split (test, val): VQA documents of each class
    forms_per_class: int = 3  # passport-, INN- and SNILS-like forms each

    def page_count(self, document: int) -> int:
        return 3 + document % 2  # 3, 4, 3, 4, ... pages


@dataclass(frozen=True)
class DemoSummary:
    images: int
    documents: int
    pages: int
    questions: int = 0
    vqa_documents: int = 0
    forms: int = 0


@cache
def _font(size: int) -> Font:
    return ImageFont.load_default(size=size)


def _words(rng: random.Random, count: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(count))


def _invoice(draw: Draw, rng: random.Random, page: str) -> None:
    w, h = SIZE
    draw.rectangle((0, 0, w, 56), fill=(30, 60, 120))
    draw.text((16, 12), "INVOICE", fill="white", font=_font(28))
    draw.text((16, 66), f"No. INV-{rng.randint(1000, 9999)}   {page}", fill="black", font=_font(12))
    draw.text((16, 86), "Bill to: " + _words(rng, 2), fill="black", font=_font(12))
    top = 120
    for row in range(6):
        y = top + row * 28
        draw.rectangle((16, y, w - 16, y + 28), outline=(90, 90, 90))
        label = "Item" if row == 0 else _words(rng, 2)
        amount = "Amount" if row == 0 else f"{rng.randint(5, 900)}.00"
        draw.text((22, y + 7), label, fill="black", font=_font(12))
        draw.text((w - 90, y + 7), amount, fill="black", font=_font(12))
    draw.line((w - 100, top, w - 100, top + 6 * 28), fill=(90, 90, 90))
    draw.rectangle((w - 150, h - 70, w - 16, h - 30), outline="black", width=2)
    draw.text((w - 142, h - 60), f"TOTAL {rng.randint(100, 9999)}.00", fill="black", font=_font(14))


def _letter(draw: Draw, rng: random.Random, page: str) -> None:
    w, h = SIZE
    draw.text((20, 18), "LETTER", fill=(120, 20, 20), font=_font(22))
    for i in range(3):
        draw.text((w - 130, 20 + i * 16), _words(rng, 2), fill="black", font=_font(11))
    draw.text((20, 84), f"Dear {rng.choice(WORDS).title()},   {page}", fill="black", font=_font(13))
    y = 112
    while y < h - 80:
        draw.text((20, y), _words(rng, 5), fill=(40, 40, 40), font=_font(12))
        y += 18
        if rng.random() < 0.2:
            y += 12  # paragraph break
    draw.text((20, h - 60), "Kind regards,", fill="black", font=_font(12))
    draw.line((20, h - 24, 140, h - 24), fill="black", width=1)


def _receipt(draw: Draw, rng: random.Random, page: str) -> None:
    w, h = SIZE
    left, right = 70, w - 70
    draw.rectangle((left, 10, right, h - 10), fill=(245, 242, 230), outline=(200, 200, 200))
    draw.text((left + 30, 22), "RECEIPT", fill="black", font=_font(20))
    draw.text(
        (left + 10, 52), f"{rng.choice(WORDS).upper()} STORE  {page}", fill="black", font=_font(10)
    )
    y = 76
    for _ in range(8):
        draw.line((left + 8, y, right - 8, y), fill=(150, 150, 150))
        draw.text((left + 10, y + 4), rng.choice(WORDS), fill="black", font=_font(11))
        draw.text(
            (right - 50, y + 4),
            f"{rng.randint(1, 99)}.{rng.randint(0, 99):02d}",
            fill="black",
            font=_font(11),
        )
        y += 24
    draw.text((left + 10, y + 10), "TOTAL", fill="black", font=_font(14))
    for x in range(left + 14, right - 14, 3):
        if rng.random() < 0.6:
            draw.line((x, h - 60, x, h - 24), fill="black", width=1)


PAINTERS: dict[str, Callable[[Draw, random.Random, str], None]] = {
    "invoice": _invoice,
    "letter": _letter,
    "receipt": _receipt,
}


def _degrade(image: Image.Image, subset: str, rng: random.Random) -> Image.Image:
    if subset == "blurred":
        return image.filter(ImageFilter.GaussianBlur(1.6))
    if subset == "noisy":
        noise = Image.frombytes("L", image.size, rng.randbytes(image.width * image.height))
        noisy = Image.blend(image, noise.convert("RGB"), 0.18)
        return noisy.rotate(
            rng.uniform(-4.0, 4.0), resample=Image.Resampling.BILINEAR, fillcolor="white"
        )
    return image


def render_page(label: str, subset: str, rng: random.Random, page: str = "") -> Image.Image:
    """One document-like page of class ``label``, degraded as ``subset`` says."""
    image = Image.new("RGB", SIZE, "white")
    PAINTERS[label](ImageDraw.Draw(image), rng, page)
    return _degrade(image, subset, rng)


def _save(image: Image.Image, path: Path) -> None:
    # zlib level 3: noisy pages encode ~2.5x faster than the default and come out smaller
    image.save(path, compress_level=3)


def make_demo_data(root: Path, spec: DemoSpec = DemoSpec()) -> DemoSummary:
    """Write the demo dataset under ``root`` (which must be absent or empty)."""
    if root.exists() and (not root.is_dir() or any(root.iterdir())):
        raise DemoDataError(
            f"{root} already exists and is not an empty directory; choose a new one"
        )
    images = documents = pages = 0
    for label in CLASSES:
        jsons = root / label / "jsons"
        jsons.mkdir(parents=True)
        for subset in SUBSETS:
            folder = root / label / "images" / subset
            folder.mkdir(parents=True)
            for index in range(spec.images_per_class):
                rng = random.Random(f"{spec.seed}:{label}:{subset}:image:{index}")  # noqa: S311
                _save(render_page(label, subset, rng), folder / f"{label}_{subset}_{index:03d}.png")
                images += 1
            for index in range(spec.documents_per_class):
                doc_id = f"{label}_{subset}_doc{index:02d}"
                rng = random.Random(f"{spec.seed}:{label}:{subset}:doc:{index}")  # noqa: S311
                count = spec.page_count(index)
                order = rng.sample(range(count), count)  # order[k]: file of reading page k
                (folder / doc_id).mkdir()
                for position, file_index in enumerate(order):
                    page = render_page(label, subset, rng, f"Page {position + 1} of {count}")
                    _save(page, folder / doc_id / f"{file_index}.png")
                    pages += 1
                truth = {"fields": {label: order}}
                (jsons / f"{doc_id}.json").write_text(json.dumps(truth) + "\n", encoding="utf-8")
                documents += 1
    annotated = make_annotated_demo(
        root, spec.vqa_documents_per_class, spec.forms_per_class, spec.seed
    )
    return DemoSummary(
        images, documents, pages, annotated.questions, annotated.vqa_documents, annotated.forms
    )
