"""The pinned third-party actions, as the workflows use them: inputs and behaviours.

tests/fixtures/pinned-actions.toml records, per pinned action, its input names and the
behaviours the workflows rely on, each read at the pinned commit (file named there).
Here: the fixture's pins are the pins file's, every `with:` key a workflow, composite
action or template passes is an input of that action at that commit, and each step
relying on a behaviour is written the way that behaviour needs.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from tests.support.sandbox import ROOT
from tests.support.workflows import (
    Step,
    action_files,
    load_pins,
    load_yaml,
    steps_of,
    template_files,
    workflow_files,
)

FACTS_FILE = ROOT / "tests" / "fixtures" / "pinned-actions.toml"
FACTS = tomllib.loads(FACTS_FILE.read_text(encoding="utf-8"))
PUBLISH = ROOT / ".github" / "workflows" / "publish.yml"


def _third_party_steps() -> list[Step]:
    steps = []
    for path in [*workflow_files(), *action_files(), *template_files()]:
        steps += [s for s in steps_of(path) if s.uses and not s.uses.startswith("$/")]
    return [s for s in steps if not s.uses.startswith("VLMHyperBenchTeam/")]


def _steps(action: str) -> list[Step]:
    return [s for s in _third_party_steps() if s.uses.partition("@")[0] == action]


def _behaviour(ident: str) -> dict[str, str]:
    (found,) = [b for b in FACTS["behaviours"] if b["id"] == ident]
    return found  # type: ignore[no-any-return]


def test_the_facts_are_read_at_the_pinned_commits() -> None:
    pins = load_pins()
    assert set(FACTS["actions"]) == set(pins)
    for action, facts in FACTS["actions"].items():
        assert (facts["tag"], facts["sha"]) == (pins[action]["tag"], pins[action]["sha"])
        assert facts["read-from"] == "action.yml" and facts["inputs"], action
    for behaviour in FACTS["behaviours"]:
        assert behaviour["action"] in FACTS["actions"], behaviour["id"]
        assert behaviour["read-from"] and len(behaviour["fact"]) > 80, behaviour["id"]


@pytest.mark.parametrize("step", _third_party_steps(), ids=lambda s: s.where)
def test_every_input_passed_exists_at_the_pinned_commit(step: Step) -> None:
    action, _, sha = step.uses.partition("@")
    facts = FACTS["actions"][action]
    assert sha == facts["sha"], step.where
    unknown = set(step.data.get("with") or {}) - set(facts["inputs"])
    assert not unknown, f"{step.where}: {action} {facts['tag']} has no input {sorted(unknown)}"


def test_bake_builds_from_the_checkout() -> None:
    assert "Git context" in _behaviour("bake-source")["fact"]
    bakes = _steps("docker/bake-action")
    assert bakes
    for step in bakes:
        inputs = step.data["with"]
        assert inputs.get("source") == ".", f"{step.where}: bake without source: . reads Git"
        assert not Path(inputs["files"]).is_absolute(), step.where


def test_downloads_by_pattern_merge_and_are_checked() -> None:
    """merge-multiple gives one layout for one artifact and for several; a pattern that
    matches nothing succeeds, so the next step (image-collect) must fail on emptiness."""
    _behaviour("single-artifact-layout")
    _behaviour("pattern-matches-nothing")
    downloads = _steps("actions/download-artifact")
    assert downloads
    for step in downloads:
        inputs = step.data["with"]
        job = load_yaml(step.file)["jobs"][step.job]
        later = " ".join(s.get("run", "") for s in job["steps"][step.index + 1 :])
        if "pattern" in inputs and step.file == PUBLISH:
            assert inputs.get("merge-multiple") is True, step.where
            assert f"image-collect {inputs['path']}" in later, step.where
        elif "pattern" in inputs:
            # gpu.yml: one result.json per artifact, side by side only in per-artifact
            # directories (several matched) or alone (one matched); gate reads recursively
            assert "merge-multiple" not in inputs and "release-tool gate" in later, step.where
        else:
            assert "name" in inputs, f"{step.where}: download one named artifact or a pattern"


def test_uploads_overwrite_and_carry_unique_names_and_files() -> None:
    _behaviour("overwrite")
    _behaviour("single-file-root")
    _behaviour("merge-multiple")
    uploads = _steps("actions/upload-artifact")
    assert uploads
    for step in uploads:
        inputs = step.data["with"]
        assert inputs.get("overwrite") is True, f"{step.where}: a re-run would fail (409)"
    leg = "${{ matrix.image.name }}"
    published = [s for s in uploads if s.file == PUBLISH]
    assert len(published) == 2
    names = []
    for step in published:
        inputs = step.data["with"]
        # one file, named after the variant, at the artifact's root
        assert leg in inputs["name"] and inputs["path"].endswith(f"smoke-{leg}.json"), step.where
        assert "*" not in inputs["path"], step.where
        names.append(inputs["name"].replace(leg, ""))
    assert len(set(names)) == 2  # smoke-* and smoked-* never match each other's pattern
    patterns = [
        s.data["with"]["pattern"]
        for s in _steps("actions/download-artifact")
        if s.file == PUBLISH and "pattern" in s.data["with"]
    ]
    assert sorted(patterns) == ["smoke-*", "smoked-*"]
    assert not re.fullmatch(patterns[0].replace("*", ".*"), "smoked-dev")
