"""`release-tool doctor` against the fake GitHub: every row ✓, then each setting broken.

A fully configured setup (tests/support/setup_world.py) gives only ✓ and exit 0; each
broken fixture gives its ✗ row (and only rows it explains) and exit 2; a permission
the token lacks gives ?; GitHub unreachable gives exit 1 whatever the offline rows say.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests
from release_tool import cli
from release_tool.adapters.github_setup import SetupReader
from release_tool.commands import doctor
from release_tool.core.github_context import GithubContext, Secret
from release_tool.core.setup_rows import (
    ACTION_OWNERS,
    CI_CHECKS,
    GATE_CHECK,
    RELEASE_APP_PERMISSIONS,
)

from tests.support.fake_github import FakeGitHub, serve_fake_github
from tests.support.github_sandbox import TOKEN, Sleeps, fast_policy, github_env
from tests.support.sandbox import ROOT, typed_config
from tests.support.setup_world import DIGEST, DISPATCH_SLUG, configure, make_checkout
from tests.support.workflows import jobs, load_yaml, steps_of, workflow_files

CONFIG = typed_config()
MONO = CONFIG.slug
ORG = MONO.split("/")[0]
PACKAGE = next(iter(CONFIG.packages.values())).slug


@pytest.fixture(scope="module")
def server() -> Iterator[FakeGitHub]:
    with serve_fake_github() as fake:
        yield fake


@pytest.fixture
def world(server: FakeGitHub, monkeypatch: pytest.MonkeyPatch) -> FakeGitHub:
    server.reset()
    configure(server, CONFIG)
    monkeypatch.setattr(
        doctor,
        "setup_reader",
        lambda context: SetupReader(context, fast_policy(Sleeps([]), max_attempts=2)),
    )
    return server


def run_doctor(
    fake: FakeGitHub, checkout: Path, *extra: str, api: str | None = None
) -> tuple[int, dict[str, object]]:
    env = github_env(fake) if api is None else {**github_env(fake), "GITHUB_API_URL": api}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = cli.main(
            ["doctor", "--json", f"--dispatch-app={DISPATCH_SLUG}", f"--repo={checkout}", *extra],
            env,
        )
    return code, json.loads(out.getvalue())


def failing(report: dict[str, object]) -> list[dict[str, str]]:
    rows = report["rows"]
    assert isinstance(rows, list)
    return [r for r in rows if r["status"] != "ok"]


def test_a_fully_configured_pipeline_is_all_green(world: FakeGitHub, tmp_path: Path) -> None:
    code, report = run_doctor(world, make_checkout(tmp_path, CONFIG))
    assert failing(report) == []
    assert code == 0 and report["exit_code"] == 0 and report["reachable"] is True
    rows = report["rows"]
    assert isinstance(rows, list)
    names = " | ".join(r["name"] for r in rows)
    for expected in (
        "release App vlmhb-release-bot permissions",
        "dispatch App vlmhb-dispatch repositories",
        "prod reviewers",
        "publish deployment branches",
        "cu124: group gpu workflow access",
        "cu128: group gpu runner version",
        "main requires the checks",
        "tags only by the release App",
        "fork PR workflows",
        "GHCR package",
        "profile locks exist",
    ):
        assert expected in names
    assert all(r["mark"] == "✓" for r in rows)
    # read-only: doctor never writes
    assert not world.writes()


def test_rules_that_cannot_block_the_release_app_pass(world: FakeGitHub, tmp_path: Path) -> None:
    """Evaluate-only rulesets and a package ruleset on other branches stay ✓."""
    world.repo(PACKAGE).rulesets[0].update(bypass_actors=[], enforcement="evaluate")
    world.repo(MONO).rulesets.append(
        {
            "id": 99,
            "name": "docs only",
            "target": "branch",
            "conditions": {"ref_name": {"include": ["refs/heads/docs/**"], "exclude": []}},
            "rules": [{"type": "update"}],
        }
    )
    code, report = run_doctor(world, make_checkout(tmp_path, CONFIG))
    assert (code, failing(report)) == (0, [])


def test_the_text_output_marks_each_row(
    world: FakeGitHub, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    checkout = make_checkout(tmp_path, CONFIG)
    world.repo(MONO).environments["prod"]["reviewers"] = []
    code = cli.main(
        ["doctor", f"--dispatch-app={DISPATCH_SLUG}", f"--repo={checkout}", f"--repository={MONO}"],
        github_env(world),
    )
    out = capsys.readouterr().out
    assert code == 2
    assert "✓ environments: release reviewers\n" in out
    assert "✗ environments: prod reviewers — add required reviewers to prod\n" in out


def _installation(fake: FakeGitHub, slug: str) -> dict[str, object]:
    return next(i for i in fake.orgs[ORG].installations if i["app_slug"] == slug)


def _group(fake: FakeGitHub) -> dict[str, object]:
    return fake.orgs[ORG].runner_groups[1]


def _ruleset(fake: FakeGitHub, name: str) -> dict[str, object]:
    return next(r for r in fake.repo(MONO).rulesets if r["name"] == name)


def _checks(fake: FakeGitHub) -> list[dict[str, object]]:
    rules = _ruleset(fake, "main")["rules"]
    assert isinstance(rules, list)
    return next(r for r in rules if r["type"] == "required_status_checks")["parameters"][
        "required_status_checks"
    ]


def _main_params(fake: FakeGitHub) -> dict[str, object]:
    rules = _ruleset(fake, "main")["rules"]
    assert isinstance(rules, list)
    return next(r for r in rules if r["type"] == "required_status_checks")["parameters"]


Breakage = Callable[[FakeGitHub, Path], None]
RELEASE_SLUG = "vlmhb-release-bot"

BROKEN: list[tuple[str, Breakage, tuple[str, ...]]] = [
    (
        "release App not installed",
        lambda f, _: f.orgs[ORG].installations.pop(0),
        (f"release App {RELEASE_SLUG}", "only by the release App", "may push main and tags"),
    ),
    (
        "release App lacks Issues: write",
        lambda f, _: _installation(f, RELEASE_SLUG)["permissions"].pop("issues"),
        (f"release App {RELEASE_SLUG} permissions",),
    ),
    (
        "release App misses a package repository",
        lambda f, _: _installation(f, RELEASE_SLUG)["repositories"].remove(PACKAGE),
        (f"release App {RELEASE_SLUG} repositories",),
    ),
    (
        "dispatch App on every repository",
        lambda f, _: _installation(f, DISPATCH_SLUG).update(repository_selection="all"),
        (f"dispatch App {DISPATCH_SLUG} repositories",),
    ),
    (
        "dispatch App on a package repository too",
        lambda f, _: _installation(f, DISPATCH_SLUG)["repositories"].append(PACKAGE),
        (f"dispatch App {DISPATCH_SLUG} repositories",),
    ),
    (
        "dispatch App reads contents only",
        lambda f, _: _installation(f, DISPATCH_SLUG)["permissions"].update(contents="read"),
        (f"dispatch App {DISPATCH_SLUG} permissions",),
    ),
    (
        "dispatch App not installed",
        lambda f, _: f.orgs[ORG].installations.pop(1),
        (f"dispatch App {DISPATCH_SLUG}",),
    ),
    ("no publish environment", lambda f, _: f.repo(MONO).environments.pop("publish"), ("publish",)),
    (
        "release-bot deploys from any branch",
        lambda f, _: f.repo(MONO).environments["release-bot"].update(branches=None),
        ("release-bot deployment branches",),
    ),
    (
        "publish deploys from protected branches",
        lambda f, _: f.repo(MONO).environments["publish"].update(branches="protected"),
        ("publish deployment branches",),
    ),
    (
        "release deploys from main and dev",
        lambda f, _: f.repo(MONO).environments["release"].update(branches=["main", "dev"]),
        ("release deployment branches",),
    ),
    (
        "prod without reviewers",
        lambda f, _: f.repo(MONO).environments["prod"].update(reviewers=[]),
        ("prod reviewers",),
    ),
    (
        "release environment lacks the key",
        lambda f, _: f.repo(MONO).environments["release"].update(secrets=[]),
        ("release names",),
    ),
    (
        "release-bot lacks the client id",
        lambda f, _: f.repo(MONO).environments["release-bot"].update(variables={}),
        ("release-bot names",),
    ),
    (
        "a package repository holds the release App's key",
        lambda f, _: f.repo(PACKAGE).secrets.append("RELEASE_APP_PRIVATE_KEY"),
        (f"{PACKAGE} names",),
    ),
    (
        "a package repository lacks the dispatch App's client id",
        lambda f, _: f.repo(PACKAGE).environments["release"].update(variables={}),
        (f"{PACKAGE} names",),
    ),
    (
        "a package repository does not exist",
        lambda f, _: f.repos.pop(PACKAGE),
        (f"{PACKAGE} names",),
    ),
    (
        "every action allowed",
        lambda f, _: setattr(f.orgs[ORG], "allowed_actions", "all"),
        ("org allow-list",),
    ),
    (
        "docker/* not allowed",
        lambda f, _: f.orgs[ORG].selected_actions["patterns_allowed"].remove("docker/*"),
        ("org allow-list",),
    ),
    (
        "GPU runner group limited to selected workflows",
        lambda f, _: _group(f).update(
            restricted_to_workflows=True,
            selected_workflows=[f"{MONO}/.github/workflows/gpu.yml@main"],
        ),
        ("cu124: group gpu workflow access", "cu128: group gpu workflow access"),
    ),
    (
        "GPU runner group without the monorepo",
        lambda f, _: _group(f).update(repositories=[PACKAGE]),
        ("cu124: group gpu repository access", "cu128: group gpu repository access"),
    ),
    (
        "GPU runner group closed to public repositories",
        lambda f, _: _group(f).update(allows_public_repositories=False),
        ("cu124: group gpu repository access", "cu128: group gpu repository access"),
    ),
    (
        "the cu124 runner is offline",
        lambda f, _: _group(f)["runners"][0].update(status="offline"),
        ("cu124: group gpu online",),
    ),
    (
        "the cu128 runner is older than node24 needs",
        lambda f, _: _group(f)["runners"][1].update(version="2.326.0"),
        ("cu128: group gpu runner version",),
    ),
    (
        "no runner has the cu128 labels",
        lambda f, _: _group(f)["runners"].pop(1),
        ("cu128 runners",),
    ),
    (
        "first-time contributors only need approval",
        lambda f, _: setattr(f.repo(MONO), "fork_approval", "first_time_contributors"),
        ("fork PR workflows",),
    ),
    (
        "GPU gate from any source",
        lambda f, _: _checks(f)[0].pop("integration_id"),
        ("main requires the checks",),
    ),
    ("CI check not required", lambda f, _: _checks(f).pop(1), ("main requires the checks",)),
    (
        "ruleset requires up-to-date branches",
        lambda f, _: _main_params(f).update(strict_required_status_checks_policy=True),
        ("main does not require up-to-date branches",),
    ),
    (
        "branch protection requires up-to-date branches",
        lambda f, _: setattr(f.repo(MONO), "protection", {"strict": True, "checks": []}),
        ("main does not require up-to-date branches",),
    ),
    (
        "the main ruleset is only evaluated",
        lambda f, _: _ruleset(f, "main").update(enforcement="evaluate"),
        ("main requires the checks",),
    ),
    (
        "release/** and bump/** unprotected",
        lambda f, _: f.repo(MONO).rulesets.remove(_ruleset(f, "release branches")),
        ("release/** only by the release App", "bump/** only by the release App"),
    ),
    (
        "tag ruleset without the release App",
        lambda f, _: _ruleset(f, "tags").update(bypass_actors=[]),
        ("tags only by the release App",),
    ),
    (
        "a package repository's ruleset blocks the release App",
        lambda f, _: f.repo(PACKAGE).rulesets[0].update(bypass_actors=[]),
        (f"{PACKAGE}: the release App may push main and tags",),
    ),
    (
        "a package repository requires signed commits without the release App",
        lambda f, _: (
            f.repo(PACKAGE)
            .rulesets[0]
            .update(bypass_actors=[], rules=[{"type": "required_signatures"}])
        ),
        (f"{PACKAGE}: the release App may push main and tags",),
    ),
    (
        "a base image unpinned",
        lambda _, root: (root / "docker" / "base-images.toml").write_text(
            (root / "docker" / "base-images.toml").read_text().replace(DIGEST, "", 1)
        ),
        ("base-image digests pinned",),
    ),
    (
        "no prod lock (bootstrap not run)",
        lambda _, root: (root / "prod" / "uv.lock").unlink(),
        ("profile locks exist",),
    ),
    ("no image published yet", lambda f, _: f.orgs[ORG].packages.clear(), ("GHCR package",)),
    (
        "image linked to another repository",
        lambda f, _: f.orgs[ORG].packages.update(vlmhyperbench=PACKAGE),
        ("GHCR package",),
    ),
]


@pytest.mark.parametrize(("case", "breaks", "rows"), BROKEN, ids=[c[0] for c in BROKEN])
def test_each_broken_setting_gives_its_fail_row(
    world: FakeGitHub, tmp_path: Path, case: str, breaks: Breakage, rows: tuple[str, ...]
) -> None:
    checkout = make_checkout(tmp_path, CONFIG)
    breaks(world, checkout)
    code, report = run_doctor(world, checkout)
    bad = failing(report)
    assert code == 2, case
    assert bad, f"{case}: no row failed"
    for row in bad:
        assert row["status"] == "fail" and row["mark"] == "✗", row
        assert row["detail"], f"{row['name']}: a ✗ row names its fix"
        assert any(r in row["name"] for r in rows), f"{case}: unexpected ✗ {row}"
    for wanted in rows:
        assert any(wanted in row["name"] for row in bad), f"{case}: no ✗ row {wanted!r}"


@pytest.mark.parametrize(
    ("path", "row", "permission"),
    [
        (f"/orgs/{ORG}/actions/runner-groups", "runner groups", "Self-hosted runners"),
        (f"/orgs/{ORG}/installations", "App installations", "Administration"),
        (f"/orgs/{ORG}/packages/container/vlmhyperbench", "GHCR package", "read:packages"),
        (f"/repos/{MONO}/rulesets", "main requires the checks", "Administration"),
        (f"/repos/{MONO}/environments/prod/secrets", "prod names", "Environments"),
        (f"/repos/{PACKAGE}/actions/secrets", f"{PACKAGE} names", "Secrets"),
        (
            "/user/installations/72/repositories",
            "dispatch App vlmhb-dispatch repositories",
            "List repositories accessible to the user access token",
        ),
    ],
)
def test_a_missing_permission_gives_a_question_mark_naming_it(
    world: FakeGitHub, tmp_path: Path, path: str, row: str, permission: str
) -> None:
    world.forbidden.add(path)
    code, report = run_doctor(world, make_checkout(tmp_path, CONFIG))
    bad = failing(report)
    assert code == 2
    assert bad and all(r["status"] == "unknown" and r["mark"] == "?" for r in bad), bad
    assert any(row in r["name"] and permission in r["detail"] for r in bad), bad


def test_unreachable_github_exits_1_whatever_the_offline_rows(
    world: FakeGitHub, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    code, report = run_doctor(
        world, make_checkout(tmp_path, CONFIG), api=f"http://127.0.0.1:{port}/api/v3"
    )
    assert code == 1 and report["reachable"] is False
    assert failing(report) == []  # the offline rows are all ✓, and still exit 1
    assert "could not be reached" in capsys.readouterr().err


def test_the_token_never_shows(
    world: FakeGitHub, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    world.forbidden.add(f"/orgs/{ORG}/installations")
    run_doctor(world, make_checkout(tmp_path, CONFIG))
    captured = capsys.readouterr()
    assert TOKEN not in captured.out + captured.err
    reader = SetupReader(GithubContext(MONO, api_url=world.base, token=Secret(TOKEN)))
    assert TOKEN not in repr(reader)


# -- doctor's reads, held to GitHub's REST description -----------------------------------
# Each operation doctor sends, as GitHub's REST description names it (the @octokit/openapi
# package, version 23.0.2, generated/api.github.com.json), with the response fields doctor
# reads from it. Every path, method and field below was looked up in that file; the
# contract tests validate the fake's answers against the same description.
DESCRIBED_READS: dict[str, tuple[str, ...]] = {
    "GET /repos/{owner}/{repo}": ("private",),
    "GET /repos/{owner}/{repo}/environments": ("environments",),
    "GET /repos/{owner}/{repo}/environments/{environment_name}/deployment-branch-policies": (
        "branch_policies",
    ),
    "GET /repos/{owner}/{repo}/environments/{environment_name}/secrets": ("secrets",),
    "GET /repos/{owner}/{repo}/environments/{environment_name}/variables": ("variables",),
    "GET /repos/{owner}/{repo}/actions/secrets": ("secrets",),
    "GET /repos/{owner}/{repo}/actions/variables": ("variables",),
    "GET /repos/{owner}/{repo}/rulesets": ("id",),
    "GET /repos/{owner}/{repo}/rulesets/{ruleset_id}": (
        "name",
        "target",
        "enforcement",
        "conditions",
        "bypass_actors",
        "rules",
    ),
    "GET /repos/{owner}/{repo}/branches/{branch}/protection": ("required_status_checks",),
    "GET /repos/{owner}/{repo}/actions/permissions/fork-pr-contributor-approval": (
        "approval_policy",
    ),
    "GET /orgs/{org}/installations": ("installations",),
    "GET /user/installations/{installation_id}/repositories": ("repositories",),
    "GET /orgs/{org}/actions/runner-groups": ("runner_groups",),
    "GET /orgs/{org}/actions/runner-groups/{runner_group_id}/repositories": ("repositories",),
    "GET /orgs/{org}/actions/runner-groups/{runner_group_id}/runners": ("runners",),
    "GET /orgs/{org}/actions/permissions": ("allowed_actions",),
    "GET /orgs/{org}/actions/permissions/selected-actions": (
        "github_owned_allowed",
        "patterns_allowed",
    ),
    "GET /orgs/{org}/packages/{package_type}/{package_name}": ("repository",),
}
# The description's enum for approval_policy (schema actions-fork-pr-contributor-approval).
FORK_APPROVAL_POLICIES = (
    "first_time_contributors_new_to_github",
    "first_time_contributors",
    "all_external_contributors",
)


def _template(operation: str) -> re.Pattern[str]:
    """``GET /repos/{owner}/{repo}`` -> a pattern matching ``GET /repos/o/r``."""
    parts = ["[^/]+" if part.startswith("{") else re.escape(part) for part in operation.split("/")]
    return re.compile("/".join(parts))


def test_doctor_sends_only_operations_of_the_rest_description(
    world: FakeGitHub, tmp_path: Path
) -> None:
    """Every request maps to one described operation, and every operation is used."""
    code, _ = run_doctor(world, make_checkout(tmp_path, CONFIG))
    assert code == 0
    patterns = {op: _template(op) for op in DESCRIBED_READS}
    used = set()
    for request in world.requests:
        matches = [
            op for op, rx in patterns.items() if rx.fullmatch(f"{request.method} {request.path}")
        ]
        assert matches, f"{request.method} {request.path}: not a described operation"
        # the most specific template wins (…/rulesets/{id} over …/rulesets)
        used.add(max(matches, key=len))
    assert used == set(DESCRIBED_READS)


def test_the_fake_answers_carry_the_fields_doctor_reads(world: FakeGitHub, tmp_path: Path) -> None:
    """The fields named above are in the fake's answers, so doctor reads real field names."""
    world.repo(MONO).protection = {"checks": [{"context": GATE_CHECK, "app_id": 15368}]}
    run_doctor(world, make_checkout(tmp_path, CONFIG))
    patterns = {op: _template(op) for op in DESCRIBED_READS}
    session = requests.Session()
    seen: set[str] = set()
    for request in list(world.requests):
        line = f"{request.method} {request.path}"
        op = max((o for o, rx in patterns.items() if rx.fullmatch(line)), key=len)
        if op in seen:
            continue
        seen.add(op)
        answer = session.get(
            f"{world.base}{request.path}",
            params=request.query,
            headers={"Authorization": f"token {TOKEN}"},
            timeout=10,
        ).json()
        item = answer[0] if isinstance(answer, list) else answer
        for field in DESCRIBED_READS[op]:
            assert field in item, f"{op}: the fake's answer has no {field!r}"
    assert seen == set(DESCRIBED_READS)


