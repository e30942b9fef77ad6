"""docker/base-images.toml and the OCI facts behind `release-tool bases` (pure, no registry),
plus the two exits decided without one: an empty digest (2) and no registry (1)."""

from __future__ import annotations

import http.server
import json
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from release_tool.adapters import registry
from release_tool.cli import main
from release_tool.core import base_images as bases
from release_tool.core import oci
from release_tool.errors import InputRejected

from tests.support.serving import serving

FIXTURES = Path(__file__).parent / "fixtures" / "base-images"
ROOT = Path(__file__).resolve().parents[2]
A, B, C = ("sha256:" + ch * 64 for ch in "abc")


def test_golden_rewrite_keeps_comments_and_shape() -> None:
    before = (FIXTURES / "before.toml").read_text(encoding="utf-8")
    after = (FIXTURES / "after.toml").read_text(encoding="utf-8")
    assert bases.rewrite_digests(before, {"cu124": A, "cu128": B, "dev": B}) == after
    # a second run changes nothing; a moved tag changes exactly its own line
    assert bases.rewrite_digests(after, {"cu124": A}) == after
    assert bases.rewrite_digests(after, {"cu124": C}) == after.replace(A, C)


def test_the_committed_file_is_the_golden_before() -> None:
    committed = (ROOT / bases.PATH).read_text(encoding="utf-8")
    entries = bases.read_base_images(committed)
    assert [(e.variant, e.image) for e in entries] == [
        ("cu124", "nvidia/cuda:12.4.1-base-ubuntu22.04"),
        ("cu128", "nvidia/cuda:12.8.1-base-ubuntu22.04"),
        ("dev", "nvidia/cuda:12.8.1-base-ubuntu22.04"),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[cu124]\nimage = "nvidia/cuda:12.4.1"\n', "exactly image"),
        ('[cu124]\nimage = "nvidia/cuda"\ndigest = ""\n', "neither a tag"),
        ('[cu124]\nimage = "nvidia/cuda:1@' + A + '"\ndigest = ""\n', "no digest"),
        ('[cu124]\nimage = "nvidia/cuda:1"\ndigest = "sha256:12"\n', "is not sha256"),
        ("", "names no base image"),
        ("[cu124\n", "base-images.toml"),
    ],
)
def test_bad_files_are_rejected_with_a_sentence(text: str, message: str) -> None:
    with pytest.raises(InputRejected, match=message):
        bases.read_base_images(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("nvidia/cuda:12.8.1-base", oci.Reference("docker.io", "nvidia/cuda", "12.8.1-base")),
        ("ubuntu:24.04", oci.Reference("docker.io", "library/ubuntu", "24.04")),
        ("ghcr.io/o/n:dev", oci.Reference("ghcr.io", "o/n", "dev")),
        ("127.0.0.1:5000/a/b:t", oci.Reference("127.0.0.1:5000", "a/b", "t")),
        ("localhost/x@" + A, oci.Reference("localhost", "x", None, A)),
    ],
)
def test_references_read_as_docker_reads_them(text: str, expected: oci.Reference) -> None:
    assert oci.parse_reference(text) == expected


def test_endpoints_and_mirrors() -> None:
    mirrors = oci.parse_mirrors(["docker.io=http://127.0.0.1:5000/"])
    assert oci.endpoint("docker.io", mirrors) == "http://127.0.0.1:5000"
    assert oci.endpoint("docker.io", {}) == "https://registry-1.docker.io"
    assert oci.endpoint("ghcr.io", mirrors) == "https://ghcr.io"
    for bad in ("docker.io", "docker.io=127.0.0.1:5000", "=http://x", "docker.io=ftp://x"):
        with pytest.raises(InputRejected, match="REGISTRY=URL"):
            oci.parse_mirrors([bad])


def test_bearer_challenge() -> None:
    header = (
        'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",'
        'scope="repository:nvidia/cuda:pull"'
    )
    assert oci.parse_challenge(header) == oci.Challenge(
        "https://auth.docker.io/token", "registry.docker.io", "repository:nvidia/cuda:pull"
    )
    assert oci.parse_challenge('Basic realm="x"') is None
    assert oci.parse_challenge('Bearer service="x"') is None


