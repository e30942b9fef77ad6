"""The pure promotion plan: guards, internal requirements, branches, noop."""

from __future__ import annotations

import re
from typing import Any

import pytest
from release_tool.core.config import Config
from release_tool.core.lockfile import read_lock
from release_tool.core.payload import Pin
from release_tool.core.plan import PromotionRequest, TagFacts, branch_name, plan_promotion
from release_tool.core.pyproject_edit import read_pins
from release_tool.errors import InputRejected

from .conftest import FIXTURES, ROOT

STAGING = (ROOT / "staging/pyproject.toml").read_text(encoding="utf-8")
LOCK = read_lock((FIXTURES / "lock/staging.uv.lock").read_text(encoding="utf-8"))
C1, C2 = "1" * 40, "2" * 40
HELLO_0011 = "c81144bfb7353b9c3071b87c276a460ee5e3b480"


def _pyproject(name: str, version: str | None, deps: list[str] | None = None) -> str:
    line = f'version = "{version}"\n' if version else ""
    return f'[project]\nname = "{name}"\n{line}dependencies = {deps or []!r}\n'.replace("'", '"')


def _plan(config: Config, pins: list[tuple[str, str, str, str | None]], **kw: Any) -> Any:
    """pins: (package, tag, commit, declared version)."""
    facts = {
        name: TagFacts(name, tag, commit, _pyproject(name, declared, kw.pop(f"deps_{name}", None)))
        for name, tag, commit, declared in pins
    }
    sha = kw.pop("sha", None)
    request = PromotionRequest(
        profile=kw.pop("env", "staging"),
        pins=tuple(Pin(n, t, sha, config.packages[n].slug) for n, t, _, _ in pins),
        **{k: kw.pop(k) for k in ("allow_downgrade", "allow_prerelease", "reason") if k in kw},
    )
    return plan_promotion(
        config,
        request,
        facts=facts,
        base_commit="b" * 40,
        pyproject_before=kw.pop("pyproject", STAGING),
        lock_before=kw.pop("lock", LOCK),
        requirements=kw.pop("requirements", {}),
        **kw,
    )


def test_new_tag(config: Config) -> None:
    plan = _plan(config, [("hello-world", "0.2.0", C1, "0.2.0")])
    (pin,) = plan.pins
    assert (pin.previous_tag, pin.previous_commit, pin.change) == ("0.0.11", HELLO_0011, "upgrade")
    assert plan.branch == "release/staging/hello-world"
    assert read_pins(plan.pyproject_after).pins["hello-world"].tag == "0.2.0"
    assert not plan.noop and not plan.rollback and not plan.warnings


def test_batch_branch_is_deterministic_and_order_free() -> None:
    a = branch_name("staging", [("a", "1", C1), ("b", "2", C2)])
    b = branch_name("staging", [("b", "2", C2), ("a", "1", C1)])
    assert (
        a == b
        and a.startswith("release/staging/batch-")
        and len(a) == len("release/staging/batch-") + 10
    )
    assert branch_name("staging", [("a", "1", C1), ("b", "3", C2)]) != a


GUARDS = [
    # (env, tag, declared, flags, error or change)
    ("staging", "0.0.10", "0.0.10", {}, "is a downgrade"),
    ("staging", "0.0.10", "0.0.10", {"allow_downgrade": True}, "downgrade"),
    ("staging", "0.0.11", "0.0.11", {}, "same version at another commit"),
    ("staging", "0.0.11", "0.0.11", {"allow_downgrade": True}, "repin"),
    ("staging", "0.3.0rc1", "0.3.0rc1", {}, "upgrade"),
    ("staging", "0.3.0.dev1", "0.3.0.dev1", {}, "upgrade"),
    ("prod", "0.3.0rc1", "0.3.0rc1", {}, "is a pre-release"),
    ("prod", "0.3.0.dev1", "0.3.0.dev1", {}, "is a pre-release"),
    ("prod", "0.3.0rc1", "0.3.0rc1", {"allow_prerelease": True}, "upgrade"),
    ("staging", "v0.2.0", "0.2.0", {}, "upgrade"),
    ("staging", "0.2.1", "0.2.2", {}, "declares version 0.2.2, not 0.2.1"),
    ("staging", "0.2.1", None, {}, "declares no version"),
]


