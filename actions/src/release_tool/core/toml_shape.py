"""One typed reading layer for the TOML files the tool reads but does not own.

A profile's ``pyproject.toml``, its ``uv.lock`` and the ``pyproject.toml`` at a
package tag are valid TOML of any shape as far as the parser cares. :class:`Node`
walks them by key and says, when the shape is wrong, which file, which key path
and what was expected, as one sentence (:class:`ShapeError`, exit 2). Pure: text
in, values out; reading the file (exit 1 when it cannot be read) is the caller's.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, NoReturn

from release_tool.core.versions import show
from release_tool.errors import InputRejected

# C0 and C1 controls and DEL: no name, version, URL, tag or requirement holds one
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
# a distribution name as PEP 508 spells it
NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?")


class ShapeError(InputRejected):
    """Valid TOML of the wrong shape, or not TOML at all (exit 2: fix the file)."""


def parse(text: str, file: str) -> Node:
    """The document ``text`` of ``file``, ready to be read by key."""
    try:
        return Node(tomllib.loads(text), file, "")
    except tomllib.TOMLDecodeError as exc:
        raise ShapeError(f"{file} is not valid TOML ({exc})") from None
    except ValueError:  # an integer past Python's 4300-digit conversion limit
        raise ShapeError(f"{file} holds an integer too long to read") from None


@dataclass(frozen=True)
class Node:
    """A value at ``path`` (dotted keys, ``[i]`` for array items) in ``file``."""

    value: Any
    file: str
    path: str

    def _child(self, key: str) -> str:
        shown = key if BARE_KEY.fullmatch(key) else show(key)  # a key as TOML writes it
        return f"{self.path}.{shown}" if self.path else shown

    def fail(self, expected: str) -> NoReturn:
        where = self.path or "the document"
        raise ShapeError(f"{self.file}: {where} must be {expected}, not {show(self.value)}")

    def is_table(self) -> bool:
        return isinstance(self.value, dict)

    def require_table(self) -> dict[str, Any]:
        if not isinstance(self.value, dict):
            self.fail("a table")
        return self.value

    def get(self, key: str) -> Node | None:
        """The value at ``key`` of this table (None: absent)."""
        table = self.require_table()
        return Node(table[key], self.file, self._child(key)) if key in table else None

    def table(self, key: str) -> Node:
        """The table at ``key``; an absent key reads as an empty table."""
        found = self.get(key)
        if found is None:
            return Node({}, self.file, self._child(key))
        found.require_table()
        return found

    def items(self) -> Iterator[tuple[str, Node]]:
        for key, value in self.require_table().items():
            yield key, Node(value, self.file, self._child(key))

    def name_keys(self) -> Iterator[tuple[str, Node]]:
        """The items of a table keyed by distribution names (refused when a key is not one)."""
        for key, value in self.items():
            if not NAME.fullmatch(key):
                raise ShapeError(f"{self.file}: {value.path} is not keyed by a package name")
            yield key, value

    def array(self, key: str) -> tuple[Node, ...]:
        """The items of the array at ``key`` (absent: none)."""
        found = self.get(key)
        if found is None:
            return ()
        if not isinstance(found.value, list):
            found.fail("an array")
        return tuple(
            Node(item, self.file, f"{found.path}[{i}]") for i, item in enumerate(found.value)
        )

    def as_text(self) -> str:
        """This value as a string with no control character."""
        if not isinstance(self.value, str):
            self.fail("a string")
        if CONTROL.search(self.value):
            self.fail("a string without control characters")
        return self.value

    def text(self, key: str) -> str:
        """The string at ``key``, which must be present."""
        found = self.get(key)
        if found is None:
            raise ShapeError(f"{self.file}: {self._child(key)} is missing")
        return found.as_text()

    def optional_text(self, key: str) -> str | None:
        found = self.get(key)
        return None if found is None else found.as_text()

    def plain(self) -> Any:
        """This value as plain data, every key and string in it free of control characters."""
        if isinstance(self.value, str):
            return self.as_text()
        if isinstance(self.value, dict):
            for key, item in self.items():
                Node(key, self.file, f"a key of {self.path}").as_text()
                item.plain()
        elif isinstance(self.value, list):
            for i, item in enumerate(self.value):
                Node(item, self.file, f"{self.path}[{i}]").plain()
        return self.value

    def texts(self, key: str) -> tuple[str, ...]:
        """The array of strings at ``key`` (absent: empty)."""
        return tuple(item.as_text() for item in self.array(key))
