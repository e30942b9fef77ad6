"""Image planning: references, labels, bake file and exports (pure, table-driven)."""

from __future__ import annotations

import hashlib
import re

import pytest
from release_tool.core import bake, images
from release_tool.core.config import BackendConfig
from release_tool.errors import InputRejected

SETTINGS = images.ImageSettings(
    registry="ghcr.io",
    name="VLMHyperBenchTeam/VLMHyperBench",
    latest_backend="cu128",
    source="https://github.com/VLMHyperBenchTeam/vlmhyperbench_playground",
)
LABELS = ("self-hosted", "gpu")
BACKENDS = (
    BackendConfig("cu124", "cu124", "12.4", LABELS, 60),
    BackendConfig("cu128", "cu128", "12.8", LABELS, 60),
)
COMMIT = "0123456789abcdef0123456789abcdef01234567"
CREATED = "2026-01-02T03:04:05+00:00"
BASES = {
    "cu124": "nvidia/cuda:12.4.1-base-ubuntu22.04@sha256:" + "a" * 64,
    "cu128": "nvidia/cuda:12.8.1-base-ubuntu22.04",
}
REPO = "ghcr.io/vlmhyperbenchteam/vlmhyperbench"
HELLO = "c81144bfb7353b9c3071b87c276a460ee5e3b480"
LOCK = f"""version = 1
revision = 5

[[package]]
name = "hello-world"
version = "0.2.0"
source = {{ git = "https://github.com/VLMHyperBenchTeam/hello_world.git?tag=0.2.0#{HELLO}" }}

[[package]]
name = "rich"
version = "15.0.0"
source = {{ registry = "https://example.invalid/simple" }}

[[package]]
name = "torch"
version = "2.6.0+cu124"
source = {{ registry = "http://127.0.0.1:8000/cu124" }}

[[package]]
name = "torch"
version = "2.11.0+cu128"
source = {{ registry = "http://127.0.0.1:8000/cu128" }}
"""
FACTS = images.read_lock_facts(LOCK, ["hello-world", "bench-utils"])
SHORT = hashlib.sha256(LOCK.encode()).hexdigest()[:12]


def _runtime(profile: str, lock: images.LockFacts | None) -> images.ImagesPlan:
    return images.plan_runtime(
        SETTINGS,
        profile,
        BACKENDS,
        lock,
        commit=COMMIT,
        created=CREATED,
        python_version="3.11",
        base_images=BASES,
    )


@pytest.mark.parametrize(
    ("profile", "lock", "expected"),
    [
        (
            "staging",
            FACTS,
            {
                "cu124": ["staging-cu124", f"staging-cu124-{SHORT}", "sha-0123456-staging-cu124"],
                "cu128": ["staging-cu128", f"staging-cu128-{SHORT}", "sha-0123456-staging-cu128"],
            },
        ),
        (
            "prod",
            FACTS,
            {
                "cu124": ["prod-cu124", f"prod-cu124-{SHORT}", "sha-0123456-prod-cu124"],
                "cu128": ["prod-cu128", "latest", f"prod-cu128-{SHORT}", "sha-0123456-prod-cu128"],
            },
        ),
        ("prod", None, {"cu124": ["prod-cu124"], "cu128": ["prod-cu128", "latest"]}),
        ("staging", None, {"cu124": ["staging-cu124"], "cu128": ["staging-cu128"]}),
    ],
)
def test_runtime_tags(
    profile: str, lock: images.LockFacts | None, expected: dict[str, list[str]]
) -> None:
    plan = _runtime(profile, lock)
    assert plan.locked is (lock is not None)
    assert plan.status == ("locked" if lock else "not yet locked")
    got = {i.backend: [*i.floating, *i.immutable] for i in plan.images}
    assert got == expected
    for image in plan.images:
        assert image.repository == REPO
        for ref in image.references:
            assert re.fullmatch(r"[a-z0-9./-]+:[a-z0-9_][a-z0-9_.-]{0,127}", ref), ref
        # never a suffixed latest
        assert not any(t.startswith("latest") and t != "latest" for t in image.floating)


def test_dev_tags_and_labels() -> None:
    plan = images.plan_dev(
        SETTINGS, FACTS, commit=COMMIT, created=CREATED, python_version="3.11", base_image=None
    )
    (image,) = plan.images
    assert (image.floating, image.immutable) == (("dev",), ("dev-0123456",))
    assert image.variant == "dev"
    assert "BASE_IMAGE" not in image.build_args
    assert image.labels["org.opencontainers.image.version"] == "dev-0123456"
    assert "io.github.vlmhyperbenchteam.cuda.version" not in image.labels
    unlocked = images.plan_dev(
        SETTINGS, None, commit=COMMIT, created=CREATED, python_version="3.11", base_image="b"
    )
    assert (unlocked.images[0].immutable, unlocked.status) == ((), "not yet locked")