def _index(*platforms: tuple[str, str]) -> bytes:
    manifests = [
        {"digest": "sha256:" + str(i) * 64, "platform": {"os": os_, "architecture": arch}}
        for i, (os_, arch) in enumerate(platforms, 1)
    ]
    return json.dumps({"mediaType": oci.OCI_INDEX, "manifests": manifests}).encode()


def test_the_index_must_list_linux_amd64() -> None:
    raw = _index(("linux", "arm64"), ("linux", "amd64"))
    assert oci.platform_manifest(raw, what="x") == "sha256:" + "2" * 64
    assert oci.media_type_of(raw, "text/plain") == oci.OCI_INDEX
    assert oci.digest_of(b"{}") == (
        "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
    )
    with pytest.raises(InputRejected, match="lists no linux/amd64"):
        oci.platform_manifest(_index(("linux", "arm64")), what="x")
    with pytest.raises(InputRejected, match="not an index"):
        oci.platform_manifest(b'{"config": {}}', what="x")


def test_pr_body_lists_old_and_new_digest() -> None:
    changes = (
        bases.DigestChange("cu124", "nvidia/cuda:12.4.1", "", A),
        bases.DigestChange("cu128", "nvidia/cuda:12.8.1", B, C),
        bases.DigestChange("dev", "nvidia/cuda:12.8.1", C, C),
    )
    body = bases.bases_body(changes, base_branch="main")
    assert f"| `cu124` | `nvidia/cuda:12.4.1` | (empty) | `{A}` |" in body
    assert f"| `cu128` | `nvidia/cuda:12.8.1` | `{B}` | `{C}` |" in body
    assert f"| `dev` | `nvidia/cuda:12.8.1` | `{C}` | unchanged |" in body
    assert bases.bases_title(changes) == "docker: update the base image digests (cu124, cu128)"
    assert bases.bases_title(changes[:1]) == "docker: pin the base images by digest (cu124)"


# -- the command's exits that need no registry -----------------------------------------
def _project(tmp: Path, digests: dict[str, str] | None = None) -> Path:
    shutil.copy2(ROOT / "pyproject.toml", tmp / "pyproject.toml")
    (tmp / "docker").mkdir()
    text = (FIXTURES / "before.toml").read_text(encoding="utf-8")
    if digests:
        text = bases.rewrite_digests(text, digests)
    (tmp / bases.PATH).write_text(text, encoding="utf-8")
    return tmp


@pytest.fixture
def listener() -> Iterator[list[str]]:
    """An HTTP server that records every request path (and answers 404)."""
    seen: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            seen.append(self.path)
            self.send_error(404)

        do_HEAD = do_GET

    with serving(http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)) as url:
        seen.append(url)
        yield seen


def test_check_with_an_empty_digest_exits_2_before_asking_any_registry(
    tmp_path: Path, listener: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    root = _project(tmp_path, {"cu124": A})
    url = listener[0]
    code = main(["bases", "--check", "--repo", str(root), "--mirror", f"docker.io={url}"], env={})
    _, err = capsys.readouterr()
    assert code == 2
    assert "no digest pinned for cu128, dev" in err and err.count("\n") == 1
    assert listener == [url]  # no request reached the registry


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_an_unreachable_registry_exits_1_with_one_sentence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(registry, "POLICY", registry.RegistryPolicy(attempts=2, backoff_factor=0))
    root = _project(tmp_path, {"cu124": A, "cu128": B, "dev": B})
    before = (root / bases.PATH).read_text(encoding="utf-8")
    mirror = f"docker.io=http://127.0.0.1:{_free_port()}"
    for mode in ("--check", "--update"):
        code = main(["bases", mode, "--repo", str(root), "--mirror", mirror], env={})
        _, err = capsys.readouterr()
        assert code == 1, err
        (line,) = [x for x in err.splitlines() if x.startswith("release-tool bases:")]
        assert "the registry docker.io cannot be reached at 127.0.0.1:" in line
        assert "Traceback" not in err
    assert (root / bases.PATH).read_text(encoding="utf-8") == before


def test_push_without_update_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _project(tmp_path)
    assert main(["bases", "--push", "--repo", str(root)], env={}) == 2
    assert "add --update" in capsys.readouterr().err
