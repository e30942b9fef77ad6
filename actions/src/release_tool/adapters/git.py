"""git, run one way: :func:`run_git` through the one subprocess helper.

Remote tags, files at a commit, a throwaway worktree, bot commits. Decides nothing:
every failure becomes an OperationalError sentence carrying git's own message. The
environment mapping given is passed to every git call (scrubbed of credentials by
:func:`release_tool.adapters.process.child_env`), so ``GIT_CONFIG_GLOBAL``
redirections apply; only a caller that talks to GitHub passes ``git_config``.
No other library spawns git (GitPython ran ``git version`` with the whole
environment, token included, so it is not used).
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Unpack

from release_tool.adapters import process, scratch, signals
from release_tool.core.config import BotIdentity
from release_tool.core.skip_markers import neutralise
from release_tool.errors import InputRejected, OperationalError

ZERO = "0" * 40


def git_result(
    *args: str,
    cwd: Path | None,
    env: Mapping[str, str],
    echo: process.Echo = None,
    **options: Unpack[process.RunOptions],
) -> process.Result:
    """Run ``git ARGS`` in ``cwd`` through the one subprocess helper, never prompting;
    ``options`` as :func:`process.run` takes them.

    With ``check`` (the default) a failure is an OperationalError naming ``what``;
    without it the caller reads the exit status (a lease refused, a ref absent).
    """
    return process.run(
        ["git", *args], cwd=cwd, env={"GIT_TERMINAL_PROMPT": "0", **env}, echo=echo, **options
    )


def run_git(
    *args: str,
    cwd: Path | None,
    env: Mapping[str, str],
    what: str | None = None,
    echo: bool = False,
    input_text: str | None = None,
    secrets: Sequence[str] = (),
    strip: bool = True,
    git_config: Sequence[tuple[str, str]] = (),
) -> str:
    """``git ARGS``'s stdout (stripped unless ``strip`` is False); OperationalError on failure.

    Reads run quietly; ``echo`` shows a write on the current stderr, so a long run
    shows its progress.
    """
    result = git_result(
        *args,
        cwd=cwd,
        env=env,
        what=what,
        echo=process.STDERR if echo else None,
        input_text=input_text,
        secrets=secrets,
        git_config=git_config,
    )
    return result.stdout.strip() if strip else result.stdout


def git_succeeds(*args: str, cwd: Path | None, env: Mapping[str, str]) -> bool:
    """Whether ``git ARGS`` exits 0 (for questions git answers with its exit status)."""
    return git_result(*args, cwd=cwd, env=env, check=False).returncode == 0


def commit_at(ref: str, *, cwd: Path, env: Mapping[str, str]) -> str | None:
    """The commit ``ref`` names in the repository at ``cwd``; None when it names none."""
    found = git_result(
        "rev-parse",
        "--verify",
        "--quiet",
        "--end-of-options",
        f"{ref}^{{commit}}",
        cwd=cwd,
        env=env,
        check=False,
    )
    return (found.stdout.strip() or None) if found.returncode == 0 else None


def checkout_root(path: Path, env: Mapping[str, str]) -> Path | None:
    """The top of the git work tree holding ``path``; None when it is in none (or bare)."""
    if not path.is_dir():
        return None
    found = git_result("rev-parse", "--show-toplevel", cwd=path, env=env, check=False)
    top = found.stdout.strip()
    return Path(top) if found.returncode == 0 and top else None


def read_file_at(rev: str, path: str, *, cwd: Path, env: Mapping[str, str]) -> str | None:
    """The exact text of ``path`` at ``rev``; None when ``rev`` holds no such file."""
    listed = run_git("ls-tree", "--name-only", rev, "--", path, cwd=cwd, env=env, what=path)
    if not listed:
        return None
    where = f"reading {path} at {rev[:10]}"
    return run_git("show", f"{rev}:{path}", cwd=cwd, env=env, what=where, strip=False)


def identity_env(env: Mapping[str, str], name: str, email: str) -> dict[str, str]:
    """``env`` with ``name <email>`` as author, committer and tagger."""
    return {
        **env,
        "GIT_AUTHOR_NAME": name,
        "GIT_AUTHOR_EMAIL": email,
        "GIT_COMMITTER_NAME": name,
        "GIT_COMMITTER_EMAIL": email,
    }


def ls_remote_tags(url: str, env: Mapping[str, str]) -> dict[str, str]:
    """Every tag of a remote repository -> its commit (annotated tags peeled)."""
    out = run_git(
        "ls-remote",
        "--tags",
        "--",
        url,
        cwd=None,
        env=env,
        what=f"cannot reach the repository {url}: git ls-remote",
    )
    direct: dict[str, str] = {}
    peeled: dict[str, str] = {}
    for line in out.splitlines():
        sha, _, ref = line.partition("\t")
        name = ref.removeprefix("refs/tags/")
        if name.endswith("^{}"):
            peeled[name[:-3]] = sha
        else:
            direct[name] = sha
    return {**direct, **peeled}


class TagStore:
    """A private bare repository holding fetched tags of package repositories."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self.env = env
        scratch.remove_abandoned()
        self._scratch = scratch.Scratch("release-tool-tags-")
        self.path = self._scratch.path / "repo"
        try:
            run_git("init", "--bare", "--quiet", str(self.path), cwd=None, env=env, what="git init")
        except BaseException:  # a full disk, a signal: nothing may stay behind
            self._scratch.remove()
            raise
        self._fetched: set[tuple[str, str]] = set()

    def close(self) -> None:
        with signals.deferred():
            self._scratch.remove()

    def __enter__(self) -> TagStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _ref(self, url: str, tag: str) -> str:
        return f"refs/fetched/{hashlib.sha256(url.encode()).hexdigest()[:12]}/{tag}"

    def fetch(self, url: str, tags: Sequence[str]) -> None:
        wanted = [t for t in tags if (url, t) not in self._fetched]
        if not wanted:
            return
        specs = [f"+refs/tags/{t}:{self._ref(url, t)}" for t in wanted]
        run_git(
            "fetch",
            "--no-tags",
            "--quiet",
            "--",
            url,
            *specs,
            cwd=self.path,
            env=self.env,
            what=f"fetching {', '.join(wanted)} from {url}",
        )
        self._fetched.update((url, t) for t in wanted)

    def commit_of(self, url: str, tag: str) -> str:
        """The commit ``tag`` names; InputRejected when it names a tree or a blob."""
        ref = self._ref(url, tag)
        commit = commit_at(ref, cwd=self.path, env=self.env)
        if commit is not None:
            return commit
        kind = run_git("cat-file", "-t", f"{ref}^{{}}", cwd=self.path, env=self.env, what=ref)
        raise InputRejected(f"tag {tag} in {url} names a {kind}, not a commit; tag a commit")

    def read(self, commit: str, path: str) -> str | None:
        return read_file_at(commit, path, cwd=self.path, env=self.env)

    def log(self, old: str, new: str) -> list[str]:
        """``<short sha> <subject>`` of the commits in ``new`` but not in ``old``."""
        out = run_git(
            "log",
            "--format=%h %s",
            f"{old}..{new}",
            cwd=self.path,
            env=self.env,
            what="git log",
        )
        return [line for line in out.splitlines() if line.strip()]


