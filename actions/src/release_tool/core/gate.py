"""The GPU gate's decision: pass only when every matrix entry reported success for this commit.

Pure: the matrix, the results read from the artifacts, the commit under test and
the hashes of the locks at that commit come in as values; a :class:`Decision`
comes out, with one sentence per failure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from release_tool.core.gpu_result import GpuResult
from release_tool.core.matrix import MatrixEntry

FORK_SENTENCE = (
    "this pull request comes from a fork, so the self-hosted GPU jobs did not run "
    "(they never run untrusted code); a maintainer must push its commits to a branch "
    "of this repository and re-run the GPU gate there"
)


@dataclass(frozen=True)
class Row:
    """One matrix entry as the gate judged it (the PR comment renders these)."""

    entry: MatrixEntry
    result: GpuResult | None
    verdict: str  # "passed" or the failure sentence

    @property
    def passed(self) -> bool:
        return self.verdict == "passed"


@dataclass(frozen=True)
class Decision:
    commit: str
    rows: tuple[Row, ...]
    reasons: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return not self.reasons


def _short(commit: str) -> str:
    return commit[:12]


def judge_entry(
    entry: MatrixEntry,
    found: Sequence[GpuResult],
    commit: str,
    lock_sha256: str | None,
) -> Row:
    """One sentence (or "passed") for one matrix entry."""
    name = f"{entry.profile}/{entry.backend}"
    if not found:
        return Row(
            entry,
            None,
            f"{name}: no result artifact (the GPU job was skipped, cancelled, timed out "
            "or could not upload); re-run the failed jobs",
        )
    if len(found) > 1:
        return Row(entry, found[0], f"{name}: {len(found)} result files, expected exactly one")
    result = found[0]
    if result.commit != commit:
        verdict = (
            f"{name}: the result is from commit {_short(result.commit)}, not the commit "
            f"under test {_short(commit)}; re-run the GPU jobs for this commit"
        )
    elif not result.lock_fresh:
        verdict = (
            f"{name}: {entry.directory}/uv.lock is stale (uv lock --check failed); "
            f"re-lock it with release-tool relock --env {entry.profile}"
        )
    elif lock_sha256 is None or result.lock_sha256 != lock_sha256:
        at_commit = "missing" if lock_sha256 is None else f"sha256 {lock_sha256[:12]}"
        verdict = (
            f"{name}: the job installed a lock (sha256 {(result.lock_sha256 or 'none')[:12]}) "
            f"other than {entry.directory}/uv.lock at the commit under test ({at_commit})"
        )
    elif result.expected_cuda != entry.cuda:
        verdict = (
            f"{name}: the job expected CUDA {result.expected_cuda}, the matrix says {entry.cuda}"
        )
    elif not result.success:
        where = f" on {result.gpu}" if result.gpu else ""
        verdict = f"{name} failed{where}: {'; '.join(result.problems)}"
    else:
        verdict = "passed"
    return Row(entry, result, verdict)


def decide(
    entries: Sequence[MatrixEntry],
    results: Sequence[GpuResult],
    *,
    commit: str,
    lock_hashes: Mapping[str, str | None],
    fork: bool,
    unreadable: Sequence[str] = (),
) -> Decision:
    """Pass on an empty matrix; otherwise every entry must have passed on ``commit``."""
    if not entries:
        return Decision(commit, (), ())
    if fork:
        return Decision(commit, (), (FORK_SENTENCE,))
    rows = tuple(
        judge_entry(
            entry,
            [r for r in results if r.key == entry.key],
            commit,
            lock_hashes.get(entry.directory),
        )
        for entry in entries
    )
    keys = {e.key for e in entries}
    strays = sorted({r.key for r in results} - keys)
    reasons = [row.verdict for row in rows if not row.passed]
    reasons += [f"{key}: a result for a job the matrix does not list" for key in strays]
    reasons += unreadable
    return Decision(commit, rows, tuple(reasons))
