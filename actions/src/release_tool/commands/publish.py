"""Publish packages from the monorepo into their own repositories.

For each package, `git subtree split` of its directory at origin/<default> (the
same history always yields the same commits) fast-forwards the package
repository's default branch, and an annotated tag named as the package's
version marks it, with the changes since the previous tag as its message.
Work happens in scratch clones; --push pushes branch and tag, --notify then
sends one repository_dispatch for everything published (a batch for several
packages, so interdependent packages are promoted together).

Refused: a dirty working tree, HEAD other than origin/<default>, a version
already tagged (with --all such packages are skipped), a package repository
whose default branch is not an ancestor of the split (adopt it once with
--adopt --yes: its old branch is kept as legacy/<branch>, its tags untouched).

Examples:
  release-tool publish --package hello-world --dry-run
  release-tool publish --all --push --notify
  release-tool publish --adopt --all --yes
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TextIO

from release_tool.adapters import split as monorepo
from release_tool.adapters.dispatch import DispatchSender, github_sender
from release_tool.adapters.git import identity_env
from release_tool.adapters.mirror import Mirror, bring_commit, clone_mirror
from release_tool.adapters.push import credential_config, token_forms
from release_tool.commands.context import read_project_config
from release_tool.core.bump import read_project_version, release_versions
from release_tool.core.config import Config, PackageConfig
from release_tool.core.github_context import read_github_context
from release_tool.core.payload import DEFAULT_ENV, Pin, build_client_payload
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


def add_arguments(parser: argparse.ArgumentParser) -> None:
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument(
        "--package",
        action="append",
        metavar="NAME",
        help="the package to publish (repeatable: several packages, one batch dispatch)",
    )
    target.add_argument(
        "--all",
        action="store_true",
        help="every package whose version on the default branch has no tag yet",
    )
    parser.add_argument(
        "--push",
        action="store_true",
        help="push branch and tag to each package repository (implied in GitHub Actions)",
    )
    parser.add_argument(
        "--notify",
        action="store_true",
        help="after pushing, send one repository_dispatch for what was published",
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="print what would be done and change nothing"
    )
    parser.add_argument(
        "--adopt",
        action="store_true",
        help="one-time: replace an unrelated default branch with the split "
        "(the old one kept as legacy/<branch>, tags untouched); needs --yes",
    )
    parser.add_argument("--yes", action="store_true", help="confirm --adopt")
    parser.add_argument(
        "--json", action="store_true", help="print the result as JSON (the report goes to stderr)"
    )


def run(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    return publish(args, env, Path.cwd())


def publish(
    args: argparse.Namespace,
    env: Mapping[str, str],
    cwd: Path,
    send: DispatchSender | None = None,
) -> int:
    """The command in ``cwd``; ``send`` replaces the GitHub dispatch sender (tests)."""
    if args.yes and not args.adopt:
        raise InputRejected("--yes only confirms --adopt")
    if args.adopt and (args.notify or args.push):
        raise InputRejected("--adopt publishes no release: drop --push/--notify (it pushes itself)")
    root = monorepo.find_toplevel(cwd, env)
    config = read_project_config(root, env)
    context = read_github_context(env, config.repository)
    push = context.should_push(bool(args.push))
    # In Actions the token reaches git through the environment only (never argv or URLs),
    # and only on the calls that talk to a repository (fetch, clone, push).
    auth = credential_config(context.token, context.server_url) if context.in_actions else ()
    secrets = token_forms(context.token)
    packages = (
        list(config.packages.values())
        if args.all
        else [config.package(name) for name in dict.fromkeys(args.package)]
    )
    if args.notify and not push and not args.dry_run:
        raise InputRejected("--notify needs --push: a dispatch must name tags that exist")
    origin_head = monorepo.fetch_default(root, config.default_branch, env, auth)
    monorepo.require_clean_at(root, config.default_branch, origin_head, env)
    report = sys.stderr if args.json else sys.stdout
    with tempfile.TemporaryDirectory(prefix="release-tool-publish-") as scratch:
        mirrors: dict[str, Mirror] = {}
        facts = []
        for package in packages:
            mirror, fact = gather_facts(
                root, package, origin_head, Path(scratch), env, secrets=secrets, auth=auth
            )
            mirrors[package.name] = mirror
            facts.append(fact)
        if args.adopt:
            return adopt(facts, mirrors, confirmed=args.yes, dry_run=args.dry_run, out=report)
        plan = plan_publish(facts, every=args.all)
        print(render_publish_plan(plan, push=push), end="", file=report)
        payload = notify_payload(plan, config) if args.notify else None
        if payload is not None:
            print(f"dispatch to {config.repository}: {json.dumps(payload)}", file=report)
        if not args.dry_run:
            execute(plan, mirrors, config, push=push, env=env)
            if payload is not None:
                watch = (send or github_sender(env))(config.repository, payload)
                print(f"sent one dispatch to {config.repository}; watch: {watch}", file=report)
        if args.json:
            print(json.dumps(_as_json(plan, pushed=push and not args.dry_run, payload=payload)))
    return 0


def notify_payload(plan: PublishPlan, config: Config) -> dict[str, Any] | None:
    """The client_payload announcing the publications, checked as intake checks it:
    the single-pin shape for one package, one batch for several."""
    pins = [Pin(pub.package, pub.tag, pub.commit, pub.slug) for pub in plan.publications]
    return build_client_payload(pins, DEFAULT_ENV, config) if pins else None


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
    mirror = clone_mirror(package.repository, scratch / package.name, env, secrets, auth)
    bring_commit(root, mirror, split)
    branch = mirror.default_branch()
    head = mirror.head_of(branch)
    reachable = release_versions(mirror.tags_merged_into(split))
    names = {v: name for name in mirror.tags() for v in release_versions([name])}
    previous = names[reachable[-1]] if reachable else None
    fact = MirrorFacts(
        package=package.name,
        directory=package.directory,
        url=package.repository,
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
) -> int:
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
        return 0
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
    return 0


def _as_json(plan: PublishPlan, *, pushed: bool, payload: object) -> dict[str, object]:
    return {
        "published": [
            {
                "package": pub.package,
                "tag": pub.tag,
                "commit": pub.commit,
                "repository": pub.slug,
                "previous_tag": pub.previous_tag,
                "pushed": pushed,
            }
            for pub in plan.publications
        ],
        "skipped": [{"package": name, "reason": why} for name, why in plan.skipped],
        "dispatch": payload,
    }