@pytest.mark.parametrize(("env", "tag", "declared", "flags", "expect"), GUARDS)
def test_guards(  # noqa: PLR0917 - one parameter per table column
    config: Config, env: str, tag: str, declared: str | None, flags: dict[str, bool], expect: str
) -> None:
    pyproject = (ROOT / f"{env}/pyproject.toml").read_text(encoding="utf-8")
    lock = LOCK if env == "staging" else None
    if expect in {"upgrade", "downgrade", "repin"}:
        plan = _plan(
            config,
            [("hello-world", tag, C1, declared)],
            env=env,
            pyproject=pyproject,
            lock=lock,
            **flags,
        )
        assert plan.pins[0].change == expect
        assert plan.rollback is (expect in {"downgrade", "repin"})
    else:
        with pytest.raises(InputRejected, match=expect):
            _plan(
                config,
                [("hello-world", tag, C1, declared)],
                env=env,
                pyproject=pyproject,
                lock=lock,
                **flags,
            )


def test_old_tag_declaring_another_version_is_exempt_with_a_warning(config: Config) -> None:
    plan = _plan(config, [("hello-world", "0.1.0", C1, "0.0.9")])
    assert "exempt" in plan.warnings[0] and "0.0.9" in plan.warnings[0]


def test_sha_must_match_the_tag(config: Config) -> None:
    with pytest.raises(InputRejected, match="not at the given sha"):
        _plan(config, [("hello-world", "0.2.0", C1, "0.2.0")], sha=C2)


def test_interdependent_pair_refused_alone_accepted_together(config: Config) -> None:
    deps = ["model-interface>=0.2", "print-utils", "prompt-handler"]
    with pytest.raises(InputRejected) as caught:
        _plan(config, [("bench-utils", "0.2.0", C1, "0.2.0")], **{"deps_bench-utils": deps})
    message = str(caught.value)
    assert "model-interface>=0.2" in message and "model-interface 0.1.2" in message
    assert "promote bench-utils and model-interface together" in message
    plan = _plan(
        config,
        [("bench-utils", "0.2.0", C1, "0.2.0"), ("model-interface", "0.2.0", C2, "0.2.0")],
        **{"deps_bench-utils": deps},
    )
    assert plan.branch.startswith("release/staging/batch-")


def test_downgrading_a_requirement_of_another_package_is_refused(config: Config) -> None:
    with pytest.raises(
        InputRejected, match=re.escape("bench-utils 0.1.2 requires model-interface>=0.1")
    ):
        _plan(
            config,
            [("model-interface", "0.0.5", C1, "0.0.5")],
            allow_downgrade=True,
            requirements={"bench-utils": ["model-interface>=0.1"]},
        )


def test_base_already_pinning_the_tag_at_its_commit_is_a_noop(config: Config) -> None:
    assert _plan(config, [("hello-world", "0.0.11", HELLO_0011, "0.0.11")]).noop
    # Without a lock there is something to do: the first lock.
    assert not _plan(config, [("hello-world", "0.0.11", HELLO_0011, "0.0.11")], lock=None).noop


def test_package_new_to_the_profile(config: Config) -> None:
    without = (FIXTURES / "pyproject/new-package/before.toml").read_text(encoding="utf-8")
    plan = _plan(config, [("hello-world", "0.2.0", C1, "0.2.0")], pyproject=without)
    assert plan.pins[0].change == "new"
    assert "hello-world" in read_pins(plan.pyproject_after).dependencies
