"""Read and rewrite a profile's pins: ``str -> str``, comments and layout kept.

A pin is a dependency of the profile plus its ``[tool.uv.sources]`` entry
``{ git = URL, tag = TAG }``. A package new to the profile is added to
``dependencies`` (in order when the list is sorted) and to the sources, next to
its neighbours and in the file's ``{ key = value }`` style.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import tomlkit
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from tomlkit.items import Array, InlineTable, Table

from release_tool.core import toml_shape
from release_tool.core.versions import show
from release_tool.errors import InputRejected

_SOURCES_HEADER = re.compile(r"^\[tool\.uv\.sources\]\s*(#.*)?$")


@dataclass(frozen=True)
class GitPin:
    url: str
    tag: str


@dataclass(frozen=True)
class ProfilePins:
    dependencies: tuple[str, ...]  # canonical names of the profile's direct dependencies
    pins: Mapping[str, GitPin]  # canonical name -> git source with a tag
    other_sources: Mapping[str, Any]  # canonical name -> any other source (index, rev, ...)


PROFILE_FILE = "the profile pyproject.toml"


def _requirement_name(text: str, file: str = PROFILE_FILE) -> str:
    try:
        return canonicalize_name(Requirement(text).name)
    except InvalidRequirement:
        raise InputRejected(f"{file} has a malformed dependency {show(text)}") from None


def read_pins(text: str, file: str = PROFILE_FILE) -> ProfilePins:
    """The profile's dependencies and git-tag sources, names canonicalized."""
    doc = toml_shape.parse(text, file)
    deps = tuple(_requirement_name(d, file) for d in doc.table("project").texts("dependencies"))
    sources = doc.table("tool").table("uv").table("sources")
    pins: dict[str, GitPin] = {}
    other: dict[str, Any] = {}
    for key, source in sources.name_keys():
        name = canonicalize_name(key)
        if source.is_table() and source.get("git") is not None and source.get("tag") is not None:
            pins[name] = GitPin(source.text("git"), source.text("tag"))
        elif source.is_table() or (
            isinstance(source.value, list) and all(isinstance(x, dict) for x in source.value)
        ):
            other[name] = source.plain()  # uv's other sources: index, path, workspace, ...
        else:
            source.fail("a table or an array of tables (uv's source forms)")
    return ProfilePins(deps, pins, other)


def _sources_table(doc: tomlkit.TOMLDocument) -> Table:
    tool = doc.setdefault("tool", tomlkit.table(is_super_table=True))
    uv = tool.setdefault("uv", tomlkit.table())
    sources = uv.setdefault("sources", tomlkit.table())
    if not isinstance(sources, Table):
        raise InputRejected("[tool.uv.sources] of the profile must be a table")
    return sources


def _add_dependency(doc: tomlkit.TOMLDocument, name: str) -> None:
    project = doc.get("project")
    if project is None:
        raise InputRejected("the profile pyproject.toml has no [project] table")
    deps = project.setdefault("dependencies", tomlkit.array())
    if not isinstance(deps, Array):
        raise InputRejected("project.dependencies of the profile must be an array")
    names = [_requirement_name(str(d)) for d in deps]
    if names == sorted(names):
        position = sum(1 for n in names if n < name)
        deps.insert(position, name)
    else:
        deps.append(name)


def _source_line(key: str, url: str, tag: str) -> str:
    return f"{key} = {{ git = {json_string(url)}, tag = {json_string(tag)} }}"


def json_string(value: str) -> str:
    """A TOML basic string (the same escapes as JSON for what a URL or tag can hold)."""
    return tomlkit.string(value).as_string()


def _insert_sources(text: str, doc_pins: Mapping[str, GitPin], new: Mapping[str, GitPin]) -> str:
    """Insert source lines after their sorted neighbour among the git sources."""
    lines = text.splitlines(keepends=True)
    header = next((i for i, line in enumerate(lines) if _SOURCES_HEADER.match(line)), None)
    if header is None:
        raise InputRejected("the profile has no [tool.uv.sources] table to add a source to")
    end = next(
        (i for i in range(header + 1, len(lines)) if lines[i].startswith("[")),
        len(lines),
    )
    key_line = re.compile(r"^([A-Za-z0-9_.-]+)\s*=")
    positions: dict[str, int] = {}
    for i in range(header + 1, end):
        match = key_line.match(lines[i])
        if match:
            positions[canonicalize_name(match.group(1))] = i
    git_keys = {n: positions[n] for n in doc_pins if n in positions}
    for name in sorted(new):
        pin = new[name]
        before = [i for n, i in git_keys.items() if n < name]
        after = [i for n, i in git_keys.items() if n > name]
        if before:
            at = max(before) + 1
        elif after:
            at = min(after)
        else:
            at = header + 1
        lines.insert(at, _source_line(name, pin.url, pin.tag) + "\n")
        git_keys = {n: i + (i >= at) for n, i in git_keys.items()}
        git_keys[name] = at
    return "".join(lines)


def _add_sources(
    doc: tomlkit.TOMLDocument, existing: Mapping[str, GitPin], added: Mapping[str, GitPin]
) -> str:
    result = tomlkit.dumps(doc)
    if any(_SOURCES_HEADER.match(line) for line in result.splitlines()):
        return _insert_sources(result, existing, added)
    sources = _sources_table(doc)
    for name, pin in added.items():
        sources[name] = tomlkit.parse(_source_line("x", pin.url, pin.tag))["x"]
    return tomlkit.dumps(doc)


def rewrite_pins(text: str, pins: Mapping[str, GitPin]) -> str:
    """Pin each package to ``{ git = url, tag = tag }``; a second run returns its input."""
    current = read_pins(text)
    doc = tomlkit.parse(text)
    sources = _sources_table(doc)
    keys: dict[str, str] = {canonicalize_name(k): k for k in sources}
    added: dict[str, GitPin] = {}
    for name, pin in pins.items():
        if name not in current.dependencies:
            _add_dependency(doc, name)
        if name in current.pins and current.pins[name] == pin:
            continue
        if name in keys:
            source = sources[keys[name]]
            if isinstance(source, InlineTable) and set(source) == {"git", "tag"}:
                source["git"] = pin.url
                source["tag"] = pin.tag
            else:
                replacement = tomlkit.parse(_source_line("x", pin.url, pin.tag))["x"]
                sources[keys[name]] = replacement
        else:
            added[name] = pin
    result = _add_sources(doc, current.pins, added) if added else tomlkit.dumps(doc)
    check = read_pins(result)
    for name, pin in pins.items():
        if check.pins.get(name) != pin or name not in check.dependencies:
            raise AssertionError(f"rewriting the profile did not pin {name} as asked")
    return result
