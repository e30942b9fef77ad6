"""GitHub's REST API description as the fake server's contract: which operation a route serves.

The fixture ``tests/fixtures/github-openapi.json`` is an extract of the ``@octokit/openapi``
description (written by ``scripts/vendor_github_api``). This module, stdlib only so the
script can use it before anything is installed, maps each route of the fake server
(a method and a regular expression over the path) to the description's operation (a
method and a path template such as ``/repos/{owner}/{repo}/issues/{issue_number}``).

The match is made by generating one concrete path from the route's regular expression
and finding the path templates that accept it; the most specific template (most literal
characters) wins, and a tie is an error rather than a guess.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

# Private but stable since 3.11 (formerly ``sre_parse``): the parsed form of a regex.
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "github-openapi.json"
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_PARAM = re.compile(r"\{([^}]+)\}")


@dataclass(frozen=True)
class Operation:
    method: str  # lower case, as in the description
    template: str  # e.g. /repos/{owner}/{repo}/pulls/{pull_number}
    operation_id: str


class RouteError(Exception):
    """A route of the fake that no operation, or more than one, of the description serves."""


def sample_path(pattern: re.Pattern[str]) -> str:
    """One string the route's regular expression accepts (checked)."""
    text = _sample(sre_parse.parse(pattern.pattern, pattern.flags))
    if not pattern.fullmatch(text):
        raise RouteError(f"cannot build a sample path for route {pattern.pattern!r}")
    return text


def _sample(items: Iterable[tuple[Any, Any]]) -> str:
    return "".join(_sample_item(op, arg) for op, arg in items)


def _sample_item(op: Any, arg: Any) -> str:  # noqa: PLR0911 - one branch per regex node
    if op is sre.LITERAL:
        return chr(arg)
    if op in {sre.NOT_LITERAL, sre.ANY}:
        return "a" if arg != ord("a") else "b"
    if op is sre.IN:
        return _sample_class(arg)
    if op in {sre.MAX_REPEAT, sre.MIN_REPEAT, getattr(sre, "POSSESSIVE_REPEAT", None)}:
        low, _high, body = arg
        return _sample(body) * max(low, 1)
    if op is sre.SUBPATTERN:
        return _sample(arg[-1])
    if op is sre.BRANCH:
        return _sample(arg[1][0])
    if op is sre.AT:
        return ""
    raise RouteError(f"unsupported regular expression element {op} in a route")


def _sample_class(members: list[tuple[Any, Any]]) -> str:
    negate = bool(members) and members[0][0] is sre.NEGATE
    for char in "1a-_.":
        inside = any(_in_member(op, arg, char) for op, arg in members)
        if inside != negate:
            return char
    raise RouteError("cannot pick a character for a route's character class")


def _in_member(op: Any, arg: Any, char: str) -> bool:
    if op is sre.LITERAL:
        return ord(char) == arg
    if op is sre.RANGE:
        return bool(arg[0] <= ord(char) <= arg[1])
    if op is sre.CATEGORY:
        return {
            sre.CATEGORY_DIGIT: char.isdigit(),
            sre.CATEGORY_NOT_DIGIT: not char.isdigit(),
            sre.CATEGORY_WORD: char.isalnum() or char == "_",
            sre.CATEGORY_NOT_WORD: not (char.isalnum() or char == "_"),
        }.get(arg, False)
    return False


def template_regex(template: str, multi_segment: Iterable[str] = ()) -> re.Pattern[str]:
    """The path template as a regex with one group per parameter, in template order.

    A parameter marked ``x-multi-segment`` in the description (a git ref, a file path)
    may span slashes; any other stops at the next one.
    """
    wide = set(multi_segment)
    out, last = [], 0
    for m in _PARAM.finditer(template):
        out.append(re.escape(template[last : m.start()]))
        out.append("(.+)" if m[1] in wide else "([^/]+)")
        last = m.end()
    out.append(re.escape(template[last:]))
    return re.compile("".join(out))


def resolve(doc: Mapping[str, Any], node: Any) -> Any:
    """Follow ``$ref`` (local JSON pointers) until a concrete node."""
    while isinstance(node, dict) and "$ref" in node:
        target: Any = doc
        for part in str(node["$ref"]).removeprefix("#/").split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def path_values(template: str, match: re.Match[str]) -> dict[str, str]:
    """The path parameters a match of :func:`template_regex` found, by name."""
    return dict(zip(_PARAM.findall(template), match.groups(), strict=True))


def parameters(doc: Mapping[str, Any], template: str, method: str) -> list[dict[str, Any]]:
    """The operation's parameters (path-level ones too), references resolved."""
    item = doc["paths"][template]
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for raw in [*item.get("parameters", []), *item[method].get("parameters", [])]:
        param = resolve(doc, raw)
        found[(param["in"], param["name"])] = param
    return list(found.values())


def template_pattern(doc: Mapping[str, Any], template: str, method: str) -> re.Pattern[str]:
    wide = [p["name"] for p in parameters(doc, template, method) if p.get("x-multi-segment")]
    return template_regex(template, wide)


def operation_for(doc: Mapping[str, Any], method: str, pattern: re.Pattern[str]) -> Operation:
    """The one operation of ``doc`` that serves the fake's route ``method pattern``."""
    verb = method.lower()
    sample = sample_path(pattern)
    candidates = [
        template
        for template, item in doc["paths"].items()
        if verb in item and template_pattern(doc, template, verb).fullmatch(sample)
    ]
    if not candidates:
        source = doc.get("x-source", "GitHub's API description")
        raise RouteError(
            f"the fake serves {method} {pattern.pattern} (e.g. {sample}), which no operation "
            f"of {source} serves: rerun scripts/vendor_github_api, or fix the route if "
            "GitHub does not document it"
        )
    literal = {t: len(_PARAM.sub("", t)) for t in candidates}
    best = max(literal.values())
    winners = [t for t in candidates if literal[t] == best]
    if len(winners) > 1:
        raise RouteError(f"{method} {sample} matches several operations: {sorted(winners)}")
    template = winners[0]
    return Operation(verb, template, str(doc["paths"][template][verb]["operationId"]))


def routes_operations(
    doc: Mapping[str, Any], routes: Iterable[tuple[str, re.Pattern[str], Any]]
) -> list[Operation]:
    """The operation of every route, in route order (one per route)."""
    return [operation_for(doc, method, pattern) for method, pattern, _ in routes]


@cache
def load_fixture(path: Path = FIXTURE) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data
