"""``release-tool rehearse`` as the README writes it, on a fresh clone, then the state it
leaves behind; its summary piped and on a terminal.

Run with GITHUB_ACTIONS=true, a token, and the GitHub API and server URLs pointing at a
local server that counts requests: the rehearsal must make none.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from release_tool.adapters.process import CommandFailed
from release_tool.cli import main
from release_tool.commands.rehearse import log_name, summary
from release_tool.operations import rehearsal
from release_tool.operations.workspace import Workspace

from tests.support.canary import HEADER_CANARY, canary_env, credential_pairs, make_recorder
from tests.support.readme import main_job
from tests.support.sandbox import ROOT, clean_env, git
from tests.support.serving import serving
from tests.support.tools import run_uv, uv_binary

HELLO = "https://github.com/VLMHyperBenchTeam/hello_world.git"


class _Counter(BaseHTTPRequestHandler):
    seen: list[str] = []  # noqa: RUF012 - one server per test

    def _any(self) -> None:
        self.seen.append(f"{self.command} {self.path}")
        self.send_response(500)
        self.end_headers()

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _any

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def api() -> Iterator[tuple[str, list[str]]]:
    seen: list[str] = []
    handler = type("Handler", (_Counter,), {"seen": seen})
    with serving(ThreadingHTTPServer(("127.0.0.1", 0), handler)) as url:
        yield url, seen


def _show(repo: Path, ref: str, path: str) -> dict[str, object]:
    return tomllib.loads(git("show", f"{ref}:{path}", cwd=repo))


def _pins(repo: Path, ref: str, env: str) -> dict[str, object]:
    sources = _show(repo, ref, f"{env}/pyproject.toml")["tool"]["uv"]["sources"]  # type: ignore[index]
    return {n: s for n, s in sources.items() if isinstance(s, dict) and "tag" in s}


def _locked(repo: Path, ref: str, env: str) -> dict[str, str]:
    lock = _show(repo, ref, f"{env}/uv.lock")
    return {
        p["name"]: p["source"]["git"]
        for p in lock["package"]  # type: ignore[attr-defined]
        if "git" in p["source"]
    }


@pytest.mark.uvlock
@pytest.mark.slow
def test_rehearse_as_the_readme_writes_it(tmp_path: Path, api: tuple[str, list[str]]) -> None:
    url, seen = api
    # A stand-in git first on PATH records every git call (uv's, for git sources, too).
    real = {"git": shutil.which("git") or "git"}
    recorder = make_recorder(tmp_path / "rec", sys.executable, real)
    env = clean_env(
        {
            "GITHUB_ACTIONS": "true",
            "GITHUB_API_URL": url,
            "GITHUB_SERVER_URL": url,
            "GITHUB_REPOSITORY": "VLMHyperBenchTeam/vlmhyperbench_playground",
            "RELEASE_TOOL_TOKEN": "ghs_rehearsalsecret0123456789",
            "GH_TOKEN": "ghs_rehearsalsecret0123456789",
            "GITHUB_TOKEN": "ghs_rehearsalsecret0123456789",
            "PATH": recorder.path(os.environ["PATH"]),
            **{k: v for k, v in canary_env("ghs_rehearsalsecret0123456789").items() if "GIT_" in k},
        }
    )
    # The README's line, exactly, in a fresh clone: its "$(mktemp -d)" lands in TMPDIR.
    clone, tmpdir = tmp_path / "clone", tmp_path / "tmp"
    git("clone", "--quiet", str(ROOT), str(clone), cwd=tmp_path)
    refs_before = git("for-each-ref", "--format=%(refname) %(objectname)", cwd=clone)
    tmpdir.mkdir()
    env["TMPDIR"] = str(tmpdir)
    env["PATH"] = f"{Path(uv_binary()).parent}:{env['PATH']}"
    done = subprocess.run(
        ["bash", "-c", main_job()],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    (keep,) = [p for p in tmpdir.iterdir() if (p / "rehearsal.json").is_file()]
    # only release-tool and its dependencies were installed: no torch, no CUDA wheels
    site = next((clone / ".venv" / "lib").glob("python3*/site-packages"))
    installed = {p.name.split("-")[0].lower() for p in site.glob("*.dist-info")}
    assert "release_tool" in installed and "pygithub" in installed
    assert not {n for n in installed if n.startswith(("torch", "nvidia", "triton"))}
    assert seen == [], seen  # no request reached the "GitHub API"
    calls = recorder.calls()
    assert len(calls) > 20  # the stand-in was really used
    for call in calls:
        assert "ghs_rehearsalsecret" not in repr(call["env"]) and HEADER_CANARY not in repr(call)
        assert credential_pairs(call["env"]) == []  # type: ignore[arg-type]
    assert "release rehearsal" in done.stdout and "everything is kept in" in done.stdout
    assert "ghs_rehearsalsecret" not in done.stdout + done.stderr
    # the checkout it ran in is only read
    assert git("for-each-ref", "--format=%(refname) %(objectname)", cwd=clone) == refs_before
    assert git("status", "--porcelain", "--untracked-files=no", cwd=clone) == ""

    result = json.loads((keep / "rehearsal.json").read_text(encoding="utf-8"))
    origin = keep / "origin.git"
    hello = keep / "sandbox" / "repos" / "hello_world.git"
    new, old = result["new_tag"], result["old_tag"]
    assert (new, old) == ("0.2.1", "0.2.0")
    tag_commit = {t: git("rev-parse", f"{t}^{{commit}}", cwd=hello) for t in (new, old)}
    # Staging's lock holds the new tag at its commit.
    assert (
        _locked(origin, "main", "staging")["hello-world"] == f"{HELLO}?tag={new}#{tag_commit[new]}"
    )
    # Prod took exactly what staging pinned and locked.
    to_prod = result["outcomes"]["prod_from_staging"]["commit"]
    assert _pins(origin, to_prod, "prod") == _pins(origin, to_prod, "staging")
    assert _locked(origin, to_prod, "prod") == _locked(origin, to_prod, "staging")
    # After the rollback prod pins the old tag at its commit; the reason is recorded.
    assert _pins(origin, "main", "prod")["hello-world"] == {"git": HELLO, "tag": old}
    assert _locked(origin, "main", "prod")["hello-world"] == f"{HELLO}?tag={old}#{tag_commit[old]}"
    rollback = result["outcomes"]["prod_rollback"]
    assert rollback["rollback"] and "Reason: rehearsal:" in rollback["body"]
    assert "Reason: rehearsal:" in git("log", "-1", "--format=%B", rollback["commit"], cwd=origin)
    # Adoption kept the legacy history and the old tags; the bootstrap tagged 0.2.0.
    assert git("rev-parse", "--verify", "legacy/main", cwd=hello)
    assert {"0.0.11", "0.2.0", "0.2.1"} <= set(git("tag", cwd=hello).split())
    assert len(result["dispatches"]) == 2 and len(result["dispatches"][0]["pins"]) == 6
    # The PR bodies are kept, one per promotion.
    assert len(list((keep / "pull-requests").glob("*.md"))) == 4
    # The first profile lock fetched the index pages; prod's first lock and the rollback
    # re-lock read them from uv's cache (UV_OFFLINE), and still locked the right commits.
    pages = {s["name"]: s["index_pages"] for s in result["steps"]}
    assert pages["promote into staging (batch)"] == "fetched"
    single = pages["promote hello-world into staging"]
    assert single in ("uv's cache", "fetched (uv's cache missed)")
    assert pages["promote prod --from-env staging"] == "uv's cache"
    assert pages["rollback hello-world in prod"] == "uv's cache"
    assert pages["bump hello-world"] is None  # not a profile lock


def test_rehearse_refuses_a_directory_that_is_not_empty(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "notes.txt").write_text("mine\n", encoding="utf-8")
    rc = main(["rehearse", "--keep", str(tmp_path), "--repo", str(ROOT)], env=clean_env())
    assert rc == 2
    assert "is not an empty directory" in capsys.readouterr().err
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "mine\n"


_LONG = "staging: promote 6 packages (bench-utils 0.2.0, hello-world 0.2.0, model-interface 0.2.0)"
RESULT = {
    "directory": "/tmp/a-rather-long-directory-name/for-the-rehearsal-that-is-kept",
    "steps": [
        {
            "name": "package repositories",
            "seconds": 0.4,
            "branch": None,
            "title": None,
            "lock_diff": "",
            "note": "6 package repositories with today's pinned tags",
        },
        {
            "name": "promote into staging (batch)",
            "seconds": 5.1,
            "branch": "release/staging/batch-39e03840b6 (merged)",
            "title": _LONG,
            "lock_diff": "first lock (50 packages)",
            "note": "",
        },
    ],
    "outcomes": {
        "staging_single": {
            "pins": [{"package": "hello-world", "tag": "0.2.1", "commit": "1" * 40}]
        },
        "prod_from_staging": {"pins": [{}] * 6},
        "prod_rollback": {
            "pins": [
                {
                    "package": "hello-world",
                    "previous_tag": "0.2.1",
                    "tag": "0.2.0",
                    "commit": "2" * 40,
                }
            ]
        },
    },
}


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_piped_summary_is_plain_unwrapped_and_titles_hold_only_pr_titles() -> None:
    out = io.StringIO()
    summary(out, RESULT, kept=True)
    text = out.getvalue()
    assert not set("┃│┏━") & set(text)  # no table
    assert f"      PR title:  {_LONG}\n" in text  # one line, unwrapped
    assert "      result:    6 package repositories with today's pinned tags\n" in text
    # only the promotion's PR title is labelled as one
    assert text.count("PR title:") == 1
    assert f"everything is kept in {RESULT['directory']}\n" in text


@pytest.mark.parametrize("width", [80, 120])
def test_terminal_summary_fits_the_terminal_width(width: int) -> None:
    out = _Terminal()
    summary(out, RESULT, kept=True, width=width)
    text = re.sub(r"\x1b\[[0-9;]*m", "", out.getvalue())  # the colours
    table = [line for line in text.splitlines() if set(line) & set("┃│┏━┡└")]
    assert table and all(len(line) <= width for line in table)
    assert "PR title" in out.getvalue()


def test_log_names_are_plain_words() -> None:
    assert log_name(2, "monorepo origin + clone") == "02-monorepo-origin-clone.log"
    assert log_name(9, "promote prod --from-env staging") == "09-promote-prod-from-env-staging.log"
    assert log_name(3, "adopt (legacy/main + old tags kept)") == "03-adopt.log"


def _offline_refusal(tmp_path: Path) -> str:
    """What real uv says when it must lock offline from an empty cache."""
    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text(
        '[project]\nname = "p"\nversion = "0"\nrequires-python = ">=3.11"\n'
        'dependencies = ["tomlkit"]\n',
        encoding="utf-8",
    )
    env = clean_env({"UV_OFFLINE": "1", "UV_CACHE_DIR": str(tmp_path / "empty-cache")})
    done = run_uv("lock", cwd=project, env=env, check=False)
    assert done.returncode != 0
    return done.stderr


class _World:
    def env(self, extra: dict[str, str]) -> dict[str, str]:
        return dict(extra)


def test_a_cache_miss_is_locked_again_online(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    refusal = _offline_refusal(tmp_path)
    assert rehearsal._network_disabled(refusal)
    assert not rehearsal._network_disabled("error: Git operation failed")
    seen: list[str | None] = []
    outcome = object()

    def promote(workspace: Workspace, _request: object) -> object:
        offline = workspace.environ.get("UV_OFFLINE")
        seen.append(offline)
        if offline:
            raise CommandFailed("uv lock for staging", 1, refusal)
        return outcome

    monkeypatch.setattr(rehearsal, "promote", promote)
    r = rehearsal.Rehearsal(ROOT, object(), tmp_path, {}, standin=True)  # type: ignore[arg-type]
    r.world = _World()  # type: ignore[assignment]
    runner = rehearsal.Runner(r, lambda _step, act: act())
    first, second = rehearsal.Step("first"), rehearsal.Step("second")
    assert runner._promote(None, first) is outcome  # type: ignore[arg-type]
    assert (seen, first.index_pages, r.profiles_cached) == ([None], "fetched", True)
    assert runner._promote(None, second) is outcome  # type: ignore[arg-type]
    assert seen == [None, "1", None]
    assert second.index_pages == "fetched (uv's cache missed)"

    def refused(*_args: object) -> object:
        raise CommandFailed("uv lock for prod", 1, "error: bad pin")

    # any other failure of an offline lock is the promotion's own, and is raised
    monkeypatch.setattr(rehearsal, "promote", refused)
    with pytest.raises(CommandFailed, match="bad pin"):
        runner._promote(None, rehearsal.Step("third"))  # type: ignore[arg-type]
