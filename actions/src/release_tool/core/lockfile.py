"""Read a uv.lock and ``uv export`` output into typed entries; diff package sets.

A *package set* is what ``uv export --frozen [--extra X]`` installs: name ->
version (registry) or URL + commit (git). The lock diff compares such sets per
extra, before and after a promotion.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from urllib.parse import parse_qs

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from release_tool.core import toml_shape
from release_tool.errors import OperationalError

NO_EXTRA = "(no extra)"


@dataclass(frozen=True)
class LockedPackage:
    name: str
    version: str | None
    source_kind: str  # "git", "registry", "editable", "virtual", "path", "directory", "url"
    source: str
    git_url: str | None = None
    git_tag: str | None = None
    git_commit: str | None = None
    dependencies: tuple[str, ...] = ()  # names this entry depends on


@dataclass(frozen=True)
class Lock:
    packages: tuple[LockedPackage, ...]

    def named(self, name: str) -> tuple[LockedPackage, ...]:
        name = canonicalize_name(name)
        return tuple(p for p in self.packages if p.name == name)


def split_git_source(source: str) -> tuple[str, str | None, str | None]:
    """``URL?tag=T#COMMIT`` -> (URL, T, COMMIT)."""
    rest, _, commit = source.partition("#")
    url, _, query = rest.partition("?")
    tags = parse_qs(query).get("tag")
    return url, (tags[0] if tags else None), (commit or None)


def read_lock(text: str, file: str = "uv.lock") -> Lock:
    """The ``[[package]]`` entries of a uv.lock (ShapeError naming the key when malformed)."""
    packages = []
    for entry in toml_shape.parse(text, file).array("package"):
        entry.require_table()
        source = next(iter(entry.table("source").items()), None)
        if source is None:
            kind, value = "unknown", ""
        else:
            kind = toml_shape.Node(source[0], file, f"a key of {entry.path}.source").as_text()
            value = source[1].as_text()
        url = tag = commit = None
        if kind == "git":
            url, tag, commit = split_git_source(value)
        deps = []
        for dep in entry.array("dependencies"):
            dep.require_table()
            deps.append(canonicalize_name(dep.text("name")))
        packages.append(
            LockedPackage(
                canonicalize_name(entry.text("name")),
                entry.optional_text("version"),
                kind,
                value,
                url,
                tag,
                commit,
                tuple(deps),
            )
        )
    return Lock(tuple(packages))


@dataclass(frozen=True)
class ExportedPackage:
    name: str
    version: str | None  # registry packages
    url: str | None = None  # git packages: repository URL
    commit: str | None = None
    tag: str | None = None  # git packages: the tag, taken from the lock

    def describe(self) -> str:
        if self.version is not None:
            return self.version
        return f"{self.tag or 'git'} ({(self.commit or '?')[:10]})"


def attach_tags(packages: Mapping[str, ExportedPackage], lock: Lock) -> dict[str, ExportedPackage]:
    """Git entries of an export with the tag their lock entry records."""
    result = dict(packages)
    for name, package in packages.items():
        if package.commit is None:
            continue
        for entry in lock.named(name):
            if entry.git_commit == package.commit:
                result[name] = replace(package, tag=entry.git_tag)
    return result


def parse_export(text: str) -> dict[str, ExportedPackage]:
    """Package set from ``uv export --no-hashes`` (requirements.txt format)."""
    result: dict[str, ExportedPackage] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", "-")):
            continue
        line = line.removesuffix("\\").strip()
        try:
            req = Requirement(line)
        except InvalidRequirement:
            raise OperationalError(f"cannot read uv export line {line!r}") from None
        name = canonicalize_name(req.name)
        if req.url:
            url = req.url.removeprefix("git+")
            base, at, commit = url.rpartition("@")
            if not at:
                base, commit = url, ""
            result[name] = ExportedPackage(name, None, base, commit or None)
        else:
            pinned = [s.version for s in req.specifier if s.operator in ("==", "===")]
            result[name] = ExportedPackage(name, pinned[0] if pinned else str(req.specifier))
    return result


@dataclass(frozen=True)
class Change:
    name: str
    before: ExportedPackage
    after: ExportedPackage


@dataclass(frozen=True)
class SetDiff:
    label: str  # an extra's name or NO_EXTRA
    added: tuple[ExportedPackage, ...]
    removed: tuple[ExportedPackage, ...]
    changed: tuple[Change, ...]

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)

    def names(self) -> set[str]:
        return {p.name for p in (*self.added, *self.removed)} | {c.name for c in self.changed}


def diff_lock_sets(
    label: str, before: Mapping[str, ExportedPackage], after: Mapping[str, ExportedPackage]
) -> SetDiff:
    """Added, removed and changed (version or commit) packages between two sets."""
    return SetDiff(
        label,
        tuple(after[n] for n in sorted(set(after) - set(before))),
        tuple(before[n] for n in sorted(set(before) - set(after))),
        tuple(
            Change(n, before[n], after[n])
            for n in sorted(set(before) & set(after))
            if before[n] != after[n]
        ),
    )


@dataclass(frozen=True)
class LockDiff:
    sets: tuple[SetDiff, ...]
    initial: bool  # no lock existed before: every set is added whole

    def collateral(self, promoted: Iterable[str]) -> tuple[str, ...]:
        """Packages not promoted whose entry moved in some set (never for a first lock)."""
        if self.initial:
            return ()
        promoted = set(promoted)
        moved: set[str] = set()
        for diff in self.sets:
            moved |= diff.names()
        return tuple(sorted(moved - promoted))


def diff_lock(
    before: Mapping[str, Mapping[str, ExportedPackage]] | None,
    after: Mapping[str, Mapping[str, ExportedPackage]],
) -> LockDiff:
    """Per-set diff; ``before`` is None where no lock existed (the diff is the initial set)."""
    sets = tuple(
        diff_lock_sets(label, (before or {}).get(label, {}), after[label]) for label in after
    )
    return LockDiff(sets, before is None)
