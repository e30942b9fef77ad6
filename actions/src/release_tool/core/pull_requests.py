"""What the tool asks of GitHub and what it reports back, as plain records.

Pure: ``promote`` builds a :class:`PullRequestSpec`; the GitHub adapter turns it
into requests and answers with a :class:`PrOutcome`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from release_tool.core.skip_markers import neutralise

Operation = Literal["created", "updated", "unchanged", "closed"]

RELEASE_LABEL = "release"
# Colours of the labels the tool creates when a repository lacks them.
_LABEL_COLOURS = {"release": "0e8a16", "env:": "1d76db", "package:": "5319e7"}
DEFAULT_LABEL_COLOUR = "ededed"
_MARKER_KEY = re.compile(r"^[a-z0-9][a-z0-9:._/@+-]{0,120}\Z")


@dataclass(frozen=True)
class PullRequestSpec:
    """The pull request a release branch should have (keyed by ``branch``)."""

    branch: str
    base: str
    title: str
    body: str
    labels: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.branch or self.branch == self.base:
            raise ValueError(f"a release branch must differ from the base, got {self.branch!r}")
        if not self.title.strip():
            raise ValueError("a pull request needs a title")
        # Title and body may end up in the merge commit on main: no CI skip marker.
        object.__setattr__(self, "title", neutralise(self.title))
        object.__setattr__(self, "body", neutralise(self.body))


@dataclass(frozen=True)
class PrOutcome:
    """What happened to the release pull request, for --json, step outputs and summaries."""

    operation: Operation
    number: int | None = None
    url: str | None = None
    branch: str | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "operation": self.operation,
            "number": self.number,
            "url": self.url,
            "branch": self.branch,
        }

    def as_outputs(self) -> dict[str, str]:
        """Step outputs (``operation``, ``pr-number``, ``pr-url``); absent values are empty."""
        return {
            "operation": self.operation,
            "pr-number": "" if self.number is None else str(self.number),
            "pr-url": self.url or "",
        }

    def summary_line(self) -> str:
        """One Markdown line for the job summary."""
        if self.number is None:
            target = f"`{self.branch}`" if self.branch else "no pull request"
            return f"Release pull request: **{self.operation}** ({target})"
        return f"Release pull request [#{self.number}]({self.url}): **{self.operation}**"


def release_labels(env: str, packages: Iterable[str]) -> tuple[str, ...]:
    """``release``, ``env:<env>`` and one ``package:<name>`` per package, each once, in order."""
    labels = [RELEASE_LABEL, f"env:{env}", *(f"package:{name}" for name in packages)]
    return tuple(dict.fromkeys(labels))


def label_colour(name: str) -> str:
    """The colour (6 hex digits) the tool gives a label it creates."""
    for prefix, colour in _LABEL_COLOURS.items():
        if name == prefix or (prefix.endswith(":") and name.startswith(prefix)):
            return colour
    return DEFAULT_LABEL_COLOUR


def label_description(name: str) -> str:
    """The description the tool gives a label it creates."""
    if name == RELEASE_LABEL:
        return "A release promotion opened by release-tool"
    kind, _, value = name.partition(":")
    if kind == "env" and value:
        return f"Promotes into the {value} profile"
    if kind == "package" and value:
        return f"Promotes a new tag of {value}"
    return "Set by release-tool"


def hidden_marker(key: str) -> str:
    """The HTML comment by which the tool finds its own comment or issue again."""
    if not _MARKER_KEY.fullmatch(key):
        raise ValueError(f"a marker key is lowercase letters, digits and :._/@+-, got {key!r}")
    return f"<!-- release-tool:{key} -->"


def with_marker(key: str, body: str) -> str:
    """``body`` carrying the hidden marker on its first line."""
    return f"{hidden_marker(key)}\n{body}"


def distrust_reason(
    author: str, head_repository: str, *, repository: str, bot_login: str
) -> str | None:
    """Why a release PR must not be trusted (None: trust it).

    ``refresh`` re-pushes a PR's pins as the bot: only a PR the bot itself opened, from
    a branch of this repository, may say what to push. A fork can name its branch
    ``release/prod/<pkg>`` and a person can write any pins block.
    """
    if head_repository.lower() != repository.lower():
        return f"its head is in {head_repository or 'a deleted repository'}, not {repository}"
    if author != bot_login:
        return f"it was opened by {author or 'an unknown account'}, not the bot {bot_login}"
    return None
