"""`doctor`'s verdicts: every row of docs/pipeline-setup.md, from the fetched records (pure)."""

from __future__ import annotations

from release_tool.core.config import Config
from release_tool.core.setup_access import (
    check_apps,
    check_environments,
    check_package_names,
    release_app_slug,
)
from release_tool.core.setup_facts import Denied, Fetched, SetupFacts
from release_tool.core.setup_rows import DEFAULT_DISPATCH_APP, Row
from release_tool.core.setup_rules import (
    check_actions_policy,
    check_fork_approval,
    check_main_rules,
    check_package_rules,
    check_release_refs,
)
from release_tool.core.setup_runners import check_image_package, check_local, check_runners


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
