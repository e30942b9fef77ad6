"""The release tool's GitHub side in a sandbox: context, fast retry policy, bare origin.

Builds on :mod:`tests.support.fake_github` (the fake REST server) and
:mod:`tests.support.sandbox` (clean environments, git).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from release_tool.adapters.github_retry import RetryPolicy
from release_tool.core.github_context import GithubContext, read_github_context

from tests.support.fake_github import FakeGitHub
from tests.support.sandbox import clean_env, git

# Recognisable, so a leak shows up in any output a test captures.
TOKEN = "ghs_LEAKCANARY0123456789abcdefXYZ"
REPO = "VLMHyperBenchTeam/vlmhyperbench_playground"
BRANCH = "release/staging/hello-world"
IDENT = {
    "GIT_AUTHOR_NAME": "Release Bot",
    "GIT_AUTHOR_EMAIL": "bot@example.invalid",
    "GIT_COMMITTER_NAME": "Release Bot",
    "GIT_COMMITTER_EMAIL": "bot@example.invalid",
}


def github_env(fake: FakeGitHub, **extra: str) -> dict[str, str]:
    """A clean environment pointing the tool at ``fake`` with the canary token."""
    return clean_env({"GITHUB_API_URL": fake.base, "RELEASE_TOOL_TOKEN": TOKEN, **extra})


def make_context(fake: FakeGitHub, **extra: str) -> GithubContext:
    return read_github_context(github_env(fake, **extra), REPO)


@dataclass
class Sleeps:
    """The injected sleep: records every wait, never sleeps."""

    waits: list[float]

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def fast_policy(
    sleep: Sleeps, *, max_attempts: int = 10, max_wait_total: float = 60.0
) -> RetryPolicy:
    """The default policy with no throttling, a fixed clock and a recording sleep."""
    return RetryPolicy(
        max_attempts=max_attempts,
        max_wait_total=max_wait_total,
        seconds_between_requests=0,
        seconds_between_writes=0,
        sleep=sleep,
        clock=lambda: 1_700_000_000.0,
    )


@dataclass(frozen=True)
class BareOrigin:
    """A bare ``origin`` holding ``main`` and a checkout cloned from it."""

    bare: Path
    checkout: Path
    base_sha: str

    def commit_on(self, parent: str, message: str) -> str:
        """A new commit (on no branch) on top of ``parent``, made in the checkout."""
        tree = git("rev-parse", f"{parent}^{{tree}}", cwd=self.checkout)
        return git("commit-tree", tree, "-p", parent, "-m", message, cwd=self.checkout, env=IDENT)

    def push_concurrently(self, branch: str, message: str) -> str:
        """Another runner force-pushes a new commit to ``branch`` on origin; returns it."""
        sha = self.commit_on(self.base_sha, message)
        git("push", "-q", "--force", "origin", f"{sha}:refs/heads/{branch}", cwd=self.checkout)
        return sha

    def remote_sha(self, branch: str) -> str | None:
        try:
            return git("rev-parse", "--verify", "-q", f"refs/heads/{branch}", cwd=self.bare)
        except RuntimeError:
            return None


def make_bare_origin(root: Path) -> BareOrigin:
    seed = root / "seed"
    seed.mkdir(parents=True)
    git("init", "-q", "-b", "main", cwd=seed)
    (seed / "README.md").write_text("monorepo\n", encoding="utf-8")
    git("add", "-A", cwd=seed)
    git("commit", "-q", "-m", "base", cwd=seed, env=IDENT)
    bare = root / "origin.git"
    git("clone", "-q", "--bare", str(seed), str(bare), cwd=root)
    checkout = root / "checkout"
    git("clone", "-q", str(bare), str(checkout), cwd=root)
    return BareOrigin(bare, checkout, git("rev-parse", "HEAD", cwd=checkout))
