"""Hardening invariants of every workflow and composite action, checked on the parsed YAML.

The linters (scripts/lint_workflows) check syntax and known-dangerous patterns; these
tests pin the project's own rules: see docs/pipeline-setup.md.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from release_tool.adapters.github import PullRequestInfo
from release_tool.commands.refresh import describe

from tests.support.sandbox import ROOT, clean_env, load_config
from tests.support.workflows import (
    ACTIONS,
    action_files,
    all_steps,
    jobs,
    load_pins,
    load_yaml,
    steps_of,
    template_files,
    triggers,
    uses_lines,
    workflow_files,
)

SHA = re.compile(r"^[0-9a-f]{40}$")
EXPRESSION = re.compile(r"\$\{\{")
EXPECTED_WORKFLOWS = {
    "ci.yml",
    "release.yml",
    "promote.yml",
    "promote-prod.yml",
    "refresh.yml",
    "relock.yml",
    "gpu.yml",
}
TOOL_RUN = "uv run --locked --no-dev --package release-tool"
GITHUB_LABELS = {"self-hosted", "linux", "x64", "arm64", "windows", "macos"}


def _ids(paths: list[Path]) -> list[str]:
    return [str(p.relative_to(ROOT)) for p in paths]


WORKFLOWS = workflow_files()
ACTION_FILES = action_files()
EVERY_FILE = [*WORKFLOWS, *ACTION_FILES, *template_files()]


def test_the_expected_workflows_and_actions_exist() -> None:
    assert {p.name for p in WORKFLOWS} >= EXPECTED_WORKFLOWS
    names = {p.parent.name for p in ACTION_FILES}
    wanted = {"intake", "promote", "publish", "refresh", "relock", "comment", "notify"}
    assert wanted | {"report-failure"} <= names


@pytest.mark.parametrize("path", WORKFLOWS, ids=_ids(WORKFLOWS))
def test_top_level_permissions_are_empty(path: Path) -> None:
    assert load_yaml(path).get("permissions") == {}, "top-level `permissions: {}` is required"


@pytest.mark.parametrize("path", WORKFLOWS, ids=_ids(WORKFLOWS))
def test_every_job_has_explicit_minimal_permissions_and_a_timeout(path: Path) -> None:
    for name, job in jobs(path).items():
        assert "timeout-minutes" in job, f"{path.name} job {name}: no timeout-minutes"
        perms = job.get("permissions")
        assert isinstance(perms, dict), f"{path.name} job {name}: no explicit permissions"
        assert set(perms.values()) <= {"read", "write", "none"}, f"{path.name} job {name}"
        writes = {k for k, v in perms.items() if v == "write"}
        # GITHUB_TOKEN never writes code: pushes go through the App token, minted per job.
        assert "contents" not in writes, f"{path.name} job {name}: contents: write"
        assert writes <= {"pull-requests", "packages", "id-token", "attestations"}, (
            f"{path.name} job {name}: unexpected write grants {writes}"
        )


def test_no_file_under_github_or_actions_names_pull_request_target() -> None:
    offenders = [
        str(p.relative_to(ROOT))
        for folder in (ROOT / ".github", ACTIONS)
        for p in folder.rglob("*")
        if p.is_file()
        and p.suffix in {".yml", ".yaml", ".md", ".toml", ".json", ".py", ".sh", ""}
        and "pull_request_target" in p.read_text(encoding="utf-8", errors="replace")
    ]
    assert offenders == []


@pytest.mark.parametrize("path", EVERY_FILE, ids=_ids(EVERY_FILE))
def test_every_uses_is_pinned_from_the_pins_file(path: Path) -> None:
    pins = load_pins()
    seen = 0
    for number, ref, comment in uses_lines(path):
        seen += 1
        where = f"{path.relative_to(ROOT)}:{number}"
        if ref.startswith("$/"):
            target = ROOT / ref.removeprefix("$/")
            assert (target / "action.yml").is_file(), f"{where}: no action at {ref}"
            continue
        assert not ref.startswith("./"), f"{where}: use the self-repository form $/…"
        action, _, sha = ref.partition("@")
        if action.startswith("VLMHyperBenchTeam/vlmhyperbench_playground/actions/"):
            # the package template: a monorepo commit the user fills in
            assert path.parent.name == "templates", where
            assert (ROOT / action.split("/", 2)[2] / "action.yml").is_file(), where
            continue
        assert action in pins, f"{where}: {action} is not in .github/action-pins.toml"
        assert SHA.match(sha), f"{where}: {ref} is not pinned to a full commit SHA"
        assert sha == pins[action]["sha"], f"{where}: {action} pinned to another SHA"
        assert comment is not None and comment.split()[0] == pins[action]["tag"], (
            f"{where}: the version comment must be '# {pins[action]['tag']}'"
        )
    if path in WORKFLOWS:
        assert seen, f"{path.name} uses no action at all"


def test_every_checkout_drops_its_credentials() -> None:
    checkouts = [s for s in all_steps() if s.uses.startswith("actions/checkout@")]
    assert checkouts
    for step in checkouts:
        assert step.data.get("with", {}).get("persist-credentials") is False, step.where


def test_setup_uv_never_caches() -> None:
    """Cache poisoning: a release, promote, relock or refresh job must not restore a cache."""
    setups = [s for s in all_steps() if s.uses.startswith("astral-sh/setup-uv@")]
    assert setups
    for step in setups:
        assert step.data.get("with", {}).get("enable-cache") is False, step.where


def test_no_expression_inside_run() -> None:
    for step in all_steps():
        if step.run is not None:
            assert not EXPRESSION.search(step.run), f"{step.where}: ${{{{ }}}} inside run:"


@pytest.mark.parametrize("path", ACTION_FILES, ids=_ids(ACTION_FILES))
def test_composite_actions_are_thin(path: Path) -> None:
    data = load_yaml(path)
    assert data["runs"]["using"] == "composite"
    for name, spec in data.get("inputs", {}).items():
        assert spec.get("description"), f"input {name} is not described"
        assert "type" not in spec, f"input {name}: composite inputs have no type"
    declared = set(data.get("inputs", {}))
    text = path.read_text(encoding="utf-8")
    used = set(re.findall(r"\binputs\.([A-Za-z0-9_-]+)", text))
    assert used <= declared, f"undeclared inputs {used - declared}"
    assert used == declared, f"inputs never passed on: {declared - used}"
    runs = [s for s in steps_of(path) if s.run is not None]
    assert runs
    for step in runs:
        assert step.data.get("shell") == "bash", step.where
        for value in step.data.get("env", {}).values():
            assert re.fullmatch(r"\$\{\{ inputs\.[A-Za-z0-9_-]+ \}\}", str(value)), step.where
        assert "release-tool" in step.run, step.where
        assert "pip install" not in step.run, step.where
        for line in _joined(step.run).splitlines():
            if re.search(r"\brelease-tool\b", line) and "uv run" in line:
                assert TOOL_RUN in line, f"{step.where}: run the locked tool ({TOOL_RUN})"
    for name, spec in data.get("outputs", {}).items():
        assert spec.get("description"), f"output {name} is not described"
        assert re.fullmatch(r"\$\{\{ steps\.[a-z-]+\.outputs\.[a-z-]+ \}\}", spec["value"])


def _joined(script: str) -> str:
    return script.replace("\\\n", " ")


def _local_action(ref: str) -> dict[str, Any] | None:
    if not ref.startswith("$/"):
        return None
    return load_yaml(ROOT / ref.removeprefix("$/") / "action.yml")


def test_local_action_calls_give_declared_and_required_inputs() -> None:
    for step in all_steps():
        action = _local_action(step.uses)
        if action is None:
            continue
        inputs = action.get("inputs", {})
        given = set(step.data.get("with", {}))
        assert given <= set(inputs), f"{step.where}: unknown inputs {given - set(inputs)}"
        required = {n for n, spec in inputs.items() if spec.get("required")}
        assert required <= given, f"{step.where}: missing inputs {required - given}"


def _app_token_steps(path: Path) -> list[Any]:
    return [s for s in steps_of(path) if s.uses.startswith("actions/create-github-app-token@")]


@pytest.mark.parametrize(
    "name", ["release.yml", "promote.yml", "promote-prod.yml", "refresh.yml", "relock.yml"]
)
def test_release_jobs_mint_an_app_token_in_the_job_and_pass_it_to_the_tool(name: str) -> None:
    path = ROOT / ".github" / "workflows" / name
    minted = _app_token_steps(path)
    assert minted, f"{name}: no GitHub App token is minted"
    for token_step in minted:
        with_ = token_step.data["with"]
        assert with_["private-key"] == "${{ secrets.RELEASE_APP_PRIVATE_KEY }}"
        assert with_["client-id"] == "${{ vars.RELEASE_APP_CLIENT_ID }}"
        job = jobs(path)[token_step.job]
        assert job.get("environment"), f"{name} job {token_step.job}: the key needs an environment"
        users = [
            s
            for s in steps_of(path)
            if s.job == token_step.job
            and "token" in ((_local_action(s.uses) or {}).get("inputs") or {})
        ]
        assert users, f"{name}: the token is minted but no action uses it"
        for step in users:
            assert step.data["with"]["token"] == "${{ steps.app-token.outputs.token }}", step.where
            assert step.index > token_step.index, step.where
    for action in ACTION_FILES:
        text = action.read_text(encoding="utf-8")
        if "token:" in text:
            assert "RELEASE_TOOL_TOKEN: ${{ inputs.token }}" in text, action


def test_release_token_reaches_exactly_the_configured_repositories() -> None:
    config = load_config()
    packages: dict[str, dict[str, str]] = config["packages"]  # type: ignore[assignment]
    wanted = {
        cfg["repository"].rstrip("/").removesuffix(".git").rsplit("/", 1)[1]
        for cfg in packages.values()
    }
    wanted.add(str(config["repository"]).split("/")[1])
    (step,) = _app_token_steps(ROOT / ".github" / "workflows" / "release.yml")
    assert set(step.data["with"]["repositories"].split(",")) == wanted


def test_protected_environments() -> None:
    assert jobs(ROOT / ".github/workflows/promote-prod.yml")["publish"]["environment"] == "prod"
    assert jobs(ROOT / ".github/workflows/release.yml")["publish"]["environment"] == "release"


def _names_a_secret(job: Mapping[str, Any]) -> bool:
    return "secrets." in json.dumps(job)


def _mints_a_token(job: Mapping[str, Any]) -> bool:
    return any(
        str(step.get("uses", "")).startswith("actions/create-github-app-token@")
        for step in job.get("steps", [])
    )


@pytest.mark.parametrize("path", WORKFLOWS, ids=_ids(WORKFLOWS))
def test_a_job_holding_a_write_credential_needs_a_clean_prepare_job(path: Path) -> None:
    """No job that runs package code holds a write credential (docs/security.md): in the
    release workflows every job that mints a token or names a secret needs a job that
    has no environment, names no secret and mints no token, and runs the bundle hand-over."""
    if path.name not in {"promote.yml", "promote-prod.yml", "relock.yml", "refresh.yml"}:
        return
    graph = jobs(path)
    holders = [name for name, job in graph.items() if _names_a_secret(job) or _mints_a_token(job)]
    assert holders, f"{path.name}: no job publishes"
    for name in holders:
        job = graph[name]
        needs = job.get("needs", [])
        needs = [needs] if isinstance(needs, str) else list(needs)
        clean = [
            n
            for n in needs
            if "environment" not in graph[n]
            and not _names_a_secret(graph[n])
            and not _mints_a_token(graph[n])
            and any("upload-artifact" in str(s.get("uses", "")) for s in graph[n]["steps"])
        ]
        assert clean, f"{path.name} job {name} holds a credential but needs no clean prepare job"
        for step in job.get("steps", []):
            uses = str(step.get("uses", ""))
            assert uses not in {"$/actions/promote", "$/actions/relock"}, f"{name}: {uses}"
            assert "uv lock" not in str(step.get("run", "")) and "uv sync" not in str(
                step.get("run", "")
            ), name
            if uses == "$/actions/refresh":
                assert step["with"].get("list") == "true", name
    for name, job in graph.items():
        if name in holders:
            continue
        assert job["permissions"].get("contents") in {None, "read"}, name
        assert set(job["permissions"].values()) <= {"read"}, name


def test_promote_dispatch_offers_staging_only() -> None:
    inputs = triggers(ROOT / ".github/workflows/promote.yml")["workflow_dispatch"]["inputs"]
    assert set(inputs) == {"pins"}  # no env input: prod goes through promote-prod.yml
    assert "prod" not in json.dumps(inputs)


def test_promote_prod_groups_per_package_and_kind_and_refuses_a_bare_rollback() -> None:
    path = ROOT / ".github/workflows/promote-prod.yml"
    concurrency = load_yaml(path)["concurrency"]
    assert concurrency["cancel-in-progress"] is False
    group = concurrency["group"]
    assert "'rollback'" in group and "'from-staging'" in group
    assert "inputs.rollback-package" in group and "inputs.packages" in group
    prepare = jobs(path)["prepare"]["steps"]
    guard = prepare[0]
    assert guard["if"] == "inputs.rollback-package != '' || inputs.rollback-tag != ''"
    script = guard["run"]
    for name in ("PACKAGE", "TAG", "REASON"):
        assert f'[ -z "${name}" ]' in script
    assert "exit 2" in script
    roll = [s for s in prepare if s.get("name") == "roll back"]
    carry = [s for s in prepare if s.get("name") == "staging to prod"]
    # Both branches key on the package, never on the tag alone: a package without a
    # tag stops at the guard instead of falling through to "all packages from staging".
    assert roll[0]["if"] == "inputs.rollback-package != ''"
    assert carry[0]["if"] == "inputs.rollback-package == ''"
    # The guard's shell logic, run for real.
    for package, tag, reason, code in (
        ("hello-world", "", "", 2),
        ("hello-world", "0.1.0", "", 2),
        ("", "0.1.0", "x", 2),
        ("hello-world", "0.1.0", "bad", 0),
    ):
        done = subprocess.run(
            ["bash", "-c", script],
            env={"PACKAGE": package, "TAG": tag, "REASON": reason, "PATH": "/usr/bin:/bin"},
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == code, (package, tag, reason)


def test_promote_failure_issue_fires_for_single_and_batch_payloads() -> None:
    report = jobs(ROOT / ".github/workflows/promote.yml")["report"]
    condition = " ".join(report["if"].split())
    assert condition.startswith("failure()")
    assert "client_payload.package != ''" in condition
    assert "client_payload.pins != ''" in condition
    assert "client_payload.pins" in report["strategy"]["matrix"]["pin"]
    assert report["needs"] == ["prepare", "publish"]


def test_refresh_token_may_close_failure_issues() -> None:
    (step,) = _app_token_steps(ROOT / ".github/workflows/refresh.yml")
    assert step.data["with"]["permission-issues"] == "write"


def test_promote_concurrency_is_per_env_package_and_tag_and_never_cancels() -> None:
    path = ROOT / ".github" / "workflows" / "promote.yml"
    data = load_yaml(path)
    assert triggers(path)["repository_dispatch"] == {"types": ["package-released"]}
    concurrency = data["concurrency"]
    assert concurrency["cancel-in-progress"] is False
    group = concurrency["group"]
    for part in ("client_payload.env", "client_payload.package", "client_payload.tag"):
        assert part in group
    assert "pins.*.package" in group and "pins.*.tag" in group
    steps = [s for s in steps_of(path) if s.uses == "$/actions/publish-bundle"]
    assert len(steps) == 2  # the branch lease's loser re-publishes once
    assert steps[0].data.get("continue-on-error") is True
    assert steps[1].data["if"] == "steps.publish.outcome == 'failure'"
    failure = [s for s in steps_of(path) if s.uses == "$/actions/report-failure"]
    assert failure and failure[0].job == "report"


def test_refresh_runs_one_job_per_pr_with_its_own_group() -> None:
    refresh = jobs(ROOT / ".github" / "workflows" / "refresh.yml")
    assert refresh["refresh"]["strategy"]["matrix"]["include"] == (
        "${{ fromJSON(needs.list.outputs.prs) }}"
    )
    assert refresh["refresh"]["concurrency"]["group"] == "refresh-pr-${{ matrix.number }}"


def test_refresh_matrix_reads_only_keys_the_list_gives() -> None:
    """``matrix.X`` in the refresh job names a key of ``refresh --list --json``'s objects."""
    pull = PullRequestInfo(7, "https://x/7", "release/staging/a", "main", "t", "", "0" * 40, ())
    keys = set(describe(pull))
    text = (ROOT / ".github" / "workflows" / "refresh.yml").read_text(encoding="utf-8")
    used = set(re.findall(r"\bmatrix\.([A-Za-z0-9_-]+)", text))
    assert used, "the refresh job reads no matrix field"
    assert used <= keys, f"refresh.yml reads {sorted(used - keys)}; the list gives {sorted(keys)}"


