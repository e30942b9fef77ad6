"""OCI distribution API facts the registry client needs, as pure functions.

Image references as Docker writes them (``nvidia/cuda:12.8.1-base-ubuntu22.04``), the
media types asked for, the ``WWW-Authenticate: Bearer`` challenge, the digest of a
manifest's bytes, the platforms an index lists, and ``--mirror`` redirects.
Nothing here opens a connection.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from release_tool.errors import InputRejected

DOCKER_HUB = "docker.io"
# Docker Hub's name is docker.io; its distribution API answers on another host.
DOCKER_HUB_API = "https://registry-1.docker.io"

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
INDEX_TYPES = (OCI_INDEX, DOCKER_LIST)
MANIFEST_TYPES = (OCI_MANIFEST, DOCKER_MANIFEST)
# Asked for on every manifest request: an index if the tag has one, else a manifest.
ACCEPT = ", ".join((*INDEX_TYPES, *MANIFEST_TYPES))

PLATFORM = ("linux", "amd64")
_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}\Z")
_TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}\Z")
_COMPONENT = re.compile(r"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*\Z")
_PARAM = re.compile(r'([A-Za-z]+)="([^"]*)"')


@dataclass(frozen=True)
class Reference:
    """``registry/repository[:tag][@digest]`` with Docker's defaults applied."""

    registry: str
    repository: str
    tag: str | None = None
    digest: str | None = None

    def __str__(self) -> str:
        text = f"{self.registry}/{self.repository}"
        if self.tag:
            text += f":{self.tag}"
        if self.digest:
            text += f"@{self.digest}"
        return text

    def with_digest(self, digest: str) -> Reference:
        return Reference(self.registry, self.repository, self.tag, digest)


def is_digest(value: str) -> bool:
    return bool(_DIGEST.match(value))


def is_tag(value: str) -> bool:
    """Whether ``value`` is a valid Docker tag."""
    return bool(_TAG.match(value))


def is_repository_name(name: str) -> bool:
    """Whether every ``/``-separated component of ``name`` is a valid lower-case one."""
    return bool(name) and all(_COMPONENT.match(part) for part in name.split("/"))


def parse_reference(text: str) -> Reference:
    """Docker's reading of an image reference: no registry means docker.io, and a
    one-component name on docker.io lives under ``library/``."""
    rest, _, digest = text.strip().partition("@")
    if digest and not is_digest(digest):
        raise InputRejected(f"{text!r}: the digest is not sha256:<64 hex>")
    first, slash, remainder = rest.partition("/")
    if slash and ("." in first or ":" in first or first == "localhost"):
        registry, path = first, remainder
    else:
        registry, path = DOCKER_HUB, rest
    name, colon, tag = path.rpartition(":")
    if not colon:
        name, tag = path, ""
    if registry == DOCKER_HUB and "/" not in name:
        name = f"library/{name}"
    if not is_repository_name(name):
        raise InputRejected(f"{text!r} is not an image reference (registry/name:tag)")
    if tag and not is_tag(tag):
        raise InputRejected(f"{text!r}: {tag!r} is not a valid tag")
    if not tag and not digest:
        raise InputRejected(f"{text!r} names neither a tag nor a digest")
    return Reference(registry, name, tag or None, digest or None)


def parse_mirrors(values: Iterable[str]) -> dict[str, str]:
    """``REGISTRY=URL`` pairs (``docker.io=http://127.0.0.1:5000``) as a mapping."""
    mirrors: dict[str, str] = {}
    for value in values:
        registry, equals, url = value.partition("=")
        parts = urlsplit(url)
        if not equals or not registry or parts.scheme not in {"http", "https"} or not parts.netloc:
            raise InputRejected(
                f"--mirror {value!r} is not REGISTRY=URL (e.g. docker.io=http://127.0.0.1:5000)"
            )
        mirrors[registry.lower()] = url.rstrip("/")
    return mirrors


def endpoint(registry: str, mirrors: Mapping[str, str]) -> str:
    """The base URL the distribution API of ``registry`` is asked at."""
    if registry in mirrors:
        return mirrors[registry]
    if registry == DOCKER_HUB:
        return DOCKER_HUB_API
    return f"https://{registry}"


@dataclass(frozen=True)
class Challenge:
    """A ``WWW-Authenticate: Bearer`` challenge: where to get a token, and for what."""

    realm: str
    service: str | None
    scope: str | None


def parse_challenge(header: str) -> Challenge | None:
    """The Bearer challenge of a 401, or None when the header asks for something else."""
    scheme, _, params = header.strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    values = {key.lower(): value for key, value in _PARAM.findall(params)}
    realm = values.get("realm", "")
    if urlsplit(realm).scheme not in {"http", "https"}:
        return None
    return Challenge(realm, values.get("service"), values.get("scope"))


def digest_of(raw: bytes) -> str:
    """The content digest of a manifest: sha256 of its bytes, exactly as served."""
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def media_type_of(raw: bytes, header: str | None) -> str:
    """The manifest's media type: its own ``mediaType`` field, else the response header."""
    try:
        data = json.loads(raw)
    except ValueError:
        return (header or "").split(";")[0].strip()
    field = data.get("mediaType") if isinstance(data, dict) else None
    return str(field or (header or "").split(";")[0].strip())


def platform_manifest(raw: bytes, *, what: str, platform: tuple[str, str] = PLATFORM) -> str:
    """The digest of the ``platform`` manifest an index lists; reject anything else."""
    try:
        data = json.loads(raw)
    except ValueError:
        raise InputRejected(f"{what}: the registry's manifest is not JSON") from None
    manifests = data.get("manifests") if isinstance(data, dict) else None
    if not isinstance(manifests, list):
        raise InputRejected(
            f"{what} is a single-platform image, not an index (manifest list); pin a tag "
            "that publishes an index"
        )
    for entry in manifests:
        if not isinstance(entry, dict):
            continue
        found = entry.get("platform") or {}
        digest = str(entry.get("digest", ""))
        if (found.get("os"), found.get("architecture")) == platform and is_digest(digest):
            return digest
    raise InputRejected(f"the index of {what} lists no {'/'.join(platform)} image")
