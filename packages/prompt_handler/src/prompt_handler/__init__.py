"""Load prompt files and render them with named fields.

A prompt is plain text with ``{name}`` placeholders (``{{`` and ``}}`` are literal
braces). Rendering demands exactly the declared fields: a missing one or an
unexpected one is a :class:`PromptError` naming it, never a silent blank.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Prompt", "PromptError", "load_prompt", "render_prompt"]


class PromptError(ValueError):
    """A prompt could not be loaded or rendered; the message says why."""


def _fields_of(text: str, source: str) -> frozenset[str]:
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as exc:
        raise PromptError(f"prompt {source} is malformed: {exc}") from None
    names: set[str] = set()
    for _, field, spec, conversion in parsed:
        if field is None:
            continue
        if not field.isidentifier():
            raise PromptError(
                f"prompt {source} has the field {{{field}}}; fields must be plain names "
                "(write {{ and }} for literal braces)"
            )
        if spec or conversion:
            raise PromptError(f"prompt {source}: field {{{field}}} must not carry a format spec")
        names.add(field)
    return frozenset(names)


@dataclass(frozen=True)
class Prompt:
    """A prompt template and the names of the fields it needs."""

    text: str
    source: str = "<string>"

    @property
    def fields(self) -> frozenset[str]:
        return _fields_of(self.text, self.source)

    def render(self, values: Mapping[str, object] | None = None, /, **fields: object) -> str:
        """Fill every field; missing or unknown fields raise :class:`PromptError`."""
        given = {**(values or {}), **fields}
        needed = self.fields
        missing = sorted(needed - given.keys())
        unknown = sorted(given.keys() - needed)
        if missing:
            raise PromptError(f"prompt {self.source} needs the field(s) {', '.join(missing)}")
        if unknown:
            raise PromptError(
                f"prompt {self.source} has no field(s) {', '.join(unknown)}; "
                f"its fields are: {', '.join(sorted(needed)) or 'none'}"
            )
        return self.text.format_map({name: str(value) for name, value in given.items()})


def load_prompt(path: str | Path) -> Prompt:
    """Read a UTF-8 prompt file; its fields are checked at once."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PromptError(f"prompt file {file} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PromptError(f"prompt file {file} cannot be read: {exc}") from None
    prompt = Prompt(text=text.rstrip("\n"), source=str(file))
    _ = prompt.fields  # validate the template now, not at the first render
    return prompt


def render_prompt(path: str | Path, **fields: object) -> str:
    """Load ``path`` and render it with ``fields`` in one call."""
    return load_prompt(path).render(**fields)
