"""`release-tool publish` with real git: split, fast-forward, tag, push, refusals, adopt."""

from __future__ import annotations

import argparse
import contextlib
import io
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from release_tool.adapters import split as split_module
from release_tool.adapters.split import split_directory
from release_tool.cli import build_parser, main
from release_tool.commands.publish import publish

from tests.support.monorepo import PACKAGES, Monorepo, make_monorepo, repo_name

BOT = "vlmhb-release-bot[bot] <vlmhb-release-bot[bot]@users.noreply.github.com>"


def _refs(mono: Monorepo, package: str) -> str:
    return mono.pkg_git(package, "for-each-ref", "--format=%(refname) %(objectname)")


def _split(mono: Monorepo, package: str) -> str:
    directory = PACKAGES[package]["directory"]
    return split_directory(mono.work, directory, "origin/main", mono.env())


def _tag_message(mono: Monorepo, package: str, tag: str) -> str:
    return mono.pkg_git(package, "for-each-ref", "--format=%(contents)", f"refs/tags/{tag}")


def test_split_is_deterministic_across_runs_and_clones(tmp_path: Path) -> None:
    mono = make_monorepo(tmp_path / "a")
    other = make_monorepo(tmp_path / "b")
    first = _split(mono, "hello-world")
    split_module._SPLITS.clear()  # a second run that splits again, not from memory
    assert _split(mono, "hello-world") == first
    assert _split(other, "hello-world") == first
    # the split holds the directory's files at its root
    files = mono.git("ls-tree", "--name-only", first).split()
    assert "pyproject.toml" in files
    assert "packages" not in files


