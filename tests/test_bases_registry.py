"""`release-tool bases` against a real registry: Debian's docker-registry holding indexes
pushed with buildah, reached through ``--mirror`` (the file keeps the real references).

Acceptance: in a clone, ``bases --update --mirror docker.io=http://127.0.0.1:PORT``
fills the three digests with the sha256 of ``skopeo inspect --raw``, and ``images --env
dev --bake`` then succeeds. Also: the 401 Bearer challenge through a token endpoint of
the test's own, a moved tag reported by ``--check`` (exit 0), a deleted digest (exit 2),
and the labels the publish decision reads.
"""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from release_tool.adapters.registry import RegistryClient
from release_tool.cli import main
from release_tool.core import base_images as bases
from release_tool.core.oci import parse_reference
from release_tool.errors import InputRejected

from tests.support.oci_lab import CUDA_124, CUDA_128, OciLab, open_bases_lab, token_gate
from tests.support.sandbox import ROOT, clean_env, git

pytestmark = pytest.mark.container


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OciLab]:
    with open_bases_lab(tmp_path_factory.mktemp("oci")) as opened:
        yield opened


def _cli(*argv: str, cwd: Path | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv), env=clean_env())
    return code, out.getvalue(), err.getvalue()


def _clone(tmp: Path) -> Path:
    clone = tmp / "clone"
    git("clone", "-q", str(ROOT), str(clone), cwd=tmp)
    return clone


def test_update_in_a_clone_fills_the_digests_then_bake_succeeds(
    lab: OciLab, tmp_path: Path
) -> None:
    clone = _clone(tmp_path)
    before = (clone / bases.PATH).read_text(encoding="utf-8")
    refused = _cli("images", "--repo", str(clone), "--env", "dev", "--bake", str(tmp_path / "b"))
    assert refused[0] == 2 and "is not pinned by digest" in refused[2]

    mirror = f"docker.io=http://{lab.registry}"
    code, out, err = _cli("bases", "--update", "--mirror", mirror, "--repo", str(clone))
    assert code == 0, err
    cu124, cu128 = lab.raw_digest(CUDA_124), lab.raw_digest(CUDA_128)
    assert {cu124, cu128} == {lab.pushed[CUDA_124], lab.pushed[CUDA_128]}
    written = (clone / bases.PATH).read_text(encoding="utf-8")
    digests = {e.variant: e.digest for e in bases.read_base_images(written)}
    assert digests == {"cu124": cu124, "cu128": cu128, "dev": cu128}
    # the tomlkit rewrite: the golden function's output, only the digest lines differ
    assert written == bases.rewrite_digests(before, digests)
    changed = [
        (old, new)
        for old, new in zip(before.splitlines(), written.splitlines(), strict=True)
        if old != new
    ]
    assert [new for _, new in changed] == [f'digest = "{d}"' for d in (cu124, cu128, cu128)]
    assert out.splitlines() == [
        f"cu124 ({CUDA_124}): (empty) -> {cu124}",
        f"cu128 ({CUDA_128}): (empty) -> {cu128}",
        f"dev ({CUDA_128}): (empty) -> {cu128}",
    ]

    bake = tmp_path / "bake.json"
    code, _, err = _cli("images", "--repo", str(clone), "--env", "dev", "--bake", str(bake))
    assert code == 0, err
    (target,) = json.loads(bake.read_text(encoding="utf-8"))["target"].values()
    assert target["args"]["BASE_IMAGE"] == f"{CUDA_128}@{cu128}"

    # a second run changes nothing
    code, out, _ = _cli("bases", "--update", "--mirror", mirror, "--repo", str(clone))
    assert code == 0 and out.count("(unchanged)") == 3
    assert (clone / bases.PATH).read_text(encoding="utf-8") == written


