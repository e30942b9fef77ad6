"""Image planning: references, labels and bake targets computed from the locks (pure).

Nothing here runs a process or reads a file: callers pass the lock text, the
commit and the configuration in, and get frozen records back.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from release_tool.core.config import BackendConfig, Config
from release_tool.core.lockfile import LockedPackage, read_lock
from release_tool.core.oci import is_digest, is_repository_name, is_tag
from release_tool.errors import InputRejected

LABEL_PREFIX = "io.github.vlmhyperbenchteam"
NOT_LOCKED = "not yet locked"
_COMMIT = re.compile(r"^[0-9a-f]{40}\Z")


@dataclass(frozen=True)
class ImageSettings:
    registry: str
    name: str
    latest_backend: str
    source: str  # https URL of the monorepo

    @classmethod
    def from_config(cls, config: Config) -> ImageSettings:
        images = config.images
        source = f"https://github.com/{config.slug}"
        return cls(images.registry, images.name, images.latest_backend, source)


@dataclass(frozen=True)
class InternalPin:
    name: str
    url: str
    tag: str
    commit: str


@dataclass(frozen=True)
class LockFacts:
    sha256: str
    internal: tuple[InternalPin, ...]
    torch: Mapping[str, str]  # backend extra (or "" for a single torch) -> version

    @property
    def short(self) -> str:
        return self.sha256[:12]


@dataclass(frozen=True)
class ImagePlan:
    target: Literal["dev", "runtime"]
    profile: str
    backend: str | None
    repository: str
    floating: tuple[str, ...]
    immutable: tuple[str, ...]
    labels: Mapping[str, str] = field(default_factory=dict)
    build_args: Mapping[str, str] = field(default_factory=dict)
    cache: str = ""

    @property
    def variant(self) -> str:
        return (
            self.target if self.backend is None else f"{self.target}-{self.profile}-{self.backend}"
        )

    @property
    def references(self) -> tuple[str, ...]:
        return tuple(f"{self.repository}:{tag}" for tag in (*self.floating, *self.immutable))


@dataclass(frozen=True)
class ImagesPlan:
    env: str
    locked: bool
    images: tuple[ImagePlan, ...]

    @property
    def status(self) -> str:
        return "locked" if self.locked else NOT_LOCKED


def check_tag(tag: str) -> str:
    """Return ``tag`` if it is a valid (lower-case) Docker tag, else reject it."""
    if not is_tag(tag) or tag != tag.lower():
        raise InputRejected(f"{tag!r} is not a valid lower-case Docker tag")
    return tag


def repository_of(settings: ImageSettings) -> str:
    """``<registry>/<name>`` lower-cased, every path component checked."""
    name = settings.name.lower()
    if not is_repository_name(name):
        raise InputRejected(f"images.name {settings.name!r} is not a valid image repository name")
    return f"{settings.registry.lower()}/{name}"


def _internal_pin(entry: LockedPackage) -> InternalPin:
    url, tag, commit = entry.git_url, entry.git_tag, entry.git_commit
    if not (url and tag and commit and _COMMIT.match(commit)):
        raise InputRejected(f"the lock's git source for {entry.name} has no tag and commit")
    return InternalPin(entry.name, url, tag, commit)


def read_lock_facts(lock_text: str, internal: Sequence[str]) -> LockFacts:
    """The facts images are labelled with: lock hash, internal git pins, torch versions."""
    wanted = set(internal)
    pins: list[InternalPin] = []
    torch: dict[str, str] = {}
    for entry in read_lock(lock_text).packages:
        if entry.name in wanted and entry.source_kind == "git":
            pins.append(_internal_pin(entry))
        if entry.name == "torch":
            version = entry.version or ""
            registry = entry.source.rstrip("/") if entry.source_kind == "registry" else ""
            torch[version.partition("+")[2] or registry.rpartition("/")[2]] = version
    if len(torch) == 1:
        torch[""] = next(iter(torch.values()))
    digest = hashlib.sha256(lock_text.encode("utf-8")).hexdigest()
    return LockFacts(digest, tuple(sorted(pins, key=lambda p: p.name)), torch)


def _labels(
    settings: ImageSettings,
    variant: str,
    immutable: Sequence[str],
    *,
    commit: str,
    created: str,
    lock: LockFacts | None,
    backend: BackendConfig | None,
) -> dict[str, str]:
    """An image's labels; its version is its first immutable tag (unlocked: the variant)."""
    labels = {
        "org.opencontainers.image.title": f"vlmhyperbench {variant}",
        "org.opencontainers.image.source": settings.source,
        "org.opencontainers.image.revision": commit,
        "org.opencontainers.image.created": created,
        "org.opencontainers.image.version": immutable[0] if immutable else variant,
    }
    if lock is not None:
        labels[f"{LABEL_PREFIX}.lock.sha256"] = lock.sha256
        for pin in lock.internal:
            labels[f"{LABEL_PREFIX}.package.{pin.name}"] = f"{pin.tag}@{pin.commit}"
        torch = lock.torch.get(backend.extra if backend else "")
        if torch:
            labels[f"{LABEL_PREFIX}.torch.version"] = torch
    if backend is not None:
        labels[f"{LABEL_PREFIX}.cuda.version"] = backend.cuda
    return labels


