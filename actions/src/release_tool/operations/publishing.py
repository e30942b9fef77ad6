"""Publish packages from the monorepo into their own repositories (see ``release-tool publish``).

Split each package's directory at origin/<default>, fast-forward its repository's default
branch, tag the version; with ``push`` push both, with ``notify`` send one dispatch.
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from release_tool.adapters import split as monorepo
from release_tool.adapters.config_file import read_project_config
from release_tool.adapters.dispatch import DispatchSender, github_sender
from release_tool.adapters.git import identity_env
from release_tool.adapters.mirror import Mirror, bring_commit, clone_mirror
from release_tool.adapters.push import credential_config, token_forms
from release_tool.core.bump import read_project_version, release_versions
from release_tool.core.config import Config, PackageConfig
from release_tool.core.github_context import read_github_context
from release_tool.core.payload import Pin, build_client_payload
from release_tool.core.publish_plan import (
    Adoption,
    MirrorFacts,
    PublishPlan,
    legacy_name,
    plan_adopt,
    plan_publish,
    render_adoption,
    render_publish_plan,
)
from release_tool.errors import InputRejected, OperationalError


@dataclass(frozen=True)
class PublishRequest:
    """What to publish: ``packages`` by name, or ``every`` package with an untagged version."""

    packages: tuple[str, ...] = ()
    every: bool = False
    push: bool = False
    notify: bool = False
    dry_run: bool = False
    adopt: bool = False
    yes: bool = False


@dataclass(frozen=True)
class PublishOutcome:
    plan: PublishPlan
    pushed: bool
    payload: dict[str, Any] | None

    def as_json(self) -> dict[str, object]:
        return {
            "published": [
                {
                    "package": pub.package,
                    "tag": pub.tag,
                    "commit": pub.commit,
                    "repository": pub.slug,
                    "previous_tag": pub.previous_tag,
                    "pushed": self.pushed,
                }
                for pub in self.plan.publications
            ],
            "skipped": [{"package": name, "reason": why} for name, why in self.plan.skipped],
            "dispatch": self.payload,
        }


def publish(
    request: PublishRequest,
    env: Mapping[str, str],
    cwd: Path,
    *,
    send: DispatchSender | None = None,
    report: TextIO | None = None,
) -> PublishOutcome | None:
    """Publish from the checkout at ``cwd``; ``send`` replaces the GitHub dispatch sender
    (tests). ``None`` for an adoption, which publishes no release."""
    report = report or sys.stdout  # the current stdout (tests capture it)
    if request.yes and not request.adopt:
        raise InputRejected("--yes only confirms --adopt")
    if request.adopt and (request.notify or request.push):
        raise InputRejected("--adopt publishes no release: drop --push/--notify (it pushes itself)")
    root = monorepo.find_toplevel(cwd, env)
    config = read_project_config(root, env)
    context = read_github_context(env, config.slug)
    push = context.should_push(request.push)
    # In Actions the token reaches git through the environment only (never argv or URLs),
    # and only on the calls that talk to a repository (fetch, clone, push).
    auth = credential_config(context.token, context.server_url) if context.in_actions else ()
    secrets = token_forms(context.token)
    packages = (
        list(config.packages.values())
        if request.every
        else [config.package(name) for name in dict.fromkeys(request.packages)]
    )
    if request.notify and not push and not request.dry_run:
        raise InputRejected("--notify needs --push: a dispatch must name tags that exist")
    origin_head = monorepo.fetch_default(root, config.default_branch, env, auth)
    monorepo.require_clean_at(root, config.default_branch, origin_head, env)
    with tempfile.TemporaryDirectory(prefix="release-tool-publish-") as scratch:
        mirrors: dict[str, Mirror] = {}
        facts = []
        monorepo.split_directories(root, [p.directory for p in packages], origin_head, env)
        for package in packages:
            mirror, fact = gather_facts(
                root, package, origin_head, Path(scratch), env, secrets=secrets, auth=auth
            )
            mirrors[package.name] = mirror
            facts.append(fact)
        if request.adopt:
            adopt(facts, mirrors, confirmed=request.yes, dry_run=request.dry_run, out=report)
            return None
        plan = plan_publish(facts, every=request.every)
        print(render_publish_plan(plan, push=push), end="", file=report)
        payload = notify_payload(plan, config) if request.notify else None
        if payload is not None:
            print(f"dispatch to {config.slug}: {json.dumps(payload)}", file=report)
        if not request.dry_run:
            execute(plan, mirrors, config, push=push, env=env)
            if payload is not None:
                watch = (send or github_sender(env))(config.slug, payload)
                print(f"sent one dispatch to {config.slug}; watch: {watch}", file=report)
    return PublishOutcome(plan, pushed=push and not request.dry_run, payload=payload)


def notify_payload(plan: PublishPlan, config: Config) -> dict[str, Any] | None:
    """The client_payload announcing the publications, checked as intake checks it:
    the single-pin shape for one package, one batch for several."""
    pins = [Pin(pub.package, pub.tag, pub.commit, pub.slug) for pub in plan.publications]
    return build_client_payload(pins, config.default_profile, config) if pins else None


def gather_facts(
    root: Path,
    package: PackageConfig,
    origin_head: str,
    scratch: Path,
    env: Mapping[str, str],
    *,
    secrets: tuple[str, ...] = (),
    auth: tuple[tuple[str, str], ...] = (),
) -> tuple[Mirror, MirrorFacts]:
    """Split the package, clone its repository, and read what the plan decides on."""
    print(f"{package.name}: splitting {package.directory}", file=sys.stderr)
    split = monorepo.split_directory(root, package.directory, origin_head, env)
    where = f"{package.directory}/pyproject.toml at {origin_head[:12]}"
    version = read_project_version(monorepo.read_file(root, split, "pyproject.toml", env), where)
    mirror = clone_mirror(package.url, scratch / package.name, env, secrets, auth)
    bring_commit(root, mirror, split)
    branch = mirror.default_branch()
    head = mirror.head_of(branch)
    reachable = release_versions(mirror.tags_merged_into(split))
    names = {v: name for name in mirror.tags() for v in release_versions([name])}
    previous = names[reachable[-1]] if reachable else None
    fact = MirrorFacts(
        package=package.name,
        directory=package.directory,
        url=package.url,
        slug=package.slug,
        split=split,
        version=version,
        tag=package.format_tag(version),
        branch=branch,
        branch_head=head,
        branch_is_ancestor=head is not None and mirror.is_ancestor(head, split),
        tags=tuple(mirror.tags()),
        previous_tag=previous,
        subjects=tuple(mirror.subjects(split, previous)),
    )
    return mirror, fact


def execute(
    plan: PublishPlan,
    mirrors: Mapping[str, Mirror],
    config: Config,
    *,
    push: bool,
    env: Mapping[str, str],
) -> None:
    """Branch and tag in each scratch clone, then push each repository (all or nothing each)."""
    bot_env = identity_env(env, config.bot.name, config.bot.email)
    for pub in plan.publications:
        mirror = mirrors[pub.package]
        mirror.set_branch(pub.branch, pub.commit)
        mirror.create_tag(pub.tag, pub.commit, pub.message, bot_env)
    if not push:
        return
    pushed: list[str] = []
    for pub in plan.publications:
        try:
            mirrors[pub.package].push(
                [f"refs/heads/{pub.branch}:refs/heads/{pub.branch}", f"refs/tags/{pub.tag}"]
            )
        except OperationalError as exc:
            done = f" (already pushed: {', '.join(pushed)})" if pushed else ""
            raise OperationalError(
                f"{exc}{done}; fix the cause and run publish again: published packages are skipped"
            ) from None
        pushed.append(f"{pub.package} {pub.tag}")


def adopt(
    facts: list[MirrorFacts],
    mirrors: Mapping[str, Mirror],
    *,
    confirmed: bool,
    dry_run: bool,
    out: TextIO,
) -> None:
    adoptions: list[Adoption] = []
    for fact in facts:
        legacy = mirrors[fact.package].head_of(legacy_name(fact.branch)) is not None
        adoption = plan_adopt(fact, legacy)
        if adoption is None:
            print(
                f"{fact.package}: {fact.url} already follows the split; nothing to adopt", file=out
            )
        else:
            adoptions.append(adoption)
            print(render_adoption(adoption), end="", file=out)
    if not adoptions or dry_run:
        return
    if not confirmed:
        raise InputRejected(
            "nothing done: adopting rewrites the default branch of the repositories above; "
            "rerun with --yes to do it"
        )
    for adoption in adoptions:
        mirror = mirrors[adoption.package]
        refspecs = [f"{adoption.split}:refs/heads/{adoption.branch}"]
        leases = [f"refs/heads/{adoption.branch}:{adoption.old_head or ''}"]
        if adoption.legacy_branch is not None and adoption.old_head is not None:
            refspecs.append(f"{adoption.old_head}:refs/heads/{adoption.legacy_branch}")
            leases.append(f"refs/heads/{adoption.legacy_branch}:")
        mirror.push(refspecs, leases)
        print(f"{adoption.package}: adopted {adoption.url}", file=out)