def test_bearer_challenge_through_a_token_endpoint(lab: OciLab) -> None:
    with token_gate(lab.registry) as gate:
        client = RegistryClient({"docker.io": gate.url})
        reference = parse_reference(CUDA_124)
        digest = client.index_digest(reference)
        assert digest == lab.raw_digest(CUDA_124)
        assert client.exists(reference.with_digest(digest))
        labels = client.labels(reference)
    assert labels is not None and labels["marker"] == "cuda-12.4"
    methods = [(method, path.split("?")[0], auth[:6]) for method, path, auth in gate.requests]
    tag_path = "/v2/nvidia/cuda/manifests/12.4.1-base-ubuntu22.04"
    # anonymous first, a 401 with the challenge, one token, then the same request with it
    assert methods[:3] == [
        ("GET", tag_path, ""),
        ("GET", "/token", ""),
        ("GET", tag_path, "Bearer"),
    ]
    token_request = gate.requests[1][1]
    assert "scope=repository%3Anvidia%2Fcuda%3Apull" in token_request
    assert "service=lab-registry" in token_request
    assert ("HEAD", f"/v2/nvidia/cuda/manifests/{digest}", "Bearer") in methods
    assert gate.tokens_issued == 1  # the token is reused for the repository


def test_check_reports_a_moved_tag_then_a_gone_digest(lab: OciLab, tmp_path: Path) -> None:
    clone = _clone(tmp_path)
    mirror = f"docker.io=http://{lab.registry}"
    assert _cli("bases", "--update", "--mirror", mirror, "--repo", str(clone))[0] == 0
    pinned = lab.raw_digest(CUDA_124)
    code, out, err = _cli("bases", "--check", "--mirror", mirror, "--repo", str(clone))
    assert code == 0, err
    assert out.count("resolves and is the tag's current index") == 3

    moved = lab.push_index(CUDA_124, "cuda-12.4-rebuilt")
    assert moved != pinned
    code, out, err = _cli("bases", "--check", "--json", "--mirror", mirror, "--repo", str(clone))
    assert code == 0, err
    report = {r["variant"]: r for r in json.loads(out)}
    assert report["cu124"] == {
        "variant": "cu124",
        "image": CUDA_124,
        "digest": pinned,
        "exists": True,
        "current": moved,
        "moved": True,
    }
    assert not report["cu128"]["moved"] and not report["dev"]["moved"]

    lab.delete_manifest("nvidia/cuda", pinned)
    code, out, err = _cli("bases", "--check", "--mirror", mirror, "--repo", str(clone))
    assert code == 2
    assert f"the pinned digest {pinned} is gone" in out
    assert err.strip() == (
        "release-tool bases: the pinned digest of cu124 is gone from the registry; "
        "run `release-tool bases --update`"
    )
    # --update takes the moved tag: only cu124's line changes
    code, out, _ = _cli("bases", "--update", "--mirror", mirror, "--repo", str(clone))
    assert code == 0 and f"cu124 ({CUDA_124}): {pinned} -> {moved}" in out


def test_an_image_that_is_not_an_index_is_refused(lab: OciLab, tmp_path: Path) -> None:
    """A tag holding a single-platform image (no index) or an index without linux/amd64."""
    lab.push_index("vendor/arm-only:1", "arm", arch="arm64")
    client = RegistryClient({"docker.io": f"http://{lab.registry}"})
    with pytest.raises(InputRejected, match="lists no linux/amd64"):
        client.index_digest(parse_reference("vendor/arm-only:1"))
    with pytest.raises(InputRejected, match="was not found"):
        client.index_digest(parse_reference("vendor/absent:1"))


def test_credentials_go_only_to_the_registrys_own_token_service(lab: OciLab) -> None:
    secret = "ghs_REGISTRYCANARY0123456789"
    env = {"RELEASE_TOOL_REGISTRY_USER": "octocat", "RELEASE_TOOL_REGISTRY_TOKEN": secret}
    reference = parse_reference(CUDA_128)
    with token_gate(lab.registry) as gate:
        client = RegistryClient({"docker.io": gate.url}, env=env)
        assert client.index_digest(reference) == lab.raw_digest(CUDA_128)
        assert secret not in repr(client) and secret not in repr(vars(client))
        # the realm names 127.0.0.1; asked as localhost, the realm is another host
        elsewhere = RegistryClient(
            {"docker.io": gate.url.replace("127.0.0.1", "localhost")}, env=env
        )
        elsewhere.index_digest(reference)
    token_requests = [auth for _, path, auth in gate.requests if path.startswith("/token")]
    assert token_requests[0].startswith("Basic ")  # same host: the credentials
    assert token_requests[1] == ""  # another host: anonymous
