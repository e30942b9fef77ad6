"""What publish and adopt decide from gathered facts (pure, table-driven)."""

from __future__ import annotations

import dataclasses

import pytest
from packaging.version import Version
from release_tool.core.publish_plan import (
    MirrorFacts,
    plan_adopt,
    plan_publish,
    render_adoption,
    render_publish_plan,
)
from release_tool.errors import InputRejected

SPLIT = "a" * 40
OLD = "b" * 40


def facts(package: str = "hello-world", **changes: object) -> MirrorFacts:
    base = MirrorFacts(
        package=package,
        directory=f"packages/{package.replace('-', '_')}",
        url=f"https://github.com/VLMHyperBenchTeam/{package.replace('-', '_')}.git",
        slug=f"VLMHyperBenchTeam/{package.replace('-', '_')}",
        split=SPLIT,
        version=Version("0.2.1"),
        tag="0.2.1",
        branch="main",
        branch_head=OLD,
        branch_is_ancestor=True,
        tags=("0.1.0", "0.2.0"),
        previous_tag="0.2.0",
        subjects=("feat: louder",),
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def test_a_new_version_is_published_as_a_fast_forward_with_its_message() -> None:
    plan = plan_publish([facts()], every=False)
    (pub,) = plan.publications
    assert (pub.tag, pub.commit, pub.branch, pub.old_head) == ("0.2.1", SPLIT, "main", OLD)
    assert pub.message.startswith("hello-world 0.2.1\n\nChanges since 0.2.0:")
    assert "- louder" in pub.message
    text = render_publish_plan(plan, push=False)
    assert f"branch main: {OLD[:12]} -> {SPLIT[:12]} (fast-forward)" in text
    assert "add --push" in text


def test_an_empty_repository_gets_its_first_branch() -> None:
    plan = plan_publish([facts(branch_head=None, branch_is_ancestor=False, tags=())], every=False)
    assert plan.publications[0].old_head is None
    assert "branch main: (new)" in render_publish_plan(plan, push=True)


@pytest.mark.parametrize("tags", [("0.2.1",), ("v0.2.1",), ("0.2.1", "0.1.0")])
def test_an_existing_tag_is_refused_for_a_named_package(tags: tuple[str, ...]) -> None:
    with pytest.raises(InputRejected, match=r"already tagged .* bump its version"):
        plan_publish([facts(tags=tags)], every=False)


def test_with_all_tagged_packages_are_skipped() -> None:
    plan = plan_publish([facts("hello-world", tags=("0.2.1",)), facts("print-utils")], every=True)
    assert [p.package for p in plan.publications] == ["print-utils"]
    assert plan.skipped == (("hello-world", "0.2.1 already tagged as 0.2.1"),)


def test_nothing_to_publish_says_so() -> None:
    plan = plan_publish([facts(tags=("0.2.1",))], every=True)
    assert render_publish_plan(plan, push=True).startswith("Nothing to publish")


def test_a_branch_that_would_not_fast_forward_points_to_adopt() -> None:
    with pytest.raises(InputRejected, match=r"not an ancestor .* --adopt --package hello-world"):
        plan_publish([facts(branch_is_ancestor=False)], every=True)


def test_a_version_below_an_existing_release_is_refused() -> None:
    with pytest.raises(InputRejected, match=r"lower than 0\.3\.0"):
        plan_publish([facts(tags=("0.3.0",))], every=False)


def test_adopt_keeps_the_old_branch_and_lists_the_tags() -> None:
    adoption = plan_adopt(facts(branch_is_ancestor=False), legacy_exists=False)
    assert adoption is not None
    assert adoption.legacy_branch == "legacy/main"
    assert adoption.old_head == OLD
    text = render_adoption(adoption)
    assert f"keep the old main ({OLD[:12]}) as legacy/main" in text
    assert "tags kept untouched (2): 0.1.0, 0.2.0" in text


def test_adopt_of_an_empty_repository_just_pushes_the_split() -> None:
    adoption = plan_adopt(facts(branch_head=None, branch_is_ancestor=False), legacy_exists=False)
    assert adoption is not None
    assert adoption.legacy_branch is None
    assert "the repository is empty" in render_adoption(adoption)


def test_adopt_does_nothing_when_the_branch_already_follows_the_split() -> None:
    assert plan_adopt(facts(), legacy_exists=True) is None


def test_adopt_never_overwrites_an_existing_legacy_branch() -> None:
    with pytest.raises(InputRejected, match="already has a branch legacy/main"):
        plan_adopt(facts(branch_is_ancestor=False), legacy_exists=True)