def _action_outputs_read(path: Path) -> Iterator[tuple[str, str, str]]:
    """(where, action name, output) for each ``steps.<id>.outputs.<name>`` of a local action."""
    text = path.read_text(encoding="utf-8")
    for job_name, job in jobs(path).items():
        local = {
            str(s["id"]): str(s["uses"]).removeprefix("$/actions/")
            for s in job.get("steps", [])
            if "id" in s and str(s.get("uses", "")).startswith("$/actions/")
        }
        for step_id, output in re.findall(r"steps\.([a-z-]+)\.outputs\.([a-z-]+)", text):
            if step_id in local:
                yield f"{path.name} {job_name}", local[step_id], output


def test_workflows_read_only_outputs_the_actions_declare() -> None:
    read = [r for path in WORKFLOWS for r in _action_outputs_read(path)]
    assert read, "no workflow reads a local action's output"
    for where, name, output in read:
        declared = load_yaml(ACTIONS / name / "action.yml").get("outputs") or {}
        assert output in declared, f"{where}: actions/{name} has no output {output!r}"


def test_actionlint_knows_every_configured_runner_label() -> None:
    config = load_config()
    backends: dict[str, dict[str, Any]] = config["backends"]  # type: ignore[assignment]
    labels = {label for b in backends.values() for label in b["runner-labels"]}
    known = set(load_yaml(ROOT / ".github" / "actionlint.yaml")["self-hosted-runner"]["labels"])
    assert labels - GITHUB_LABELS <= known


