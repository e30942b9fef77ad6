"""``release-tool promote`` end to end: real git, real uv, a sandbox clone of this monorepo.

Package repositories are local bare repos behind git ``insteadOf`` (the profiles keep
their real GitHub URLs), torch comes from stand-in indexes, and the monorepo is a bare
clone of the committed project (``origin``) plus a fresh working clone per test.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from release_tool.cli import main

from tests.support.cli import run_cli
from tests.support.sandbox import Sandbox, add_package_tag, git, make_monorepo, make_sandbox

pytestmark = pytest.mark.uvlock

HELLO_URL = "https://github.com/VLMHyperBenchTeam/hello_world.git"


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Sandbox:
    sb = make_sandbox(tmp_path_factory.mktemp("promote"))
    for name in ("hello-world", "print-utils", "prompt-handler", "model-interface"):
        add_package_tag(sb, name, "0.2.0")
    add_package_tag(
        sb,
        "bench-utils",
        "0.2.0",
        dependencies=["model-interface>=0.2", "print-utils", "prompt-handler"],
    )
    for tag in ("v0.2.1", "0.3.0rc1", "0.3.0.dev1", "0.0.9"):
        add_package_tag(sb, "hello-world", tag)
    add_package_tag(sb, "hello-world", "0.2.3", version="0.2.4")  # declares another version
    add_package_tag(sb, "hello-world", "0.0.12", version="0.0.10")  # old tag: exempt
    add_package_tag(sb, "hello-world", "0.2.5", requires_python=">=3.99")  # uv lock fails
    return sb


_counter = iter(range(1000))


@pytest.fixture
def mono(sandbox: Sandbox) -> Path:
    return make_monorepo(sandbox, name=f"mono{next(_counter)}")


def run(
    sandbox: Sandbox, mono: Path, capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[int, str, str]:
    return run_cli(["promote", "--repo", str(mono), *args], sandbox.env()).as_tuple()


def state(mono: Path) -> tuple[str, ...]:
    """Everything a promotion could leave behind in the user's repository."""
    return (
        git("for-each-ref", "--format=%(refname) %(objectname)", cwd=mono),
        git("status", "--porcelain", "--untracked-files=all", cwd=mono),
        git("worktree", "list", "--porcelain", cwd=mono),
        git("symbolic-ref", "HEAD", cwd=mono),
        git("diff", "--cached", cwd=mono),
        git("diff", cwd=mono),
    )


def show(mono: Path, ref: str, path: str) -> str:
    return git("show", f"{ref}:{path}", cwd=mono)


def locked_source(mono: Path, ref: str, env: str, name: str) -> list[str]:
    lock = tomllib.loads(show(mono, ref, f"{env}/uv.lock"))
    return [p["source"].get("git", str(p["source"])) for p in lock["package"] if p["name"] == name]


def assert_rejected(
    result: tuple[int, str, str], before: tuple[str, ...], mono: Path, match: str, code: int = 2
) -> None:
    rc, _out, err = result
    lines = [line for line in err.splitlines() if line.startswith("release-tool promote:")]
    assert rc == code, err
    assert len(lines) == 1 and match in lines[0], err
    assert "Traceback" not in err
    assert state(mono) == before


