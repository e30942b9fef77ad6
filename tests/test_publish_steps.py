"""publish.yml's `run:` steps as the runner runs them, artifacts laid out as the pinned
upload/download actions do (tests/support/artifacts.py), for one variant and for several.

Each step runs with ``bash --noprofile --norc -eo pipefail``, the env its YAML gives it
(expressions resolved from the contexts below, nothing else), ``GITHUB_OUTPUT`` and
``GITHUB_STEP_SUMMARY``, in a checkout of this repository (a git work tree of the files
the next commit holds, base digests filled in as the bases PR would), with the real
``uv run --locked --no-dev --package release-tool``. The runners' ``docker`` CLI (no
daemon here) is a recorder on PATH; everything else is real.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import stat
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from release_tool.cli import main
from release_tool.core import base_images as bases

from tests.support.action_runner import read_outputs, run_script
from tests.support.artifacts import Artifact, download, upload
from tests.support.sandbox import ROOT, clean_env, copy_checkout, git
from tests.support.workflows import load_yaml

pytestmark = pytest.mark.slow
WORKFLOW = load_yaml(ROOT / ".github" / "workflows" / "publish.yml")
EXPRESSION = re.compile(r"\$\{\{\s*(.+?)\s*\}\}")
DIGEST = {"dev": "sha256:" + "d" * 64, "staging-cu124": "sha256:" + "5" * 64}
IDENTITY = {
    "GIT_AUTHOR_NAME": "Dev",
    "GIT_AUTHOR_EMAIL": "dev@example.invalid",
    "GIT_COMMITTER_NAME": "Dev",
    "GIT_COMMITTER_EMAIL": "dev@example.invalid",
}
VENV: list[Path] = []
# What a job leaves in its checkout; the next job starts from a fresh one. (One work
# tree for all jobs: uv then builds the editable release-tool once, not per job.)
JOB_FILES = ("records", "smoked", "plan.json", "docker-bake.json", "docker/exports")


def _fresh(checkout: Path) -> Path:
    for name in JOB_FILES:
        path = checkout / name
        if path.is_dir():
            shutil.rmtree(path)
        path.unlink(missing_ok=True)
    return checkout


DOCKER = """#!/usr/bin/env python3
import json, os, sys
with open(os.environ["DOCKER_RECORD"], "a", encoding="utf-8") as fh:
    fh.write(json.dumps(sys.argv[1:]) + "\\n")
"""


@pytest.fixture(scope="module")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This repository as actions/checkout leaves it, base digests pinned."""
    root = copy_checkout(tmp_path_factory.mktemp("publish") / "checkout")
    pinned = bases.rewrite_digests(
        (root / bases.PATH).read_text(encoding="utf-8"),
        {"cu124": "sha256:" + "1" * 64, "cu128": "sha256:" + "2" * 64, "dev": "sha256:" + "2" * 64},
    )
    (root / bases.PATH).write_text(pinned, encoding="utf-8")
    (root / "staging" / "uv.lock").write_text('version = 1\nrequires-python = ">=3.11"\n')
    git("init", "-q", "-b", "main", cwd=root)
    git("add", "-A", cwd=root)
    git("commit", "-qm", "checkout", cwd=root, env=clean_env(IDENTITY))
    return root