def test_the_setup_docs_name_every_secret_variable_environment_and_permission() -> None:
    docs = (ROOT / "docs" / "pipeline-setup.md").read_text(encoding="utf-8")
    texts = [p.read_text(encoding="utf-8") for p in [*WORKFLOWS, *template_files()]]
    names = {m for t in texts for m in re.findall(r"\b(?:secrets|vars)\.([A-Z0-9_]+)", t)}
    names |= {
        str(job["environment"])
        for p in WORKFLOWS
        for job in jobs(p).values()
        if "environment" in job
    }
    names |= {m for t in texts for m in re.findall(r"\b(permission-[a-z-]+):", t)}
    names |= {
        f"{k}: {v}"
        for p in WORKFLOWS
        for job in jobs(p).values()
        for k, v in job["permissions"].items()
    }
    assert names
    missing = sorted(n for n in names if f"`{n}`" not in docs and n not in docs)
    assert missing == [], f"docs/pipeline-setup.md does not name {missing}"


@pytest.mark.parametrize("template", template_files(), ids=_ids(template_files()))
def test_the_package_template_lints_clean_once_filled_in(template: Path, tmp_path: Path) -> None:
    """The template as a package repository would hold it, with a real monorepo commit."""
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    text = template.read_text(encoding="utf-8")
    assert "MONOREPO_COMMIT" in text and "PACKAGE_NAME" in text
    filled = tmp_path / ".github" / "workflows" / "release.yml"
    filled.parent.mkdir(parents=True)
    filled.write_text(
        text.replace("MONOREPO_COMMIT", head).replace("PACKAGE_NAME", "hello-world"),
        encoding="utf-8",
    )
    tools = Path(sys.executable).parent
    for argv in (
        [tools / "check-jsonschema", "--builtin-schema", "vendor.github-workflows", filled],
        [tools / "actionlint", "-config-file", ROOT / ".github" / "actionlint.yaml", filled],
        [tools / "zizmor", "--offline", "--persona", "auditor", filled],
    ):
        done = subprocess.run(
            [str(a) for a in argv], capture_output=True, text=True, check=False, env=clean_env()
        )
        assert done.returncode == 0, f"{argv[0]}: {done.stdout}{done.stderr}"
    assert "more than three tags" in text


