"""The REST endpoints :mod:`tests.support.fake_github` answers, shaped like GitHub's.

Exactly the operations the release tool calls: ``scripts/vendor_github_api`` derives
the contract fixture from this table, and tests/test_github_contract.py fails when a
route is not in the fixture or is never exercised by the tool's commands.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from tests.support import fake_github_json as shapes
from tests.support.fake_github import ApiError, FakeGitHub, Json, Org, Repo

Handler = Callable[..., tuple[int, Json]]
ROUTES: list[tuple[str, re.Pattern[str], Handler]] = []
_REPO = r"/repos/(?P<owner>[^/]+)/(?P<repo>[^/]+)"


def route(method: str, pattern: str) -> Callable[[Handler], Handler]:
    """A repository endpoint: ``pattern`` follows ``/repos/{owner}/{repo}``."""
    return route_at(method, _REPO + pattern)


def route_at(method: str, pattern: str) -> Callable[[Handler], Handler]:
    """Any endpoint; a named group ``org`` (or ``owner`` + ``repo``) selects the target."""

    def register(handler: Handler) -> Handler:
        ROUTES.append((method, re.compile(pattern), handler))
        return handler

    return register


def _issue(repo: Repo, number: str) -> dict[str, Json]:
    issue = repo.issues.get(int(number))
    if issue is None:
        raise ApiError(404, "Not Found")
    return issue


def _pull(repo: Repo, number: str) -> dict[str, Json]:
    issue = _issue(repo, number)
    if "head" not in issue:
        raise ApiError(404, "Not Found")
    return issue


def _invalid(resource: str, field: str, code: str = "invalid") -> ApiError:
    return ApiError(
        422, "Validation Failed", [{"resource": resource, "field": field, "code": code}]
    )


@route("GET", "")
def get_repo(fake: FakeGitHub, repo: Repo, **_: Any) -> tuple[int, Json]:
    return 200, fake.repo_json(repo)  # doctor reads ``private`` from it


@route("GET", "/pulls")
def list_pulls(fake: FakeGitHub, repo: Repo, query: dict[str, str], **_: Any) -> tuple[int, Json]:
    state = query.get("state", "open")
    head, base = query.get("head"), query.get("base")
    found = [
        p
        for p in repo.pulls()
        if (state == "all" or p["state"] == state)
        and (head is None or head == f"{repo.owner}:{p['head']}")
        and (base is None or base == p["base"])
    ]
    return 200, [fake.issue_json(repo, p, as_pull=True) for p in found]


@route("POST", "/pulls")
def create_pull(fake: FakeGitHub, repo: Repo, body: Json, **_: Any) -> tuple[int, Json]:
    body = body or {}
    head = str(body.get("head", "")).split(":")[-1]
    base = str(body.get("base", ""))
    if not body.get("title"):
        raise _invalid("PullRequest", "title", "missing_field")
    if not head or repo.branch_sha(head) is None:
        raise _invalid("PullRequest", "head")
    if base != repo.default_branch and repo.branch_sha(base) is None:
        raise _invalid("PullRequest", "base")
    for pull in repo.pulls():
        if pull["state"] == "open" and pull["head"] == head and pull["base"] == base:
            raise ApiError(
                422,
                "Validation Failed",
                [
                    {
                        "resource": "PullRequest",
                        "code": "custom",
                        "message": f"A pull request already exists for {repo.owner}:{head}.",
                    }
                ],
            )
    pull = fake.new_issue(repo, body["title"], body.get("body"), head=head, base=base)
    pull["_merged"] = False
    return 201, fake.issue_json(repo, pull, as_pull=True)


def _edit(fake: FakeGitHub, issue: dict[str, Json], body: Json, keys: tuple[str, ...]) -> None:
    for key in keys:
        if key in (body or {}):
            issue[key] = body[key]
    if (body or {}).get("state") == "closed":
        issue["closed_at"] = fake._stamp()
    elif (body or {}).get("state") == "open":
        issue["closed_at"] = None
    issue["updated_at"] = fake._stamp()


@route("PATCH", r"/pulls/(?P<number>\d+)")
def edit_pull(fake: FakeGitHub, repo: Repo, number: str, body: Json, **_: Any) -> tuple[int, Json]:
    pull = _pull(repo, number)
    _edit(fake, pull, body, ("title", "body", "state", "base"))
    return 200, fake.issue_json(repo, pull, as_pull=True)


@route("GET", "/labels")
def list_labels(fake: FakeGitHub, repo: Repo, **_: Any) -> tuple[int, Json]:
    return 200, [fake.label_json(repo, name) for name in repo.labels]


@route("POST", "/labels")
def create_label(fake: FakeGitHub, repo: Repo, body: Json, **_: Any) -> tuple[int, Json]:
    name = str((body or {}).get("name", ""))
    if not name:
        raise _invalid("Label", "name", "missing_field")
    if name in repo.labels:
        raise _invalid("Label", "name", "already_exists")
    fake.ensure_label(repo, name, str(body.get("color", "ededed")))
    repo.labels[name]["description"] = body.get("description")
    return 201, fake.label_json(repo, name)


@route("POST", r"/issues/(?P<number>\d+)/labels")
def add_labels(fake: FakeGitHub, repo: Repo, number: str, body: Json, **_: Any) -> tuple[int, Json]:
    issue = _issue(repo, number)
    names = body.get("labels", []) if isinstance(body, dict) else list(body or [])
    for name in names:
        fake.ensure_label(repo, name)  # GitHub creates unknown labels with a default colour
        if name not in issue["label_names"]:
            issue["label_names"].append(name)
    return 200, [fake.label_json(repo, n) for n in issue["label_names"]]


def _comments_of(repo: Repo, number: int) -> list[dict[str, Json]]:
    return sorted(
        (c for c in repo.comments.values() if c["issue_number"] == number), key=lambda c: c["id"]
    )


@route("GET", r"/issues/(?P<number>\d+)/comments")
def list_comments(fake: FakeGitHub, repo: Repo, number: str, **_: Any) -> tuple[int, Json]:
    _issue(repo, number)
    return 200, [fake.comment_json(repo, c) for c in _comments_of(repo, int(number))]


@route("POST", r"/issues/(?P<number>\d+)/comments")
def create_comment(
    fake: FakeGitHub, repo: Repo, number: str, body: Json, **_: Any
) -> tuple[int, Json]:
    _issue(repo, number)
    if not (body or {}).get("body"):
        raise _invalid("IssueComment", "body", "missing_field")
    now = fake._stamp()
    comment = {
        "id": fake._next_id(),
        "issue_number": int(number),
        "body": body["body"],
        "created_at": now,
        "updated_at": now,
    }
    repo.comments[comment["id"]] = comment
    return 201, fake.comment_json(repo, comment)


def _comment(repo: Repo, cid: str) -> dict[str, Json]:
    comment = repo.comments.get(int(cid))
    if comment is None:
        raise ApiError(404, "Not Found")
    return comment


@route("PATCH", r"/issues/comments/(?P<cid>\d+)")
def edit_comment(fake: FakeGitHub, repo: Repo, cid: str, body: Json, **_: Any) -> tuple[int, Json]:
    comment = _comment(repo, cid)
    comment["body"] = (body or {}).get("body", comment["body"])
    comment["updated_at"] = fake._stamp()
    return 200, fake.comment_json(repo, comment)


@route("DELETE", r"/issues/comments/(?P<cid>\d+)")
def delete_comment(fake: FakeGitHub, repo: Repo, cid: str, **_: Any) -> tuple[int, Json]:
    del repo.comments[_comment(repo, cid)["id"]]
    return 204, None


@route("GET", "/issues")
def list_issues(fake: FakeGitHub, repo: Repo, query: dict[str, str], **_: Any) -> tuple[int, Json]:
    state = query.get("state", "open")
    wanted = [x for x in query.get("labels", "").split(",") if x]
    found = [
        i
        for i in sorted(repo.issues.values(), key=lambda i: -i["number"])
        if (state == "all" or i["state"] == state) and set(wanted) <= set(i["label_names"])
    ]
    return 200, [fake.issue_json(repo, i, as_pull=False) for i in found]


@route("POST", "/issues")
def create_issue(fake: FakeGitHub, repo: Repo, body: Json, **_: Any) -> tuple[int, Json]:
    body = body or {}
    if not body.get("title"):
        raise _invalid("Issue", "title", "missing_field")
    issue = fake.new_issue(repo, body["title"], body.get("body"))
    for name in body.get("labels", []):
        fake.ensure_label(repo, name)
        issue["label_names"].append(name)
    return 201, fake.issue_json(repo, issue, as_pull=False)


@route("GET", r"/issues/(?P<number>\d+)")
def get_issue(fake: FakeGitHub, repo: Repo, number: str, **_: Any) -> tuple[int, Json]:
    return 200, fake.issue_json(repo, _issue(repo, number), as_pull=False)


@route("PATCH", r"/issues/(?P<number>\d+)")
def edit_issue(fake: FakeGitHub, repo: Repo, number: str, body: Json, **_: Any) -> tuple[int, Json]:
    issue = _issue(repo, number)
    _edit(fake, issue, body, ("title", "body", "state", "state_reason"))
    if "labels" in (body or {}):
        issue["label_names"] = list(dict.fromkeys(body["labels"]))
        for name in issue["label_names"]:
            fake.ensure_label(repo, name)
    return 200, fake.issue_json(repo, issue, as_pull=False)


@route("POST", "/dispatches")
def dispatch(fake: FakeGitHub, repo: Repo, body: Json, **_: Any) -> tuple[int, Json]:
    body = body or {}
    if not body.get("event_type"):
        raise _invalid("Repository", "event_type", "missing_field")
    payload = body.get("client_payload", {})
    if not isinstance(payload, dict) or len(payload) > 10:
        raise _invalid("Repository", "client_payload")
    repo.dispatches.append(body)
    return 204, None


@route("DELETE", "/git/refs/heads/(?P<branch>.+)")
def delete_ref(fake: FakeGitHub, repo: Repo, branch: str, **_: Any) -> tuple[int, Json]:
    if repo.branch_sha(branch) is None:
        raise ApiError(422, "Reference does not exist")
    repo.delete_branch(branch)
    return 204, None


# -- the setup `release-tool doctor` reads (shapes: GitHub's REST description) --------
_ORG = r"/orgs/(?P<org>[^/]+)"


def simple_user(fake: FakeGitHub, login: str, kind: str = "User") -> dict[str, Json]:
    """A ``simple-user`` (the full-shape builder), its id derived from the login."""
    return fake.user_json(login, abs(hash(login)) % 100000, kind)


def repository(fake: FakeGitHub, full_name: str) -> dict[str, Json]:
    """A ``repository`` (a superset of ``minimal-repository``), known to the fake or not."""
    known = fake.repos.get(full_name)
    if known is not None:
        return fake.repo_json(known)
    owner = fake.user_json(full_name.partition("/")[0], 2, "Organization")
    rid = abs(hash(full_name)) % 100000
    return shapes.repository_json(fake.base, full_name, rid, "main", owner)


def _stamped(fake: FakeGitHub, item: dict[str, Json]) -> dict[str, Json]:
    return {**item, "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-02T00:00:00Z"}


def _environment(fake: FakeGitHub, repo: Repo, name: str) -> dict[str, Json]:
    env = repo.environments.get(name)
    if env is None:
        raise ApiError(404, "Not Found")
    return env


def _environment_json(fake: FakeGitHub, repo: Repo, name: str) -> dict[str, Json]:
    env = _environment(fake, repo, name)
    api, html = fake._urls(repo)
    branches = env.get("branches")
    policy = (
        None
        if branches is None
        else {
            "protected_branches": branches == "protected",
            "custom_branch_policies": branches != "protected",
        }
    )
    rules: list[Json] = []
    if env.get("reviewers"):
        rules.append(
            {
                "id": 3755,
                "node_id": "GA_reviewers",
                "type": "required_reviewers",
                "prevent_self_review": True,
                "reviewers": [
                    {"type": "User", "reviewer": simple_user(fake, login)}
                    for login in env["reviewers"]
                ],
            }
        )
    return _stamped(
        fake,
        {
            "id": abs(hash((repo.full_name, name))) % 100000,
            "node_id": f"EN_{name}",
            "name": name,
            "url": f"{api}/environments/{quote(name, safe='')}",
            "html_url": f"{html}/deployments/activity_log?environments_filter={name}",
            "protection_rules": rules,
            "deployment_branch_policy": policy,
        },
    )


@route("GET", "/environments")
def list_environments(fake: FakeGitHub, repo: Repo, **_: Any) -> tuple[int, Json]:
    found = [_environment_json(fake, repo, name) for name in sorted(repo.environments)]
    return 200, {"total_count": len(found), "environments": found}


@route("GET", "/environments/(?P<name>[^/]+)/deployment-branch-policies")
def list_branch_policies(fake: FakeGitHub, repo: Repo, name: str, **_: Any) -> tuple[int, Json]:
    branches = _environment(fake, repo, name).get("branches")
    names = branches if isinstance(branches, list) else []
    policies = [
        {"id": i + 1, "node_id": f"MDE2OkdhdGVCcmFuY2hQb2xpY3k{i}", "name": b, "type": "branch"}
        for i, b in enumerate(names)
    ]
    return 200, {"total_count": len(policies), "branch_policies": policies}


def _secrets(fake: FakeGitHub, names: list[str]) -> tuple[int, Json]:
    items = [_stamped(fake, {"name": n}) for n in sorted(names)]
    return 200, {"total_count": len(items), "secrets": items}


def _variables(fake: FakeGitHub, values: dict[str, str]) -> tuple[int, Json]:
    items = [_stamped(fake, {"name": n, "value": v}) for n, v in sorted(values.items())]
    return 200, {"total_count": len(items), "variables": items}


@route("GET", "/environments/(?P<name>[^/]+)/secrets")
def list_environment_secrets(fake: FakeGitHub, repo: Repo, name: str, **_: Any) -> tuple[int, Json]:
    return _secrets(fake, list(_environment(fake, repo, name).get("secrets", [])))


@route("GET", "/environments/(?P<name>[^/]+)/variables")
def list_environment_variables(
    fake: FakeGitHub, repo: Repo, name: str, **_: Any
) -> tuple[int, Json]:
    return _variables(fake, dict(_environment(fake, repo, name).get("variables", {})))


@route("GET", "/actions/secrets")
def list_repo_secrets(fake: FakeGitHub, repo: Repo, **_: Any) -> tuple[int, Json]:
    return _secrets(fake, repo.secrets)


@route("GET", "/actions/variables")
def list_repo_variables(fake: FakeGitHub, repo: Repo, **_: Any) -> tuple[int, Json]:
    return _variables(fake, repo.variables)


def _ruleset_json(
    fake: FakeGitHub, repo: Repo, ruleset: dict[str, Json], *, full: bool
) -> dict[str, Json]:
    api, html = fake._urls(repo)
    data = _stamped(
        fake,
        {
            "id": ruleset["id"],
            "name": ruleset["name"],
            "target": ruleset.get("target", "branch"),
            "source_type": "Repository",
            "source": repo.full_name,
            "enforcement": ruleset.get("enforcement", "active"),
            "node_id": f"RRS_{ruleset['id']}",
            "_links": {
                "self": {"href": f"{api}/rulesets/{ruleset['id']}"},
                "html": {"href": f"{html}/rules/{ruleset['id']}"},
            },
        },
    )
    if full:
        data.update(
            bypass_actors=ruleset.get("bypass_actors", []),
            current_user_can_bypass="always",
            conditions=ruleset.get("conditions", {"ref_name": {"include": [], "exclude": []}}),
            rules=ruleset.get("rules", []),
        )
    return data


@route("GET", "/rulesets")
def list_rulesets(fake: FakeGitHub, repo: Repo, **_: Any) -> tuple[int, Json]:
    return 200, [_ruleset_json(fake, repo, rs, full=False) for rs in repo.rulesets]


@route("GET", r"/rulesets/(?P<rid>\d+)")
def get_ruleset(fake: FakeGitHub, repo: Repo, rid: str, **_: Any) -> tuple[int, Json]:
    for ruleset in repo.rulesets:
        if ruleset["id"] == int(rid):
            return 200, _ruleset_json(fake, repo, ruleset, full=True)
    raise ApiError(404, "Not Found")


@route("GET", "/branches/(?P<branch>[^/]+)/protection")
def get_branch_protection(fake: FakeGitHub, repo: Repo, branch: str, **_: Any) -> tuple[int, Json]:
    if repo.protection is None or branch != repo.default_branch:
        raise ApiError(404, "Branch not protected")
    api, _ = fake._urls(repo)
    url = f"{api}/branches/{branch}/protection"
    checks = list(repo.protection.get("checks", []))
    return 200, {
        "url": url,
        "enabled": True,
        "required_status_checks": {
            "url": f"{url}/required_status_checks",
            "strict": bool(repo.protection.get("strict")),
            "contexts": [c["context"] for c in checks],
            "checks": checks,
            "contexts_url": f"{url}/required_status_checks/contexts",
        },
    }


@route("GET", "/actions/permissions/fork-pr-contributor-approval")
def get_fork_approval(fake: FakeGitHub, repo: Repo, **_: Any) -> tuple[int, Json]:
    return 200, {"approval_policy": repo.fork_approval}


def _installation_json(fake: FakeGitHub, org: Org, inst: dict[str, Json]) -> dict[str, Json]:
    iid = inst["id"]
    return _stamped(
        fake,
        {
            "id": iid,
            "app_id": inst["app_id"],
            "app_slug": inst["app_slug"],
            "client_id": f"Iv1.{inst['app_slug']}",
            "target_id": 2,
            "target_type": "Organization",
            "account": simple_user(fake, org.login, "Organization"),
            "permissions": inst["permissions"],
            "repository_selection": inst["repository_selection"],
            "events": [],
            "single_file_name": None,
            "access_tokens_url": f"{fake.base}/app/installations/{iid}/access_tokens",
            "repositories_url": f"{fake.base}/installation/repositories",
            "html_url": fake.base.removesuffix("/api/v3")
            + f"/organizations/{org.login}/settings/installations/{iid}",
            "suspended_by": None,
            "suspended_at": None,
        },
    )


@route_at("GET", _ORG + "/installations")
def list_org_installations(fake: FakeGitHub, org: Org, **_: Any) -> tuple[int, Json]:
    found = [_installation_json(fake, org, inst) for inst in org.installations]
    return 200, {"total_count": len(found), "installations": found}


@route_at("GET", r"/user/installations/(?P<iid>\d+)/repositories")
def list_installation_repos(
    fake: FakeGitHub, _target: None, iid: str, **_: Any
) -> tuple[int, Json]:
    for org in fake.orgs.values():
        for inst in org.installations:
            if inst["id"] == int(iid):
                names = inst.get("repositories", [])
                return 200, {
                    "total_count": len(names),
                    "repository_selection": inst["repository_selection"],
                    "repositories": [repository(fake, n) for n in names],
                }
    raise ApiError(404, "Not Found")


def _runner_group(org: Org, gid: str) -> dict[str, Json]:
    for group in org.runner_groups:
        if group["id"] == int(gid):
            return group
    raise ApiError(404, "Not Found")


@route_at("GET", _ORG + "/actions/runner-groups")
def list_runner_groups(fake: FakeGitHub, org: Org, **_: Any) -> tuple[int, Json]:
    base = f"{fake.base}/orgs/{org.login}/actions/runner-groups"
    found = []
    for group in org.runner_groups:
        gid = group["id"]
        found.append(
            {
                "id": gid,
                "name": group["name"],
                "visibility": group.get("visibility", "all"),
                "default": gid == 1,
                "runners_url": f"{base}/{gid}/runners",
                "selected_repositories_url": f"{base}/{gid}/repositories",
                "inherited": False,
                "allows_public_repositories": group.get("allows_public_repositories", True),
                "restricted_to_workflows": group.get("restricted_to_workflows", False),
                "selected_workflows": group.get("selected_workflows", []),
                "workflow_restrictions_read_only": False,
            }
        )
    return 200, {"total_count": len(found), "runner_groups": found}


@route_at("GET", _ORG + r"/actions/runner-groups/(?P<gid>\d+)/repositories")
def list_runner_group_repos(fake: FakeGitHub, org: Org, gid: str, **_: Any) -> tuple[int, Json]:
    names = _runner_group(org, gid).get("repositories", [])
    return 200, {"total_count": len(names), "repositories": [repository(fake, n) for n in names]}


@route_at("GET", _ORG + r"/actions/runner-groups/(?P<gid>\d+)/runners")
def list_runner_group_runners(fake: FakeGitHub, org: Org, gid: str, **_: Any) -> tuple[int, Json]:
    group = _runner_group(org, gid)
    runners = []
    for i, runner in enumerate(group.get("runners", [])):
        labels = [
            {
                "id": j + 1,
                "name": label,
                "type": "read-only" if label in {"self-hosted", "linux", "x64"} else "custom",
            }
            for j, label in enumerate(runner["labels"])
        ]
        runners.append(
            {
                "id": group["id"] * 100 + i,
                "runner_group_id": group["id"],
                "name": runner["name"],
                "os": "Linux",
                "status": runner.get("status", "online"),
                "busy": False,
                "ephemeral": runner.get("ephemeral", True),
                "labels": labels,
                "version": runner.get("version", "2.330.0"),
            }
        )
    return 200, {"total_count": len(runners), "runners": runners}


@route_at("GET", _ORG + "/actions/permissions")
def get_org_actions_permissions(fake: FakeGitHub, org: Org, **_: Any) -> tuple[int, Json]:
    base = f"{fake.base}/orgs/{org.login}/actions/permissions"
    return 200, {
        "enabled_repositories": "all",
        "allowed_actions": org.allowed_actions,
        "selected_actions_url": f"{base}/selected-actions",
        "sha_pinning_required": False,
    }


@route_at("GET", _ORG + "/actions/permissions/selected-actions")
def get_org_selected_actions(fake: FakeGitHub, org: Org, **_: Any) -> tuple[int, Json]:
    if org.allowed_actions != "selected":
        raise ApiError(409, "Conflict")
    return 200, {
        "github_owned_allowed": bool(org.selected_actions.get("github_owned_allowed")),
        "verified_allowed": bool(org.selected_actions.get("verified_allowed")),
        "patterns_allowed": list(org.selected_actions.get("patterns_allowed", [])),
    }


@route_at("GET", _ORG + "/packages/(?P<kind>[^/]+)/(?P<name>[^/]+)")
def get_org_package(fake: FakeGitHub, org: Org, kind: str, name: str, **_: Any) -> tuple[int, Json]:
    if kind != "container" or name not in org.packages:
        raise ApiError(404, "Package not found.")
    linked = org.packages[name]
    data = _stamped(
        fake,
        {
            "id": abs(hash(name)) % 100000,
            "name": name,
            "package_type": "container",
            "visibility": "public",
            "url": f"{fake.base}/orgs/{org.login}/packages/container/{quote(name, safe='')}",
            "html_url": fake.base.removesuffix("/api/v3") + f"/orgs/{org.login}/packages/container/"
            f"package/{name}",
            "version_count": 1,
            "owner": simple_user(fake, org.login, "Organization"),
        },
    )
    if linked is not None:
        data["repository"] = repository(fake, linked)
    return 200, data
