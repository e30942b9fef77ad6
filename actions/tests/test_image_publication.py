"""Which image variants publish.yml publishes, and the records its jobs pass on (pure)."""

from __future__ import annotations

import pytest
from release_tool.core import image_publication as pub
from release_tool.errors import InputRejected

from tests.support.sandbox import typed_config

HEAD = "c" * 40
OLD = "a" * 40
CONFIG = typed_config()


def test_variants_come_from_the_config() -> None:
    (dev,) = pub.variants(CONFIG, "dev")
    latest = CONFIG.backends[CONFIG.images.latest_backend]
    assert dev.to_json() == {
        "name": "dev",
        "env": "dev",
        "backend": "",
        "smoke_backend": latest.name,
        "runs_on": list(latest.runner_labels),
        "artifact": "smoke-dev",
    }
    assert "packages" in dev.inputs and "uv.lock" in dev.inputs and "docker" in dev.inputs
    staging = pub.variants(CONFIG, "staging")
    assert [v.name for v in staging] == [f"staging-{b}" for b in CONFIG.backends]
    for variant in staging:
        backend = CONFIG.backends[str(variant.backend)]
        assert variant.runs_on == backend.runner_labels and variant.smoke_backend == backend.name
        assert variant.inputs == ("staging", "docker", ".python-version")


@pytest.mark.parametrize(
    ("published", "changed", "publish", "reason"),
    [
        (None, None, True, "no floating tag yet"),
        (HEAD, None, False, "already published at cccccccccc"),
        (OLD, True, True, "its inputs changed since aaaaaaaaaa"),
        (OLD, False, False, "unchanged since aaaaaaaaaa"),
        (OLD, None, True, "last published at aaaaaaaaaa, not in this history"),
    ],
)
def test_decide(published: str | None, changed: bool | None, publish: bool, reason: str) -> None:
    (dev,) = pub.variants(CONFIG, "dev")
    decision = pub.decide(dev, published, HEAD, changed)
    assert (decision.publish, decision.reason) == (publish, reason)


def test_empty_matrix_is_an_empty_json_list() -> None:
    assert pub.dump([]) == "[]"


def _record(**change: object) -> dict[str, object]:
    record: dict[str, object] = {
        "name": "staging-cu124",
        "env": "staging",
        "backend": "cu124",
        "smoke_backend": "cu124",
        "runs_on": ["self-hosted"],
        "repository": "ghcr.io/o/n",
        "digest": "sha256:" + "1" * 64,
        "tags": ["staging-cu124", "sha-1234567-staging-cu124"],
    }
    return {**record, **change}


def test_records_are_checked_and_tag_commands_planned() -> None:
    record = pub.check_record(_record(), file="smoke-staging-cu124.json")
    assert pub.tag_commands(record) == [
        "docker", "buildx", "imagetools", "create",
        "--tag", "ghcr.io/o/n:staging-cu124",
        "--tag", "ghcr.io/o/n:sha-1234567-staging-cu124",
        "ghcr.io/o/n@sha256:" + "1" * 64,
    ]  # fmt: skip
    bad = [
        ({}, "smoke-x.json", "is not an image record"),
        (_record(), "smoke-dev.json", "not its own"),
        (_record(digest="sha256:12"), "smoke-staging-cu124.json", "is not sha256"),
        (_record(tags=[]), "smoke-staging-cu124.json", "non-empty list"),
    ]
    for data, file, message in bad:
        with pytest.raises(InputRejected, match=message):
            pub.check_record(data, file=file)


def test_make_record_needs_the_digest_bake_pushed() -> None:
    (variant,) = pub.variants(CONFIG, "dev")
    image = {
        "variant": "dev",
        "repository": "ghcr.io/o/n",
        "floating": ["dev"],
        "immutable": ["dev-1234567"],
    }
    digest = "sha256:" + "2" * 64
    record = pub.make_record(variant.to_json(), image, {"dev": {"containerimage.digest": digest}})
    assert record["digest"] == digest and record["tags"] == ["dev", "dev-1234567"]
    with pytest.raises(InputRejected, match=r"no containerimage\.digest for dev"):
        pub.make_record(variant.to_json(), image, {"runtime-staging-cu124": {}})