def test_gpu_jobs_use_per_job_caches_under_runner_temp() -> None:
    path = ROOT / ".github/workflows/gpu.yml"
    steps = jobs(path)["gpu"]["steps"]
    names = [s.get("name", s.get("id", "")) for s in steps]
    cache = steps[names.index("per-job uv and Hugging Face caches")]
    assert 'echo "UV_CACHE_DIR=$RUNNER_TEMP/uv-cache"' in cache["run"]
    assert 'echo "HF_HOME=$RUNNER_TEMP/hf-home"' in cache["run"]
    assert '>> "$GITHUB_ENV"' in cache["run"]
    first_uv = min(i for i, s in enumerate(steps) if "uv " in str(s.get("run", "")))
    assert names.index("per-job uv and Hugging Face caches") < first_uv
    # What the step writes, run for real: both caches land in RUNNER_TEMP.
    with tempfile.TemporaryDirectory() as temp:
        env_file = Path(temp) / "env"
        subprocess.run(
            ["bash", "-c", cache["run"]],
            env={"RUNNER_TEMP": temp, "GITHUB_ENV": str(env_file), "PATH": "/usr/bin:/bin"},
            check=True,
        )
        written = dict(line.split("=", 1) for line in env_file.read_text().splitlines())
        assert written == {"UV_CACHE_DIR": f"{temp}/uv-cache", "HF_HOME": f"{temp}/hf-home"}
        assert all(Path(v).is_dir() for v in written.values())


