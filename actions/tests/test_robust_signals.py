"""Signals and leftovers (issue 17): SIGTERM ends a run like Ctrl-C with exit 143 and
nothing behind it; directories of runs that are gone are removed at start, those of a
live concurrent run never; every failure path cleans up."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from release_tool import cli
from release_tool.adapters import scratch
from release_tool.adapters.git import Checkout, TagStore
from release_tool.errors import OperationalError

from tests.support.sandbox import Sandbox, add_package_tag, git, make_monorepo, make_sandbox

TOOL = Path(sys.executable).parent / "release-tool"
BRANCH = "release/staging/hello-world"
TERMINATED = "release-tool promote: terminated (SIGTERM); cleaned up"


def leftovers(tmp: Path) -> list[str]:
    return sorted(p.name for p in tmp.iterdir() if p.name.startswith(scratch.PREFIXES))


def stray_worktrees(mono: Path) -> list[str]:
    listed = git("worktree", "list", "--porcelain", cwd=mono)
    trees = [
        line.removeprefix("worktree ")
        for line in listed.splitlines()
        if line.startswith("worktree ")
    ]
    return [t for t in trees if Path(t) != mono]


# ---------------------------------------------------------------- unit level


def _hold_scratch(prefix: str, tmp: Path) -> subprocess.Popen[str]:
    """A separate process holding a scratch directory until it is killed."""
    code = (
        "import sys, time; from release_tool.adapters import scratch; "
        f"s = scratch.Scratch({prefix!r}); print(s.path, flush=True); time.sleep(600)"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", code],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "TMPDIR": str(tmp)},
    )
    assert child.stdout is not None
    child.stdout.readline()
    return child


def test_abandoned_directories_go_and_live_ones_stay(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr("tempfile.tempdir", None)
    dead = _hold_scratch("release-tool-wt-", tmp_path)
    live = _hold_scratch("release-tool-tags-", tmp_path)
    try:
        dead.kill()  # SIGKILL: no clean-up of its own
        dead.communicate()
        (dead_dir,) = [n for n in leftovers(tmp_path) if n.startswith("release-tool-wt-")]
        (live_dir,) = [n for n in leftovers(tmp_path) if n.startswith("release-tool-tags-")]
        mine = scratch.Scratch("release-tool-wt-")  # this process's own is held too
        assert [p.name for p in scratch.remove_abandoned(tmp_path)] == [dead_dir]
        assert leftovers(tmp_path) == sorted([live_dir, mine.path.name])
        mine.remove()
    finally:
        live.kill()
        live.communicate()
    assert [p.name for p in scratch.remove_abandoned(tmp_path)] == [live_dir]
    assert leftovers(tmp_path) == []


def test_unowned_directories_are_left_alone_while_young(tmp_path: Path) -> None:
    young = tmp_path / "release-tool-wt-young"
    young.mkdir()
    old = tmp_path / "release-tool-tags-old"
    old.mkdir()
    os.utime(old, (time.time() - 3600, time.time() - 3600))
    other = tmp_path / "someone-else"
    other.mkdir()
    os.utime(other, (time.time() - 3600, time.time() - 3600))
    assert scratch.remove_abandoned(tmp_path) == [old]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["release-tool-wt-young", "someone-else"]


@pytest.fixture
def private_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    monkeypatch.setenv("TMPDIR", str(tmp))
    monkeypatch.setattr("tempfile.tempdir", None)
    yield tmp


def test_failed_git_init_in_the_tag_store_leaves_nothing(private_tmp: Path) -> None:
    broken = private_tmp.parent / "broken.gitconfig"
    broken.write_text("[core\n", encoding="utf-8")  # git refuses to start: exit 128
    with pytest.raises(OperationalError, match="git init failed"):
        TagStore({"PATH": os.environ["PATH"], "GIT_CONFIG_GLOBAL": str(broken)})
    assert leftovers(private_tmp) == []


def test_failed_worktree_add_leaves_nothing(private_tmp: Path, checkout: tuple[Path, str]) -> None:
    root, _ = checkout
    repo = Checkout(root, {"GIT_CONFIG_GLOBAL": "/dev/null"})
    with pytest.raises(OperationalError, match="worktree add"), repo.temporary_worktree("0" * 40):
        pass
    assert leftovers(private_tmp) == []
    assert stray_worktrees(root) == []


def test_interrupt_while_importing_a_command_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def interrupted(name: str) -> object:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli.importlib, "import_module", interrupted)
    assert cli.main(["status"], env={}) == 130
    assert capsys.readouterr().err == "release-tool status: interrupted\n"


def test_help_imports_no_command_module() -> None:
    code = (
        "import sys; from release_tool import cli\n"
        "try:\n    cli.main(['--help'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith('release_tool.commands.')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.splitlines()[-1] == "[]"
    assert "promote" in done.stdout and "report-failure" in done.stdout


def test_sigterm_is_forwarded_to_the_running_child(tmp_path: Path) -> None:
    """The child gets SIGTERM (not SIGKILL) and its trap runs; the run exits 143."""
    marker = tmp_path / "child-got-term"
    started = tmp_path / "child-started"
    script = (
        "import sys\n"
        "from release_tool.adapters import signals\n"
        "from release_tool.adapters import process\n"
        "try:\n"
        "    with signals.terminating():\n"
        "        process.run(['sh', '-c', sys.argv[1]], echo=None)\n"
        "except signals.Terminated:\n"
        "    print('terminated', file=sys.stderr)\n"
        "    sys.exit(signals.EXIT_CODE)\n"
    )
    trap = f"trap 'touch {marker}; exit 0' TERM; touch {started}; while :; do sleep 0.05; done"
    child = subprocess.Popen(
        [sys.executable, "-c", script, trap], stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 30
    while not started.exists():
        assert time.monotonic() < deadline
        time.sleep(0.02)
    child.send_signal(signal.SIGTERM)
    _, err = child.communicate(timeout=30)
    assert child.returncode == 143, err
    assert marker.exists()
    assert err == "terminated\n"


def test_a_child_that_ignores_sigterm_is_killed_after_the_grace(tmp_path: Path) -> None:
    started = tmp_path / "started"
    script = (
        "import sys\n"
        "from release_tool.adapters import signals\n"
        "from release_tool.adapters import process\n"
        "process.STOP_GRACE_SECONDS = 0.5\n"
        "process.stop.__defaults__ = (0.5,)\n"
        "try:\n"
        "    with signals.terminating():\n"
        "        process.run(['sh', '-c', sys.argv[1]], echo=None)\n"
        "except signals.Terminated:\n"
        "    sys.exit(signals.EXIT_CODE)\n"
    )
    trap = f"trap '' TERM; touch {started}; while :; do sleep 0.05; done"
    child = subprocess.Popen([sys.executable, "-c", script, trap])
    deadline = time.monotonic() + 30
    while not started.exists():
        assert time.monotonic() < deadline
        time.sleep(0.02)
    child.send_signal(signal.SIGTERM)
    assert child.wait(timeout=30) == 143


# ---------------------------------------------------------------- promote runs


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Sandbox:
    sb = make_sandbox(tmp_path_factory.mktemp("signals"))
    add_package_tag(sb, "hello-world", "0.2.0")
    add_package_tag(sb, "hello-world", "v0.2.1")
    add_package_tag(sb, "print-utils", "0.2.9")
    return sb


def _promote(
    sandbox: Sandbox, mono: Path, tmp: Path, tag: str, package: str = "hello-world"
) -> subprocess.Popen[str]:
    argv = ["promote", "--repo", str(mono), "--env", "staging", "--package", package]
    return subprocess.Popen(
        [str(TOOL), *argv, "--tag", tag],
        env={**sandbox.env(), "TMPDIR": str(tmp)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _complete(mono: Path, tag: str, commit: str) -> bool:
    """The release branch holds a whole promotion of ``tag`` on top of main."""
    head = git("rev-parse", BRANCH, cwd=mono)
    if git("rev-parse", f"{head}^", cwd=mono) != git("rev-parse", "main", cwd=mono):
        return False
    pyproject = git("show", f"{head}:staging/pyproject.toml", cwd=mono)
    lock = git("show", f"{head}:staging/uv.lock", cwd=mono)
    return f'tag = "{tag}"' in pyproject and f"?tag={tag}#{commit}" in lock


def _branch(mono: Path) -> str | None:
    found = git("for-each-ref", "--format=%(objectname)", f"refs/heads/{BRANCH}", cwd=mono)
    return found or None


@pytest.mark.heavy
@pytest.mark.uvlock
def test_sigterm_at_random_points_of_promote_runs(sandbox: Sandbox, tmp_path: Path) -> None:
    mono = make_monorepo(sandbox, name="mono-sigterm")
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    tags = ["0.2.0", "v0.2.1"]
    commits = {t: sandbox.packages["hello-world"].tags[t] for t in tags}
    started = time.monotonic()
    first = _promote(sandbox, mono, tmp, tags[0])
    _, err = first.communicate(timeout=300)
    assert first.returncode == 0, err
    full = time.monotonic() - started
    rng = random.Random(17)  # noqa: S311 - reproducible signal points, not secrets
    # -15: the signal fell before the boundary was set up (interpreter start) or after
    # it was taken down (interpreter exit); nothing may be left behind then either
    outcomes = {0: 0, 143: 0, -signal.SIGTERM: 0}
    for run in range(20):
        tag = tags[(run + 1) % 2]
        before = _branch(mono)
        child = _promote(sandbox, mono, tmp, tag)
        time.sleep(rng.uniform(0, full * 1.1))
        child.send_signal(signal.SIGTERM)
        _, err = child.communicate(timeout=120)  # no hang
        assert child.returncode in outcomes, (run, child.returncode, err)
        outcomes[child.returncode] += 1
        if child.returncode == 143:
            assert err.splitlines()[-1] == TERMINATED, err
            assert "Traceback" not in err
        assert leftovers(tmp) == [], (run, child.returncode, err[-2000:])
        assert stray_worktrees(mono) == [], (run, child.returncode, err[-2000:])
        after = _branch(mono)
        assert after == before or _complete(mono, tag, commits[tag]), run
    # the random points fell both before and after the end of a run
    assert outcomes[143] >= 5, outcomes


@pytest.mark.heavy
@pytest.mark.uvlock
def test_two_overlapping_promotes_and_a_killed_one(sandbox: Sandbox, tmp_path: Path) -> None:
    """A run removes the directories of a SIGKILLed run, never those of a live run
    in the same checkout."""
    mono = make_monorepo(sandbox, name="mono-overlap")
    tmp = tmp_path / "tmp"
    tmp.mkdir()

    def wait_for(child: subprocess.Popen[str], ready: Callable[[], bool]) -> None:
        deadline = time.monotonic() + 120
        while not ready():
            assert child.poll() is None, child.communicate()
            assert time.monotonic() < deadline
            time.sleep(0.005)

    def wait_for_worktree(child: subprocess.Popen[str], count: int) -> None:
        wait_for(
            child, lambda: sum(n.startswith("release-tool-wt-") for n in leftovers(tmp)) >= count
        )

    killed = _promote(sandbox, mono, tmp, "0.2.0")
    # killed once git has registered its worktree: its directory alone exists a moment
    # earlier, and a kill then leaves nothing registered to clean up
    wait_for(killed, lambda: bool(stray_worktrees(mono)))
    killed.kill()
    killed.communicate()
    assert stray_worktrees(mono), "the SIGKILLed run left its worktree registered"
    first = _promote(sandbox, mono, tmp, "0.2.0")
    wait_for_worktree(first, 1)  # the killed run's is gone once the first has its own
    second = _promote(sandbox, mono, tmp, "0.2.9", package="print-utils")
    _, err1 = first.communicate(timeout=300)
    _, err2 = second.communicate(timeout=300)
    assert first.returncode == 0, err1
    assert second.returncode == 0, err2
    assert leftovers(tmp) == []
    assert stray_worktrees(mono) == []


def test_a_signal_between_creating_and_guarding_a_directory_leaks_nothing(
    private_tmp: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Found by the random SIGTERM test: a signal landing after a directory exists but
    before the block that removes it is entered. The boundary removes it."""
    from release_tool.adapters import signals  # noqa: PLC0415
    from release_tool.commands import intake  # noqa: PLC0415

    def run(*_args: object) -> int:
        scratch.Scratch("release-tool-tags-")
        raise signals.Terminated

    monkeypatch.setattr(intake, "run", run)
    assert cli.main(["intake"], env={}) == 143
    assert capsys.readouterr().err == "release-tool intake: terminated (SIGTERM); cleaned up\n"
    assert leftovers(private_tmp) == []
