"""The issue that tells a tag's pusher its promotion failed: one per package + tag + env.

Pure: :class:`FailureReport` is built from the command line and renders the
issue; the GitHub adapter finds it again by its hidden-marker key, so a second
failure updates it and a later successful promotion of the tag closes it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from release_tool.core.versions import show
from release_tool.errors import InputRejected

FAILURE_LABEL = "release-failure"
MAX_EXCERPT_CHARS = 20_000
MAX_EXCERPT_LINES = 200
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,99}\Z")
_ENV = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}\Z")


def failure_key(env: str, package: str, tag: str) -> str:
    """The hidden-marker key of the failure issue of ``package`` ``tag`` in ``env``."""
    return f"failure:{env}:{package}@{tag}".lower()


def _fenced(text: str) -> str:
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text.rstrip()}\n{fence}"


def _tail(text: str) -> str:
    lines = text.replace("\r\n", "\n").splitlines()
    cut = len(lines) > MAX_EXCERPT_LINES
    kept = "\n".join(lines[-MAX_EXCERPT_LINES:])
    if len(kept) > MAX_EXCERPT_CHARS:
        kept, cut = kept[-MAX_EXCERPT_CHARS:], True
    return ("… (earlier lines cut)\n" if cut else "") + kept


def _reason_of(excerpt: str) -> str:
    """The tool's own one-sentence error if the log has one, else its last line."""
    lines = [line.strip() for line in excerpt.splitlines() if line.strip()]
    ours = [line for line in lines if line.startswith("release-tool ")]
    return (ours or lines or ["(the log excerpt is empty)"])[-1]


@dataclass(frozen=True)
class FailureReport:
    package: str
    tag: str
    env: str
    run_url: str
    excerpt: str
    reason: str

    @property
    def key(self) -> str:
        return failure_key(self.env, self.package, self.tag)

    @property
    def title(self) -> str:
        return f"Release: {self.package} {self.tag} was not promoted into {self.env}"

    @property
    def labels(self) -> tuple[str, ...]:
        return (FAILURE_LABEL, f"env:{self.env}", f"package:{self.package}")

    def body(self) -> str:
        return "\n".join(
            [
                f"The tag **{self.tag}** of **{self.package}** was not promoted into `{self.env}`.",
                "",
                f"**Reason:** {self.reason}",
                "",
                f"**Run:** {self.run_url}",
                "",
                "<details open><summary>Log excerpt</summary>",
                "",
                _fenced(_tail(self.excerpt)),
                "",
                "</details>",
                "",
                "release-tool updates this issue when the same tag fails again and closes it "
                "once a promotion of the tag succeeds.",
                "",
            ]
        )


def parse_failure(
    *, package: str, tag: str, env: str, run_url: str, excerpt: str, reason: str | None
) -> FailureReport:
    """The report, checked: names as the pipeline spells them, an http(s) run link."""
    if not _NAME.fullmatch(package):
        raise InputRejected(f"--package {show(package)} is not a package name")
    if not _NAME.fullmatch(tag):
        raise InputRejected(f"--tag {show(tag)} is not a tag name")
    if not _ENV.fullmatch(env):
        raise InputRejected(f"--env {show(env)} is not an environment name")
    parts = urlsplit(run_url)
    if (
        parts.scheme not in {"http", "https"}
        or not parts.netloc
        or any(c.isspace() for c in run_url)
    ):
        raise InputRejected(f"--run-url {show(run_url)} is not an http(s) URL")
    text = (reason or _reason_of(excerpt)).strip().replace("\n", " ")
    return FailureReport(package, tag, env, run_url, excerpt, text[:500])
