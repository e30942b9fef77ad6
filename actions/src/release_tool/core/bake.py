"""What ``release-tool images`` writes: a buildx bake file and the runtime exports (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from release_tool.core.images import ImagesPlan, LockFacts

DOCKERFILE = "docker/Dockerfile"


@dataclass(frozen=True)
class Export:
    """The two files a runtime variant's build reads from ``EXPORT_DIR/<profile>-<backend>/``."""

    directory: str  # "<profile>-<backend>"
    argv: tuple[str, ...]  # the `uv export` writing pylock.toml (third-party packages)
    internal: str  # internal.txt: "<name> <url> <tag> <commit>" per line


def render_bake(plan: ImagesPlan, *, export_dir: str, context: str = ".") -> dict[str, Any]:
    """A ``docker buildx bake`` JSON definition: one target per image, pushed by digest.

    Tags are not pushed here: the publish workflow moves them onto the digest after the
    GPU smoke run. Each variant reads and writes its own registry cache.
    """
    targets: dict[str, Any] = {}
    for image in plan.images:
        args = dict(image.build_args)
        if image.target == "runtime":
            args["EXPORT_DIR"] = export_dir
        targets[image.variant] = {
            "context": context,
            "dockerfile": DOCKERFILE,
            "target": image.target,
            "args": args,
            "labels": dict(image.labels),
            "platforms": ["linux/amd64"],
            "cache-from": [f"type=registry,ref={image.cache}"],
            "cache-to": [f"type=registry,ref={image.cache},mode=max,image-manifest=true"],
            "output": [
                f"type=image,name={image.repository},push-by-digest=true,"
                "name-canonical=true,push=true"
            ],
        }
    return {"group": {"default": {"targets": list(targets)}}, "target": targets}


def plan_exports(
    plan: ImagesPlan,
    lock: LockFacts,
    *,
    uv: str,
    project_dir: str,
    internal_names: Sequence[str],
    export_dir: str,
) -> tuple[Export, ...]:
    """The ``uv export`` per runtime variant, without the internal packages and header.

    The header would carry this machine's paths; without it an export is byte-equal
    whenever the third-party set is, so the image layer built from it is reused.
    """
    internal = "".join(f"{p.name} {p.url} {p.tag} {p.commit}\n" for p in lock.internal)
    exports = []
    for image in plan.images:
        if image.target != "runtime" or image.backend is None:
            continue
        directory = f"{image.profile}-{image.backend}"
        output = PurePosixPath(export_dir, directory, "pylock.toml")
        argv = [
            uv,
            "export",
            "--frozen",
            "--project",
            project_dir,
            "--no-dev",
            "--extra",
            image.build_args["TORCH_BACKEND"],
            "--format",
            "pylock.toml",
            "--no-header",
            "--quiet",
            "--output-file",
            str(output),
        ]
        for name in sorted(internal_names):
            argv += ["--no-emit-package", name]
        exports.append(Export(directory, tuple(argv), internal))
    return tuple(exports)
