"""The fake GitHub held to GitHub's REST API description (tests/fixtures/github-openapi.json).

Self-contained: every test here serves its own fake and drives the release tool's
commands against it, so the file passes when run alone. The fake checks each exchange
itself (tests/support/github_contract.py) and fails the test at the end of its block
when one broke the description.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.server
import io
import json
import re
from collections.abc import Iterator
from importlib.machinery import SourceFileLoader
from importlib.util import module_from_spec, spec_from_loader
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from github import Auth, Github, GithubException
from release_tool.adapters.github import GithubAdapter
from release_tool.adapters.github_setup import SetupReader
from release_tool.cli import main
from release_tool.commands import doctor
from release_tool.core.setup_rows import GATE_CHECK, GITHUB_ACTIONS_APP_ID

from tests.support import fake_github_routes
from tests.support.fake_github import FakeGitHub, Fault, serve_fake_github
from tests.support.github_contract import Violation
from tests.support.github_description import RouteError, load_fixture, routes_operations
from tests.support.github_sandbox import (
    BRANCH,
    REPO,
    TOKEN,
    Sleeps,
    fast_policy,
    github_env,
    make_context,
)
from tests.support.release_github import (
    Flow,
    build_flow_sandbox,
    fast_adapter_factory,
    make_flow,
)
from tests.support.sandbox import ROOT, Sandbox, typed_config
from tests.support.serving import serving
from tests.support.setup_world import DISPATCH_SLUG, configure, make_checkout

SHA = "0123456789abcdef0123456789abcdef01234567"


def vendor_script() -> ModuleType:
    path = ROOT / "scripts" / "vendor_github_api"
    loader = SourceFileLoader("vendor_github_api", str(path))
    module = module_from_spec(spec_from_loader(loader.name, loader))  # type: ignore[arg-type]
    loader.exec_module(module)
    return module


def served_operations() -> set[str]:
    """The operation ids of every route the fake serves (fails on an undocumented route)."""
    return {op.operation_id for op in routes_operations(load_fixture(), fake_github_routes.ROUTES)}


@pytest.fixture
def fake() -> Iterator[FakeGitHub]:
    with serve_fake_github(FakeGitHub(token=TOKEN)) as served:
        yield served


def github_client(fake: FakeGitHub) -> Github:
    return Github(
        base_url=fake.base,
        auth=Auth.Token(TOKEN),
        seconds_between_requests=0,
        seconds_between_writes=0,
        retry=None,
    )


# -- the fixture -----------------------------------------------------------------
def test_contract_fixture_records_the_description_version() -> None:
    fixture = load_fixture()
    assert fixture["x-source"] == "@octokit/openapi@23.0.2"
    assert fixture["info"]["version"] == "23.0.2"
    assert fixture["openapi"].startswith("3.")


def test_contract_fixture_is_exactly_the_routes_operations() -> None:
    """Re-extracting from the fixture gives the fixture: no operation missing, none extra.

    Fails (RouteError) when the fake serves a route absent from the fixture: rerun
    scripts/vendor_github_api.
    """
    fixture = load_fixture()
    assert vendor_script().extract(fixture, "23.0.2") == fixture
    ops = {(m, t) for t, item in fixture["paths"].items() for m in item if m != "parameters"}
    assert len(ops) == len(fake_github_routes.ROUTES)


def test_contract_fixture_keeps_facts_and_drops_prose() -> None:
    text = (ROOT / "tests" / "fixtures" / "github-openapi.json").read_text(encoding="utf-8")
    fixture = json.loads(text)
    pulls = fixture["paths"]["/repos/{owner}/{repo}/pulls"]
    assert {"get", "post"} <= pulls.keys()
    assert "summary" not in pulls["post"] and "description" not in pulls["post"]
    label = fixture["components"]["schemas"]["label"]
    assert "description" in label["properties"]  # a property named so is a fact, kept
    assert "description" not in label and "examples" not in text
    assert text == json.dumps(fixture, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        (
            r"/repos/(?P<owner>[^/]+)/(?P<repo>[^/]+)/branches",
            "not vendored yet",
        ),
        (r"/repos/(?P<owner>[^/]+)/(?P<repo>[^/]+)/nonsense", "not in the description"),
        (r"/orgs/(?P<org>[^/]+)/nonsense/(?P<id>\d+)", "outside /repos"),
    ],
)
def test_contract_a_route_absent_from_the_fixture_fails(path: str, reason: str) -> None:
    routes = [*fake_github_routes.ROUTES, ("GET", re.compile(path), fake_github_routes.list_pulls)]
    with pytest.raises(RouteError, match=r"no operation of @octokit/openapi@23\.0\.2 serves"):
        routes_operations(load_fixture(), routes)


def test_contract_route_matching_follows_the_path_templates() -> None:
    ops = {
        (m, p.pattern): op
        for (m, p, _), op in zip(
            fake_github_routes.ROUTES,
            routes_operations(load_fixture(), fake_github_routes.ROUTES),
            strict=True,
        )
    }
    by_id = {op.operation_id: op.template for op in ops.values()}
    # A branch ref spans slashes (x-multi-segment); comments/{id} is not issues/{number}.
    assert by_id["git/delete-ref"] == "/repos/{owner}/{repo}/git/refs/{ref}"
    assert by_id["issues/update-comment"] == "/repos/{owner}/{repo}/issues/comments/{comment_id}"
    assert by_id["issues/update"] == "/repos/{owner}/{repo}/issues/{issue_number}"


# -- the wrapper catches what breaks the description -------------------------------
def test_contract_mutations_are_reported(fake: FakeGitHub, monkeypatch: pytest.MonkeyPatch) -> None:
    fake.add_repo(REPO).refs[BRANCH] = "1" * 40
    routes = fake_github_routes.ROUTES
    index = next(i for i, r in enumerate(routes) if r[2] is fake_github_routes.list_pulls)

    def without_node_id(*args: Any, **kwargs: Any) -> tuple[int, Any]:
        status, pulls = fake_github_routes.list_pulls(*args, **kwargs)
        del pulls[0]["node_id"]  # required by pull-request-simple
        return status, pulls

    patched = list(routes)
    patched[index] = (routes[index][0], routes[index][1], without_node_id)
    monkeypatch.setattr(fake_github_routes, "ROUTES", patched)
    fake.new_issue(fake.repo(REPO), "t", "b", head=BRANCH, base="main", _merged=False)
    adapter = GithubAdapter(make_context(fake), fast_policy(Sleeps([])))
    assert adapter.find_open_pull_request(REPO, BRANCH) is not None
    missing = Violation(
        "pulls/list", "response 200 body", "$[0]", "'node_id' is a required property"
    )
    assert fake.violations == [missing]

    fake.violations.clear()
    url = f"{fake.base}/repos/{REPO}/pulls"
    with contextlib.suppress(GithubException):
        github_client(fake).requester.requestJsonAndCheck(
            "POST", url, input={"title": 7, "head": BRANCH, "base": "main"}
        )
    wrong_type = Violation("pulls/create", "request body", "$.title", "7 is not of type 'string'")
    assert wrong_type in fake.violations

    with pytest.raises(AssertionError, match=r"pulls/create: request body at \$\.title"):
        fake.assert_contract()
    fake.violations.clear()  # reported above; the fixture's own check stays quiet


def test_contract_query_and_path_parameters_are_checked(fake: FakeGitHub) -> None:
    fake.add_repo(REPO)
    client = github_client(fake)
    client.requester.requestJsonAndCheck("GET", f"{fake.base}/repos/{REPO}/pulls?state=merged")
    with contextlib.suppress(GithubException):
        client.requester.requestJsonAndCheck("GET", f"{fake.base}/repos/{REPO}/pulls?colour=red")
    found = [(v.operation_id, v.where, v.path) for v in fake.violations]
    assert found == [
        ("pulls/list", "request query parameter state", "$"),
        ("pulls/list", "request query parameter colour", "$"),
    ]
    assert "'merged' is not one of" in fake.violations[0].message
    assert fake.violations[1].message == "not documented"
    fake.violations.clear()


def test_contract_fault_answers_are_exempt_and_labelled(fake: FakeGitHub) -> None:
    fake.add_repo(REPO)
    fake.fail_at(0, Fault("500"))
    fake.fail_at(1, Fault("429", retry_after=1))
    adapter = GithubAdapter(make_context(fake), fast_policy(Sleeps([])))
    assert adapter.find_open_pull_request(REPO, BRANCH) is None
    assert fake.exempt == {
        0: "fault plan: 500 (undocumented on purpose)",
        1: "fault plan: 429 (undocumented on purpose)",
    }
    assert fake.violations == [] and fake.validated == {"pulls/list": 1}


# -- coverage: every operation the tool calls, through every command ------------------
@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Sandbox:
    return build_flow_sandbox(tmp_path_factory.mktemp("contract-sandbox"))


def run(flow: Flow, *argv: str, **env: str) -> dict[str, Any]:
    done = flow.cli(*argv, "--json", env=flow.env(**env))
    assert done.rc == 0, done.err
    data: dict[str, Any] = done.data
    return data


def cli_at_root(env: dict[str, str], *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), contextlib.chdir(ROOT):
        rc = main(list(argv), env=env)
    return rc, out.getvalue(), err.getvalue()


def doctor_operations(root: Path, monkeypatch: pytest.MonkeyPatch) -> set[str]:
    """``release-tool doctor`` against its own fake, set up as the guide says: the operations.

    Run twice: the whole setup (every row ✓, GHCR package linked, allow-list set), then
    with branch protection on ``main`` and no package published (the 200 of the protection
    read, the 404 of the package read).
    """
    config = typed_config()
    monkeypatch.setattr(
        doctor,
        "setup_reader",
        lambda context: SetupReader(context, fast_policy(Sleeps([]), max_attempts=2)),
    )
    checkout = make_checkout(root, config)
    argv = ["doctor", "--json", f"--dispatch-app={DISPATCH_SLUG}", f"--repo={checkout}"]
    with serve_fake_github(FakeGitHub(token=TOKEN)) as world:
        configure(world, config)
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            assert main(argv, github_env(world)) == 0, out.getvalue()
        assert json.loads(out.getvalue())["exit_code"] == 0
        world.repo(config.slug).protection = {
            "strict": False,
            "checks": [{"context": GATE_CHECK, "app_id": GITHUB_ACTIONS_APP_ID}],
        }
        for org in world.orgs.values():
            org.packages.clear()
        with contextlib.redirect_stdout(io.StringIO()):
            assert main(argv, github_env(world)) == 2  # the package row is ✗ now
        assert world.violations == []
        return set(world.validated)


@contextlib.contextmanager
def serve_indexes() -> Iterator[str]:
    """A distribution-API registry serving, for any tag, a one-platform (linux/amd64) index.

    The index differs per repository and tag, so every base-image entry gets a digest of
    its own; ``HEAD manifests/<digest>`` answers 200 for the digests it served.
    """
    served: dict[str, bytes] = {}

    class Registry(http.server.BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            return

        def do_HEAD(self) -> None:
            self._answer(body=False)

        def do_GET(self) -> None:
            self._answer(body=True)

        def _answer(self, *, body: bool) -> None:
            name, _, ref = self.path.removeprefix("/v2/").partition("/manifests/")
            if ref.startswith("sha256:"):
                raw = served.get(ref)
            else:
                image = hashlib.sha256(f"{name}:{ref}".encode()).hexdigest()
                raw = json.dumps(
                    {
                        "schemaVersion": 2,
                        "mediaType": "application/vnd.oci.image.index.v1+json",
                        "manifests": [
                            {
                                "mediaType": "application/vnd.oci.image.manifest.v1+json",
                                "digest": f"sha256:{image}",
                                "size": 2,
                                "platform": {"os": "linux", "architecture": "amd64"},
                            }
                        ],
                    }
                ).encode()
                served["sha256:" + hashlib.sha256(raw).hexdigest()] = raw
            if raw is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/vnd.oci.image.index.v1+json")
            self.send_header("Docker-Content-Digest", "sha256:" + hashlib.sha256(raw).hexdigest())
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            if body:
                self.wfile.write(raw)

    with serving(http.server.ThreadingHTTPServer(("127.0.0.1", 0), Registry)) as url:
        yield url


@pytest.mark.uvlock
def test_contract_every_operation_the_tool_calls_is_exercised(
    sandbox: Sandbox, fake: FakeGitHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from release_tool.operations import publication  # noqa: PLC0415

    monkeypatch.setattr(publication, "GithubAdapter", fast_adapter_factory(Sleeps([])))
    flow = make_flow(sandbox, fake, tmp_path / "flow")
    work = ("--repo", str(flow.work))
    env = flow.env()

    # notify: one repository_dispatch
    assert cli_at_root(env, "notify", "--pin", f"hello-world=0.3.0@{SHA}")[0] == 0
    # report-failure: a failure issue opened, then updated
    log = tmp_path / "log.txt"
    log.write_text("release-tool promote: tag 0.2.0 was not found\n", encoding="utf-8")
    failure = ("report-failure", "--package", "hello-world", "--tag", "0.2.0", "--env", "staging")
    failure += ("--run-url", "https://github.com/o/r/actions/runs/1", "--file", str(log))
    assert cli_at_root(env, *failure)[0] == 0
    second_run = "https://github.com/o/r/actions/runs/2"
    assert cli_at_root(env, *failure[:-3], second_run, *failure[-2:])[0] == 0
    # promote: the PR created with its labels (the failure issue closed), then superseded
    promote = ("promote", "--env", "staging", "--package", "hello-world")
    assert run(flow, *promote, "--tag", "0.2.0", *work)["pull_request"]["operation"] == "created"
    assert run(flow, *promote, "--tag", "0.4.0", *work)["pull_request"]["operation"] == "updated"
    # comment: created; a duplicate (a concurrent run's) deleted and ours updated
    report = tmp_path / "gpu.md"
    comment = ("comment", "--pr", "1", "--kind", "gpu-results", "--file", str(report))
    report.write_text("| cu128 | pass |\n", encoding="utf-8")
    assert cli_at_root(env, *comment)[0] == 0
    state = fake.repo(REPO)
    (ours,) = [c for c in state.comments.values() if "gpu-results" in c["body"]]
    twin = {**ours, "id": fake._next_id()}
    state.comments[twin["id"]] = twin
    report.write_text("| cu128 | fail |\n", encoding="utf-8")
    assert cli_at_root(env, *comment)[0] == 0
    assert twin["id"] not in state.comments
    # refresh --list reads the open release PRs
    assert cli_at_root(env, "refresh", "--list", "--json")[0] == 0
    # relock: its PR created; the adapter closes it with a comment and deletes its branch
    relock = ("relock", "--env", "staging", *work)
    assert run(flow, *relock)["pull_request"]["operation"] == "created"
    adapter = GithubAdapter(make_context(fake), fast_policy(Sleeps([])))
    closed = adapter.close_pull_request(REPO, "release/staging/relock", "contract check")
    assert closed.operation == "closed" and flow.remote_sha("release/staging/relock") is None

    # bases --update in Actions: release/bases committed, its PR created through publication
    with serve_indexes() as registry:
        bases = flow.cli("bases", "--update", "--json", "--mirror", f"docker.io={registry}", *work)
    assert bases.rc == 0, bases.err
    assert bases.data["pull_request"]["operation"] == "created"
    assert [p["head"] for p in state.pulls() if p["state"] == "open"][-1] == "release/bases"

    assert fake.violations == []
    exercised = set(fake.validated) | doctor_operations(tmp_path / "doctor", monkeypatch)
    served = served_operations()
    assert not served - exercised, (
        f"the fake serves operations no command exercised: {served - exercised}"
    )
    assert exercised == served
