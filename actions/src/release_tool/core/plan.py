"""What a promotion will do, computed from plain facts: the plan is a value.

The adapters gather facts (the base's profile and lock, each tag's commit from
``git ls-remote`` and the ``pyproject.toml`` at that commit); :func:`plan_promotion`
checks them (sha, version at commit, downgrade, pre-release, internal requirements)
and returns the rewritten profile, the branch and the pins. Nothing here runs a tool.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from release_tool.core import toml_shape
from release_tool.core.config import RELEASE_PREFIX, Config
from release_tool.core.lockfile import Lock
from release_tool.core.payload import Pin
from release_tool.core.profile_state import ProfileState
from release_tool.core.pyproject_edit import GitPin, read_pins, rewrite_pins
from release_tool.core.versions import is_prerelease, parse_tag
from release_tool.errors import InputRejected

PinChange = Literal["new", "upgrade", "downgrade", "repin", "retag", "same"]


@dataclass(frozen=True)
class TagFacts:
    """What the package repository says about a tag: its commit and its pyproject there."""

    package: str
    tag: str
    commit: str  # the peeled commit ls-remote gave
    pyproject: str | None  # pyproject.toml at that commit (None: absent)

    @property
    def where(self) -> str:
        return f"pyproject.toml at {self.package} {self.tag}"


@dataclass(frozen=True)
class PlannedPin:
    package: str
    tag: str
    version: str
    commit: str
    url: str  # git URL
    slug: str  # OWNER/NAME
    previous_tag: str | None
    previous_commit: str | None  # from the base's lock, where one exists
    change: PinChange
    declared_version: str | None


@dataclass(frozen=True)
class PromotionPlan:
    env: str
    profile_dir: str
    base_branch: str
    base_commit: str
    branch: str
    pins: tuple[PlannedPin, ...]
    pyproject_before: str
    pyproject_after: str
    lock_existed: bool
    warnings: tuple[str, ...]
    reason: str | None

    @property
    def packages(self) -> tuple[str, ...]:
        return tuple(p.package for p in self.pins)

    @property
    def noop(self) -> bool:
        """The base already pins and locks every requested tag at its commit."""
        return (
            self.lock_existed
            and self.pyproject_after == self.pyproject_before
            and all(p.change == "same" and p.previous_commit == p.commit for p in self.pins)
        )

    @property
    def rollback(self) -> bool:
        return any(p.change in ("downgrade", "repin") for p in self.pins)


def branch_name(
    env: str, pins: Sequence[tuple[str, str, str]], prefix: str = RELEASE_PREFIX
) -> str:
    """``release/<env>/<package>``, or ``release/<env>/batch-<hash>`` of the sorted pins
    (``release/``: the configured prefix)."""
    if len(pins) == 1:
        return f"{prefix}{env}/{pins[0][0]}"
    text = "\n".join(f"{name}={tag}@{commit}" for name, tag, commit in sorted(pins))
    return f"{prefix}{env}/batch-{hashlib.sha256(text.encode()).hexdigest()[:10]}"


def declared(
    pyproject: str | None, file: str = "the package's pyproject.toml"
) -> tuple[str | None, tuple[str, ...]]:
    """The ``version`` and ``dependencies`` a package's pyproject declares.

    Text that is not TOML declares nothing (the version check then refuses a managed
    tag); TOML of the wrong shape is a ShapeError naming ``file`` and the key.
    """
    if pyproject is None:
        return None, ()
    try:
        doc = toml_shape.parse(pyproject, file)
    except toml_shape.ShapeError:
        return None, ()
    project = doc.table("project")
    return project.optional_text("version"), project.texts("dependencies")


def _version_warning(pin: Pin, facts: TagFacts, config: Config) -> str | None:
    version = parse_tag(pin.tag)
    declared_version, _ = declared(facts.pyproject, facts.where)
    try:
        agrees = declared_version is not None and Version(declared_version) == version
    except ValueError:  # InvalidVersion, or an integer past 4300 digits
        agrees = False
    if agrees:
        return None
    what = f"declares version {declared_version}" if declared_version else "declares no version"
    since = config.packages[pin.package].managed_since
    if version < since:
        return (
            f"{pin.package} {pin.tag}: pyproject.toml at {facts.commit[:10]} {what}; tags "
            f"before managed-since {since} are exempt from the version check"
        )
    raise InputRejected(
        f"{pin.package} tag {pin.tag} points at commit {facts.commit[:10]} whose "
        f"pyproject.toml {what}, not {version}; tag the commit that carries the version"
    )


def _classify(
    version: Version, tag: str, commit: str, prev_tag: str | None, prev_commit: str | None
) -> PinChange:
    if prev_tag is None:
        return "new"
    try:
        prev = parse_tag(prev_tag)
    except InputRejected:
        return "upgrade"
    if version > prev:
        return "upgrade"
    if version < prev:
        return "downgrade"
    if prev_commit is not None and prev_commit != commit:
        return "repin"
    return "same" if prev_tag == tag else "retag"


def _check_requirements(
    env: str,
    versions: Mapping[str, Version],
    requirements: Mapping[str, Sequence[str]],
    promoted: set[str],
    internal: set[str],
) -> None:
    unmet: list[tuple[str, Requirement, str]] = []
    for owner, reqs in requirements.items():
        if owner not in versions:
            continue
        for text in reqs:
            try:
                req = Requirement(text)
            except InvalidRequirement:
                continue
            target = canonicalize_name(req.name)
            if target not in internal or (owner not in promoted and target not in promoted):
                continue
            if req.marker is not None and "extra" in str(req.marker):
                continue
            have = versions.get(target)
            if have is None or not req.specifier.contains(have, prereleases=True):
                shown = f"{target} {have}" if have else f"no {target}"
                unmet.append((owner, req, shown))
    if unmet:
        owner, req, shown = unmet[0]
        together = sorted({owner, canonicalize_name(req.name)})
        raise InputRejected(
            f"{owner} {versions[owner]} requires {req} but {env} would pin {shown}; "
            f"promote {' and '.join(together)} together (one --pin NAME=TAG each)"
        )


@dataclass(frozen=True)
class PromotionRequest:
    profile: str  # the profile promoted into
    pins: tuple[Pin, ...]
    allow_downgrade: bool = False
    allow_prerelease: bool = False
    dry_run: bool = False
    reason: str | None = None
    # A direct promotion's pins are checked against the profile that normally tests
    # them; the PR body warns about those it does not pin and lock alike.
    tested_in: ProfileState | None = None


def plan_promotion(
    config: Config,
    request: PromotionRequest,
    *,
    facts: Mapping[str, TagFacts],
    base_commit: str,
    pyproject_before: str,
    lock_before: Lock | None,
    requirements: Mapping[str, Sequence[str]],
) -> PromotionPlan:
    """Check ``request`` (its tags spelled as their repositories spell them) against the
    facts and compute the promotion.

    ``requirements`` holds the declared dependencies of the profile's other internal
    packages at their pinned tags (those the promotion could leave unmet).
    """
    env = request.profile
    profile = config.profile(env)
    current = read_pins(pyproject_before)
    planned: list[PlannedPin] = []
    warnings: list[str] = []
    for pin in sorted(request.pins, key=lambda p: p.package):
        cfg = config.package(pin.package)
        fact = facts[pin.package]
        version = parse_tag(pin.tag)
        if pin.sha is not None and pin.sha != fact.commit:
            raise InputRejected(
                f"{pin.package} tag {pin.tag} points at {fact.commit}, not at the given sha "
                f"{pin.sha} (the tag moved?)"
            )
        warning = _version_warning(pin, fact, config)
        if warning:
            warnings.append(warning)
        if is_prerelease(version) and not (profile.allow_prerelease or request.allow_prerelease):
            raise InputRejected(
                f"{pin.package} {pin.tag} is a pre-release; {env} takes it only with "
                "--allow-prerelease"
            )
        previous = current.pins.get(pin.package)
        prev_tag = previous.tag if previous else None
        prev_commit = None
        if lock_before is not None and prev_tag is not None:
            locked = [e for e in lock_before.named(pin.package) if e.git_tag == prev_tag]
            prev_commit = locked[0].git_commit if locked else None
        change = _classify(version, pin.tag, fact.commit, prev_tag, prev_commit)
        if change in ("downgrade", "repin") and not request.allow_downgrade:
            what = "a downgrade" if change == "downgrade" else "the same version at another commit"
            raise InputRejected(
                f"{pin.package} {prev_tag} -> {pin.tag} is {what} in {env}; "
                "pass --allow-downgrade to roll back on purpose"
            )
        planned.append(
            PlannedPin(
                pin.package,
                pin.tag,
                str(version),
                fact.commit,
                cfg.url,
                cfg.slug,
                prev_tag,
                prev_commit,
                change,
                declared(fact.pyproject, fact.where)[0],
            )
        )
    promoted = {p.package for p in planned}
    after_tags = {
        **{n: p.tag for n, p in current.pins.items()},
        **{p.package: p.tag for p in planned},
    }
    versions: dict[str, Version] = {}
    for name, tag in after_tags.items():
        try:
            versions[name] = parse_tag(tag)
        except InputRejected:
            continue
    tagged = {n: declared(f.pyproject, f.where)[1] for n, f in facts.items()}
    all_requirements = {**requirements, **tagged}
    _check_requirements(env, versions, all_requirements, promoted, set(config.packages))
    after = rewrite_pins(pyproject_before, {p.package: GitPin(p.url, p.tag) for p in planned})
    return PromotionPlan(
        env=env,
        profile_dir=profile.directory,
        base_branch=config.default_branch,
        base_commit=base_commit,
        branch=branch_name(
            env, [(p.package, p.tag, p.commit) for p in planned], config.release_prefix
        ),
        pins=tuple(planned),
        pyproject_before=pyproject_before,
        pyproject_after=after,
        lock_existed=lock_before is not None,
        warnings=tuple(warnings),
        reason=request.reason,
    )
