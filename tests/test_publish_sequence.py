"""A sequence of pushes through the publish decision, against a real registry.

Pushes to main: a staging change, then a packages change whose run is cancelled,
then a prod change. Each run is what publish.yml does, minus the GPU: `image-matrix`
decides from the floating tags' revision labels in the registry; each chosen variant is
built with the labels `release-tool images` plans (buildah, an empty image) and, when
its simulated smoke passes, pushed under its floating tag (the tag job's move). The
registry is read back at the end: every env published exactly once after the first run,
at its newest revision, with a failed smoke published again and its sibling not.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from release_tool.cli import main
from release_tool.core.image_publication import REVISION_LABEL

from tests.support.oci_lab import OciLab, open_oci_lab
from tests.support.sandbox import ROOT, clean_env, git

pytestmark = pytest.mark.container
IDENTITY = {
    "GIT_AUTHOR_NAME": "Dev",
    "GIT_AUTHOR_EMAIL": "dev@example.invalid",
    "GIT_COMMITTER_NAME": "Dev",
    "GIT_COMMITTER_EMAIL": "dev@example.invalid",
}
LOCK = 'version = 1\nrequires-python = ">=3.11"\n'
ALL = ["dev", "prod-cu124", "prod-cu128", "staging-cu124", "staging-cu128"]


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OciLab]:
    with open_oci_lab(tmp_path_factory.mktemp("oci")) as opened:
        yield opened


def _cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv), env=clean_env())
    return code, out.getvalue(), err.getvalue()


class Pipeline:
    def __init__(self, lab: OciLab, clone: Path) -> None:
        self.lab, self.clone = lab, clone
        self.mirror = f"{lab.registry}=http://{lab.registry}"
        self.published: list[tuple[str, str]] = []  # (variant, revision) per moved tag

    def commit(self, path: str, text: str) -> str:
        target = self.clone / path
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("a", encoding="utf-8") as fh:
            fh.write(text)
        git("add", "-A", cwd=self.clone)
        git("commit", "-qm", f"change {path}", cwd=self.clone, env=clean_env(IDENTITY))
        return git("rev-parse", "HEAD", cwd=self.clone)

    def matrix(self) -> list[dict[str, object]]:
        code, out, err = _cli("image-matrix", "--repo", str(self.clone), "--mirror", self.mirror)
        assert code == 0, err
        entries: list[dict[str, object]] = json.loads(out.splitlines()[-1])
        return entries

    def run(self, *, smoke_fails: tuple[str, ...] = ()) -> list[str]:
        """One workflow run at HEAD: plan, build, smoke, tag; the variants it built."""
        entries = self.matrix()
        for entry in entries:
            argv = ["images", "--repo", str(self.clone), "--env", str(entry["env"]), "--json"]
            if entry["backend"]:
                argv += ["--backend", str(entry["backend"])]
            code, out, err = _cli(*argv)
            assert code == 0, err
            (image,) = json.loads(out)["images"]
            built = self._build(image)
            if entry["name"] in smoke_fails:
                continue
            floating = f"{image['repository']}:{entry['name']}"
            self.lab.buildah.push(built, floating)
            self.published.append((str(entry["name"]), image["labels"][REVISION_LABEL]))
        return sorted(str(e["name"]) for e in entries)

    def _build(self, image: dict[str, object]) -> str:
        buildah = self.lab.buildah
        container = buildah.run("from", "scratch").stdout.strip().splitlines()[-1]
        labels = [f"--label={k}={v}" for k, v in image["labels"].items()]  # type: ignore[attr-defined]
        buildah.run("config", "--os", "linux", "--arch", "amd64", *labels, container)
        variant = re.sub("[^a-z0-9]", "", str(image["variant"]))
        name = f"localhost/publish-{len(self.published)}-{variant}"
        buildah.run("commit", "-q", container, name)
        buildah.run("rm", container)
        return name

    def revisions(self, repository: str) -> dict[str, str]:
        """The registry read back: each floating tag's revision label (skopeo)."""
        found = {}
        for name in ALL:
            labels = self.lab.buildah.skopeo_inspect(f"{repository}:{name}")["Labels"]
            found[name] = labels[REVISION_LABEL]  # type: ignore[index]
        return found


def test_staging_then_cancelled_packages_then_prod(lab: OciLab, tmp_path: Path) -> None:
    clone = tmp_path / "mono"
    git("clone", "-q", str(ROOT), str(clone), cwd=tmp_path)
    pyproject = clone / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    pyproject.write_text(text.replace('registry = "ghcr.io"', f'registry = "{lab.registry}"'))
    for profile in ("staging", "prod"):
        (clone / profile / "uv.lock").write_text(LOCK, encoding="utf-8")
    pipeline = Pipeline(lab, clone)
    base = pipeline.commit("pyproject.toml", "")  # the registry and the locks

    # The first run publishes every variant (no floating tag yet).
    assert pipeline.run() == ALL
    assert sorted(pipeline.published) == [(name, base) for name in ALL]
    pipeline.published.clear()

    staging = pipeline.commit("staging/pyproject.toml", "# staging change\n")
    # staging-cu128's smoke fails: its tag stays; staging-cu124's moves.
    assert pipeline.run(smoke_fails=("staging-cu128",)) == ["staging-cu124", "staging-cu128"]

    pipeline.commit("packages/hello_world/README.md", "\nA packages change.\n")
    # ... its run is cancelled by the next push: nothing runs for it.

    prod = pipeline.commit("prod/pyproject.toml", "# prod change\n")
    assert pipeline.run() == ["dev", "prod-cu124", "prod-cu128", "staging-cu128"]
    assert pipeline.matrix() == []  # nothing left: a re-run publishes nothing

    # every env exactly once after the first run, at its newest revision
    assert sorted(pipeline.published) == sorted(
        [
            ("staging-cu124", staging),
            ("dev", prod),
            ("prod-cu124", prod),
            ("prod-cu128", prod),
            ("staging-cu128", prod),
        ]
    )
    repository = f"{lab.registry}/vlmhyperbenchteam/vlmhyperbench"
    assert pipeline.revisions(repository) == {
        "dev": prod,
        "prod-cu124": prod,
        "prod-cu128": prod,
        "staging-cu124": staging,
        "staging-cu128": prod,
    }


def test_an_unlocked_env_is_skipped_with_a_notice(lab: OciLab, tmp_path: Path) -> None:
    clone = tmp_path / "mono"
    git("clone", "-q", str(ROOT), str(clone), cwd=tmp_path)
    pyproject = clone / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    pyproject.write_text(text.replace('registry = "ghcr.io"', f'registry = "{lab.registry}"'))
    assert not (clone / "staging" / "uv.lock").exists()
    outputs = tmp_path / "outputs"
    env = clean_env({"GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": str(outputs)})
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(
            [
                "image-matrix",
                "--repo",
                str(clone),
                "--env",
                "staging",
                "--mirror",
                f"{lab.registry}=http://{lab.registry}",
            ],
            env=env,
        )
    assert code == 0, err.getvalue()
    lines = out.getvalue().splitlines()
    assert lines == [
        "::notice title=image-matrix::staging is not yet locked: no staging image to publish",
        "[]",
    ]
    assert "matrix<<" in outputs.read_text(encoding="utf-8")
    assert "\n[]\n" in outputs.read_text(encoding="utf-8")
