"""The one subprocess helper: echoes the command, keeps its output on failure.

Secrets never reach the echo or an error message: every value given in
``secrets`` is masked. No credential reaches a child either: every command gets
the environment :func:`child_env` builds, which drops the tokens
(``RELEASE_TOOL_TOKEN``, ``GH_TOKEN``, ``GITHUB_TOKEN``), the runner's own
``ACTIONS_*`` tokens and every ``GIT_CONFIG_KEY_n``/``GIT_CONFIG_VALUE_n`` pair that
carries a credential. ``uv lock`` runs the build backend of a promoted tag, and that
code must not be able to read a write token. The few calls that do talk to GitHub
with the token (a push, an authenticated ls-remote or fetch) pass it explicitly as
``git_config`` entries, appended after the scrub.
"""

from __future__ import annotations

import contextlib
import enum
import os
import re
import shlex
import signal
import subprocess
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO, TypeAlias, TypedDict

from release_tool.errors import OperationalError

MASK = "***"
STOP_GRACE_SECONDS = 10.0  # how long a signalled child may take to exit before it is killed

# Variables never handed to a child process.
SECRET_NAMES = frozenset({"RELEASE_TOOL_TOKEN", "GH_TOKEN", "GITHUB_TOKEN"})
SECRET_PREFIXES = ("ACTIONS_",)  # ACTIONS_RUNTIME_TOKEN, ACTIONS_ID_TOKEN_REQUEST_TOKEN, ...
_GIT_PAIR = re.compile(r"^GIT_CONFIG_(KEY|VALUE)_([0-9]+)$")
_USERINFO = re.compile(r"://[^/@\s]+@")  # https://user:secret@host


def carries_credential(key: str, value: str) -> bool:
    """Whether a git config entry sets a credential: an extra HTTP header, anything of
    the ``credential`` section, or a URL with user information in key or value."""
    name = key.strip().lower()
    section = name.split(".", 1)[0]
    return (
        name.endswith(".extraheader")
        or section == "credential"
        or bool(_USERINFO.search(key) or _USERINFO.search(value))
    )


def child_env(env: Mapping[str, str], git_config: Sequence[tuple[str, str]] = ()) -> dict[str, str]:
    """``env`` as a child process may see it, plus the ``git_config`` entries given.

    Drops :data:`SECRET_NAMES`, ``ACTIONS_*`` and every credential-setting
    ``GIT_CONFIG_KEY_n``/``GIT_CONFIG_VALUE_n`` pair, renumbering the other pairs so
    git still reads them; keeps everything else (PATH, HOME, proxies, ``SSL_CERT_*``,
    ``UV_*``, ``GIT_CONFIG_GLOBAL``, ``GIT_ALLOW_PROTOCOL``, ...).
    """
    out = {
        name: value
        for name, value in env.items()
        if name not in SECRET_NAMES
        and not name.startswith(SECRET_PREFIXES)
        and name != "GIT_CONFIG_COUNT"
        and not _GIT_PAIR.match(name)
    }
    count = env.get("GIT_CONFIG_COUNT", "").strip()
    pairs = [
        (env.get(f"GIT_CONFIG_KEY_{i}", ""), env.get(f"GIT_CONFIG_VALUE_{i}", ""))
        for i in range(int(count) if count.isdigit() else 0)
    ]
    kept = [(k, v) for k, v in pairs if not carries_credential(k, v)] + list(git_config)
    for i, (key, value) in enumerate(kept):
        out[f"GIT_CONFIG_KEY_{i}"] = key
        out[f"GIT_CONFIG_VALUE_{i}"] = value
    if kept:
        out["GIT_CONFIG_COUNT"] = str(len(kept))
    return out


def redact(text: str, secrets: Iterable[str]) -> str:
    """Replace every non-empty secret in ``text`` with ``***``."""
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        text = text.replace(secret, MASK)
    return text


class _Stderr(enum.Enum):
    CURRENT = "the process's stderr at call time"


# The echo default everywhere: sys.stderr looked up per call, since a stream bound as a
# default at import outlives a redirect (pytest's capture, contextlib.redirect_stderr).
STDERR = _Stderr.CURRENT
Echo: TypeAlias = TextIO | _Stderr | None


class CommandFailed(OperationalError):
    """A command exited non-zero; ``detail`` is its own (redacted) message."""

    def __init__(self, what: str, returncode: int, detail: str) -> None:
        super().__init__(f"{what} failed (exit {returncode}): {detail or 'no output'}")
        self.returncode = returncode
        self.detail = detail


@dataclass(frozen=True)
class Result:
    argv: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str


class RunOptions(TypedDict, total=False):
    """:func:`run`'s options that wrappers (``git_result``) pass on unchanged."""

    what: str | None
    check: bool
    secrets: Iterable[str]
    input_text: str | None
    git_config: Sequence[tuple[str, str]]


def run(
    argv: Sequence[str],
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    what: str | None = None,
    check: bool = True,
    secrets: Iterable[str] = (),
    echo: Echo = STDERR,
    input_text: str | None = None,
    git_config: Sequence[tuple[str, str]] = (),
) -> Result:
    """Run ``argv`` (never through a shell) in :func:`child_env` of ``env`` (None: this
    process's environment) plus ``git_config``; on failure raise OperationalError
    naming ``what``."""
    secrets = tuple(secrets)
    shown = redact(shlex.join(argv), secrets)
    if echo is STDERR:
        echo = sys.stderr
    if echo is not None:
        print(f"$ {shown}", file=echo)
    try:
        child = subprocess.Popen(
            list(argv),
            cwd=cwd,
            env=child_env(os.environ if env is None else env, git_config),
            stdin=subprocess.PIPE if input_text is not None else None,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
    except FileNotFoundError:
        raise OperationalError(f"{argv[0]} is not installed or not on PATH") from None
    with child:
        try:
            stdout, stderr = child.communicate(input_text)
        except BaseException:  # SIGTERM (signals.Terminated), Ctrl-C: stop the child first
            stop(child)
            raise
    result = Result(tuple(argv), child.returncode, stdout, stderr)
    if check and child.returncode:
        detail = redact((stderr.strip() or stdout.strip()), secrets)
        raise CommandFailed(what or shown, child.returncode, detail)
    return result


def stop(child: subprocess.Popen[str], grace: float = STOP_GRACE_SECONDS) -> None:
    """Forward SIGTERM to ``child`` and wait for it, at most ``grace`` seconds, then kill it.

    SIGTERM reaches only the tool's process; git and uv clean up their own lock and
    temporary files when they get it too.
    """
    if child.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        child.send_signal(signal.SIGTERM)
    try:
        child.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            child.kill()
        child.wait()
