"""`doctor`'s verdicts: one row per setting of docs/pipeline-setup.md (pure).

Every check takes the fetched records (:mod:`release_tool.core.setup_facts`) and
returns rows: ✓, ✗ with the one fix to make, or ? naming the permission the token
lacked to read it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import TypeVar

from packaging.version import InvalidVersion, Version

from release_tool.core.config import Config
from release_tool.core.setup_facts import (
    ActionsPolicy,
    Denied,
    Environment,
    Fetched,
    Installation,
    LocalFacts,
    RepositoryFacts,
    RequiredCheck,
    Ruleset,
    RunnerGroup,
    SetupFacts,
)

T = TypeVar("T")
OK, FAIL, UNKNOWN = "ok", "fail", "unknown"
MARKS = {OK: "✓", FAIL: "✗", UNKNOWN: "?"}

# The environments of the monorepo (docs/pipeline-setup.md), those needing an approval.
ENVIRONMENTS = ("release", "release-bot", "prod", "publish")
REVIEWED_ENVIRONMENTS = frozenset({"release", "prod"})
RELEASE_SECRET, RELEASE_VARIABLE = "RELEASE_APP_PRIVATE_KEY", "RELEASE_APP_CLIENT_ID"
DISPATCH_SECRET, DISPATCH_VARIABLE = "DISPATCH_APP_PRIVATE_KEY", "DISPATCH_APP_CLIENT_ID"
PACKAGE_ENVIRONMENT = "release"  # the package template's job environment
# What the workflows' token steps ask of the release App (a test keeps them equal),
# and what POST /repos/{owner}/{repo}/dispatches needs of the dispatch App.
RELEASE_APP_PERMISSIONS = {"contents": "write", "pull_requests": "write", "issues": "write"}
DISPATCH_APP_PERMISSIONS = {"contents": "write"}
DEFAULT_DISPATCH_APP = "vlmhb-dispatch"
# The required checks on main: the GPU gate and ci.yml's job (a test keeps the name).
GATE_CHECK = "GPU gate"
CI_CHECKS = ("tests (lint, types, pre-commit, pytest, workflow linters)",)
GITHUB_ACTIONS_APP_ID = 15368  # the `app.id` of every check run GitHub Actions makes
# node24 actions (actions/checkout v5+, upload/download-artifact, setup-uv) need this runner.
RUNNER_MINIMUM = Version("2.327.1")
# Owners of the third-party actions the workflows use (a test keeps the list complete).
ACTION_OWNERS = ("actions", "astral-sh", "docker")
PROTECTED_PATTERNS = ("refs/heads/release/**", "refs/heads/bump/**")
_WRITE_RULES = frozenset({"creation", "update", "deletion"})
# Rules that stop the release App's push of a split and a tag unless it may bypass them
# (the split's commits are unsigned, and they arrive by push, not by pull request).
_BLOCKS_PUBLISH = _WRITE_RULES | {"pull_request", "required_status_checks", "required_signatures"}


@dataclass(frozen=True)
class Row:
    group: str
    name: str
    status: str  # OK, FAIL or UNKNOWN
    detail: str = ""  # the fix (FAIL) or the missing permission (UNKNOWN)

    @property
    def mark(self) -> str:
        return MARKS[self.status]


def ok(group: str, name: str, detail: str = "") -> Row:
    return Row(group, name, OK, detail)


def fail(group: str, name: str, fix: str) -> Row:
    return Row(group, name, FAIL, fix)


def unknown(group: str, name: str, denied: Denied) -> Row:
    return Row(group, name, UNKNOWN, f"needs {denied.permission}")


def _given(value: Fetched[T], group: str, name: str, out: list[Row]) -> T | None:
    """``value``, or None after appending the ? row its denial gives."""
    if isinstance(value, Denied):
        out.append(unknown(group, name, value))
        return None
    return value


def exit_code(rows: Iterable[Row]) -> int:
    """2 when any row is ✗ or ?, else 0 (an unreachable GitHub is the caller's 1)."""
    return 2 if any(r.status != OK for r in rows) else 0


# -- Apps ---------------------------------------------------------------------
def release_app_slug(config: Config) -> str:
    """The release App's slug: its bot account's login without ``[bot]``."""
    return config.bot.name.removesuffix("[bot]")


def _missing_permissions(inst: Installation, wanted: Mapping[str, str]) -> list[str]:
    rank = {"read": 1, "write": 2, "admin": 3}
    return [
        f"{name.replace('_', ' ').capitalize()}: {level}"
        for name, level in wanted.items()
        if rank.get(inst.permissions.get(name, ""), 0) < rank[level]
    ]


def check_apps(facts: SetupFacts, config: Config, dispatch_slug: str) -> list[Row]:
    group = "apps"
    out: list[Row] = []
    installations = _given(facts.installations, group, "App installations", out)
    if installations is None:
        return out
    by_slug = {i.app_slug: i for i in installations}
    monorepo = facts.monorepo.full_name.lower()
    packages = sorted(p.full_name.lower() for p in facts.packages)
    release_slug = release_app_slug(config)
    release = by_slug.get(release_slug)
    name = f"release App {release_slug}"
    if release is None:
        out.append(fail(group, name, "install the release App on the monorepo and packages"))
    else:
        out.append(_permissions_row(group, name, release, RELEASE_APP_PERMISSIONS))
        out.append(_reach_row(group, name, release, [monorepo, *packages], exact=False))
    dispatch = by_slug.get(dispatch_slug)
    name = f"dispatch App {dispatch_slug}"
    if dispatch is None:
        out.append(fail(group, name, "install the dispatch App on the monorepo only"))
    else:
        out.append(_permissions_row(group, name, dispatch, DISPATCH_APP_PERMISSIONS))
        out.append(_reach_row(group, name, dispatch, [monorepo], exact=True))
    return out


def _permissions_row(group: str, name: str, inst: Installation, wanted: Mapping[str, str]) -> Row:
    missing = _missing_permissions(inst, wanted)
    if missing:
        return fail(group, f"{name} permissions", f"grant {', '.join(missing)} in the App")
    return ok(group, f"{name} permissions")


def _reach_row(group: str, name: str, inst: Installation, wanted: list[str], exact: bool) -> Row:
    what = f"{name} repositories"
    if inst.repository_selection == "all":
        if exact:
            return fail(group, what, f"install it on {wanted[0]} only, not on all repositories")
        return ok(group, what, "all repositories")
    if isinstance(inst.repositories, Denied):
        return unknown(group, what, inst.repositories)
    have = inst.repositories or frozenset()
    missing = [r for r in wanted if r not in have]
    if missing:
        return fail(group, what, f"add {', '.join(missing)} to the installation")
    extra = sorted(have - set(wanted))
    if exact and extra:
        return fail(group, what, f"remove {', '.join(extra)} from the installation")
    return ok(group, what)


# -- environments and names ---------------------------------------------------
def check_environments(repo: RepositoryFacts, default_branch: str) -> list[Row]:
    group = "environments"
    out: list[Row] = []
    environments = _given(repo.environments, group, "environments", out)
    if environments is None:
        return out
    for env_name in ENVIRONMENTS:
        env = environments.get(env_name)
        if env is None:
            out.append(fail(group, env_name, f"create the environment {env_name}"))
            continue
        out.append(_branch_row(group, env, default_branch))
        if env_name in REVIEWED_ENVIRONMENTS:
            name = f"{env_name} reviewers"
            if env.reviewers:
                out.append(ok(group, name))
            else:
                out.append(fail(group, name, f"add required reviewers to {env_name}"))
        out.extend(_names_rows(f"{env_name} names", env, RELEASE_SECRET, RELEASE_VARIABLE))
    return out


def _branch_row(group: str, env: Environment, branch: str) -> Row:
    name = f"{env.name} deployment branches"
    fix = f"limit {env.name}'s deployment branches to {branch} (selected branches)"
    if env.branch_policy != "custom":
        return fail(group, name, fix)
    if isinstance(env.branches, Denied):
        return unknown(group, name, env.branches)
    return ok(group, name) if env.branches == {branch} else fail(group, name, fix)


def _names_rows(name: str, env: Environment, secret: str, variable: str) -> list[Row]:
    out: list[Row] = []
    secrets = _given(env.secrets, "names", f"{name}: secret", out)
    variables = _given(env.variables, "names", f"{name}: variable", out)
    if secrets is not None and variables is not None:
        missing = [n for n, have in ((secret, secrets), (variable, variables)) if n not in have]
        if missing:
            out.append(fail("names", name, f"add {' and '.join(missing)} to {env.name}"))
        else:
            out.append(ok("names", name))
    return out


def check_package_names(repo: RepositoryFacts) -> list[Row]:
    """Each package repository holds the dispatch App's names, never the release App's."""
    group = "names"
    out: list[Row] = []
    name = f"{repo.full_name} names"
    if not repo.exists:
        return [fail(group, name, f"create {repo.full_name} (public) before publishing")]
    secrets = _given(repo.secrets, group, f"{name}: secrets", out)
    variables = _given(repo.variables, group, f"{name}: variables", out)
    environments = _given(repo.environments, group, f"{name}: environments", out)
    if secrets is None or variables is None or environments is None:
        return out
    env = environments.get(PACKAGE_ENVIRONMENT)
    env_secrets = env.secrets if env else frozenset()
    env_variables = env.variables if env else frozenset()
    if isinstance(env_secrets, Denied) or isinstance(env_variables, Denied):
        denied = env_secrets if isinstance(env_secrets, Denied) else env_variables
        return [*out, Row(group, name, UNKNOWN, f"needs {getattr(denied, 'permission', '')}")]
    all_secrets, all_variables = secrets | env_secrets, variables | env_variables
    if RELEASE_SECRET in all_secrets:
        out.append(
            fail(
                group,
                name,
                f"delete {RELEASE_SECRET}: package repositories hold "
                f"the dispatch App's key only (docs/security.md)",
            )
        )
        return out
    missing = [
        n
        for n, have in ((DISPATCH_SECRET, all_secrets), (DISPATCH_VARIABLE, all_variables))
        if n not in have
    ]
    if missing:
        out.append(
            fail(
                group, name, f"add {' and '.join(missing)} to its {PACKAGE_ENVIRONMENT} environment"
            )
        )
    else:
        out.append(ok(group, name))
    return out


# -- rulesets ------------------------------------------------------------------
def _applies(rs: Ruleset, ref: str, *, default: bool) -> bool:
    if rs.enforcement != "active":
        return False

    def hit(patterns: tuple[str, ...]) -> bool:
        return any(
            p == "~ALL" or (p == "~DEFAULT_BRANCH" and default) or fnmatchcase(ref, p)
            for p in patterns
        )

    return hit(rs.include) and not hit(rs.exclude)


def _checks_on(repo: RepositoryFacts, branch: str) -> tuple[list[RequiredCheck], bool] | Denied:
    rulesets = repo.rulesets
    if isinstance(rulesets, Denied):
        return rulesets
    protection = repo.protection
    if isinstance(protection, Denied):
        return protection
    ref = f"refs/heads/{branch}"
    checks: list[RequiredCheck] = []
    strict = False
    for rs in rulesets:
        if rs.target == "branch" and _applies(rs, ref, default=True):
            checks.extend(rs.checks)
            strict = strict or ("required_status_checks" in rs.rule_types and rs.strict)
    if protection is not None:
        checks.extend(protection.checks)
        strict = strict or protection.strict
    return checks, strict


def check_main_rules(repo: RepositoryFacts, branch: str) -> list[Row]:
    group = "rulesets"
    found = _checks_on(repo, branch)
    name = f"{branch} requires the checks from GitHub Actions"
    if isinstance(found, Denied):
        return [unknown(group, name, found)]
    checks, strict = found
    out: list[Row] = []
    wanted = (GATE_CHECK, *CI_CHECKS)
    missing = [c for c in wanted if not any(x.context == c for x in checks)]
    loose = sorted(
        {
            x.context
            for x in checks
            if x.context in wanted and x.integration_id != GITHUB_ACTIONS_APP_ID
        }
    )
    if missing:
        names = ", ".join(f'"{c}"' for c in missing)
        out.append(
            fail(
                group,
                name,
                f"require {names} on {branch} (ruleset), source "
                "GitHub Actions; run gpu.yml once first so the check can be picked",
            )
        )
    elif loose:
        names = ", ".join(f'"{c}"' for c in loose)
        out.append(
            fail(
                group,
                name,
                f"pin {names} to the GitHub Actions app "
                f"(integration_id {GITHUB_ACTIONS_APP_ID}), not any source",
            )
        )
    else:
        out.append(ok(group, name))
    name = f"{branch} does not require up-to-date branches"
    if strict:
        out.append(
            fail(
                group,
                name,
                'turn off "Require branches to be up to date before '
                'merging": stale release PRs are regenerated by release-tool refresh',
            )
        )
    else:
        out.append(ok(group, name))
    return out


def check_release_refs(repo: RepositoryFacts, release_app_id: Fetched[int | None]) -> list[Row]:
    """``release/**``, ``bump/**`` and every tag: only the release App writes them."""
    group = "rulesets"
    out: list[Row] = []
    rulesets = _given(repo.rulesets, group, "release refs restricted", out)
    if rulesets is None:
        return out
    probes = [
        ("release/**", "branch", "refs/heads/release/staging/x"),
        ("bump/**", "branch", "refs/heads/bump/x-1.0.0"),
        ("tags", "tag", "refs/tags/v1.0.0"),
    ]
    for label, target, ref in probes:
        name = f"{label} only by the release App"
        guarding = [
            rs
            for rs in rulesets
            if rs.target == target
            and _applies(rs, ref, default=False)
            and rs.rule_types >= _WRITE_RULES
        ]
        if not guarding:
            out.append(
                fail(
                    group,
                    name,
                    f"add a {target} ruleset on {label} restricting "
                    "creations, updates and deletions, release App in its bypass list",
                )
            )
        elif isinstance(release_app_id, Denied):
            out.append(unknown(group, name, release_app_id))
        elif release_app_id is None:
            out.append(fail(group, name, "install the release App (its id is the bypass actor)"))
        elif not all(("Integration", release_app_id) in rs.bypass for rs in guarding):
            out.append(fail(group, name, "add the release App to the ruleset's bypass list"))
        else:
            out.append(ok(group, name))
    return out


def check_package_rules(
    repo: RepositoryFacts, branch: str, release_app_id: Fetched[int | None]
) -> list[Row]:
    """A package repository's rulesets let the release App fast-forward and tag."""
    group = "rulesets"
    out: list[Row] = []
    name = f"{repo.full_name}: the release App may push {branch} and tags"
    if not repo.exists:
        return out
    rulesets = _given(repo.rulesets, group, name, out)
    if rulesets is None:
        return out
    blocking = [
        rs.name
        for rs in rulesets
        if rs.rule_types & _BLOCKS_PUBLISH
        and (
            _applies(rs, f"refs/heads/{branch}", default=True)
            or _applies(rs, "refs/tags/v1.0.0", default=False)
        )
        and (
            not isinstance(release_app_id, int) or ("Integration", release_app_id) not in rs.bypass
        )
    ]
    if blocking and isinstance(release_app_id, Denied):
        out.append(unknown(group, name, release_app_id))
    elif blocking:
        out.append(
            fail(
                group,
                name,
                f"add the release App to the bypass list of {', '.join(sorted(blocking))}",
            )
        )
    else:
        out.append(ok(group, name))
    return out


def check_fork_approval(repo: RepositoryFacts) -> list[Row]:
    group, name = "forks", "fork PR workflows need approval for all outside contributors"
    out: list[Row] = []
    policy = _given(repo.fork_approval, group, name, out)
    if out:
        return out
    if repo.private:
        return [ok(group, name, "private repository")]
    if policy == "all_external_contributors":
        return [ok(group, name)]
    return [
        fail(
            group,
            name,
            'set "Require approval for all external contributors" (Settings > Actions > General)',
        )
    ]


def check_actions_policy(policy: Fetched[ActionsPolicy]) -> list[Row]:
    group, name = "actions", "org allow-list covers the actions used"
    out: list[Row] = []
    got = _given(policy, group, name, out)
    if got is None:
        return out
    if got.allowed_actions != "selected":
        allow = ", ".join(f"{o}/*" for o in ACTION_OWNERS)
        return [fail(group, name, f"allow only selected actions in the org: {allow}")]
    missing = [
        owner
        for owner in ACTION_OWNERS
        if not (owner == "actions" and got.github_owned_allowed)
        and not any(p.split("/")[0].lower() == owner for p in got.patterns)
    ]
    if missing:
        return [fail(group, name, f"add {', '.join(f'{o}/*' for o in missing)} to the allow-list")]
    return [ok(group, name)]


# -- runners -------------------------------------------------------------------
def _version(text: str | None) -> Version | None:
    try:
        return Version(text.removeprefix("v")) if text else None
    except InvalidVersion:
        return None


def check_runners(facts: SetupFacts, config: Config) -> list[Row]:
    group = "runners"
    out: list[Row] = []
    groups = _given(facts.runner_groups, group, "runner groups", out)
    if groups is None:
        return out
    monorepo = facts.monorepo.full_name.lower()
    for backend_name, backend in sorted(config.backends.items()):
        labels = frozenset(label.lower() for label in backend.runner_labels)
        out.extend(
            _backend_rows(
                group, backend_name, labels, groups, monorepo, public=not facts.monorepo.private
            )
        )
    return out


def _backend_rows(
    group: str,
    backend: str,
    labels: frozenset[str],
    groups: tuple[RunnerGroup, ...],
    monorepo: str,
    *,
    public: bool,
) -> list[Row]:
    out: list[Row] = []
    serving = []
    for rg in groups:
        runners = rg.runners
        if isinstance(runners, Denied):
            out.append(unknown(group, f"{backend}: runners of {rg.name}", runners))
            continue
        matching = [r for r in runners if labels <= r.labels]
        if matching:
            serving.append((rg, matching))
    if not serving:
        if not out:
            out.append(
                fail(
                    group,
                    f"{backend} runners",
                    "register a runner with the labels "
                    f"{', '.join(sorted(labels))} in an org runner group",
                )
            )
        return out
    for rg, matching in serving:
        where = f"{backend}: group {rg.name}"
        out.append(_group_access_row(group, where, rg, monorepo, public=public))
        if rg.restricted_to_workflows:
            out.append(
                fail(
                    group,
                    f"{where} workflow access",
                    "allow all workflows: selected "
                    "workflows are pinned to refs, PR runs use refs/pull/N/merge",
                )
            )
        else:
            out.append(ok(group, f"{where} workflow access"))
        online = [r for r in matching if r.status == "online"]
        if online:
            out.append(ok(group, f"{where} online", f"{len(online)} of {len(matching)}"))
        else:
            out.append(
                fail(group, f"{where} online", "start a runner (ephemeral) with these labels")
            )
        old = sorted(
            r.name for r in matching if (v := _version(r.version)) is None or v < RUNNER_MINIMUM
        )
        if old:
            out.append(
                fail(
                    group,
                    f"{where} runner version",
                    f"upgrade {', '.join(old)} to "
                    f"actions/runner {RUNNER_MINIMUM} or later (node24 actions)",
                )
            )
        else:
            out.append(ok(group, f"{where} runner version"))
    return out


def _group_access_row(
    group: str, where: str, rg: RunnerGroup, monorepo: str, *, public: bool
) -> Row:
    name = f"{where} repository access"
    if public and not rg.allows_public_repositories:
        return fail(group, name, "allow public repositories in the runner group")
    if rg.visibility == "all":
        return ok(group, name)
    if isinstance(rg.repositories, Denied):
        return unknown(group, name, rg.repositories)
    if monorepo in (rg.repositories or frozenset()):
        return ok(group, name)
    return fail(group, name, f"give the runner group access to {monorepo}")


# -- the checkout and the registry ---------------------------------------------
_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")


def check_local(local: LocalFacts) -> list[Row]:
    """The offline rows: base-image digests and profile locks in the checkout."""
    group = "repository"
    out: list[Row] = []
    unpinned = sorted(k for k, v in local.base_digests.items() if not _DIGEST.match(v))
    if unpinned or not local.base_digests:
        out.append(
            fail(
                group,
                "base-image digests pinned",
                "run release-tool bases --update "
                f"and commit docker/base-images.toml ({', '.join(unpinned) or 'empty'})",
            )
        )
    else:
        out.append(ok(group, "base-image digests pinned"))
    if local.missing_locks:
        out.append(
            fail(
                group,
                "profile locks exist",
                "run the bootstrap release "
                f"(docs/pipeline-setup.md): missing {', '.join(local.missing_locks)}",
            )
        )
    else:
        out.append(ok(group, "profile locks exist"))
    return out


def check_image_package(facts: SetupFacts, config: Config) -> list[Row]:
    group, name = "repository", f"GHCR package {config.images.name} linked"
    out: list[Row] = []
    linked = _given(facts.image_repository, group, name, out)
    if out:
        return out
    if linked is None:
        return [
            fail(
                group,
                name,
                "publish the first image (publish.yml), then link the package "
                "to the monorepo in its settings",
            )
        ]
    if linked.lower() != facts.monorepo.full_name.lower():
        return [fail(group, name, f"link the package to {facts.monorepo.full_name}, not {linked}")]
    return [ok(group, name)]


def diagnose(
    facts: SetupFacts, config: Config, dispatch_slug: str = DEFAULT_DISPATCH_APP
) -> list[Row]:
    """Every row, in the order of docs/pipeline-setup.md."""
    installs = facts.installations
    release_id: Fetched[int | None] = installs if isinstance(installs, Denied) else None
    if not isinstance(installs, Denied):
        release_id = next(
            (i.app_id for i in installs if i.app_slug == release_app_slug(config)), None
        )
    branch = config.default_branch
    rows = [*check_apps(facts, config, dispatch_slug), *check_environments(facts.monorepo, branch)]
    for package in facts.packages:
        rows.extend(check_package_names(package))
    rows.extend(check_actions_policy(facts.actions_policy))
    rows.extend(check_runners(facts, config))
    rows.extend(check_fork_approval(facts.monorepo))
    rows.extend(check_main_rules(facts.monorepo, branch))
    rows.extend(check_release_refs(facts.monorepo, release_id))
    for package in facts.packages:
        rows.extend(check_package_rules(package, branch, release_id))
    rows.extend(check_local(facts.local))
    rows.extend(check_image_package(facts, config))
    return rows


def render_rows(rows: Iterable[Row], heading: Callable[[str], str] = str) -> str:
    """One line per row: mark, group, name, and the fix or permission."""
    lines = []
    for row in rows:
        tail = f" — {row.detail}" if row.detail else ""
        lines.append(f"{row.mark} {heading(row.group)}: {row.name}{tail}")
    return "\n".join(lines) + "\n"