@pytest.mark.parametrize("policy", FORK_APPROVAL_POLICIES)
def test_only_the_strictest_fork_approval_policy_passes(
    world: FakeGitHub, tmp_path: Path, policy: str
) -> None:
    world.repo(MONO).fork_approval = policy
    world.repo(MONO).private = False
    code, report = run_doctor(world, make_checkout(tmp_path, CONFIG))
    strictest = policy == "all_external_contributors"
    assert code == (0 if strictest else 2)
    rows = report["rows"]
    assert isinstance(rows, list)
    (fork_row,) = [r for r in rows if r["group"] == "forks"]
    assert (fork_row["status"] == "ok") is strictest


# -- the constants doctor checks against, kept equal to the files they describe --------
def test_release_app_permissions_match_the_workflows_token_steps() -> None:
    asked = {}
    for path in workflow_files():
        for step in steps_of(path):
            if step.uses.startswith("actions/create-github-app-token@"):
                for key, value in step.data.get("with", {}).items():
                    if key.startswith("permission-"):
                        asked[key.removeprefix("permission-").replace("-", "_")] = value
    assert asked == RELEASE_APP_PERMISSIONS


def test_the_required_checks_are_the_workflows_job_names() -> None:
    ci = jobs(ROOT / ".github" / "workflows" / "ci.yml")
    assert set(CI_CHECKS) == {job["name"] for job in ci.values()}
    assert jobs(ROOT / ".github" / "workflows" / "gpu.yml")["gate"]["name"] == GATE_CHECK


def test_the_allow_list_covers_every_third_party_action() -> None:
    owners = set()
    for path in workflow_files():
        for step in steps_of(path):
            if step.uses and not step.uses.startswith(("$/", "./")):
                owners.add(step.uses.split("/", maxsplit=1)[0])
    for data in (load_yaml(p) for p in sorted((ROOT / "actions").glob("*/action.yml"))):
        for step in data["runs"].get("steps", []):
            uses = str(step.get("uses", ""))
            if uses and not uses.startswith(("$/", "./")):
                owners.add(uses.split("/", maxsplit=1)[0])
    assert owners <= set(ACTION_OWNERS)


def test_doctor_is_a_registered_command() -> None:
    assert cli.COMMANDS["doctor"][0] == "release_tool.commands.doctor"
