"""Promotions published on the fake GitHub: a sandbox monorepo whose bare origin the fake serves.

Builds on :mod:`tests.support.sandbox` (package repositories at tags, stand-in
indexes, the monorepo clone) and :mod:`tests.support.fake_github` (the REST fake,
its branch refs read from the bare origin).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from release_tool.adapters.github import GithubAdapter
from release_tool.core.github_context import GithubContext

from tests.support.cli import run_cli
from tests.support.fake_github import FakeGitHub
from tests.support.github_sandbox import REPO, TOKEN, Sleeps, fast_policy
from tests.support.sandbox import Sandbox, add_package_tag, git, make_monorepo, make_sandbox

_names = itertools.count()
DEVELOPER = {
    "GIT_AUTHOR_NAME": "Dev Eloper",
    "GIT_AUTHOR_EMAIL": "dev@example.invalid",
    "GIT_COMMITTER_NAME": "Dev Eloper",
    "GIT_COMMITTER_EMAIL": "dev@example.invalid",
}


@dataclass
class Published:
    """One ``release-tool`` run: exit code, stdout, stderr, the JSON it printed (if any)."""

    rc: int
    out: str
    err: str
    data: Any = None


@dataclass
class Flow:
    """A monorepo clone whose ``origin`` is the bare repository the fake GitHub serves."""

    sandbox: Sandbox
    fake: FakeGitHub
    work: Path
    origin: Path
    root: Path
    outputs: Path = field(init=False)
    summary: Path = field(init=False)

    def __post_init__(self) -> None:
        self.outputs = self.root / "github_output"
        self.summary = self.root / "step_summary"
        self.outputs.touch()
        self.summary.touch()

    def env(self, *, actions: bool = True, **extra: str) -> dict[str, str]:
        """The sandbox environment with the fake's API and the canary token (and Actions)."""
        github = {"GITHUB_API_URL": self.fake.base, "RELEASE_TOOL_TOKEN": TOKEN}
        if actions:
            github |= {
                "GITHUB_ACTIONS": "true",
                "GITHUB_REPOSITORY": REPO,
                "GITHUB_OUTPUT": str(self.outputs),
                "GITHUB_STEP_SUMMARY": str(self.summary),
            }
        return self.sandbox.env({**github, **extra})

    def clone(self, name: str) -> Path:
        """Another runner's checkout of the same origin."""
        path = self.root / name
        git("clone", "-q", str(self.origin), str(path), cwd=self.root, env=self.sandbox.env())
        return path

    def cli(
        self, *argv: str, env: Mapping[str, str] | None = None, cwd: Path | None = None
    ) -> Published:
        """``release-tool ARGV`` in-process (``--repo`` points at the clone for promote)."""
        done = run_cli(argv, env if env is not None else self.env(), cwd=cwd or self.work)
        data = done.json() if "--json" in argv and done.code == 0 else None
        return Published(done.code, done.out, done.err, data)

    def remote_sha(self, branch: str) -> str | None:
        try:
            return git("rev-parse", "--verify", "-q", f"refs/heads/{branch}", cwd=self.origin)
        except RuntimeError:
            return None

    def remote_file(self, branch: str, path: str) -> str:
        return git("show", f"refs/heads/{branch}:{path}", cwd=self.origin)

    def commits_on(self, branch: str) -> int:
        return int(git("rev-list", "--count", f"main..refs/heads/{branch}", cwd=self.origin))

    def merge(self, branch: str) -> str:
        """Merge ``branch`` into origin's main (fast-forward, as a squash of one commit is)."""
        git("fetch", "-q", "origin", cwd=self.work, env=self.sandbox.env())
        git("checkout", "-q", "main", cwd=self.work, env=self.sandbox.env())
        git("merge", "-q", "--ff-only", f"origin/{branch}", cwd=self.work, env=self.sandbox.env())
        git("push", "-q", "origin", "main", cwd=self.work, env=self.sandbox.env())
        return git("rev-parse", "main", cwd=self.work)

    def commit_on_main(self, path: str, text: str, subject: str) -> str:
        """A maintainer's commit on origin's main writing ``text`` to ``path``; the commit."""
        env = self.sandbox.env(DEVELOPER)
        git("fetch", "-q", "origin", cwd=self.work, env=env)
        git("checkout", "-q", "main", cwd=self.work, env=env)
        git("merge", "-q", "--ff-only", "origin/main", cwd=self.work, env=env)
        (self.work / path).write_text(text, encoding="utf-8")
        git("add", "--", path, cwd=self.work, env=env)
        git("commit", "-q", "-m", subject, cwd=self.work, env=env)
        git("push", "-q", "origin", "main", cwd=self.work, env=env)
        return git("rev-parse", "HEAD", cwd=self.work)

    def step_outputs(self) -> list[dict[str, str]]:
        """The step outputs written so far, one dict per run (``operation`` starts one)."""
        lines = self.outputs.read_text(encoding="utf-8").splitlines()
        runs: list[dict[str, str]] = []
        i = 0
        while i < len(lines):
            name, _, delimiter = lines[i].partition("<<")
            end = lines.index(delimiter, i + 1)
            if name == "operation" or not runs:
                runs.append({})
            runs[-1][name] = "\n".join(lines[i + 1 : end])
            i = end + 1
        return runs


def make_flow(sandbox: Sandbox, fake: FakeGitHub, root: Path) -> Flow:
    """A fresh monorepo clone of the sandbox, its bare origin registered with ``fake``."""
    name = f"flow{next(_names)}"
    work = make_monorepo(sandbox, name=name)
    origin = sandbox.root / f"{name}-origin.git"
    fake.add_repo(REPO, git_dir=origin)
    root.mkdir(parents=True, exist_ok=True)
    return Flow(sandbox, fake, work, origin, root)


# Tags the publication tests promote, on top of those the profiles pin today.
FLOW_TAGS = {
    "hello-world": ("0.2.0", "0.3.0", "0.4.0"),
    "print-utils": ("0.2.0",),
    "prompt-handler": ("0.2.0",),
    "model-interface": ("0.2.0",),
    "model-qwen2-5-vl": ("0.1.3",),
}


def build_flow_sandbox(root: Path) -> Sandbox:
    sb = make_sandbox(root)
    for name, tags in FLOW_TAGS.items():
        for tag in tags:
            add_package_tag(sb, name, tag)
    return sb


def fast_adapter_factory(sleeps: Sleeps) -> Callable[[GithubContext], GithubAdapter]:
    """The real adapter with PyGithub's throttling off and an injected sleep."""

    def make(context: GithubContext) -> GithubAdapter:
        return GithubAdapter(context, fast_policy(sleeps))

    return make
