"""A full disk (issue 17): a tmpfs of a few pages as $TMPDIR, mounted in a private mount
namespace (``unshare -m``) so the mount ends with the test's process. Every failure
path removes what it created: the tag store's ``git init`` and ``worktree add``."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.heavy

SCRIPT = r"""
import json, os, sys
from pathlib import Path
from release_tool.adapters.git import Checkout, TagStore
from release_tool.errors import ReleaseToolError

tmp = Path(os.environ["TMPDIR"])
repo = Path(sys.argv[1])
results = {}
try:
    TagStore({"PATH": os.environ["PATH"], "GIT_CONFIG_GLOBAL": "/dev/null"}).close()
    results["tag-store"] = "created"
except ReleaseToolError as exc:
    results["tag-store"] = [exc.exit_code, str(exc)]
results["after-tag-store"] = sorted(p.name for p in tmp.iterdir())
checkout = Checkout(repo, {"PATH": os.environ["PATH"], "GIT_CONFIG_GLOBAL": "/dev/null"})
try:
    with checkout.temporary_worktree("HEAD"):
        results["worktree"] = "created"
except ReleaseToolError as exc:
    results["worktree"] = [exc.exit_code, str(exc)]
results["after-worktree"] = sorted(p.name for p in tmp.iterdir())
print(json.dumps(results))
"""


def _unshare() -> list[str]:
    if os.geteuid() == 0:
        return ["unshare", "-m", "--propagation", "private"]
    return ["sudo", "-n", "unshare", "-m", "--propagation", "private"]


def _run_on_tmpfs(size: str, mount: Path, repo: Path) -> dict[str, object]:
    inner = (
        f"mount -t tmpfs -o size={size},mode=1777 tmpfs {mount} && "
        f'TMPDIR={mount} exec "$0" -c "$1" "$2"'
    )
    env = {k: v for k, v in os.environ.items() if k != "TMPDIR"}
    done = subprocess.run(
        [*_unshare(), "sh", "-c", inner, sys.executable, SCRIPT, str(repo)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A checkout with a file bigger than the tmpfs, so a worktree cannot be written."""
    root = tmp_path / "repo"
    root.mkdir()
    (root / "big.bin").write_bytes(os.urandom(512 * 1024))
    env = {
        **os.environ,
        "GIT_CONFIG_GLOBAL": "/dev/null",
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.invalid",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.invalid",
    }
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "x"]):
        subprocess.run(["git", *args], cwd=root, env=env, check=True)
    return root


def test_full_disk_for_the_tag_store_and_the_worktree(tmp_path: Path, repo: Path) -> None:
    assert shutil.which("unshare"), "util-linux unshare is needed for the disk-full test"
    mount = tmp_path / "full"
    mount.mkdir()
    found = _run_on_tmpfs("8k", mount, repo)
    assert found["tag-store"][0] == 1, found  # type: ignore[index]
    assert "git init failed" in found["tag-store"][1], found  # type: ignore[index]
    assert "No space left on device" in found["tag-store"][1]  # type: ignore[index]
    assert found["after-tag-store"] == []
    assert found["worktree"][0] == 1, found  # type: ignore[index]
    assert "worktree add failed" in found["worktree"][1], found  # type: ignore[index]
    assert found["after-worktree"] == []
    listed = subprocess.run(
        ["git", "worktree", "list", "--porcelain"],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert listed.count("worktree ") == 1, listed  # the checkout itself, nothing stray
    assert list(mount.iterdir()) == []  # the tmpfs ended with its namespace


def test_a_tmpfs_with_room_works(tmp_path: Path, repo: Path) -> None:
    """The same script with room to spare: the failures above are the full disk's."""
    mount = tmp_path / "roomy"
    mount.mkdir()
    found = _run_on_tmpfs("16m", mount, repo)
    assert found["tag-store"] == "created" and found["worktree"] == "created", found
    assert found["after-worktree"] == []