@pytest.fixture(scope="module", autouse=True)
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One environment for every checkout copy (uv re-points the editable install)."""
    VENV[:] = [tmp_path_factory.mktemp("venv") / "venv"]
    return VENV[0]


@pytest.fixture
def docker(tmp_path: Path) -> Iterator[Path]:
    bin_dir = tmp_path / "docker-bin"
    bin_dir.mkdir()
    (bin_dir / "docker").write_text(DOCKER, encoding="utf-8")
    (bin_dir / "docker").chmod(0o755 | stat.S_IXUSR)
    yield bin_dir


def _step(job: str, name: str) -> dict[str, Any]:
    (step,) = [s for s in WORKFLOW["jobs"][job]["steps"] if s.get("name") == name]
    return step  # type: ignore[no-any-return]


def _uses(job: str, action: str) -> list[dict[str, Any]]:
    return [s for s in WORKFLOW["jobs"][job]["steps"] if s.get("uses", "").startswith(action)]


def _resolve(value: str, contexts: Mapping[str, str]) -> str:
    def one(match: re.Match[str]) -> str:
        assert match[1] in contexts, f"no context value for ${{{{ {match[1]} }}}}"
        return contexts[match[1]]

    return EXPRESSION.sub(one, str(value))


def _run(
    job: str,
    name: str,
    contexts: Mapping[str, str],
    *,
    workspace: Path,
    tmp: Path,
    extra: Mapping[str, str] | None = None,
) -> tuple[int, str, str, dict[str, str]]:
    step = _step(job, name)
    output = tmp / f"output-{job}"
    output.unlink(missing_ok=True)
    env = {
        **clean_env({"UV_PROJECT_ENVIRONMENT": str(VENV[0]), **(extra or {})}),
        **{k: _resolve(v, contexts) for k, v in (step.get("env") or {}).items()},
        "GITHUB_ACTIONS": "true",
        "GITHUB_OUTPUT": str(output),
        "GITHUB_STEP_SUMMARY": str(tmp / "summary.md"),
        "GITHUB_WORKSPACE": str(workspace),
        "RUNNER_TEMP": str(tmp),
    }
    done = run_script(str(step["run"]), workspace, env)
    return done.returncode, done.stdout, done.stderr, read_outputs(output)


def _entry(name: str, env: str, backend: str) -> dict[str, Any]:
    labels = [
        "self-hosted",
        "linux",
        "x64",
        "gpu",
        f"cuda-{'12.4' if backend == 'cu124' else '12.8'}",
    ]
    return {
        "artifact": f"smoke-{name}",
        "backend": backend,
        "env": env,
        "name": name,
        "runs_on": labels,
        "smoke_backend": backend or "cu128",
    }


def _build(checkout: Path, tmp: Path, entry: dict[str, Any]) -> Artifact:
    """The build leg: plan (images) and record (image-record) steps, then the upload."""
    head = git("rev-parse", "HEAD", cwd=checkout)
    contexts = {f"matrix.image.{k}": str(v) for k, v in entry.items()}
    contexts["steps.bake.outputs.metadata"] = json.dumps(
        {
            ("dev" if entry["name"] == "dev" else f"runtime-{entry['name']}"): {
                "containerimage.digest": DIGEST[entry["name"]],
                "containerimage.config.digest": "x",
            }
        }
    )
    extra = {"GITHUB_SHA": head}
    if entry["name"] == "dev":
        code, _, err, _ = _run(
            "build",
            "plan the image, write the bake file and the exports",
            contexts,
            workspace=checkout,
            tmp=tmp,
            extra=extra,
        )
        assert code == 0, err
        bake = json.loads((checkout / "docker-bake.json").read_text(encoding="utf-8"))
        assert list(bake["target"]) == ["dev"]
    else:
        # staging's stand-in lock cannot be exported: its plan is written without exports
        out = io.StringIO()
        argv = ["images", "--repo", str(checkout), "--env", entry["env"], "--json"]
        with contextlib.redirect_stdout(out):
            code = main([*argv, "--backend", entry["backend"]], env=clean_env(extra))
        assert code == 0
        plan = out.getvalue()
        (checkout / "plan.json").write_text(plan, encoding="utf-8")
    code, _, err, _ = _run(
        "build",
        "the record of the pushed image",
        contexts,
        workspace=checkout,
        tmp=tmp,
        extra=extra,
    )
    assert code == 0, err
    (upload_step,) = _uses("build", "actions/upload-artifact@")
    path = _resolve(upload_step["with"]["path"], contexts)
    return upload(checkout, path)


def _download(
    job: str, artifacts: Mapping[str, Artifact], dest: Path, contexts: Mapping[str, str]
) -> list[str]:
    (step,) = _uses(job, "actions/download-artifact@")
    inputs = {
        k: _resolve(v, contexts) if isinstance(v, str) else v for k, v in step["with"].items()
    }
    return download(
        artifacts,
        dest / inputs["path"],
        name=inputs.get("name"),
        pattern=inputs.get("pattern"),
        merge_multiple=bool(inputs.get("merge-multiple", False)),
    )


ENTRIES = {
    "dev": _entry("dev", "dev", ""),
    "staging-cu124": _entry("staging-cu124", "staging", "cu124"),
}


@pytest.fixture(scope="module")
def built(checkout: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Artifact]:
    """The build legs of both variants, run once: their uploaded artifacts by name."""
    tmp = tmp_path_factory.mktemp("build")
    return {f"smoke-{v}": _build(_fresh(checkout), tmp, entry) for v, entry in ENTRIES.items()}


@pytest.mark.parametrize("variants", [["dev"], ["dev", "staging-cu124"]], ids=["one", "several"])
def test_build_collect_smoke_tag(
    checkout: Path, built: dict[str, Artifact], tmp_path: Path, docker: Path, variants: list[str]
) -> None:
    entries = ENTRIES
    matrix = json.dumps([entries[v] for v in variants], separators=(",", ":"))
    artifacts = {f"smoke-{v}": built[f"smoke-{v}"] for v in variants}
    assert all(list(a) == [f"{n}.json"] for n, a in artifacts.items())

    # collect: the records side by side, whatever the count
    collect_ws = _fresh(checkout)
    contexts = {"needs.plan.outputs.matrix": matrix}
    assert _download("collect", artifacts, collect_ws, contexts) == [f"smoke-{v}" for v in variants]
    assert sorted(p.name for p in (collect_ws / "records").iterdir()) == [
        f"smoke-{v}.json" for v in variants
    ]
    code, _, err, outputs = _run(
        "collect", "check the records", contexts, workspace=collect_ws, tmp=tmp_path
    )
    assert code == 0, err
    images = json.loads(outputs["images"])
    assert [i["name"] for i in images] == sorted(variants)
    assert {i["name"]: i["digest"] for i in images} == {v: DIGEST[v] for v in variants}
    assert images[0]["runs_on"] == entries[images[0]["name"]]["runs_on"]

    # smoke legs: the record by name, smoke, upload as smoked-*, remove the image always
    smoked: dict[str, Artifact] = {}
    record_env = {
        "DOCKER_RECORD": str(tmp_path / "docker.log"),
        "PATH": f"{docker}:{os.environ['PATH']}",
    }
    for image in images:
        leg = tmp_path / f"leg-{image['name']}"
        leg.mkdir()
        leg_ctx = {
            f"matrix.image.{k}": json.dumps(v) if isinstance(v, list) else str(v)
            for k, v in image.items()
        }
        assert _download("smoke", artifacts, leg, leg_ctx) == [f"smoke-{image['name']}"]
        code, _, err, _ = _run(
            "smoke",
            "pull the pushed digest and run the smoke test in it",
            leg_ctx,
            workspace=leg,
            tmp=tmp_path,
            extra=record_env,
        )
        assert code == 0, err
        if image["name"] != "staging-cu124":  # its smoke fails: no smoked- artifact
            (up,) = _uses("smoke", "actions/upload-artifact@")
            smoked[_resolve(up["with"]["name"], leg_ctx)] = upload(
                leg, _resolve(up["with"]["path"], leg_ctx)
            )
        cleanup = _step("smoke", "remove the pulled image")
        assert cleanup["if"] == "always()"
        code, _, err, _ = _run(
            "smoke",
            "remove the pulled image",
            leg_ctx,
            workspace=leg,
            tmp=tmp_path,
            extra=record_env,
        )
        assert code == 0, err
    calls = [json.loads(line) for line in (tmp_path / "docker.log").read_text().splitlines()]
    ref = {i["name"]: f"{i['repository']}@{i['digest']}" for i in images}
    assert ["pull", ref["dev"]] in calls and ["image", "rm", ref["dev"]] in calls
    assert [
        "run",
        "--rm",
        "--gpus",
        "all",
        ref["dev"],
        "vlmhb",
        "smoke",
        "--backend",
        "cu128",
    ] in calls

    # tag: every smoked variant's tags move; a variant whose smoke failed fails the job after
    (tmp_path / "docker.log").unlink()
    tag_ws = _fresh(checkout)
    _download("tag", smoked, tag_ws, contexts)
    code, _, err, _ = _run(
        "tag",
        "tag each smoked digest; fail if a variant was not",
        contexts,
        workspace=tag_ws,
        tmp=tmp_path,
        extra=record_env,
    )
    calls = [json.loads(line) for line in (tmp_path / "docker.log").read_text().splitlines()]
    dev = next(i for i in images if i["name"] == "dev")
    expected_dev = ["buildx", "imagetools", "create"]
    for tag in dev["tags"]:
        expected_dev += ["--tag", f"{dev['repository']}:{tag}"]
    assert calls == [[*expected_dev, ref["dev"]]]
    assert "dev" in dev["tags"]
    if variants == ["dev"]:
        assert code == 0, err
    else:
        assert code == 1
        assert "1 image variant(s) not published: staging-cu124; 1 other(s) were tagged" in err


def test_collect_fails_clearly_on_a_missing_or_empty_result(checkout: Path, tmp_path: Path) -> None:
    contexts = {"needs.plan.outputs.matrix": json.dumps([_entry("dev", "dev", "")])}
    workspace = _fresh(checkout)
    # no artifact matched: download-artifact succeeds with nothing
    assert _download("collect", {}, workspace, contexts) == []
    code, _, err, _ = _run(
        "collect", "check the records", contexts, workspace=workspace, tmp=tmp_path
    )
    assert code == 1 and "release-tool image-collect: no image record in records" in err, err
    # an empty file
    (workspace / "records").mkdir(exist_ok=True)
    (workspace / "records" / "smoke-dev.json").write_text("")
    code, _, err, _ = _run(
        "collect", "check the records", contexts, workspace=workspace, tmp=tmp_path
    )
    assert code == 2 and "records/smoke-dev.json is empty" in err
    # the layout download-artifact makes without merge-multiple, several artifacts
    shutil.rmtree(workspace / "records")
    artifacts = {
        "smoke-dev": {"smoke-dev.json": b"{}"},
        "smoke-prod-cu124": {"smoke-prod-cu124.json": b"{}"},
    }
    download(artifacts, workspace / "records", pattern="smoke-*")
    code, _, err, _ = _run(
        "collect", "check the records", contexts, workspace=workspace, tmp=tmp_path
    )
    assert code == 1 and "download with merge-multiple: true" in err
