"""``bases --update`` in GitHub Actions: one PR on release/bases through the publication
path promote and relock use (created, updated, unchanged, closed, the foreign-commit
refusal), its body listing the old and new digest of each entry.

A real registry (docker-registry, indexes pushed with buildah) through ``--mirror``,
real git with a bare origin, real PyGithub against the in-process fake GitHub.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from release_tool.core import base_images as bases

from tests.support.github_sandbox import REPO, TOKEN
from tests.support.oci_lab import CUDA_124, CUDA_128, OciLab, open_bases_lab
from tests.support.release_github import Flow
from tests.support.sandbox import git

pytestmark = [pytest.mark.container, pytest.mark.uvlock]
BRANCH = "release/bases"


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OciLab]:
    with open_bases_lab(tmp_path_factory.mktemp("oci")) as opened:
        yield opened


def _update(flow: Flow, lab: OciLab, checkout: str | None = None) -> object:
    repo = str(flow.clone(checkout) if checkout else flow.work)
    mirror = f"docker.io=http://{lab.registry}"
    return flow.cli("bases", "--update", "--json", "--mirror", mirror, "--repo", repo)


def test_bases_pr_created_updated_unchanged_refused_closed(flow: Flow, lab: OciLab) -> None:
    cu124, cu128 = lab.pushed[CUDA_124], lab.pushed[CUDA_128]
    first = _update(flow, lab)
    assert first.rc == 0, first.err
    assert first.data["status"] == "committed" and first.data["pushed"] is True
    assert first.data["pull_request"]["operation"] == "created"
    remote = bases.read_base_images(flow.remote_file(BRANCH, bases.PATH))
    assert {e.variant: e.digest for e in remote} == {"cu124": cu124, "cu128": cu128, "dev": cu128}
    assert flow.commits_on(BRANCH) == 1
    (pull,) = flow.fake.repo(REPO).pulls()
    assert pull["head"] == BRANCH and pull["base"] == "main" and pull["state"] == "open"
    assert pull["title"] == "docker: pin the base images by digest (cu124, cu128, dev)"
    assert f"| `cu124` | `{CUDA_124}` | (empty) | `{cu124}` |" in pull["body"]
    assert f"| `dev` | `{CUDA_128}` | (empty) | `{cu128}` |" in pull["body"]
    assert pull["label_names"] == ["release", "bases"]
    assert flow.step_outputs()[0]["operation"] == "created"
    # the working tree is never touched: the commit is made from main in a worktree
    assert 'digest = ""' in (flow.work / bases.PATH).read_text(encoding="utf-8")

    # The next weekly run on a fresh runner: nothing moved, nothing written.
    writes = len(flow.fake.writes())
    again = _update(flow, lab, "runner2")
    assert again.rc == 0, again.err
    assert again.data["status"] == "unchanged" and again.data["pushed"] is False, again.err
    assert again.data["pull_request"]["operation"] == "unchanged"
    assert len(flow.fake.writes()) == writes

    # cu124's tag moves before the PR is merged: the branch is regenerated, the PR updated.
    moved = lab.push_index(CUDA_124, "cuda-12.4-rebuilt")
    updated = _update(flow, lab, "runner3")
    assert updated.rc == 0, updated.err
    assert updated.data["pull_request"]["operation"] == "updated"
    assert flow.commits_on(BRANCH) == 1
    (pull,) = flow.fake.repo(REPO).pulls()
    assert f"| `cu124` | `{CUDA_124}` | (empty) | `{moved}` |" in pull["body"]

    # Someone adds a commit of their own to the branch: never pushed over.
    human = flow.clone("human")
    git("checkout", "-q", "-b", BRANCH, f"origin/{BRANCH}", cwd=human)
    (human / "docker" / "NOTE.md").write_text("reviewed\n", encoding="utf-8")
    git("add", "docker/NOTE.md", cwd=human)
    git(
        "-c",
        "user.name=Maintainer",
        "-c",
        "user.email=m@example.invalid",
        "commit",
        "-qm",
        "note",
        cwd=human,
    )
    git("push", "-q", "origin", BRANCH, cwd=human, env=flow.sandbox.env())
    held = flow.remote_sha(BRANCH)
    lab.push_index(CUDA_128, "cuda-12.8-rebuilt")
    refused = _update(flow, lab, "runner4")
    assert refused.rc == 1
    assert "never force-pushes over someone's commit" in refused.err
    assert flow.remote_sha(BRANCH) == held

    # Merged (the human's commit dropped), then every digest current: the PR is closed.
    git(
        "push",
        "-q",
        "--force",
        "origin",
        f"{held}~1:refs/heads/{BRANCH}",
        cwd=human,
        env=flow.sandbox.env(),
    )
    flow.merge(BRANCH)
    settled = _update(flow, lab, "runner5")
    assert settled.rc == 0, settled.err
    assert settled.data["status"] == "committed"  # cu128's tag moved after that commit
    flow.merge(BRANCH)
    empty = _update(flow, lab, "runner6")
    assert empty.rc == 0, empty.err
    assert empty.data["status"] == "noop"
    assert empty.data["pull_request"]["operation"] == "closed"
    assert flow.remote_sha(BRANCH) is None
    for result in (first, again, updated, refused, settled, empty):
        assert TOKEN not in result.out + result.err
