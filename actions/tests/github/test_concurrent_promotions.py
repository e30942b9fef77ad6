"""Promotions as separate processes at once (runners of one workflow), one fake GitHub, one origin.

Each process is the installed ``release-tool`` in its own checkout, with GitHub
Actions' environment; PyGithub keeps its production throttling.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.github_sandbox import REPO
from tests.support.release_github import Flow

pytestmark = [pytest.mark.uvlock, pytest.mark.slow]
TOOL = str(Path(sys.executable).parent / "release-tool")
# Holds the first push until a second one arrives, and the second until the first is in:
# both runs have read the branch before either updates it, so exactly one lease holds.
BARRIER = """#!/bin/sh
d="$GIT_DIR/race"; mkdir -p "$d"; i=0
if mkdir "$d/first" 2>/dev/null; then
  while [ ! -d "$d/second" ] && [ $i -lt 1200 ]; do sleep 0.05; i=$((i+1)); done
else
  mkdir "$d/second" 2>/dev/null
  while [ ! -f "$d/first-done" ] && [ $i -lt 1200 ]; do sleep 0.05; i=$((i+1)); done
fi
"""
DONE = '#!/bin/sh\ntouch "$GIT_DIR/race/first-done"\n'


def start(flow: Flow, work: Path, pin: str) -> subprocess.Popen[str]:
    env = flow.env()
    env.pop("GITHUB_OUTPUT")
    env.pop("GITHUB_STEP_SUMMARY")
    return subprocess.Popen(
        [TOOL, "promote", "--env", "staging", "--pin", pin],
        cwd=work,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process: subprocess.Popen[str]) -> tuple[int, str]:
    out, err = process.communicate(timeout=300)
    return process.returncode, out + err


def test_five_packages_at_once(flow: Flow) -> None:
    pins = {
        "hello-world": "0.2.0",
        "print-utils": "0.2.0",
        "prompt-handler": "0.2.0",
        "model-interface": "0.2.0",
        "model-qwen2-5-vl": "0.1.3",
    }
    runs = [start(flow, flow.clone(f"runner-{n}"), f"{n}={t}") for n, t in pins.items()]
    results = [finish(p) for p in runs]
    for rc, text in results:
        assert rc == 0, text
        assert "Traceback" not in text and "GitHub API" not in text
    pulls = sorted(flow.fake.repo(REPO).pulls(), key=lambda p: p["head"])
    assert [p["head"] for p in pulls] == sorted(f"release/staging/{n}" for n in pins)
    main = flow.remote_sha("main")
    for pull in pulls:
        name = pull["head"].removeprefix("release/staging/")
        assert pull["state"] == "open"
        assert pull["label_names"] == ["release", "env:staging", f"package:{name}"]
        assert flow.commits_on(pull["head"]) == 1
        assert f'tag = "{pins[name]}"' in flow.remote_file(pull["head"], "staging/pyproject.toml")
        assert f"**{pins[name]}**" in pull["body"]
    assert sorted(flow.fake.repo(REPO).labels) == sorted(
        ["release", "env:staging", *(f"package:{n}" for n in pins)]
    )
    for pull in pulls:  # each one commit straight on main
        assert flow.remote_sha(f"{pull['head']}^") == main


def test_two_tags_of_one_package_at_once_converge_on_the_newer(flow: Flow) -> None:
    hooks = flow.origin / "hooks"
    for name, text in (("pre-receive", BARRIER), ("post-receive", DONE)):
        (hooks / name).write_text(text, encoding="utf-8")
        (hooks / name).chmod(0o755)
    works = {tag: flow.clone(f"runner-{tag}") for tag in ("0.3.0", "0.4.0")}
    runs = {tag: start(flow, work, f"hello-world={tag}") for tag, work in works.items()}
    results = {tag: finish(p) for tag, p in runs.items()}
    won = [tag for tag, (rc, _) in results.items() if rc == 0]
    lost = [tag for tag, (rc, _) in results.items() if rc != 0]
    assert len(won) == 1 and len(lost) == 1, results
    rc, text = results[lost[0]]
    assert rc == 1 and "changed concurrently" in text and "nothing was overwritten" in text
    assert "Traceback" not in text
    branch = "release/staging/hello-world"
    assert f'tag = "{won[0]}"' in flow.remote_file(branch, "staging/pyproject.toml")

    # The loser re-runs: the newer tag supersedes, the older one is refused as late.
    rc, text = finish(start(flow, works[lost[0]], f"hello-world={lost[0]}"))
    assert rc == (0 if lost[0] == "0.4.0" else 2), text
    assert 'tag = "0.4.0"' in flow.remote_file(branch, "staging/pyproject.toml")
    assert flow.commits_on(branch) == 1
    (pull,) = flow.fake.repo(REPO).pulls()
    assert pull["state"] == "open" and "**0.4.0**" in pull["body"]
    assert pull["label_names"] == ["release", "env:staging", "package:hello-world"]