def plan_runtime(
    settings: ImageSettings,
    profile: str,
    backends: Sequence[BackendConfig],
    lock: LockFacts | None,
    *,
    commit: str,
    created: str,
    python_version: str,
    base_images: Mapping[str, str],
) -> ImagesPlan:
    """One runtime image per backend of ``profile``; floating tags only while unlocked."""
    if not _COMMIT.match(commit):
        raise InputRejected(f"commit {commit!r} is not 40 lower-case hex digits")
    repository = repository_of(settings)
    images = []
    for backend in backends:
        variant = f"{profile}-{backend.name}".lower()
        floating = [check_tag(variant)]
        if profile == "prod" and backend.name == settings.latest_backend:
            floating.append("latest")
        immutable: list[str] = []
        if lock is not None:
            immutable = [
                check_tag(f"{variant}-{lock.short}"),
                check_tag(f"sha-{commit[:7]}-{variant}"),
            ]
        args = {
            "PROFILE": profile,
            "TORCH_BACKEND": backend.extra,
            "PYTHON_VERSION": python_version,
        }
        if backend.name in base_images:
            args["BASE_IMAGE"] = base_images[backend.name]
        images.append(
            ImagePlan(
                target="runtime",
                profile=profile,
                backend=backend.name,
                repository=repository,
                floating=tuple(floating),
                immutable=tuple(immutable),
                labels=_labels(
                    settings,
                    variant,
                    immutable,
                    commit=commit,
                    created=created,
                    lock=lock,
                    backend=backend,
                ),
                build_args=args,
                cache=f"{repository}-buildcache:{variant}",
            )
        )
    return ImagesPlan(profile, lock is not None, tuple(images))


def plan_dev(
    settings: ImageSettings,
    lock: LockFacts | None,
    *,
    commit: str,
    created: str,
    python_version: str,
    base_image: str | None,
) -> ImagesPlan:
    """The single dev image: ``dev`` floating, ``dev-<commit 7>`` immutable."""
    if not _COMMIT.match(commit):
        raise InputRejected(f"commit {commit!r} is not 40 lower-case hex digits")
    repository = repository_of(settings)
    immutable = (check_tag(f"dev-{commit[:7]}"),) if lock is not None else ()
    args = {"PYTHON_VERSION": python_version}
    if base_image:
        args["BASE_IMAGE"] = base_image
    image = ImagePlan(
        target="dev",
        profile="dev",
        backend=None,
        repository=repository,
        floating=("dev",),
        immutable=immutable,
        labels=_labels(
            settings, "dev", immutable, commit=commit, created=created, lock=lock, backend=None
        ),
        build_args=args,
        cache=f"{repository}-buildcache:dev",
    )
    return ImagesPlan("dev", lock is not None, (image,))


def is_pinned(reference: str) -> bool:
    """Whether an image reference is pinned by a sha256 digest."""
    _, at, digest = reference.rpartition("@")
    return bool(at) and is_digest(digest)