class Checkout:
    """The monorepo checkout the user runs in; only refs and objects are ever written."""

    def __init__(self, path: Path, env: Mapping[str, str]) -> None:
        root = checkout_root(path, env)
        if root is None:
            raise OperationalError(f"{path} is not inside a git checkout; run in one")
        self.root = root
        self.env = env

    def git(self, *args: str, what: str, cwd: Path | None = None) -> str:
        return run_git(*args, cwd=cwd or self.root, env=self.env, what=what)

    def rev(self, ref: str) -> str | None:
        return commit_at(ref, cwd=self.root, env=self.env)

    def resolve_base(self, branch: str) -> str:
        """The head of the base branch: the local branch, else ``origin/<branch>``."""
        for ref in (f"refs/heads/{branch}", f"refs/remotes/origin/{branch}"):
            found = self.rev(ref)
            if found:
                return found
        raise OperationalError(f"the base branch {branch} exists neither locally nor on origin")

    def read_file(self, commit: str, path: str) -> str | None:
        return read_file_at(commit, path, cwd=self.root, env=self.env)

    def branch_commit(self, branch: str) -> str | None:
        return self.rev(f"refs/heads/{branch}")

    def tree_and_parents(self, commit: str) -> tuple[str, tuple[str, ...]]:
        out = self.git("show", "-s", "--format=%T %P", commit, what=f"reading {commit[:10]}")
        tree, *parents = out.split()
        return tree, tuple(parents)

    def checked_out_branches(self) -> set[str]:
        out = self.git("worktree", "list", "--porcelain", what="git worktree list")
        return {
            line.removeprefix("branch refs/heads/")
            for line in out.splitlines()
            if line.startswith("branch refs/heads/")
        }

    @contextlib.contextmanager
    def temporary_worktree(self, commit: str) -> Iterator[Path]:
        """A detached worktree at ``commit`` outside the checkout, removed afterwards."""
        # worktrees of runs that were killed (their directory removed here or by another
        # run's start) are unregistered before this run adds its own
        scratch.remove_abandoned()
        with contextlib.suppress(OperationalError):
            self.git("worktree", "prune", what="worktree prune")
        holder = scratch.Scratch("release-tool-wt-")
        path = holder.path / "tree"
        try:
            self.git(
                "worktree", "add", "--quiet", "--detach", str(path), commit, what="worktree add"
            )
            yield path
        finally:
            with signals.deferred():
                with contextlib.suppress(OperationalError):
                    self.git("worktree", "remove", "--force", str(path), what="worktree remove")
                holder.remove()
                with contextlib.suppress(OperationalError):
                    self.git("worktree", "prune", what="worktree prune")

    def write_tree(self, worktree: Path, paths: Sequence[str]) -> str:
        self.git("add", "--", *paths, what="git add", cwd=worktree)
        return self.git("write-tree", what="git write-tree", cwd=worktree)

    def commit_tree(self, tree: str, parent: str, message: str, bot: BotIdentity) -> str:
        """A bot commit of ``tree`` on ``parent``; CI skip markers in ``message`` made inert."""
        return run_git(
            "commit-tree",
            tree,
            "-p",
            parent,
            "-m",
            neutralise(message),
            cwd=self.root,
            env=identity_env(self.env, bot.name, bot.email),
            what="git commit-tree",
        )

    def update_branch(self, branch: str, new: str, old: str | None) -> None:
        """Move ``branch`` to ``new`` only if it still is at ``old`` (None: must not exist)."""
        self.git("update-ref", f"refs/heads/{branch}", new, old or ZERO, what=f"updating {branch}")
