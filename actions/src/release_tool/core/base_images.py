"""``docker/base-images.toml``: read it, rewrite its digests, describe a change (pure).

The file has one ``[<variant>]`` table per image variant (``cu124``, ``cu128``,
``dev``) with ``image = "<reference with tag>"`` and ``digest = "sha256:…"`` (empty
until pinned). Rewrites go through tomlkit, so comments and layout stay as written.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import tomlkit

from release_tool.core.oci import is_digest, parse_reference
from release_tool.errors import InputRejected

PATH = "docker/base-images.toml"
BRANCH = "release/bases"
LABEL = "bases"


@dataclass(frozen=True)
class BaseEntry:
    variant: str
    image: str  # the reference the file names (the real one, never a mirror)
    digest: str  # "" until pinned


@dataclass(frozen=True)
class DigestChange:
    """One entry, resolved: the digest pinned before and the index digest its tag has now."""

    variant: str
    image: str
    old: str
    new: str

    @property
    def changed(self) -> bool:
        return self.old != self.new

    def describe(self) -> str:
        return f"{self.variant} ({self.image}): {self.old or '(empty)'} -> {self.new}"


@dataclass(frozen=True)
class CheckResult:
    """``--check`` of one entry: does the pinned digest resolve, where is its tag now."""

    entry: BaseEntry
    exists: bool
    current: str  # the index digest the tag resolves to now

    @property
    def moved(self) -> bool:
        return self.exists and self.current != self.entry.digest

    def describe(self) -> str:
        where = f"{self.entry.variant} ({self.entry.image})"
        if not self.exists:
            return f"{where}: the pinned digest {self.entry.digest} is gone from the registry"
        if self.moved:
            return (
                f"{where}: pinned {self.entry.digest} still resolves; the tag has moved to "
                f"{self.current}"
            )
        return f"{where}: {self.entry.digest} resolves and is the tag's current index"


def read_base_images(text: str, *, path: str = PATH) -> tuple[BaseEntry, ...]:
    """Every entry of the file, checked: an image with a tag, a digest empty or sha256."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputRejected(f"{path}: {exc}") from None
    entries = []
    for variant, table in data.items():
        if not isinstance(table, dict) or set(table) != {"image", "digest"}:
            raise InputRejected(
                f'{path}: [{variant}] must hold exactly image = "…" and digest = "…"'
            )
        image, digest = table["image"], table["digest"]
        if not isinstance(image, str) or not isinstance(digest, str):
            raise InputRejected(f"{path}: [{variant}] image and digest must be strings")
        reference = parse_reference(image)
        if reference.tag is None or reference.digest is not None:
            raise InputRejected(
                f"{path}: [{variant}] image {image!r} must name a tag and no digest "
                "(the digest has its own key)"
            )
        if digest and not is_digest(digest):
            raise InputRejected(
                f"{path}: [{variant}] digest {digest!r} is not sha256:<64 hex> (or empty)"
            )
        entries.append(BaseEntry(variant, image, digest))
    if not entries:
        raise InputRejected(f"{path} names no base image")
    return tuple(entries)


def rewrite_digests(text: str, digests: Mapping[str, str]) -> str:
    """``text`` with each named variant's digest replaced; comments and layout kept."""
    document = tomlkit.parse(text)
    for variant, digest in digests.items():
        if not is_digest(digest):
            raise ValueError(f"not a sha256 digest: {digest!r}")
        table = document.get(variant)
        if table is None:
            raise ValueError(f"no [{variant}] table")
        table["digest"] = digest
    return tomlkit.dumps(document)


def empty_entries(entries: Sequence[BaseEntry]) -> tuple[BaseEntry, ...]:
    return tuple(e for e in entries if not e.digest)


def bases_title(changes: Sequence[DigestChange]) -> str:
    moved = [c.variant for c in changes if c.changed]
    if all(not c.old for c in changes if c.changed):
        return f"docker: pin the base images by digest ({', '.join(moved)})"
    return f"docker: update the base image digests ({', '.join(moved)})"


def bases_body(changes: Sequence[DigestChange], *, base_branch: str) -> str:
    """The PR body: each entry's old and new index digest, then what to check."""
    lines = [
        f"`release-tool bases --update` resolved each entry of `{PATH}` to the digest of its",
        "tag's index (manifest list) and rewrote the file where the tag has moved.",
        "",
        "| variant | image | old digest | new digest |",
        "|---|---|---|---|",
    ]
    for change in changes:
        old = f"`{change.old}`" if change.old else "(empty)"
        new = f"`{change.new}`" if change.changed else "unchanged"
        lines.append(f"| `{change.variant}` | `{change.image}` | {old} | {new} |")
    lines += [
        "",
        "Before merging: the images built on these bases are rebuilt by the publish",
        f"workflow after the merge into `{base_branch}` and smoke-tested on the GPU runners;",
        "read the base image's release notes for a CUDA or Ubuntu change.",
    ]
    return "\n".join(lines) + "\n"


def bases_commit_message(changes: Sequence[DigestChange]) -> str:
    body = "\n".join(c.describe() for c in changes if c.changed)
    return f"{bases_title(changes)}\n\n{body}\n"