def test_runtime_labels() -> None:
    image = _runtime("prod", FACTS).images[1]
    prefix = "io.github.vlmhyperbenchteam"
    assert image.labels == {
        "org.opencontainers.image.title": "vlmhyperbench prod-cu128",
        "org.opencontainers.image.source": SETTINGS.source,
        "org.opencontainers.image.revision": COMMIT,
        "org.opencontainers.image.created": CREATED,
        "org.opencontainers.image.version": f"prod-cu128-{SHORT}",
        f"{prefix}.lock.sha256": hashlib.sha256(LOCK.encode()).hexdigest(),
        f"{prefix}.package.hello-world": f"0.2.0@{HELLO}",
        f"{prefix}.torch.version": "2.11.0+cu128",
        f"{prefix}.cuda.version": "12.8",
    }
    assert image.build_args == {
        "PROFILE": "prod",
        "TORCH_BACKEND": "cu128",
        "PYTHON_VERSION": "3.11",
        "BASE_IMAGE": BASES["cu128"],
    }
    assert image.cache == f"{REPO}-buildcache:prod-cu128"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (f"https://h/x.git?tag=v1.0#{HELLO}", ("https://h/x.git", "v1.0", HELLO)),
        (f"https://h/x.git?rev=abc&tag=1#{HELLO}", ("https://h/x.git", "1", HELLO)),
        (f"https://h/x.git?branch=main#{HELLO}", None),
        ("https://h/x.git?tag=1#abc", None),
    ],
)
def test_git_source_split(source: str, expected: tuple[str, str, str] | None) -> None:
    lock = f'version = 1\n[[package]]\nname = "x"\nsource = {{ git = "{source}" }}\n'
    if expected is None:
        with pytest.raises(InputRejected, match="git source for x"):
            images.read_lock_facts(lock, ["x"])
    else:
        assert images.read_lock_facts(lock, ["x"]).internal == (images.InternalPin("x", *expected),)


def test_lock_without_tag_is_rejected() -> None:
    bad = LOCK.replace("?tag=0.2.0", "?branch=main")
    with pytest.raises(InputRejected, match="hello-world"):
        images.read_lock_facts(bad, ["hello-world"])


@pytest.mark.parametrize(
    ("tag", "ok"),
    [
        ("staging-cu124", True),
        ("sha-0123456-prod-cu128", True),
        ("Latest", False),
        (".hidden", False),
        ("a" * 128, True),
        ("a" * 129, False),
        ("x:y", False),
    ],
)
def test_check_tag(tag: str, ok: bool) -> None:
    if ok:
        assert images.check_tag(tag) == tag
    else:
        with pytest.raises(InputRejected):
            images.check_tag(tag)


@pytest.mark.parametrize(
    ("name", "ok"),
    [("Team/Image", True), ("team//image", False), ("team/-image", False), ("a/b.c_d", True)],
)
def test_repository_names(name: str, ok: bool) -> None:
    settings = images.ImageSettings("GHCR.io", name, "cu128", "s")
    if ok:
        assert images.repository_of(settings) == "ghcr.io/" + name.lower()
    else:
        with pytest.raises(InputRejected):
            images.repository_of(settings)


def test_bad_commit_is_rejected() -> None:
    with pytest.raises(InputRejected, match="commit"):
        images.plan_runtime(
            SETTINGS,
            "prod",
            BACKENDS,
            None,
            commit="HEAD",
            created=CREATED,
            python_version="3.11",
            base_images={},
        )


@pytest.mark.parametrize(
    ("reference", "pinned"),
    [(BASES["cu124"], True), (BASES["cu128"], False), ("x@sha256:" + "A" * 64, False)],
)
def test_is_pinned(reference: str, pinned: bool) -> None:
    assert images.is_pinned(reference) is pinned


def test_bake_targets_push_by_digest_with_a_cache_per_variant() -> None:
    definition = bake.render_bake(_runtime("prod", FACTS), export_dir="docker/exports")
    assert definition["group"]["default"]["targets"] == [
        "runtime-prod-cu124",
        "runtime-prod-cu128",
    ]
    target = definition["target"]["runtime-prod-cu124"]
    assert target["target"] == "runtime"
    assert target["dockerfile"] == "docker/Dockerfile"
    assert target["args"]["EXPORT_DIR"] == "docker/exports"
    assert target["args"]["TORCH_BACKEND"] == "cu124"
    assert target["cache-from"] == [f"type=registry,ref={REPO}-buildcache:prod-cu124"]
    assert target["cache-to"][0].startswith(f"type=registry,ref={REPO}-buildcache:prod-cu124,")
    assert "push-by-digest=true" in target["output"][0]
    assert f"name={REPO}," in target["output"][0]
    assert "tags" not in target


def test_exports_leave_out_internal_packages_and_the_header() -> None:
    exports = bake.plan_exports(
        _runtime("staging", FACTS),
        FACTS,
        uv="uv",
        project_dir="staging",
        internal_names=["prompt-handler", "hello-world"],
        export_dir="out",
    )
    assert [e.directory for e in exports] == ["staging-cu124", "staging-cu128"]
    argv = exports[1].argv
    assert argv[:4] == ("uv", "export", "--frozen", "--project")
    assert argv[argv.index("--extra") : argv.index("--extra") + 2] == ("--extra", "cu128")
    assert "--no-header" in argv and "--no-dev" in argv
    assert argv[argv.index("--output-file") + 1] == "out/staging-cu128/pylock.toml"
    emitted = [argv[i + 1] for i, a in enumerate(argv) if a == "--no-emit-package"]
    assert emitted == ["hello-world", "prompt-handler"]
    assert exports[0].internal == (
        f"hello-world https://github.com/VLMHyperBenchTeam/hello_world.git 0.2.0 {HELLO}\n"
    )
