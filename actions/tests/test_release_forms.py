"""staging -> prod (--from-env), rollback, direct prod promotions and relock: real git and
uv on a sandbox clone of this monorepo (package repositories behind ``insteadOf``,
stand-in torch indexes)."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from release_tool.sandbox.indexes import add_standin_wheel

from tests.support.cli import run_cli
from tests.support.sandbox import Sandbox, add_package_tag, git, make_monorepo, make_sandbox

pytestmark = pytest.mark.uvlock

BATCH = ("hello-world", "print-utils", "prompt-handler", "model-interface", "bench-utils")


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Sandbox:
    sb = make_sandbox(tmp_path_factory.mktemp("forms"))
    for name in BATCH[:-1]:
        add_package_tag(sb, name, "0.2.0")
    add_package_tag(
        sb,
        "bench-utils",
        "0.2.0",
        dependencies=["model-interface>=0.2", "print-utils", "prompt-handler"],
    )
    add_package_tag(sb, "hello-world", "0.2.1")
    add_package_tag(sb, "hello-world", "0.3.0rc1")
    return sb


_counter = iter(range(1000))


def cli(
    sandbox: Sandbox, mono: Path, capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[int, str, str]:
    return run_cli([*args, "--repo", str(mono)], sandbox.env()).as_tuple()


def merged(
    sandbox: Sandbox, mono: Path, capsys: pytest.CaptureFixture[str], *args: str
) -> dict[str, object]:
    """Run a promote/relock with --json, then fast-forward main to its branch (the merge)."""
    rc, out, err = cli(sandbox, mono, capsys, *args, "--json")
    assert rc == 0, err
    outcome: dict[str, object] = json.loads(out)
    git("merge", "-q", "--ff-only", str(outcome["branch"]), cwd=mono, env=sandbox.env())
    return outcome


def file_at(mono: Path, ref: str, path: str) -> str:
    return git("show", f"{ref}:{path}", cwd=mono)


def internal_sources(mono: Path, ref: str, env: str) -> dict[str, str]:
    """package -> the git source its lock records (URL?tag=T#commit)."""
    lock = tomllib.loads(file_at(mono, ref, f"{env}/uv.lock"))
    return {p["name"]: p["source"]["git"] for p in lock["package"] if "git" in p.get("source", {})}


def pins(mono: Path, ref: str, env: str) -> dict[str, dict[str, str]]:
    data = tomllib.loads(file_at(mono, ref, f"{env}/pyproject.toml"))
    sources: dict[str, dict[str, str]] = data["tool"]["uv"]["sources"]
    return {n: s for n, s in sources.items() if isinstance(s, dict) and "tag" in s}


@pytest.fixture
def staged(sandbox: Sandbox, capsys: pytest.CaptureFixture[str]) -> Path:
    """A clone whose main has staging at 0.2.0 (batch) then hello-world 0.3.0rc1, merged."""
    mono = make_monorepo(sandbox, name=f"forms{next(_counter)}")
    batch = [a for name in BATCH for a in ("--pin", f"{name}=0.2.0")]
    merged(sandbox, mono, capsys, "promote", "--env", "staging", *batch)
    merged(sandbox, mono, capsys, "promote", "--env", "staging", "--pin", "hello-world=0.3.0rc1")
    return mono


def test_prod_from_staging_takes_exactly_stagings_pins(
    sandbox: Sandbox, staged: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = git("for-each-ref", "--format=%(refname)", cwd=staged)
    rc, _out, err = cli(
        sandbox, staged, capsys, "promote", "--env", "prod", "--from-env", "staging"
    )
    assert rc == 2 and "0.3.0rc1 is a pre-release" in err and "Traceback" not in err
    assert git("for-each-ref", "--format=%(refname)", cwd=staged) == before
    outcome = merged(
        sandbox,
        staged,
        capsys,
        "promote",
        "--env",
        "prod",
        "--from-env",
        "staging",
        "--allow-prerelease",
    )
    assert outcome["status"] == "committed"
    staging_pins = pins(staged, "main", "staging")
    assert pins(staged, "main", "prod") == staging_pins
    staging_lock = internal_sources(staged, "main", "staging")
    assert internal_sources(staged, "main", "prod") == staging_lock
    assert staging_lock["hello-world"].endswith(sandbox.packages["hello-world"].tags["0.3.0rc1"])
    # Nothing else: only the internal sources changed in prod/pyproject.toml.
    diff = git("diff", "main~1", "main", "--", "prod/pyproject.toml", cwd=staged)
    changed = [
        line for line in diff.splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")
    ]
    # (a line whose only change is the file's final newline shows as - and + alike)
    moved = {line for line in changed if ("+-"[line[0] == "+"] + line[1:]) not in changed}
    assert moved and all("git = " in line for line in moved), moved
    assert "Not tested in staging" not in str(outcome["body"])
    # Run again: prod already pins and locks what staging does.
    rc, out, _ = cli(sandbox, staged, capsys, "promote", "--env", "prod", "--from-env", "staging")
    assert rc == 0 and out.startswith("unchanged: prod already pins and locks what staging does")


def test_from_env_narrowed_to_one_package_and_refusals(
    sandbox: Sandbox, staged: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outcome = merged(
        sandbox,
        staged,
        capsys,
        "promote",
        "--env",
        "prod",
        "--from-env",
        "staging",
        "--package",
        "print-utils",
    )
    assert outcome["branch"] == "release/prod/print-utils"
    assert [p["package"] for p in outcome["pins"]] == ["print-utils"]  # type: ignore[attr-defined]
    assert pins(staged, "main", "prod")["hello-world"]["tag"] == "0.0.11"
    for args, message in [
        (("--package", "print-utils", "--tag", "0.2.0"), "drop --tag/--sha"),
        (("--pin", "print-utils=0.2.0"), "drop --pin/--payload"),
    ]:
        rc, _, err = cli(
            sandbox, staged, capsys, "promote", "--env", "prod", "--from-env", "staging", *args
        )
        assert rc == 2 and message in err
    fresh = make_monorepo(sandbox, name=f"forms{next(_counter)}")
    rc, _, err = cli(sandbox, fresh, capsys, "promote", "--env", "prod", "--from-env", "staging")
    assert rc == 2 and "staging has no uv.lock yet" in err


def test_rollback_in_prod_records_the_reason(
    sandbox: Sandbox, staged: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    merged(
        sandbox,
        staged,
        capsys,
        "promote",
        "--env",
        "prod",
        "--from-env",
        "staging",
        "--allow-prerelease",
    )
    rollback = (
        "promote",
        "--env",
        "prod",
        "--package",
        "hello-world",
        "--tag",
        "0.2.0",
        "--allow-downgrade",
    )
    rc, _, err = cli(sandbox, staged, capsys, *rollback)
    assert rc == 2 and "needs --reason" in err
    rc, _, err = cli(
        sandbox,
        staged,
        capsys,
        "promote",
        "--env",
        "prod",
        "--package",
        "hello-world",
        "--tag",
        "0.2.0",
    )
    assert rc == 2 and "--allow-downgrade" in err
    outcome = merged(sandbox, staged, capsys, *rollback, "--reason", "0.3.0rc1 fails on the A100s")
    assert outcome["rollback"] is True
    assert "Reason: 0.3.0rc1 fails on the A100s" in str(outcome["body"])
    message = git("log", "-1", "--format=%B", "main", cwd=staged)
    assert "Reason: 0.3.0rc1 fails on the A100s" in message
    commit = sandbox.packages["hello-world"].tags["0.2.0"]
    assert pins(staged, "main", "prod")["hello-world"]["tag"] == "0.2.0"
    assert internal_sources(staged, "main", "prod")["hello-world"].endswith(f"?tag=0.2.0#{commit}")


def test_direct_prod_promotion_warns_and_can_be_forbidden(
    sandbox: Sandbox, staged: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    merged(
        sandbox,
        staged,
        capsys,
        "promote",
        "--env",
        "prod",
        "--from-env",
        "staging",
        "--allow-prerelease",
    )
    rc, out, err = cli(
        sandbox,
        staged,
        capsys,
        "promote",
        "--env",
        "prod",
        "--pin",
        "print-utils=0.2.0",
        "--allow-downgrade",
        "--reason",
        "re-pin",
        "--json",
    )
    assert rc == 0, err
    # print-utils 0.2.0 is what staging tested: a re-pin with the same tag and commit is a noop.
    assert json.loads(out)["status"] == "noop"
    rc, out, err = cli(
        sandbox, staged, capsys, "promote", "--env", "prod", "--pin", "hello-world=0.2.1", "--json"
    )
    assert rc == 2 and "downgrade" in err  # 0.3.0rc1 -> 0.2.1 needs a rollback
    fresh = make_monorepo(sandbox, name=f"forms{next(_counter)}")
    rc, out, err = cli(
        sandbox, fresh, capsys, "promote", "--env", "prod", "--pin", "hello-world=0.2.1", "--json"
    )
    assert rc == 0, err
    body = json.loads(out)["body"]
    assert "Not tested in staging: hello-world 0.2.1 (staging pins 0.0.11)" in body
    config = fresh / "pyproject.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace(
            'directory = "prod"\n', 'directory = "prod"\nallow-direct-promotion = false\n'
        ),
        encoding="utf-8",
    )
    git("commit", "-qam", "prod: no direct promotions", cwd=fresh, env=sandbox.env())
    rc, _, err = cli(
        sandbox, fresh, capsys, "promote", "--env", "prod", "--pin", "hello-world=0.2.1"
    )
    assert rc == 2 and "takes only --from-env staging or a rollback" in err


def test_relock_first_lock_hand_edit_and_upgrade(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    mono = make_monorepo(sandbox, name=f"forms{next(_counter)}")
    first = merged(sandbox, mono, capsys, "relock", "--env", "prod")
    assert first["branch"] == "release/prod/relock" and first["lock_initial"] is True
    assert first["title"] == "prod: first lock"
    locked = internal_sources(mono, "main", "prod")
    for name, tag in (("hello-world", "0.0.11"), ("print-utils", "0.0.1")):
        assert locked[name].endswith(f"?tag={tag}#{sandbox.packages[name].tags[tag]}")
    # A tag moved upstream: a re-lock keeps the locked commit (and says so).
    old = sandbox.packages["print-utils"].tags["0.0.1"]
    add_package_tag(sandbox, "print-utils", "0.0.1", move=True)
    # A hand edit (a new third-party requirement); a newer build appears on the cu124 index.
    path = mono / "prod/pyproject.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace('    "prompt-handler",\n]', '    "prompt-handler",\n    "iniconfig",\n]'),
        encoding="utf-8",
    )
    git("commit", "-qam", "prod: a check group", cwd=mono, env=sandbox.env())
    assert sandbox.indexes is not None
    add_standin_wheel(sandbox.indexes["cu124"], "torchvision", "0.21.1+cu124", ["torch==2.6.0"])
    try:
        plain = merged(sandbox, mono, capsys, "relock", "--env", "prod")
        assert plain["status"] == "committed" and plain["moved"] == ["iniconfig"]
        assert any("print-utils 0.0.1 now points at" in w for w in plain["warnings"])  # type: ignore[attr-defined]
        assert internal_sources(mono, "main", "prod") == locked
        assert internal_sources(mono, "main", "prod")["print-utils"].endswith(old)
        upgraded = merged(sandbox, mono, capsys, "relock", "--env", "prod", "--upgrade")
        assert upgraded["moved"] == ["torchvision"]
        assert internal_sources(mono, "main", "prod") == locked
        lock = tomllib.loads(file_at(mono, "main", "prod/uv.lock"))
        versions = {p["version"] for p in lock["package"] if p["name"] == "torchvision"}
        assert "0.21.1+cu124" in versions
        rc, out, _ = cli(sandbox, mono, capsys, "relock", "--env", "prod")
        assert rc == 0 and out.startswith("unchanged: prod's lock is already current")
    finally:
        add_package_tag(sandbox, "print-utils", "0.0.1", move=True)
