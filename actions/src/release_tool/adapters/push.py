"""Push (and delete) one release branch on the checkout's ``origin``, never anything else.

Every update is a lease: ``--force-with-lease=refs/heads/<branch>:<expected>``
where ``expected`` is the commit the tool itself last wrote or saw (empty: the
branch must not exist yet), so a concurrent change is never overwritten.

The token reaches git only through the environment (``GIT_CONFIG_COUNT`` /
``GIT_CONFIG_KEY_n`` / ``GIT_CONFIG_VALUE_n`` setting ``http.<server>/.extraheader``,
as actions/checkout does), never in argv, a remote URL or ``.git/config``:
the workflows check out with ``persist-credentials: false``. It is added only to
the calls that talk to ``origin`` (ls-remote, fetch, push: :data:`NETWORK`); every
other git call gets the scrubbed environment of the one subprocess helper.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from release_tool.adapters.git import git_result
from release_tool.adapters.process import STDERR, Echo, Result, redact
from release_tool.core.config import RELEASE_PREFIX
from release_tool.core.github_context import DEFAULT_SERVER_URL, Secret
from release_tool.errors import InputRejected, OperationalError

_SHA = re.compile(r"^[0-9a-f]{40}([0-9a-f]{24})?\Z")
_BRANCH = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/@+-]*\Z")


# The git subcommands that talk to a remote: the only ones given the token.
NETWORK = frozenset({"ls-remote", "fetch", "push", "clone"})


def credential_config(
    token: Secret | None, server_url: str = DEFAULT_SERVER_URL
) -> tuple[tuple[str, str], ...]:
    """The git config entry sending ``token`` as an HTTP header to ``server_url``
    (none without a token: a local origin), for ``process.run``'s ``git_config``."""
    if token is None:
        return ()
    basic = base64.b64encode(f"x-access-token:{token.reveal()}".encode()).decode()
    return ((f"http.{server_url.rstrip('/')}/.extraheader", f"AUTHORIZATION: basic {basic}"),)


def token_forms(token: Secret | None) -> tuple[str, ...]:
    """Every form in which the token could show up in git's output, for redaction."""
    if token is None:
        return ()
    raw = token.reveal()
    return (raw, base64.b64encode(f"x-access-token:{raw}".encode()).decode())


@dataclass(frozen=True)
class Origin:
    """The ``origin`` remote of a checkout, and what the tool may push to it."""

    checkout: Path
    env: Mapping[str, str] = field(repr=False)
    token: Secret | None = field(default=None, repr=False)
    server_url: str = DEFAULT_SERVER_URL
    base_branch: str = "main"
    branch_prefix: str = RELEASE_PREFIX
    echo: Echo = field(default=STDERR, repr=False, compare=False)

    def git(self, *args: str, what: str, check: bool = True) -> Result:
        """``git ARGS`` in the checkout; only a :data:`NETWORK` call carries the token."""
        remote = bool(args) and args[0] in NETWORK
        return git_result(
            *args,
            cwd=self.checkout,
            env=self.env,
            what=what,
            check=check,
            secrets=token_forms(self.token),
            echo=self.echo,
            git_config=credential_config(self.token, self.server_url) if remote else (),
        )

    def check_branch(self, branch: str) -> str:
        """Refuse anything but a release branch: never the base, never another ref."""
        if branch == self.base_branch or not branch.startswith(self.branch_prefix):
            raise InputRejected(
                f"refusing to push {branch!r}: only release branches "
                f"({self.branch_prefix}…) are pushed, never the base branch {self.base_branch!r}"
            )
        if not _BRANCH.fullmatch(branch) or ".." in branch or branch.endswith((".lock", "/")):
            raise InputRejected(f"refusing to push {branch!r}: not a valid branch name")
        return branch


@dataclass(frozen=True)
class PushResult:
    branch: str
    old: str | None
    new: str

    @property
    def changed(self) -> bool:
        return self.old != self.new


def _check_sha(value: str | None, what: str) -> str:
    if value is None:
        return ""
    if not _SHA.fullmatch(value):
        raise InputRejected(f"{what} must be a full lowercase commit hash, got {value!r}")
    return value


def read_remote_branch(origin: Origin, branch: str) -> str | None:
    """The commit ``branch`` points at on ``origin``, or None when it does not exist."""
    origin.check_branch(branch)
    ref = f"refs/heads/{branch}"
    out = origin.git("ls-remote", "--", "origin", ref, what=f"reading {ref} from origin")
    for line in out.stdout.splitlines():
        sha, _, name = line.partition("\t")
        if name == ref:
            return sha
    return None


def _lease_failed(result: Result) -> bool:
    text = f"{result.stdout}\n{result.stderr}"
    # The last three: another push updated the ref between git's check and the update.
    races = ("reference already exists", "but expected", "failed to update ref")
    return "stale info" in text or "[rejected]" in text or any(r in text for r in races)


def _concurrent(branch: str, expected: str) -> OperationalError:
    seen = f"at {expected[:12]}" if expected else "absent"
    return OperationalError(
        f"the branch {branch} on origin changed concurrently (the tool last saw it {seen}); "
        "nothing was overwritten: re-run the command to start from its new state"
    )


def _push_with_lease(origin: Origin, branch: str, source: str, lease: str, what: str) -> None:
    """Push ``source`` (a commit, or empty: delete) to ``branch`` if it is still at ``lease``."""
    ref = f"refs/heads/{branch}"
    result = origin.git(
        "push",
        "--porcelain",
        "--no-verify",
        f"--force-with-lease={ref}:{lease}",
        "origin",
        f"{source}:{ref}",
        what=what,
        check=False,
    )
    if result.returncode:
        if _lease_failed(result):
            raise _concurrent(branch, lease)
        detail = redact(result.stderr.strip() or result.stdout.strip(), token_forms(origin.token))
        raise OperationalError(f"{what} failed: {detail or 'no output'}")


def push_branch(origin: Origin, branch: str, commit: str, expected: str | None) -> PushResult:
    """Point ``origin``'s ``branch`` at ``commit`` if it still is at ``expected`` (None: absent)."""
    origin.check_branch(branch)
    commit = _check_sha(commit, "the commit to push")
    lease = _check_sha(expected, "the expected remote commit")
    if commit == lease:
        return PushResult(branch, expected, commit)
    _push_with_lease(origin, branch, commit, lease, f"git push of {branch} to origin")
    return PushResult(branch, expected, commit)


def delete_remote_branch(origin: Origin, branch: str, expected: str | None) -> bool:
    """Delete ``branch`` on ``origin`` if it is still at ``expected``; False if already absent."""
    origin.check_branch(branch)
    lease = _check_sha(expected, "the expected remote commit")
    if not lease:
        return False
    _push_with_lease(origin, branch, "", lease, f"deleting {branch} on origin")
    return True
