"""Release bundles: the hand-over from the prepare job to the publish job.

``write_bundle`` (prepare: no secret) stores the release branch's one commit as a git
bundle (``release.bundle``, prerequisite: the base commit) and ``plan.json``.
``publish_bundle`` (publish: holds the App token) fetches the commit out of the
bundle, reads the facts with git, checks them with the pure
:func:`release_tool.core.bundle_check.check_bundle`, re-reads each promoted tag with
``git ls-remote`` and then publishes through the same path as ``promote --push``. It
never runs uv, nor anything the bundle holds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from release_tool.adapters.git import Checkout, git_succeeds, ls_remote_tags
from release_tool.core.bundle_check import (
    BundledOutcome,
    BundleFacts,
    BundlePlan,
    bundled_outcome,
    check_bundle,
    parse_plan,
    plan_json,
    refused,
)
from release_tool.core.config import Config
from release_tool.core.github_context import GithubContext
from release_tool.core.skip_markers import neutralise
from release_tool.errors import InputRejected, OperationalError
from release_tool.operations.promotion import PromotionOutcome
from release_tool.operations.publication import (
    Publication,
    branch_change,
    publish_release_branch,
)
from release_tool.operations.relocking import RelockOutcome
from release_tool.operations.workspace import Progress, silent

BUNDLE = "release.bundle"
PLAN = "plan.json"
_FETCHED = "refs/release-tool/bundle"


def write_bundle(
    checkout: Checkout,
    outcome: PromotionOutcome | RelockOutcome,
    directory: Path,
    *,
    allow_older: bool = False,
) -> Path:
    """Write ``outcome``'s commit and plan into ``directory``; the plan's path."""
    if outcome.status == "dry-run":
        raise InputRejected("a dry run makes no bundle: drop --dry-run or --bundle-out")
    change = branch_change(outcome)
    kind = "relock" if isinstance(outcome, RelockOutcome) else "promote"
    kept = (
        tuple((p.package, p.tag, p.commit) for p in outcome.pins)
        if isinstance(outcome, RelockOutcome)
        else ()
    )
    published = replace(
        change,
        previous_branch_commit=None,
        title=neutralise(change.title),
        body=neutralise(change.body),
    )
    plan = BundlePlan(
        **published.change_fields(),
        kind=kind,
        kept=kept,
        allow_older=allow_older,
        outcome=outcome.as_json(),
    )
    directory.mkdir(parents=True, exist_ok=True)
    bundle = directory / BUNDLE
    bundle.unlink(missing_ok=True)
    if change.commit is not None:
        checkout.git(
            "bundle",
            "create",
            "--quiet",
            str(bundle),
            f"refs/heads/{change.branch}",
            f"^{change.base_commit}",
            what="git bundle create",
        )
    path = directory / PLAN
    path.write_text(plan_json(plan), encoding="utf-8")
    return path


def read_plan(directory: Path) -> BundlePlan:
    try:
        text = (directory / PLAN).read_text(encoding="utf-8")
    except OSError as exc:
        raise InputRejected(f"cannot read {directory / PLAN}: {exc.strerror}") from None
    return parse_plan(text)


def _facts(checkout: Checkout, config: Config, plan: BundlePlan, commit: str) -> BundleFacts:
    profile = config.profile(plan.env).directory
    base = plan.base_commit
    if checkout.rev(base) is None:
        raise InputRejected(f"the bundle's base {base[:12]} is not in this checkout")
    head = checkout.resolve_base(config.default_branch)
    on_branch = git_succeeds(
        "merge-base", "--is-ancestor", base, head, cwd=checkout.root, env=checkout.env
    )
    shown = checkout.git(
        "show", "-s", "--format=%P%x1f%an <%ae>%x1f%cn <%ce>%x1f%B", commit, what="reading it"
    )
    parents, author, committer, message = [*shown.split("\x1f"), "", "", ""][:4]
    changed = checkout.git("diff", "--name-only", "--no-renames", base, commit, what="git diff")
    return BundleFacts(
        parents=tuple(parents.split()),
        changed=tuple(changed.splitlines()),
        author=author,
        committer=committer,
        message=message,
        pyproject_before=checkout.read_file(base, f"{profile}/pyproject.toml"),
        pyproject_after=checkout.read_file(commit, f"{profile}/pyproject.toml"),
        lock_before=checkout.read_file(base, f"{profile}/uv.lock"),
        lock_after=checkout.read_file(commit, f"{profile}/uv.lock"),
        base_on_default_branch=on_branch,
    )


def _fetch_commit(checkout: Checkout, directory: Path, plan: BundlePlan) -> str:
    bundle = directory / BUNDLE
    if not bundle.is_file():
        raise InputRejected(f"{bundle} is missing: the plan says {plan.status}")
    checkout.git("bundle", "verify", "--quiet", str(bundle), what="git bundle verify")
    checkout.git(
        "fetch",
        "--no-tags",
        "--quiet",
        str(bundle),
        f"+refs/heads/{plan.branch}:{_FETCHED}",
        what="fetching the bundle",
    )
    commit = checkout.git("rev-parse", "--verify", f"{_FETCHED}^{{commit}}", what=_FETCHED)
    if commit != plan.commit:
        raise refused([f"the bundle holds {commit[:12]}, the plan names {str(plan.commit)[:12]}"])
    return commit


def check_tags(config: Config, plan: BundlePlan, checkout: Checkout) -> None:
    """Each promoted tag still points at the planned commit in its repository."""
    for pin in plan.pins:
        url = config.package(pin.package).url
        if ls_remote_tags(url, checkout.env).get(pin.tag) != pin.commit:
            raise refused([f"{pin.package} {pin.tag} no longer points at {pin.commit[:12]}"])


def publish_bundle(
    root: Path,
    config: Config,
    directory: Path,
    context: GithubContext,
    env: Mapping[str, str],
    *,
    say: Progress = silent,
) -> Publication[BundledOutcome]:
    """Check the bundle in ``directory`` and publish it (see the module doc)."""
    plan = read_plan(directory)
    checkout = Checkout(root, env)
    if plan.status != "noop":
        say(f"checking the bundle of {plan.branch}")
        try:
            commit = _fetch_commit(checkout, directory, plan)
            problems = check_bundle(config, plan, _facts(checkout, config, plan, commit))
        finally:  # a refused bundle leaves nothing behind in the checkout
            checkout.git("update-ref", "-d", _FETCHED, what=f"deleting {_FETCHED}")
        if problems:
            raise refused(problems)
        check_tags(config, plan, checkout)
        if plan.branch in checkout.checked_out_branches():
            raise OperationalError(f"{plan.branch} is checked out here; publish from main")
        checkout.git(
            "update-ref", f"refs/heads/{plan.branch}", commit, what=f"setting {plan.branch}"
        )
    outcome = bundled_outcome(plan)
    return publish_release_branch(
        root,
        config,
        outcome,
        context,
        env,
        allow_older=plan.allow_older,
        say=say,
    )
