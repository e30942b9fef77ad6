"""What ``publish`` and ``publish --adopt`` will do, as values computed from gathered facts.

The adapters gather a :class:`MirrorFacts` per package (the split commit, the
version it declares, the package repository's branch and tags); the functions
here decide, and ``--dry-run`` prints their result.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from packaging.version import Version

from release_tool.core.bump import release_versions
from release_tool.core.changelog import render_tag_message
from release_tool.errors import InputRejected


@dataclass(frozen=True)
class MirrorFacts:
    package: str
    directory: str
    url: str
    slug: str  # OWNER/NAME of the package repository
    split: str  # the split commit of the directory at origin/<default>
    version: Version  # the version the package's pyproject declares at the split
    tag: str  # the tag that version gets (the package's tag format)
    branch: str  # the package repository's default branch
    branch_head: str | None  # None: the repository has no commits yet
    branch_is_ancestor: bool  # whether branch_head is an ancestor of (or equal to) split
    tags: tuple[str, ...]
    previous_tag: str | None  # the highest version tag reachable from split
    subjects: tuple[str, ...]  # commit subjects after previous_tag up to split, newest first


@dataclass(frozen=True)
class Publication:
    package: str
    url: str
    slug: str
    tag: str
    commit: str
    branch: str
    old_head: str | None
    previous_tag: str | None
    message: str


@dataclass(frozen=True)
class PublishPlan:
    publications: tuple[Publication, ...]
    skipped: tuple[tuple[str, str], ...]  # (package, why)


def existing_tag(facts: MirrorFacts) -> str | None:
    """The tag already naming ``facts.version`` (``0.2.0`` or ``v0.2.0``), if any."""
    for name in facts.tags:
        if release_versions([name]) == [facts.version]:
            return name
    return None


def _adopt_hint(facts: MirrorFacts) -> str:
    return (
        f"the default branch {facts.branch} of {facts.url} is not an ancestor of the split of "
        f"{facts.directory}; if its history predates the monorepo, run "
        f"`release-tool publish --adopt --package {facts.package}` once"
    )


def plan_publish(facts: Sequence[MirrorFacts], *, every: bool) -> PublishPlan:
    """The publications to make; with ``every`` (``--all``) already tagged packages are skipped.

    Refused as a whole (InputRejected) when a named package is already tagged, or when
    any repository's default branch would not fast-forward to its split.
    """
    publications: list[Publication] = []
    skipped: list[tuple[str, str]] = []
    for fact in facts:
        tag = existing_tag(fact)
        if tag is not None:
            if not every:
                raise InputRejected(
                    f"{fact.package} {fact.version} is already tagged ({tag}) in {fact.url}; "
                    f"bump its version with `release-tool bump --package {fact.package}` first"
                )
            skipped.append((fact.package, f"{fact.version} already tagged as {tag}"))
            continue
        if fact.branch_head is not None and not fact.branch_is_ancestor:
            raise InputRejected(_adopt_hint(fact))
        newer = [v for v in release_versions(fact.tags) if v > fact.version]
        if newer:
            raise InputRejected(
                f"{fact.package} {fact.version} is lower than {newer[-1]}, already released in "
                f"{fact.url}; bump its version above it"
            )
        name = fact.tag
        publications.append(
            Publication(
                package=fact.package,
                url=fact.url,
                slug=fact.slug,
                tag=name,
                commit=fact.split,
                branch=fact.branch,
                old_head=fact.branch_head,
                previous_tag=fact.previous_tag,
                message=render_tag_message(fact.package, name, fact.previous_tag, fact.subjects),
            )
        )
    return PublishPlan(tuple(publications), tuple(skipped))


def render_publish_plan(plan: PublishPlan, *, push: bool) -> str:
    """The plan as text (what ``--dry-run`` prints, and what a run reports)."""
    if not plan.publications:
        lines = ["Nothing to publish: every package's version is already tagged."]
    else:
        lines = []
    for pub in plan.publications:
        moved = f"{pub.old_head[:12]} -> " if pub.old_head else "(new) "
        lines += [
            f"{pub.package} {pub.tag} -> {pub.url}",
            f"  branch {pub.branch}: {moved}{pub.commit[:12]} (fast-forward)",
            f"  tag {pub.tag} (annotated) on {pub.commit}",
            *(f"    | {line}" if line else "    |" for line in pub.message.splitlines()),
        ]
    lines += [f"skipped {package}: {why}" for package, why in plan.skipped]
    if plan.publications:
        lines.append(
            "push: branch and tag to each package repository"
            if push
            else "push: no (add --push to push branch and tag)"
        )
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Adoption:
    package: str
    url: str
    branch: str
    split: str
    old_head: str | None  # None: the repository is empty
    legacy_branch: str | None  # where the old history is kept; None when nothing to keep
    tags_kept: tuple[str, ...]


def legacy_name(branch: str) -> str:
    return f"legacy/{branch}"


def plan_adopt(fact: MirrorFacts, legacy_exists: bool) -> Adoption | None:
    """The adoption of one package repository; None when its branch already follows the split."""
    if fact.branch_head is not None and fact.branch_is_ancestor:
        return None
    legacy = None
    if fact.branch_head is not None:
        legacy = legacy_name(fact.branch)
        if legacy_exists:
            raise InputRejected(
                f"{fact.url} already has a branch {legacy}; adopt keeps the old history there "
                "and never overwrites it: move or delete it by hand first"
            )
    return Adoption(
        fact.package, fact.url, fact.branch, fact.split, fact.branch_head, legacy, fact.tags
    )


def render_adoption(adoption: Adoption) -> str:
    lines = [f"{adoption.package}: adopt {adoption.url}"]
    if adoption.old_head is None:
        lines.append(f"  the repository is empty: push the split as {adoption.branch}")
    else:
        lines += [
            f"  keep the old {adoption.branch} ({adoption.old_head[:12]}) "
            f"as {adoption.legacy_branch}",
            f"  replace {adoption.branch} with the split of the monorepo ({adoption.split[:12]})",
        ]
    kept = ", ".join(adoption.tags_kept) if adoption.tags_kept else "none"
    lines.append(f"  tags kept untouched ({len(adoption.tags_kept)}): {kept}")
    return "\n".join(lines) + "\n"
