"""`doctor`'s checks of the Apps, the environments and the secret and variable names (pure)."""

from __future__ import annotations

from collections.abc import Mapping

from release_tool.core.config import Config
from release_tool.core.setup_facts import (
    Denied,
    Environment,
    Installation,
    RepositoryFacts,
    SetupFacts,
)
from release_tool.core.setup_rows import (
    DISPATCH_APP_PERMISSIONS,
    DISPATCH_SECRET,
    DISPATCH_VARIABLE,
    ENVIRONMENTS,
    PACKAGE_ENVIRONMENT,
    RELEASE_APP_PERMISSIONS,
    RELEASE_SECRET,
    RELEASE_VARIABLE,
    REVIEWED_ENVIRONMENTS,
    Row,
    fail,
    given,
    ok,
    unknown,
)


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
    installations = given(facts.installations, group, "App installations", out)
    if installations is None:
        return out
    by_slug = {i.app_slug: i for i in installations}
    monorepo = facts.monorepo.full_name.lower()
    packages = sorted(p.full_name.lower() for p in facts.packages)
    release_slug = release_app_slug(config)
    out += _app_rows(
        group,
        f"release App {release_slug}",
        by_slug.get(release_slug),
        RELEASE_APP_PERMISSIONS,
        [monorepo, *packages],
        exact=False,
        missing="install the release App on the monorepo and packages",
    )
    out += _app_rows(
        group,
        f"dispatch App {dispatch_slug}",
        by_slug.get(dispatch_slug),
        DISPATCH_APP_PERMISSIONS,
        [monorepo],
        exact=True,
        missing="install the dispatch App on the monorepo only",
    )
    return out


def _app_rows(
    group: str,
    name: str,
    inst: Installation | None,
    wanted: Mapping[str, str],
    repositories: list[str],
    *,
    exact: bool,
    missing: str,
) -> list[Row]:
    """One App's rows: ``wanted`` permissions and reach of ``repositories``; ``missing``
    (the fix) when the App is not installed."""
    if inst is None:
        return [fail(group, name, missing)]
    return [
        _permissions_row(group, name, inst, wanted),
        _reach_row(group, name, inst, repositories, exact),
    ]


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
    environments = given(repo.environments, group, "environments", out)
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
    secrets = given(env.secrets, "names", f"{name}: secret", out)
    variables = given(env.variables, "names", f"{name}: variable", out)
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
        return [fail(group, name, f"create {repo.full_name} (public), or let the token see it")]
    secrets = given(repo.secrets, group, f"{name}: secrets", out)
    variables = given(repo.variables, group, f"{name}: variables", out)
    environments = given(repo.environments, group, f"{name}: environments", out)
    if secrets is None or variables is None or environments is None:
        return out
    env = environments.get(PACKAGE_ENVIRONMENT)
    env_secrets = env.secrets if env else frozenset()
    env_variables = env.variables if env else frozenset()
    if isinstance(env_secrets, Denied):
        return [*out, unknown(group, name, env_secrets)]
    if isinstance(env_variables, Denied):
        return [*out, unknown(group, name, env_variables)]
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
