"""Read the pipeline's GitHub setup for `doctor`: read-only, through PyGithub.

It decides nothing: each read becomes a record of :mod:`release_tool.core.setup_facts`,
or :class:`Denied` naming the permission a 401/403 (or, on admin endpoints, a 404)
says the token lacks. GitHub unreachable (no connection, 5xx after the retries) is
one :class:`GithubUnreachable`. Lists are read as one page of 100 (the pipeline's
scale is a handful of repositories, environments, rulesets and runner groups).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeVar
from urllib.parse import quote

import requests
from github import GithubException

from release_tool.adapters.github_retry import (
    RetryBudgetExhausted,
    RetryPolicy,
    WaitBudget,
    github_client,
)
from release_tool.core.github_context import GithubContext
from release_tool.core.setup_facts import (
    ActionsPolicy,
    BranchProtection,
    Denied,
    Environment,
    Fetched,
    Installation,
    RepositoryFacts,
    RequiredCheck,
    Ruleset,
    Runner,
    RunnerGroup,
)
from release_tool.errors import OperationalError

T = TypeVar("T")
Json = Any
PAGE = {"per_page": 100}
# What each kind of read needs (docs/pipeline-setup.md: the token for doctor).
ORG_ADMIN = "organization Administration: read (an org owner's token; classic: admin:org)"
REPO_ADMIN = "repository Administration: read"
RUNNERS = "organization Self-hosted runners: read (classic: admin:org)"
SECRETS, VARIABLES = "repository Secrets: read", "repository Variables: read"
ENVIRONMENTS = "repository Environments: read"
# GET /user/installations/{id}/repositories is GitHub's "List repositories accessible to
# the user access token": it lists what both the installation and the token's user reach.
INSTALL_REPOS = (
    "an org owner's user token that GitHub accepts for 'List repositories accessible "
    "to the user access token'"
)
PACKAGES = "a classic token with read:packages (the Packages API accepts no other)"


class GithubUnreachable(OperationalError):
    """GitHub's API could not be reached: doctor's exit 1."""


class _Missing(Exception):
    """A 404 where "not there" is a fact (no environment, no protection, no package)."""


class SetupReader:
    """The read-only GitHub calls `doctor` makes."""

    def __init__(self, context: GithubContext, policy: RetryPolicy | None = None) -> None:
        self._context = context
        token = context.require_token()
        self.budget = WaitBudget(policy or RetryPolicy(max_attempts=3, max_wait_total=20))
        self._github = github_client(context.api_url, token.reveal(), self.budget)

    def __repr__(self) -> str:
        return f"SetupReader(api_url={self._context.api_url!r}, token=***)"

    # -- one request -----------------------------------------------------------
    @contextmanager
    def _reaching(self) -> Iterator[None]:
        try:
            yield
        except (RetryBudgetExhausted, requests.RequestException) as exc:
            raise GithubUnreachable(
                f"GitHub API at {self._context.api_url} could not be reached "
                f"({type(exc).__name__}); nothing was checked online"
            ) from None
        except GithubException as exc:
            if exc.status >= 500:
                raise GithubUnreachable(
                    f"GitHub API at {self._context.api_url} answered {exc.status}; "
                    "nothing was checked online"
                ) from None
            raise

    def _get(
        self,
        path: str,
        permission: str,
        *,
        missing_ok: bool = False,
        query: dict[str, Any] | None = None,
    ) -> Json:
        """The JSON at ``path``; Denied on 401/403 (and 404 unless ``missing_ok``)."""
        with self._reaching():
            try:
                _, data = self._github.requester.requestJsonAndCheck(
                    "GET", path, parameters=dict(query) if query else None
                )
            except GithubException as exc:
                if exc.status == 404 and missing_ok:
                    raise _Missing from None
                if exc.status in {401, 403, 404}:
                    return Denied(permission)
                raise OperationalError(f"GitHub API: GET {path} failed with {exc.status}") from None
        return data

    # -- repositories ------------------------------------------------------------
    def repository(self, full_name: str, *, monorepo: bool, branch: str) -> RepositoryFacts:
        """What doctor needs of one repository (less for a package repository)."""
        base = f"/repos/{full_name}"
        try:
            repo = self._get(base, REPO_ADMIN, missing_ok=True)
        except _Missing:
            return RepositoryFacts(full_name, exists=False)
        if isinstance(repo, Denied):
            return RepositoryFacts(full_name, exists=False)
        environments = self._environments(base)
        names = self._names(base)
        if monorepo:
            return RepositoryFacts(
                full_name,
                private=bool(repo.get("private")),
                environments=environments,
                rulesets=self._rulesets(base),
                protection=self._protection(base, branch),
                fork_approval=self._fork_approval(base),
            )
        return RepositoryFacts(
            full_name,
            private=bool(repo.get("private")),
            environments=environments,
            secrets=names[0],
            variables=names[1],
            rulesets=self._rulesets(base),
        )

    def _names(self, base: str) -> tuple[Fetched[frozenset[str]], Fetched[frozenset[str]]]:
        secrets = self._get(f"{base}/actions/secrets", SECRETS, query=PAGE)
        variables = self._get(f"{base}/actions/variables", VARIABLES, query=PAGE)
        return _name_set(secrets, "secrets"), _name_set(variables, "variables")

    def _environments(self, base: str) -> Fetched[dict[str, Environment]]:
        data = self._get(f"{base}/environments", ENVIRONMENTS, query=PAGE)
        if isinstance(data, Denied):
            return data
        found = {}
        for env in data.get("environments") or []:
            name = env["name"]
            where = f"{base}/environments/{quote(name, safe='')}"
            policy = env.get("deployment_branch_policy")
            if policy is None:
                kind = "all"
            elif policy.get("custom_branch_policies"):
                kind = "custom"
            else:
                kind = "protected"
            branches: Fetched[frozenset[str]] = frozenset()
            if kind == "custom":
                listed = self._get(f"{where}/deployment-branch-policies", REPO_ADMIN, query=PAGE)
                branches = (
                    listed
                    if isinstance(listed, Denied)
                    else frozenset(
                        p["name"]
                        for p in listed.get("branch_policies", [])
                        if p.get("type", "branch") == "branch"
                    )
                )
            reviewers = sum(
                len(rule.get("reviewers") or [])
                for rule in env.get("protection_rules") or []
                if rule.get("type") == "required_reviewers"
            )
            secrets = self._get(f"{where}/secrets", ENVIRONMENTS, query=PAGE)
            variables = self._get(f"{where}/variables", ENVIRONMENTS, query=PAGE)
            found[name] = Environment(
                name,
                kind,
                branches,
                reviewers,
                _name_set(secrets, "secrets"),
                _name_set(variables, "variables"),
            )
        return found

    def _rulesets(self, base: str) -> Fetched[tuple[Ruleset, ...]]:
        listed = self._get(
            f"{base}/rulesets", REPO_ADMIN, query={**PAGE, "includes_parents": "true"}
        )
        if isinstance(listed, Denied):
            return listed
        rulesets = []
        for summary in listed:
            full = self._get(
                f"{base}/rulesets/{summary['id']}", REPO_ADMIN, query={"includes_parents": "true"}
            )
            if isinstance(full, Denied):
                return full
            rulesets.append(_ruleset(full))
        return tuple(rulesets)

    def _protection(self, base: str, branch: str) -> Fetched[BranchProtection | None]:
        try:
            data = self._get(
                f"{base}/branches/{quote(branch, safe='')}/protection", REPO_ADMIN, missing_ok=True
            )
        except _Missing:
            return None
        if isinstance(data, Denied):
            return data
        required = data.get("required_status_checks") or {}
        checks = tuple(
            RequiredCheck(c["context"], c.get("app_id")) for c in required.get("checks") or []
        )
        return BranchProtection(checks, bool(required.get("strict")))

    def _fork_approval(self, base: str) -> Fetched[str | None]:
        # REST: "Get fork PR contributor approval permissions for a repository";
        # approval_policy: first_time_contributors_new_to_github | first_time_contributors
        # | all_external_contributors (@octokit/openapi 23.0.2).
        data = self._get(f"{base}/actions/permissions/fork-pr-contributor-approval", REPO_ADMIN)
        return data if isinstance(data, Denied) else data.get("approval_policy")

    # -- the organization ----------------------------------------------------------
    def installations(self, org: str) -> Fetched[tuple[Installation, ...]]:
        with self._reaching():
            try:
                raw = list(self._github.get_organization(org).get_installations())
            except GithubException as exc:
                if exc.status in {401, 403, 404}:
                    return Denied(ORG_ADMIN)
                raise OperationalError(
                    f"GitHub API: listing {org}'s App installations failed with {exc.status}"
                ) from None
        found = []
        for inst in raw:
            repositories: Fetched[frozenset[str]] | None = None
            if inst.raw_data.get("repository_selection") != "all":
                data = self._get(
                    f"/user/installations/{inst.id}/repositories", INSTALL_REPOS, query=PAGE
                )
                repositories = (
                    data
                    if isinstance(data, Denied)
                    else frozenset(r["full_name"].lower() for r in data.get("repositories", []))
                )
            found.append(
                Installation(
                    app_slug=inst.raw_data.get("app_slug", ""),
                    app_id=int(inst.raw_data.get("app_id", 0)),
                    permissions=dict(inst.raw_data.get("permissions") or {}),
                    repository_selection=inst.raw_data.get("repository_selection", "selected"),
                    repositories=repositories,
                )
            )
        return tuple(found)

    def runner_groups(self, org: str) -> Fetched[tuple[RunnerGroup, ...]]:
        base = f"/orgs/{org}/actions/runner-groups"
        data = self._get(base, RUNNERS, query=PAGE)
        if isinstance(data, Denied):
            return data
        groups = []
        for group in data.get("runner_groups", []):
            gid = group["id"]
            repositories: Fetched[frozenset[str]] | None = None
            if group.get("visibility") != "all":
                listed = self._get(f"{base}/{gid}/repositories", RUNNERS, query=PAGE)
                repositories = (
                    listed
                    if isinstance(listed, Denied)
                    else frozenset(r["full_name"].lower() for r in listed.get("repositories", []))
                )
            listed = self._get(f"{base}/{gid}/runners", RUNNERS, query=PAGE)
            runners: Fetched[tuple[Runner, ...]] = (
                listed
                if isinstance(listed, Denied)
                else tuple(
                    Runner(
                        r["name"],
                        r.get("status", "offline"),
                        frozenset(label["name"].lower() for label in r.get("labels", [])),
                        r.get("version"),
                    )
                    for r in listed.get("runners", [])
                )
            )
            groups.append(
                RunnerGroup(
                    name=group["name"],
                    visibility=group.get("visibility", "all"),
                    allows_public_repositories=bool(group.get("allows_public_repositories")),
                    restricted_to_workflows=bool(group.get("restricted_to_workflows")),
                    repositories=repositories,
                    runners=runners,
                )
            )
        return tuple(groups)

    def actions_policy(self, org: str) -> Fetched[ActionsPolicy]:
        data = self._get(f"/orgs/{org}/actions/permissions", ORG_ADMIN)
        if isinstance(data, Denied):
            return data
        allowed = str(data.get("allowed_actions", "all"))
        if allowed != "selected":
            return ActionsPolicy(allowed)
        chosen = self._get(f"/orgs/{org}/actions/permissions/selected-actions", ORG_ADMIN)
        if isinstance(chosen, Denied):
            return chosen
        return ActionsPolicy(
            allowed,
            bool(chosen.get("github_owned_allowed")),
            tuple(chosen.get("patterns_allowed") or ()),
        )

    def image_repository(self, org: str, package: str) -> Fetched[str | None]:
        """The repository a container package is linked to; None if it does not exist."""
        path = f"/orgs/{org}/packages/container/{quote(package, safe='')}"
        try:
            data = self._get(path, PACKAGES, missing_ok=True)
        except _Missing:
            return None
        if isinstance(data, Denied):
            return data
        linked = data.get("repository") or {}
        return linked.get("full_name")


def _name_set(data: Json, key: str) -> Fetched[frozenset[str]]:
    if isinstance(data, Denied):
        return data
    return frozenset(item["name"] for item in data.get(key, []))


def _ruleset(data: Json) -> Ruleset:
    conditions = (data.get("conditions") or {}).get("ref_name") or {}
    checks: list[RequiredCheck] = []
    strict = False
    types = set()
    for rule in data.get("rules") or []:
        types.add(rule["type"])
        if rule["type"] == "required_status_checks":
            params = rule.get("parameters") or {}
            checks.extend(
                RequiredCheck(c["context"], c.get("integration_id"))
                for c in params.get("required_status_checks", [])
            )
            strict = strict or bool(params.get("strict_required_status_checks_policy"))
    return Ruleset(
        name=data.get("name", ""),
        target=data.get("target", "branch"),
        enforcement=data.get("enforcement", "disabled"),
        include=tuple(conditions.get("include") or ()),
        exclude=tuple(conditions.get("exclude") or ()),
        bypass=frozenset(
            (a.get("actor_type", ""), int(a.get("actor_id") or 0))
            for a in data.get("bypass_actors") or []
        ),
        rule_types=frozenset(types),
        checks=tuple(checks),
        strict=strict,
    )