def test_acceptance_new_tag_as_the_user_types_it(sandbox: Sandbox, mono: Path) -> None:
    commit = sandbox.packages["hello-world"].tags["0.2.0"]
    (mono / "notes.txt").write_text("my uncommitted notes\n", encoding="utf-8")
    before = state(mono)
    tool = Path(sys.executable).parent / "release-tool"
    done = subprocess.run(
        [
            str(tool),
            "promote",
            "--env",
            "staging",
            "--package",
            "hello-world",
            "--tag",
            "0.2.0",
            "--sha",
            commit,
        ],
        cwd=mono,
        env=sandbox.env(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    branch = "release/staging/hello-world"
    assert f"committed: {branch}" in done.stdout
    main_head = git("rev-parse", "main", cwd=mono)
    assert git("rev-list", "--count", f"main..{branch}", cwd=mono) == "1"
    assert git("rev-parse", f"{branch}^", cwd=mono) == main_head
    author = git("log", "-1", "--format=%an <%ae>|%cn", branch, cwd=mono)
    assert author.startswith("vlmhb-release-bot[bot] <") and author.endswith(
        "|vlmhb-release-bot[bot]"
    )
    changed = git("diff", "--name-only", f"main..{branch}", cwd=mono).split()
    assert changed == ["staging/pyproject.toml", "staging/uv.lock"]
    assert f'{{ git = "{HELLO_URL}", tag = "0.2.0" }}' in show(
        mono, branch, "staging/pyproject.toml"
    )
    assert locked_source(mono, branch, "staging", "hello-world") == [
        f"{HELLO_URL}?tag=0.2.0#{commit}"
    ]
    # The user's tree, index and branch are as they were, apart from the new branch ref.
    after = state(mono)
    assert after[1:] == before[1:]
    assert (mono / "notes.txt").read_text(encoding="utf-8") == "my uncommitted notes\n"


def test_same_promotion_twice_is_unchanged(
    sandbox: Sandbox, mono: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ("--env", "staging", "--package", "hello-world", "--tag", "0.2.0", "--json")
    rc, out, _ = run(sandbox, mono, capsys, *args)
    first = json.loads(out)
    assert rc == 0 and first["status"] == "committed" and first["previous_branch_commit"] is None
    rc, out, _ = run(sandbox, mono, capsys, *args)
    second = json.loads(out)
    assert rc == 0 and second["status"] == "unchanged"
    assert second["commit"] == first["commit"] == second["previous_branch_commit"]
    assert second["body"] == first["body"]


def test_batch_of_three(sandbox: Sandbox, mono: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, err = run(
        sandbox,
        mono,
        capsys,
        "--env",
        "staging",
        "--json",
        "--pin",
        "hello-world=0.2.0",
        "--pin",
        "print-utils=0.2.0",
        "--package",
        "prompt-handler",
        "--tag",
        "0.2.0",
    )
    assert rc == 0, err
    outcome = json.loads(out)
    branch = outcome["branch"]
    assert branch.startswith("release/staging/batch-")
    assert git("rev-list", "--count", f"main..{branch}", cwd=mono) == "1"
    for name in ("hello-world", "print-utils", "prompt-handler"):
        commit = sandbox.packages[name].tags["0.2.0"]
        assert locked_source(mono, branch, "staging", name)[0].endswith(f"?tag=0.2.0#{commit}")
    assert outcome["labels"] == [
        "release",
        "env:staging",
        "package:hello-world",
        "package:print-utils",
        "package:prompt-handler",
    ]
    assert outcome["lock_initial"] is True


def test_interdependent_pair_refused_alone_accepted_together(
    sandbox: Sandbox, mono: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = state(mono)
    alone = run(sandbox, mono, capsys, "--env", "staging", "--pin", "bench-utils=0.2.0")
    assert_rejected(alone, before, mono, "promote bench-utils and model-interface together")
    rc, out, err = run(
        sandbox,
        mono,
        capsys,
        "--env",
        "staging",
        "--json",
        "--pin",
        "bench-utils=0.2.0",
        "--pin",
        "model-interface=0.2.0",
    )
    assert rc == 0, err
    branch = json.loads(out)["branch"]
    assert locked_source(mono, branch, "staging", "model-interface")[0].endswith(
        "?tag=0.2.0#" + sandbox.packages["model-interface"].tags["0.2.0"]
    )


@pytest.mark.parametrize("tag", ["0.3.0rc1", "0.3.0.dev1"])
def test_prerelease_tags(
    tag: str, sandbox: Sandbox, mono: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rc, _, err = run(sandbox, mono, capsys, "--env", "staging", "--pin", f"hello-world={tag}")
    assert rc == 0, err
    before = state(mono)
    refused = run(sandbox, mono, capsys, "--env", "prod", "--pin", f"hello-world={tag}")
    assert_rejected(refused, before, mono, "is a pre-release")
    rc, _out, err = run(
        sandbox, mono, capsys, "--env", "prod", "--pin", f"hello-world={tag}", "--allow-prerelease"
    )
    assert rc == 0, err
    assert f'tag = "{tag}"' in show(mono, "release/prod/hello-world", "prod/pyproject.toml")


def test_v_prefixed_tag(sandbox: Sandbox, mono: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc, _, err = run(sandbox, mono, capsys, "--env", "staging", "--pin", "hello-world=v0.2.1")
    assert rc == 0, err
    commit = sandbox.packages["hello-world"].tags["v0.2.1"]
    branch = "release/staging/hello-world"
    assert locked_source(mono, branch, "staging", "hello-world") == [
        f"{HELLO_URL}?tag=v0.2.1#{commit}"
    ]


def test_package_new_to_the_profile(
    sandbox: Sandbox, mono: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = mono / "staging/pyproject.toml"
    original = path.read_text(encoding="utf-8")
    without = original.replace('    "hello-world",\n', "").replace(
        f'hello-world = {{ git = "{HELLO_URL}", tag = "0.0.11" }}\n', ""
    )
    path.write_text(without, encoding="utf-8")
    git("commit", "-qam", "drop hello-world from staging", cwd=mono, env=sandbox.env())
    rc, out, err = run(
        sandbox, mono, capsys, "--env", "staging", "--pin", "hello-world=0.2.0", "--json"
    )
    assert rc == 0, err
    assert json.loads(out)["pins"][0]["change"] == "new"
    assert show(mono, "release/staging/hello-world", "staging/pyproject.toml") + "\n" == (
        original.replace('tag = "0.0.11"', 'tag = "0.2.0"')
    )


def test_rejections_leave_no_trace(
    sandbox: Sandbox, mono: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = state(mono)
    cases = [
        (["--pin", "hello-world=9.9.9"], "tag 9.9.9 of hello-world was not found"),
        (["--pin", "hello-world=0.2.0@" + "0" * 40], "not at the given sha"),
        (["--pin", "hello-world=0.2.3"], "declares version 0.2.4, not 0.2.3"),
        (["--pin", "hello-world=0.0.9"], "is a downgrade"),
        (["--pin", "no-such-package=1.0"], "unknown package"),
        (["--pin", "hello-world=0.2.0;touch x"], "malformed tag"),
        (["--pin", "hello-world=--upload-pack=x"], "malformed tag"),
        (["--package", "hello-world", "--tag", "0.2.0\nx"], "malformed tag"),
        (["--package", "hello-world"], "has no --tag"),
    ]
    for args, match in cases:
        assert_rejected(run(sandbox, mono, capsys, "--env", "staging", *args), before, mono, match)
    wrong_repo = mono.parent / "wrong-repo.json"
    wrong_repo.write_text(
        json.dumps(
            {
                "package": "hello-world",
                "tag": "0.2.0",
                "sha": "a" * 40,
                "repository": "VLMHyperBenchTeam/print_utils",
            }
        )
    )
    result = run(sandbox, mono, capsys, "--payload", str(wrong_repo))
    assert_rejected(result, before, mono, "is not hello-world's repository")


def test_managed_since_exemption_warns_in_the_body(
    sandbox: Sandbox, mono: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rc, out, err = run(
        sandbox, mono, capsys, "--env", "staging", "--pin", "hello-world=0.0.12", "--json"
    )
    assert rc == 0, err
    outcome = json.loads(out)
    assert "exempt" in outcome["warnings"][0]
    assert "exempt from the version check" in outcome["body"]


def test_downgrade_allowed_is_a_recorded_rollback(
    sandbox: Sandbox, mono: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rc, out, err = run(
        sandbox,
        mono,
        capsys,
        "--env",
        "staging",
        "--pin",
        "hello-world=0.0.9",
        "--allow-downgrade",
        "--reason",
        "0.0.11 broke the GPU job",
        "--json",
    )
    assert rc == 0, err
    outcome = json.loads(out)
    assert outcome["rollback"] and outcome["title"].startswith("staging: roll back hello-world")
    message = git("log", "-1", "--format=%B", outcome["branch"], cwd=mono)
    assert "Reason: 0.0.11 broke the GPU job" in message
    assert "**rollback**" in outcome["body"]


def test_unreachable_repository_is_an_operational_failure(
    sandbox: Sandbox, mono: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    before = state(mono)
    broken = tmp_path / "gitconfig"
    broken.write_text(
        f'[url "file://{tmp_path}/nowhere/"]\n\tinsteadOf = https://github.com/VLMHyperBenchTeam/\n'
    )
    capsys.readouterr()
    rc = main(
        ["promote", "--repo", str(mono), "--env", "staging", "--pin", "hello-world=0.2.0"],
        env=sandbox.env({"GIT_CONFIG_GLOBAL": str(broken)}),
    )
    result = (rc, *capsys.readouterr())
    assert_rejected(result, before, mono, "cannot reach the repository", code=1)


def test_uv_lock_failure_leaves_the_repository_untouched(
    sandbox: Sandbox, mono: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = state(mono)
    result = run(sandbox, mono, capsys, "--env", "staging", "--pin", "hello-world=0.2.5")
    assert_rejected(result, before, mono, "uv lock for staging", code=1)


def test_dry_run_changes_nothing(
    sandbox: Sandbox, mono: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = state(mono)
    rc, out, err = run(
        sandbox, mono, capsys, "--env", "staging", "--pin", "hello-world=0.2.0", "--dry-run"
    )
    assert rc == 0, err
    assert "would write one commit on release/staging/hello-world" in out
    assert '+hello-world = { git = "' in out and "<!-- release-tool:pins" in out
    assert state(mono) == before


def test_moved_tag_after_an_earlier_lock(
    sandbox: Sandbox, mono: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = add_package_tag(sandbox, "print-utils", "0.2.7")
    rc, out, err = run(
        sandbox, mono, capsys, "--env", "staging", "--pin", "print-utils=0.2.7", "--json"
    )
    assert rc == 0, err
    git("merge", "-q", "--ff-only", json.loads(out)["branch"], cwd=mono, env=sandbox.env())
    # The base now pins and locks 0.2.7 at its commit: a re-sent dispatch is a noop.
    rc, out, _ = run(
        sandbox, mono, capsys, "--env", "staging", "--pin", f"print-utils=0.2.7@{first}", "--json"
    )
    assert rc == 0 and json.loads(out)["status"] == "noop"
    moved = add_package_tag(sandbox, "print-utils", "0.2.7", move=True)
    assert moved != first
    before = state(mono)
    stale = run(sandbox, mono, capsys, "--env", "staging", "--pin", f"print-utils=0.2.7@{first}")
    assert_rejected(stale, before, mono, "not at the given sha")
    same = run(sandbox, mono, capsys, "--env", "staging", "--pin", "print-utils=0.2.7")
    assert_rejected(same, before, mono, "same version at another commit")
    rc, out, err = run(
        sandbox,
        mono,
        capsys,
        "--env",
        "staging",
        "--pin",
        "print-utils=0.2.7",
        "--allow-downgrade",
        "--json",
    )
    assert rc == 0, err
    # uv lock --upgrade-package re-read the tag: the old commit did not survive.
    assert locked_source(mono, json.loads(out)["branch"], "staging", "print-utils") == [
        f"https://github.com/VLMHyperBenchTeam/print_utils.git?tag=0.2.7#{moved}"
    ]


def test_lock_diff_against_an_earlier_lock(
    sandbox: Sandbox, mono: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rc, out, err = run(
        sandbox, mono, capsys, "--env", "staging", "--pin", "hello-world=0.2.0", "--json"
    )
    assert rc == 0, err
    git("merge", "-q", "--ff-only", json.loads(out)["branch"], cwd=mono, env=sandbox.env())
    rc, out, err = run(
        sandbox, mono, capsys, "--env", "staging", "--pin", "hello-world=v0.2.1", "--json"
    )
    assert rc == 0, err
    outcome = json.loads(out)
    assert outcome["lock_initial"] is False
    for label in ("(no extra)", "cu124", "cu128"):
        diff = outcome["lock_diff"][label]
        assert diff["added"] == [] and diff["removed"] == []
        assert [c["name"] for c in diff["changed"]] == ["hello-world"]
    assert outcome["collateral"] == []
    assert "hello-world 0.2.0 (" in outcome["body"] and "v0.2.1 (" in outcome["body"]


@pytest.fixture
def dirty(mono: Path) -> Iterator[Path]:
    (mono / "staging/pyproject.toml").write_text("# my local edit\n", encoding="utf-8")
    (mono / "README.md").write_text("staged edit\n", encoding="utf-8")
    git("add", "README.md", cwd=mono)
    yield mono


def test_uncommitted_changes_stay_untouched(
    sandbox: Sandbox, dirty: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = state(dirty)
    rc, _, err = run(sandbox, dirty, capsys, "--env", "staging", "--pin", "hello-world=0.2.0")
    assert rc == 0, err
    assert state(dirty)[1:] == before[1:]
    assert (dirty / "staging/pyproject.toml").read_text(encoding="utf-8") == "# my local edit\n"
    # The release branch was built from the base branch head, not from the dirty tree.
    assert "# my local edit" not in show(
        dirty, "release/staging/hello-world", "staging/pyproject.toml"
    )


def test_intake_output_feeds_promote_payload(
    sandbox: Sandbox, mono: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    commit = sandbox.packages["hello-world"].tags["0.2.0"]
    event = json.loads((Path(__file__).parent / "fixtures/event-single.json").read_text())
    event["client_payload"]["sha"] = commit
    event_path = tmp_path / "event.json"
    event_path.write_text(json.dumps(event), encoding="utf-8")
    capsys.readouterr()
    assert main(["intake"], env=sandbox.env({"GITHUB_EVENT_PATH": str(event_path)})) == 0
    pins = tmp_path / "pins.json"
    pins.write_text(capsys.readouterr().out, encoding="utf-8")
    rc, out, err = run(sandbox, mono, capsys, "--payload", str(pins), "--json")
    assert rc == 0, err
    outcome = json.loads(out)
    assert (outcome["env"], outcome["status"]) == ("staging", "committed")
    assert outcome["pins"][0]["commit"] == commit


def test_a_checked_out_release_branch_is_refused_with_exit_2(
    sandbox: Sandbox, mono: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The same refusal (one commit_on_branch) guards promote, relock and bump.
    branch = "release/staging/hello-world"
    git("switch", "-q", "-c", branch, cwd=mono)
    before = state(mono)
    args = ("--env", "staging", "--package", "hello-world", "--tag", "0.2.0")
    assert_rejected(
        run(sandbox, mono, capsys, *args), before, mono, f"{branch} is checked out in a worktree"
    )
