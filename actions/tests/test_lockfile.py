"""Reading uv.lock and uv export output; per-extra lock diffs (golden)."""

from __future__ import annotations

from release_tool.core.lockfile import (
    NO_EXTRA,
    ExportedPackage,
    LockDiff,
    attach_tags,
    diff_lock,
    parse_export,
    read_lock,
    split_git_source,
)

from .conftest import FIXTURES

LOCK = FIXTURES / "lock"


def _sets(when: str) -> dict[str, dict[str, ExportedPackage]]:
    files = {NO_EXTRA: "noextra", "cu124": "cu124", "cu128": "cu128"}
    return {
        label: parse_export((LOCK / f"export-{when}-{name}.txt").read_text(encoding="utf-8"))
        for label, name in files.items()
    }


def _summary(diff: LockDiff, promoted: list[str]) -> str:
    lines = []
    for s in diff.sets:
        parts = [f"added {p.name} {p.describe()}" for p in s.added]
        parts += [f"removed {p.name} {p.describe()}" for p in s.removed]
        parts += [f"{c.name} {c.before.describe()} -> {c.after.describe()}" for c in s.changed]
        lines.append(f"{s.label}: {'; '.join(parts) or 'no change'}")
    lines.append(f"collateral: {', '.join(diff.collateral(promoted)) or 'none'}")
    return "\n".join(lines) + "\n"


def test_read_lock_entries() -> None:
    lock = read_lock((LOCK / "staging.uv.lock").read_text(encoding="utf-8"))
    (hello,) = lock.named("hello_world")
    assert hello.source_kind == "git"
    assert hello.git_url == "https://github.com/VLMHyperBenchTeam/hello_world.git"
    assert hello.git_tag == "0.0.11"
    assert hello.git_commit == "c81144bfb7353b9c3071b87c276a460ee5e3b480"
    assert [t.version for t in lock.named("torch")] == ["2.6.0+cu124", "2.11.0+cu128"]
    assert lock.named("bench-utils")[0].dependencies == (
        "model-interface",
        "print-utils",
        "prompt-handler",
    )
    assert lock.named("rich")[0].source_kind == "registry"


def test_split_git_source() -> None:
    assert split_git_source("https://x/y.git?tag=v1.0#abc") == ("https://x/y.git", "v1.0", "abc")
    assert split_git_source("https://x/y.git?rev=abc#abc") == ("https://x/y.git", None, "abc")


def test_parse_export_reads_versions_and_git_commits() -> None:
    sets = _sets("before")
    assert sets["cu124"]["torch"].version == "2.6.0+cu124"
    hello = sets[NO_EXTRA]["hello-world"]
    assert hello.url == "https://github.com/VLMHyperBenchTeam/hello_world.git"
    assert hello.commit == "c81144bfb7353b9c3071b87c276a460ee5e3b480"
    assert "torch" not in sets[NO_EXTRA]
    lock = read_lock((LOCK / "staging.uv.lock").read_text(encoding="utf-8"))
    assert attach_tags(sets[NO_EXTRA], lock)["hello-world"].describe() == "0.0.11 (c81144bfb7)"


def test_golden_diff_where_only_cu128_changes() -> None:
    diff = diff_lock(_sets("before"), _sets("after"))
    expected = (LOCK / "diff-only-cu128.golden").read_text(encoding="utf-8")
    assert _summary(diff, ["hello-world"]) == expected
    assert [s.label for s in diff.sets if not s.empty] == ["cu128"]


def test_first_lock_diff_is_the_initial_set_without_collateral() -> None:
    diff = diff_lock(None, _sets("after"))
    assert diff.initial
    assert {p.name for p in diff.sets[0].added} == {"bench-utils", "hello-world", "rich"}
    assert diff.collateral(["hello-world"]) == ()
