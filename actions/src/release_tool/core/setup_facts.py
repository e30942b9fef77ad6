"""What `doctor` reads about the pipeline's setup, as typed records (pure, no I/O).

The GitHub adapter fills these from the REST API; each fetched value is either the
record or :class:`Denied` (the token lacked the permission named), so a missing
permission becomes a "?" row, never a wrong verdict.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TypeAlias, TypeVar, Union

T = TypeVar("T")


@dataclass(frozen=True)
class Denied:
    """The API refused to show this: ``permission`` names what the token needs."""

    permission: str


# a value the API showed, or the permission it wanted
Fetched: TypeAlias = Union[T, Denied]  # noqa: UP007 - a generic alias needs Union on 3.11


@dataclass(frozen=True)
class Installation:
    app_slug: str
    app_id: int
    permissions: Mapping[str, str]
    repository_selection: str  # "all" or "selected"
    # full names, lower case; None when the selection is "all"
    repositories: Fetched[frozenset[str]] | None = None


@dataclass(frozen=True)
class Environment:
    name: str
    # "all" (no policy), "protected" (protected branches) or "custom" (named branches)
    branch_policy: str
    branches: Fetched[frozenset[str]] = frozenset()
    reviewers: int = 0
    secrets: Fetched[frozenset[str]] = frozenset()
    variables: Fetched[frozenset[str]] = frozenset()


@dataclass(frozen=True)
class RequiredCheck:
    context: str
    integration_id: int | None


@dataclass(frozen=True)
class Ruleset:
    name: str
    target: str  # "branch", "tag", "push"
    enforcement: str  # "active", "evaluate", "disabled"
    include: tuple[str, ...]
    exclude: tuple[str, ...]
    bypass: frozenset[tuple[str, int]]  # (actor_type, actor_id)
    rule_types: frozenset[str]
    checks: tuple[RequiredCheck, ...] = ()
    strict: bool = False


@dataclass(frozen=True)
class BranchProtection:
    checks: tuple[RequiredCheck, ...]
    strict: bool


@dataclass(frozen=True)
class Runner:
    name: str
    status: str  # "online" / "offline"
    labels: frozenset[str]  # lower case
    version: str | None


@dataclass(frozen=True)
class RunnerGroup:
    name: str
    visibility: str  # "all", "selected", "private"
    allows_public_repositories: bool
    restricted_to_workflows: bool
    repositories: Fetched[frozenset[str]] | None  # None when visibility is "all"
    runners: Fetched[tuple[Runner, ...]]


@dataclass(frozen=True)
class ActionsPolicy:
    allowed_actions: str  # "all", "local_only", "selected"
    github_owned_allowed: bool = False
    patterns: tuple[str, ...] = ()


@dataclass(frozen=True)
class RepositoryFacts:
    """One repository: the monorepo or a package repository."""

    full_name: str
    exists: bool = True
    private: bool = False
    environments: Fetched[Mapping[str, Environment]] = field(default_factory=dict)
    secrets: Fetched[frozenset[str]] = frozenset()
    variables: Fetched[frozenset[str]] = frozenset()
    rulesets: Fetched[tuple[Ruleset, ...]] = ()
    protection: Fetched[BranchProtection | None] = None
    fork_approval: Fetched[str | None] = None


@dataclass(frozen=True)
class LocalFacts:
    """The checkout's side: base-image digests and profile locks."""

    base_digests: Mapping[str, str]  # entry -> digest ("" when unpinned)
    missing_locks: tuple[str, ...]  # profile lock paths that do not exist


@dataclass(frozen=True)
class SetupFacts:
    monorepo: RepositoryFacts
    packages: tuple[RepositoryFacts, ...]
    installations: Fetched[tuple[Installation, ...]]
    runner_groups: Fetched[tuple[RunnerGroup, ...]]
    actions_policy: Fetched[ActionsPolicy]
    # the GHCR package's linked repository; None when the package does not exist yet
    image_repository: Fetched[str | None]
    local: LocalFacts
