"""Release tags and their PEP 440 versions (``packaging``: semver cannot order ``.devN``)."""

from __future__ import annotations

import re
from collections.abc import Mapping

from packaging.version import Version

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
    except ValueError:  # InvalidVersion, or an integer past 4300 digits
        raise InputRejected(f"malformed tag {show(tag)}: not a PEP 440 version") from None
    if tag.endswith((".", "-", "_")):
        raise InputRejected(f"malformed tag {show(tag)}: not a PEP 440 version")
    return version


def resolve_tag(wanted: str, tags: Mapping[str, str], package: str) -> str | None:
    """The tag of ``tags`` (name -> commit) that ``wanted`` names: itself, or the same
    version with or without the ``v`` prefix (None: neither exists).

    When ``0.2.14`` and ``v0.2.14`` both exist at different commits the request is
    ambiguous and refused rather than settled by picking one.
    """
    bare = wanted.removeprefix("v")
    found = [t for t in (bare, f"v{bare}") if t in tags]
    if len({tags[t] for t in found}) > 1:
        raise InputRejected(
            f"{package} has both tags {bare} ({tags[bare][:10]}) and v{bare} "
            f"({tags['v' + bare][:10]}) at different commits; which one is meant is "
            "ambiguous: delete the wrong tag in the package repository"
        )
    if wanted in found:
        return wanted
    return found[0] if found else None


def is_prerelease(version: Version) -> bool:
    """True for pre-releases (``rc``, ``a``, ``b``) and development releases (``.devN``)."""
    return version.is_prerelease or version.is_devrelease
