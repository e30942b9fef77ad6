"""The pure parts of the release flow: profile state, --from-env pins, the untested note,
status rows, uv pin check. No temp dirs, no tools."""

from __future__ import annotations

import pytest
from packaging.version import Version
from release_tool.core.config import Config
from release_tool.core.consistency import check_uv_pins
from release_tool.core.env_forms import pins_from_env, untested_note
from release_tool.core.profile_state import ProfileState, lock_disagreements, read_profile_state
from release_tool.core.status_report import last_release, package_status, pending_text
from release_tool.errors import InputRejected

HELLO = "https://github.com/VLMHyperBenchTeam/hello_world.git"
PRINT = "https://github.com/VLMHyperBenchTeam/print_utils.git"
C1, C2, C3 = "1" * 40, "2" * 40, "3" * 40


def profile(
    env: str, hello: str, printed: str, lock: dict[str, tuple[str, str]] | None
) -> ProfileState:
    pyproject = (
        '[project]\nname = "p"\nversion = "0"\ndependencies = ["hello-world", "print-utils"]\n'
        "[tool.uv.sources]\n"
        f'hello-world = {{ git = "{HELLO}", tag = "{hello}" }}\n'
        f'print-utils = {{ git = "{PRINT}", tag = "{printed}" }}\n'
    )
    text = None
    if lock is not None:
        urls = {"hello-world": HELLO, "print-utils": PRINT}
        text = "version = 1\n" + "".join(
            f'[[package]]\nname = "{n}"\nversion = "{t}"\n'
            f'source = {{ git = "{urls[n]}?tag={t}#{c}" }}\n'
            for n, (t, c) in lock.items()
        )
    return read_profile_state(env, env, pyproject, text)


def test_lock_agreement_and_locked_commits() -> None:
    state = profile(
        "staging", "0.2.1", "0.2.0", {"hello-world": ("0.2.1", C1), "print-utils": ("0.1.0", C2)}
    )
    assert state.locked_commit("hello-world") == C1
    assert state.locked_commit("print-utils") is None
    (problem,) = lock_disagreements(state)
    assert "print-utils from" in problem and "pins 0.2.0" in problem
    assert lock_disagreements(profile("prod", "0.2.1", "0.2.0", None)) == ()


def test_from_env_takes_tag_and_locked_commit_and_skips_what_is_the_same(config: Config) -> None:
    staging = profile(
        "staging", "0.2.1", "0.2.0", {"hello-world": ("0.2.1", C1), "print-utils": ("0.2.0", C2)}
    )
    prod = profile(
        "prod", "0.2.0", "0.2.0", {"hello-world": ("0.2.0", C3), "print-utils": ("0.2.0", C2)}
    )
    (pin,) = pins_from_env(config, staging, prod, [])
    assert (pin.package, pin.tag, pin.sha) == ("hello-world", "0.2.1", C1)
    named = pins_from_env(config, staging, prod, ["print-utils"])
    assert [(p.package, p.sha) for p in named] == [("print-utils", C2)]
    with pytest.raises(InputRejected, match=r"staging has no uv\.lock yet"):
        pins_from_env(config, profile("staging", "0.2.1", "0.2.0", None), prod, [])
    with pytest.raises(InputRejected, match="does not pin bench-utils"):
        pins_from_env(config, staging, prod, ["bench-utils"])
    stale = profile(
        "staging", "0.2.1", "0.2.0", {"hello-world": ("0.2.0", C1), "print-utils": ("0.2.0", C2)}
    )
    with pytest.raises(InputRejected, match="relock --env staging"):
        pins_from_env(config, stale, prod, [])


def test_untested_note_names_what_staging_did_not_lock_alike() -> None:
    staging = profile(
        "staging", "0.2.1", "0.2.0", {"hello-world": ("0.2.1", C1), "print-utils": ("0.2.0", C2)}
    )
    assert untested_note([("hello-world", "0.2.1", C1)], staging) is None
    note = untested_note([("hello-world", "0.2.1", C3), ("print-utils", "0.3.0", C2)], staging)
    assert note is not None
    assert (
        "hello-world 0.2.1 (staging pins 0.2.1)" in note
        and "print-utils 0.3.0 (staging pins 0.2.0)" in note
    )


@pytest.mark.parametrize(
    ("version", "tags", "expected"),
    [
        (
            "0.2.1",
            ["0.2.0", "0.2.1", "legacy"],
            ["staging 0.2.0 not in prod", "0.2.1 not in staging"],
        ),
        (
            "0.2.2",
            ["0.2.0", "v0.2.1"],
            ["0.2.2 not released", "v0.2.1 not in staging", "staging 0.2.0 not in prod"],
        ),
        ("0.2.0", ["0.2.0"], ["staging 0.2.0 not in prod"]),
    ],
)
def test_pending(version: str, tags: list[str], expected: list[str]) -> None:
    staging = profile(
        "staging", "0.2.0", "0.2.0", {"hello-world": ("0.2.0", C1), "print-utils": ("0.2.0", C2)}
    )
    prod = profile("prod", "0.1.0", "0.2.0", None)
    status = package_status("hello-world", Version(version), tags, [staging, prod])
    assert sorted(status.pending) == sorted(expected)
    assert status.last_tag == last_release(tags)


def test_unreachable_repository_in_status() -> None:
    staging = profile("staging", "0.2.0", "0.2.0", None)
    status = package_status("hello-world", Version("0.2.0"), "Could not resolve host", [staging])
    assert status.unreachable == "Could not resolve host" and status.last_tag is None
    assert status.profiles["staging"].commit is None
    assert not status.reachable and not status.pending_complete
    # nothing known locally: unknown, never "nothing"
    assert status.pending == () and pending_text(status) == "unknown"


def test_unreachable_repository_still_shows_what_the_tree_knows() -> None:
    staging = profile(
        "staging", "0.0.11", "0.2.0", {"hello-world": ("0.0.11", C1), "print-utils": ("0.2.0", C2)}
    )
    prod = profile("prod", "0.0.10", "0.2.0", None)
    status = package_status("hello-world", Version("0.2.0"), "offline", [staging, prod])
    assert status.pending == (
        "packages/* 0.2.0 newer than staging 0.0.11",
        "staging 0.0.11 not in prod",
    )
    assert pending_text(status).endswith("; unknown beyond that")
    # the same package reachable: the full picture, and "nothing" only when nothing is
    reached = package_status("print-utils", Version("0.2.0"), ["0.2.0"], [staging])
    assert reached.reachable and reached.pending_complete
    assert pending_text(reached) == "nothing"


def test_uv_pins_must_be_equal() -> None:
    assert check_uv_pins({"a": ">=0.13.9,<0.14", "b": ">=0.13.9,<0.14"}) == []
    found = check_uv_pins({"a": ">=0.13.9,<0.14", "b": "==0.13.0", "c": None})
    assert [f.message.split(" ")[0] for f in found] == ["c", "the"]
    assert all(f.problem for f in found)
