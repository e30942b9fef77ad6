"""`doctor`'s checks of the GPU runners, the checkout and the container package (pure)."""

from __future__ import annotations

import re

from packaging.version import InvalidVersion, Version

from release_tool.core.config import Config
from release_tool.core.setup_facts import Denied, LocalFacts, RunnerGroup, SetupFacts
from release_tool.core.setup_rows import RUNNER_MINIMUM, Row, fail, given, ok, unknown


def _version(text: str | None) -> Version | None:
    try:
        return Version(text.removeprefix("v")) if text else None
    except InvalidVersion:
        return None


def check_runners(facts: SetupFacts, config: Config) -> list[Row]:
    group = "runners"
    out: list[Row] = []
    groups = given(facts.runner_groups, group, "runner groups", out)
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
        # GitHub ("Managing access to self-hosted runners using groups"): a selected
        # workflow is pinned to a branch, tag or SHA; a PR run's ref is refs/pull/N/merge.
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


_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}\Z")


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
    linked = given(facts.image_repository, group, name, out)
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
