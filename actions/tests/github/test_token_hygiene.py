"""A recognisable fake token never shows up anywhere the tool writes or raises.

Runs every GitHub path (PR create/update/close, comments, issues, dispatch,
faults and permanent failures, push, lease failure, step outputs) with
DEBUG logging on, then searches stdout, stderr, the log records, exception
messages, reprs, the subprocess helper's echo and the Actions files.
"""

from __future__ import annotations

import base64
import io
import logging
from pathlib import Path

import pytest
from release_tool.adapters.actions_io import append_step_summary, write_step_outputs
from release_tool.adapters.github import GithubAdapter
from release_tool.adapters.push import Origin, credential_config, push_branch
from release_tool.core.github_context import Secret
from release_tool.core.pull_requests import PullRequestSpec, release_labels
from release_tool.errors import OperationalError

from tests.support.fake_github import FakeGitHub, Fault
from tests.support.github_sandbox import (
    BRANCH,
    REPO,
    TOKEN,
    BareOrigin,
    Sleeps,
    fast_policy,
    make_context,
)
from tests.support.sandbox import clean_env

BASIC = base64.b64encode(f"x-access-token:{TOKEN}".encode()).decode()
SPEC = PullRequestSpec(BRANCH, "main", "Promote", "body", release_labels("staging", ["x"]))


def test_the_token_never_leaks(
    fake: FakeGitHub,
    origin: BareOrigin,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="github")  # PyGithub pins its own logger at INFO
    seen: list[str] = []
    fake.add_repo(REPO, git_dir=origin.bare)
    context = make_context(fake, GITHUB_ACTIONS="true")
    adapter = GithubAdapter(context, fast_policy(Sleeps([])))
    seen += [repr(context), str(context), repr(adapter), repr(context.token)]

    echo = io.StringIO()
    target = Origin(origin.checkout, clean_env(), context.token, context.server_url, echo=echo)
    seen.append(repr(target))
    commit = origin.commit_on(origin.base_sha, "release")
    push_branch(target, BRANCH, commit, expected=None)
    with pytest.raises(OperationalError) as lease:
        push_branch(target, BRANCH, origin.commit_on(origin.base_sha, "again"), expected=None)
    seen.append(str(lease.value))

    fake.fail_at(len(fake.requests) + 1, Fault("502-after"))
    outcomes = [adapter.ensure_pull_request(REPO, SPEC)]
    outcomes.append(adapter.ensure_pull_request(REPO, SPEC))
    outcomes.append(adapter.upsert_comment(REPO, 1, "gpu", "table"))
    outcomes.append(adapter.upsert_issue(REPO, "failure:x", "Rejected", "log", ("release",)))
    outcomes.append(adapter.close_issue(REPO, "failure:x", "fixed"))
    outcomes.append(adapter.send_dispatch(REPO, "package-released", {"package": "x"}))
    outcomes.append(adapter.close_pull_request(REPO, BRANCH, "empty change"))
    seen += [repr(o) for o in outcomes]

    fake.persistent_fault = Fault("500")
    with pytest.raises(OperationalError) as failed:
        adapter.find_open_pull_request(REPO, BRANCH)
    fake.persistent_fault = Fault("drop")
    with pytest.raises(OperationalError) as dropped:
        adapter.send_dispatch(REPO, "package-released", {})
    fake.persistent_fault = None
    wrong = GithubAdapter(
        make_context(fake, RELEASE_TOOL_TOKEN=TOKEN + "x"), fast_policy(Sleeps([]))
    )
    with pytest.raises(OperationalError) as refused:
        wrong.find_open_pull_request(REPO, BRANCH)
    seen += [str(e.value) for e in (failed, dropped, refused)]
    seen += [repr(e.value) for e in (failed, dropped, refused)]

    env = {"GITHUB_OUTPUT": str(tmp_path / "out"), "GITHUB_STEP_SUMMARY": str(tmp_path / "sum")}
    write_step_outputs(env, outcomes[0].as_outputs(), secrets=[TOKEN])  # type: ignore[union-attr]
    append_step_summary(env, outcomes[0].summary_line(), secrets=[TOKEN])  # type: ignore[union-attr]
    seen += [(tmp_path / "out").read_text(), (tmp_path / "sum").read_text()]

    captured = capsys.readouterr()
    seen += [captured.out, captured.err, echo.getvalue(), caplog.text]
    seen += [record.getMessage() for record in caplog.records]
    seen.append((origin.checkout / ".git" / "config").read_text())

    assert "$ git push" in echo.getvalue()  # the echo was really exercised
    assert any("Authorization" in r.getMessage() for r in caplog.records)  # so were the logs
    assert "401" in str(refused.value)
    for text in seen:
        assert TOKEN not in text
        assert BASIC not in text
    # ...while the token did reach GitHub and git.
    assert fake.requests[0].headers["Authorization"] == f"token {TOKEN}"
    assert BASIC in credential_config(Secret(TOKEN))[0][1]
