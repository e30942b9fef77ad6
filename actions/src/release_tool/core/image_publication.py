"""Which image variants to publish, and the records the publish workflow passes on (pure).

A variant (``dev``; ``<profile>-<backend>``) is published when its inputs changed since
its **last successful publication**: the ``org.opencontainers.image.revision`` label of
its floating tag, which the workflow moves only after the GPU smoke run passed. So a
cancelled or queued run loses nothing (the next run still sees the change), a variant
whose smoke failed is published again, and its sibling whose smoke passed is not.

The build job writes one record per variant (``smoke-<name>.json``); the collect and
tag jobs read them back from one directory (download-artifact with ``merge-multiple``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from release_tool.core.config import BackendConfig, Config
from release_tool.core.matrix import check_backend
from release_tool.errors import InputRejected

REVISION_LABEL = "org.opencontainers.image.revision"
RECORD_PREFIX = "smoke-"
_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]*\Z")
_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}\Z")
# What the dev image is built from (docker/Dockerfile, target dev), beside docker/ itself.
DEV_INPUTS = ("packages", "actions", "pyproject.toml", "uv.lock", ".python-version", "docker")


@dataclass(frozen=True)
class Variant:
    """One image the workflow can publish: its matrix leg and what it is built from."""

    env: str  # dev | staging | prod
    backend: str | None  # None for dev
    floating: str  # the floating tag: "dev" or "<profile>-<backend>"
    runs_on: tuple[str, ...]  # the GPU runner labels of the smoke job
    smoke_backend: str  # what `vlmhb smoke --backend` gets
    inputs: tuple[str, ...]  # paths whose change means a new image

    @property
    def name(self) -> str:
        return self.floating

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "env": self.env,
            "backend": self.backend or "",
            "smoke_backend": self.smoke_backend,
            "runs_on": list(self.runs_on),
            "artifact": f"{RECORD_PREFIX}{self.name}",
        }


@dataclass(frozen=True)
class Decision:
    variant: Variant
    publish: bool
    reason: str


def variants(config: Config, env: str) -> tuple[Variant, ...]:
    """The variants of ``env``: dev has one (smoked on the latest backend's runners).
    Runner labels are checked as for the GPU gate's matrix (self-hosted and gpu)."""
    backends = config.backends
    for backend in backends.values():
        check_backend(backend)
    if env == "dev":
        smoke = backends.get(config.images.latest_backend) or next(iter(backends.values()))
        return (Variant("dev", None, "dev", smoke.runner_labels, smoke.name, DEV_INPUTS),)
    directory = config.profile(env).directory
    inputs = (directory, "docker", ".python-version")
    return tuple(_runtime(env, backend, inputs) for backend in backends.values())


def _runtime(env: str, backend: BackendConfig, inputs: tuple[str, ...]) -> Variant:
    name = f"{env}-{backend.name}".lower()
    return Variant(env, backend.name, name, backend.runner_labels, backend.name, inputs)


def decide(variant: Variant, published: str | None, head: str, changed: bool | None) -> Decision:
    """``published``: the revision label of the floating tag (None: no such tag);
    ``changed``: whether the variant's inputs differ between it and ``head`` (None: that
    revision is not in this repository's history)."""
    if published is None:
        return Decision(variant, True, "no floating tag yet")
    short = published[:10]
    if published == head:
        return Decision(variant, False, f"already published at {short}")
    if changed is None:
        return Decision(variant, True, f"last published at {short}, not in this history")
    if changed:
        return Decision(variant, True, f"its inputs changed since {short}")
    return Decision(variant, False, f"unchanged since {short}")


def dump(items: Sequence[Mapping[str, Any]]) -> str:
    """One-line JSON for a step output; ``[]`` when empty."""
    return json.dumps(list(items), separators=(",", ":"), sort_keys=True)


# -- the records of pushed images ----------------------------------------------------
RECORD_KEYS = ("name", "env", "backend", "smoke_backend", "runs_on", "repository", "digest", "tags")


def make_record(
    variant: Mapping[str, Any], image: Mapping[str, Any], metadata: Mapping[str, Any]
) -> dict[str, Any]:
    """The record of one pushed image: a matrix entry, its plan entry, bake's metadata."""
    target = str(image["variant"])
    built = metadata.get(target)
    digest = built.get("containerimage.digest") if isinstance(built, dict) else None
    if not isinstance(digest, str) or not _DIGEST.match(digest):
        raise InputRejected(
            f"bake's metadata has no containerimage.digest for {target}; did the bake step "
            "build and push it?"
        )
    return {
        **{key: variant[key] for key in ("name", "env", "backend", "smoke_backend", "runs_on")},
        "repository": image["repository"],
        "digest": digest,
        "tags": [*image["floating"], *image["immutable"]],
    }


def record_file(name: str) -> str:
    if not _NAME.match(name):
        raise InputRejected(f"{name!r} is not an image variant name")
    return f"{RECORD_PREFIX}{name}.json"


def check_record(data: object, *, file: str) -> dict[str, Any]:
    """A record read back, checked field by field; one sentence when it is not one."""
    if not isinstance(data, dict) or set(RECORD_KEYS) - set(data):
        raise InputRejected(f"{file} is not an image record (keys {', '.join(RECORD_KEYS)})")
    if file != record_file(str(data["name"])):
        raise InputRejected(f"{file} holds the record of {data['name']}, not its own")
    if not _DIGEST.match(str(data["digest"])):
        raise InputRejected(f"{file}: digest {data['digest']!r} is not sha256:<64 hex>")
    tags = data["tags"]
    if not isinstance(tags, list) or not tags or not all(isinstance(t, str) for t in tags):
        raise InputRejected(f"{file}: tags must be a non-empty list of strings")
    return dict(data)


def tag_commands(record: Mapping[str, Any]) -> list[str]:
    """``docker buildx imagetools create`` arguments moving every tag onto the digest."""
    repository = str(record["repository"])
    argv = ["docker", "buildx", "imagetools", "create"]
    for tag in record["tags"]:
        argv += ["--tag", f"{repository}:{tag}"]
    return [*argv, f"{repository}@{record['digest']}"]