def test_a_split_is_made_once_per_commit_in_a_process(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mono = make_monorepo(tmp_path)
    split_module._SPLITS.clear()
    capsys.readouterr()
    first = _split(mono, "hello-world")
    assert "git subtree split" in capsys.readouterr().err
    assert _split(mono, "hello-world") == first
    again = capsys.readouterr().err
    assert "git subtree split" not in again and "already made" in again
    # a new commit on origin/main is split again
    mono.commit_change("packages/hello_world/README.md", "\nNew.\n", "feat(hello): new")
    mono.git("fetch", "-q", "origin")
    assert _split(mono, "hello-world") != first
    assert "git subtree split" in capsys.readouterr().err


def test_parallel_splits_equal_one_by_one(tmp_path: Path) -> None:
    mono = make_monorepo(tmp_path)
    directories = [spec["directory"] for spec in PACKAGES.values()]
    split_module._SPLITS.clear()
    together = split_module.split_directories(mono.work, directories, "origin/main", mono.env())
    split_module._SPLITS.clear()
    one_by_one = {d: split_directory(mono.work, d, "origin/main", mono.env()) for d in directories}
    assert together == one_by_one and len(set(together.values())) == len(directories)


@pytest.mark.uvlock
def test_two_releases_fast_forward_and_tag_the_split(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    mono = make_monorepo(tmp_path, empty=["hello-world"])
    monkeypatch.chdir(mono.work)
    env = mono.env()

    # the first release of an empty repository
    assert main(["publish", "--package", "hello-world", "--push"], env) == 0
    first = _split(mono, "hello-world")
    assert mono.tags("hello-world") == {"0.2.0": first}
    assert mono.pkg_git("hello-world", "rev-parse", "main") == first
    message = _tag_message(mono, "hello-world", "0.2.0")
    assert message.startswith("hello-world 0.2.0\n\nChanges (first release from the monorepo):")
    tagger = mono.pkg_git("hello-world", "for-each-ref", "--format=%(taggername) %(taggeremail)")
    assert tagger == BOT
    capsys.readouterr()

    # changes: one in the package, one elsewhere; a bump PR squash-merged as GitHub does
    mono.commit_change("packages/hello_world/README.md", "\nLouder.\n", "feat(hello): greet louder")
    mono.commit_change("packages/print_utils/README.md", "\nx\n", "fix(print): not hello's")
    mono.commit_change("packages/hello_world/README.md", "\nOnce.\n", "fix: greet once (#7)")
    assert main(["bump", "--package", "hello-world", "--bump", "patch"], env) == 0
    mono.squash_merge("bump/hello-world-0.2.1", "chore(release): bump hello-world to 0.2.1 (#8)")

    assert main(["publish", "--package", "hello-world", "--dry-run"], env) == 0
    dry = capsys.readouterr().out
    assert "tag 0.2.1 (annotated)" in dry
    assert mono.tags("hello-world") == {"0.2.0": first}  # the dry run changed nothing

    assert main(["publish", "--package", "hello-world", "--push"], env) == 0
    second = _split(mono, "hello-world")
    assert mono.tags("hello-world") == {"0.2.0": first, "0.2.1": second}
    assert mono.pkg_git("hello-world", "rev-parse", "main") == second
    assert mono.pkg_git("hello-world", "merge-base", "--is-ancestor", first, second) == ""
    assert mono.pkg_git("hello-world", "show", f"{second}:pyproject.toml").count('"0.2.1"') == 1
    assert _tag_message(mono, "hello-world", "0.2.1") == (
        "hello-world 0.2.1\n"
        "\n"
        "Changes since 0.2.0:\n"
        "\n"
        "Features:\n"
        "- hello: greet louder\n"
        "\n"
        "Fixes:\n"
        "- greet once (#7)"  # (the helper strips the final newline)
    )

    # the same version again is refused, and nothing moves
    before = _refs(mono, "hello-world")
    assert main(["publish", "--package", "hello-world", "--push"], env) == 2
    assert "0.2.1 is already tagged (0.2.1)" in capsys.readouterr().err
    assert _refs(mono, "hello-world") == before


def test_without_push_nothing_reaches_the_package_repository(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    mono = make_monorepo(tmp_path, empty=["hello-world"])
    monkeypatch.chdir(mono.work)
    assert main(["publish", "--package", "hello-world"], mono.env()) == 0
    assert "push: no (add --push" in capsys.readouterr().out
    assert _refs(mono, "hello-world") == ""


@pytest.mark.parametrize("state", ["dirty", "untracked", "ahead", "behind", "other-branch"])
def test_publish_refuses_unless_clean_at_origin(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], state: str
) -> None:
    mono = make_monorepo(tmp_path, empty=["hello-world"])
    monkeypatch.chdir(mono.work)
    if state == "dirty":
        with (mono.work / "README.md").open("a", encoding="utf-8") as fh:
            fh.write("local edit\n")
    elif state == "untracked":
        (mono.work / "new.txt").write_text("x\n", encoding="utf-8")
    elif state == "ahead":
        mono.commit_change("notes.md", "x\n", "docs: not pushed", push=False)
    elif state == "behind":
        mono.commit_change("notes.md", "x\n", "docs: pushed")
        mono.git("reset", "--quiet", "--hard", "HEAD^")
    else:
        mono.git("switch", "--quiet", "-c", "topic")
        mono.commit_change("notes.md", "x\n", "docs: topic", push=False)
    assert main(["publish", "--package", "hello-world", "--push"], mono.env()) == 2
    err = capsys.readouterr().err
    words = "uncommitted or untracked" if state in {"dirty", "untracked"} else "is not origin/main"
    assert words in err
    assert _refs(mono, "hello-world") == ""


def test_adopt_keeps_the_legacy_history_and_tags(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    mono = make_monorepo(tmp_path, legacy={"bench-utils": ["0.1.1", "0.1.2"]})
    monkeypatch.chdir(mono.work)
    env = mono.env()
    old_tags = mono.tags("bench-utils")
    old_main = mono.pkg_git("bench-utils", "rev-parse", "main")

    # an unrelated history cannot be fast-forwarded: publish points to --adopt
    assert main(["publish", "--package", "bench-utils", "--push"], env) == 2
    assert "publish --adopt --package bench-utils" in capsys.readouterr().err

    # adopt says what it will do and does nothing without --yes
    before = _refs(mono, "bench-utils")
    assert main(["publish", "--adopt", "--package", "bench-utils"], env) == 2
    captured = capsys.readouterr()
    assert f"keep the old main ({old_main[:12]}) as legacy/main" in captured.out
    assert "tags kept untouched (2): 0.1.1, 0.1.2" in captured.out
    assert "rerun with --yes" in captured.err
    assert _refs(mono, "bench-utils") == before

    assert main(["publish", "--adopt", "--package", "bench-utils", "--yes"], env) == 0
    split = _split(mono, "bench-utils")
    assert mono.pkg_git("bench-utils", "rev-parse", "main") == split
    assert mono.pkg_git("bench-utils", "rev-parse", "legacy/main") == old_main
    assert mono.tags("bench-utils") == old_tags
    assert mono.pkg_git("bench-utils", "symbolic-ref", "HEAD") == "refs/heads/main"

    # adopting again does nothing; publishing now fast-forwards from the adopted split
    assert main(["publish", "--adopt", "--package", "bench-utils", "--yes"], env) == 0
    assert "already follows the split" in capsys.readouterr().out
    assert main(["publish", "--package", "bench-utils", "--push"], env) == 0
    assert mono.tags("bench-utils") == {**old_tags, "0.2.0": split}
    assert mono.pkg_git("bench-utils", "rev-parse", "legacy/main") == old_main


def test_adopt_never_overwrites_an_existing_legacy_branch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    mono = make_monorepo(tmp_path, legacy={"hello-world": ["0.0.11"]})
    monkeypatch.chdir(mono.work)
    mono.pkg_git("hello-world", "branch", "legacy/main", "main")
    before = _refs(mono, "hello-world")
    assert main(["publish", "--adopt", "--package", "hello-world", "--yes"], mono.env()) == 2
    assert "already has a branch legacy/main" in capsys.readouterr().err
    assert _refs(mono, "hello-world") == before


class RecordingSender:
    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []

    def __call__(self, repository: str, payload: Mapping[str, Any]) -> str:
        self.sent.append((repository, dict(payload)))
        return "https://example.invalid/watch"


def _intake(payload: Mapping[str, Any], tmp_path: Path, env: Mapping[str, str]) -> Any:
    """What `release-tool intake` makes of a payload (it must accept it)."""
    path = tmp_path / "payload.json"
    path.write_text(json.dumps({"action": "package-released", "client_payload": payload}))
    with contextlib.redirect_stdout(io.StringIO()) as out:
        assert main(["intake", "--payload", str(path)], env) == 0
    return json.loads(out.getvalue())


def _args(*argv: str) -> argparse.Namespace:
    return build_parser().parse_args(["publish", *argv])


@pytest.mark.uvlock
def test_all_publishes_only_changed_packages_and_sends_one_batch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    mono = make_monorepo(tmp_path, empty=list(PACKAGES))
    monkeypatch.chdir(mono.work)
    env = mono.env()
    sender = RecordingSender()

    # the bootstrap: every package at its first version, one batch dispatch
    assert publish(_args("--all", "--push", "--notify"), env, mono.work, sender) == 0
    ((repository, payload),) = sender.sent
    assert repository == "VLMHyperBenchTeam/vlmhyperbench_playground"
    assert set(payload) == {"pins"}  # the batch shape; env left to its default, staging
    pins = {pin["package"]: pin for pin in payload["pins"]}
    assert set(pins) == set(PACKAGES)
    for name, pin in pins.items():
        assert mono.tags(name) == {pin["tag"]: pin["sha"]}
        assert pin["repository"] == "VLMHyperBenchTeam/" + repo_name(name).removesuffix(".git")
    assert _intake(payload, tmp_path, env)["pins"] == payload["pins"]

    # one package changes and is bumped: --all publishes it alone
    capsys.readouterr()
    mono.commit_change("packages/print_utils/README.md", "\nMore.\n", "feat: print more")
    assert main(["bump", "--package", "print-utils", "--bump", "minor"], env) == 0
    mono.squash_merge("bump/print-utils-0.3.0", "chore(release): bump print-utils to 0.3.0 (#9)")
    assert publish(_args("--all", "--push", "--notify"), env, mono.work, sender) == 0
    assert len(sender.sent) == 2
    split = _split(mono, "print-utils")
    single = {
        "package": "print-utils",
        "tag": "0.3.0",
        "sha": split,
        "repository": "VLMHyperBenchTeam/print_utils",
    }
    assert sender.sent[1][1] == single
    assert _intake(single, tmp_path, env) == {**single, "env": "staging"}
    out = capsys.readouterr().out
    assert "skipped hello-world: 0.2.0 already tagged" in out
    for name in set(PACKAGES) - {"print-utils"}:
        assert len(mono.tags(name)) == 1

    # nothing changed: a second run publishes nothing and sends nothing
    refs = {name: _refs(mono, name) for name in PACKAGES}
    assert publish(_args("--all", "--push", "--notify"), env, mono.work, sender) == 0
    assert "Nothing to publish" in capsys.readouterr().out
    assert len(sender.sent) == 2
    assert {name: _refs(mono, name) for name in PACKAGES} == refs


def test_notify_needs_push(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    mono = make_monorepo(tmp_path, empty=["hello-world"])
    monkeypatch.chdir(mono.work)
    assert main(["publish", "--package", "hello-world", "--notify"], mono.env()) == 2
    assert "--notify needs --push" in capsys.readouterr().err


def test_dry_run_with_notify_prints_the_payload_and_sends_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mono = make_monorepo(tmp_path, empty=["hello-world"])
    sender = RecordingSender()
    args = _args("--package", "hello-world", "--push", "--notify", "--dry-run")
    assert publish(args, mono.env(), mono.work, sender) == 0
    out = capsys.readouterr().out
    assert (
        'dispatch to VLMHyperBenchTeam/vlmhyperbench_playground: {"package": "hello-world"' in out
    )
    assert sender.sent == []
    assert _refs(mono, "hello-world") == ""


def test_adopt_all_handles_legacy_and_empty_repositories_then_publish_all(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    others = [name for name in PACKAGES if name != "hello-world"]
    mono = make_monorepo(tmp_path, empty=others, legacy={"hello-world": ["0.0.10", "0.0.11"]})
    monkeypatch.chdir(mono.work)
    env = mono.env()
    old_main = mono.pkg_git("hello-world", "rev-parse", "main")
    assert main(["publish", "--adopt", "--all", "--yes"], env) == 0
    out = capsys.readouterr().out
    assert out.count("the repository is empty: push the split as main") == len(others)
    assert "keep the old main" in out
    for name in PACKAGES:
        assert mono.pkg_git(name, "rev-parse", "main") == _split(mono, name)
    assert mono.pkg_git("hello-world", "rev-parse", "legacy/main") == old_main
    assert main(["publish", "--all", "--push"], env) == 0
    for name in PACKAGES:
        assert "0.2.0" in mono.tags(name)
    assert set(mono.tags("hello-world")) == {"0.0.10", "0.0.11", "0.2.0"}
