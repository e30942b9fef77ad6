"""Release tags and their PEP 440 versions (``packaging``: semver cannot order ``.devN``)."""

from __future__ import annotations

import re

from packaging.version import InvalidVersion, Version

from release_tool.errors import InputRejected

MAX_TAG_LENGTH = 100
# A tag is a PEP 440 version, optionally prefixed with ``v``; the character set is
# narrower than git's so a tag never reads as an option, a path or a shell word.
_TAG_CHARS = re.compile(r"^v?[0-9][0-9A-Za-z.+!_-]*\Z")


def show(value: object) -> str:
    """A value as it may appear in a one-line message: quoted, escaped, shortened."""
    text = ascii(value)
    return text if len(text) <= 60 else text[:57] + "..."


def parse_tag(tag: str) -> Version:
    """The version a tag names (``0.2.0``, ``v0.2.0``, ``0.3.0rc1``, ``0.3.0.dev2``)."""
    if not isinstance(tag, str) or len(tag) > MAX_TAG_LENGTH or not _TAG_CHARS.fullmatch(tag):
        raise InputRejected(
            f"malformed tag {show(tag)}: expected a PEP 440 version such as 0.2.0 or v0.2.0"
        )
    try:
        version = Version(tag.removeprefix("v"))
    except InvalidVersion:
        raise InputRejected(f"malformed tag {show(tag)}: not a PEP 440 version") from None
    if tag.endswith((".", "-", "_")):
        raise InputRejected(f"malformed tag {show(tag)}: not a PEP 440 version")
    return version


def is_prerelease(version: Version) -> bool:
    """True for pre-releases (``rc``, ``a``, ``b``) and development releases (``.devN``)."""
    return version.is_prerelease or version.is_devrelease