def test_workflows_permission_only_where_a_release_branch_is_pushed() -> None:
    """GitHub refuses an App's push that brings a workflow change without the Workflows
    permission; only the publish jobs that push release branches ask for it."""
    for path in WORKFLOWS:
        for step in _app_token_steps(path):
            job = jobs(path)[step.job]
            pushes = any(s.get("uses") == "$/actions/publish-bundle" for s in job.get("steps", []))
            asked = step.data["with"].get("permission-workflows")
            assert asked == ("write" if pushes else None), f"{path.name} {step.job}"


def test_package_template_uses_the_dispatch_app_only() -> None:
    (template,) = [p for p in template_files() if p.name == "package-release.yml"]
    text = template.read_text(encoding="utf-8")
    assert "${{ vars.DISPATCH_APP_CLIENT_ID }}" in text
    assert "${{ secrets.DISPATCH_APP_PRIVATE_KEY }}" in text
    assert "RELEASE_APP_PRIVATE_KEY }}" not in text and "vars.RELEASE_APP" not in text
    notify = (ROOT / "actions/notify/action.yml").read_text(encoding="utf-8")
    assert "DISPATCH_APP_PRIVATE_KEY" in notify


@pytest.mark.parametrize("name", ["promote.yml", "promote-prod.yml", "relock.yml", "refresh.yml"])
def test_the_bundle_travels_as_one_named_artifact_into_publish_bundles_directory(
    name: str,
) -> None:
    """Behaviour read at the pinned SHAs: upload-artifact v7 with one directory path
    roots the artifact at that directory (its default ``archive: true`` zips it under
    ``name``); download-artifact v8 given ``name`` extracts that single artifact straight
    into ``path`` (no per-artifact subdirectory) and fails on a digest mismatch."""
    path = ROOT / ".github" / "workflows" / name
    graph = jobs(path)
    for job_name, job in graph.items():
        steps = job.get("steps", [])
        publish = [s for s in steps if s.get("uses") == "$/actions/publish-bundle"]
        if not publish:
            continue
        (download,) = [
            s for s in steps if str(s.get("uses", "")).startswith("actions/download-artifact@")
        ]
        with_ = download["with"]
        assert set(with_) == {"name", "path"}, f"{job_name}: {sorted(with_)}"
        assert all(s["with"]["bundle"] == with_["path"] for s in publish)
        needs = job["needs"] if isinstance(job["needs"], list) else [job["needs"]]
        uploads = [
            s["with"]
            for n in needs
            for s in graph[n]["steps"]
            if str(s.get("uses", "")).startswith("actions/upload-artifact@")
            and s["with"]["name"] == with_["name"]
        ]
        assert len(uploads) == 1, f"{job_name}: no prepare job uploads {with_['name']}"
        upload = uploads[0]
        assert upload["path"] == "${{ runner.temp }}/release-bundle"
        assert upload["if-no-files-found"] == "error"
        assert "archive" not in upload and "include-hidden-files" not in upload
        makers = [
            s
            for n in needs
            for s in graph[n]["steps"]
            if str(s.get("uses", ""))
            in {"$/actions/promote", "$/actions/relock", "$/actions/refresh"}
            and s.get("with", {}).get("list") != "true"
        ]
        assert makers and all(
            s["with"]["bundle-out"] == "${{ runner.temp }}/release-bundle" for s in makers
        )
