"""Regenerate open release pull requests on the current base head (their locks went stale).

  release-tool refresh --env staging            every open release PR of staging
  release-tool refresh --env staging --pr 42    one
  release-tool refresh --list --json [--env E]  the open release PRs, for a workflow matrix

Only pull requests that the bot account ([tool.release-tool.bot] name) opened from a
branch of this repository are read: a fork's PR or a person's is ignored (named on
stderr), whatever its branch name or body says.
Each PR's pins are read back from the machine-readable block of its body, verified as
`promote` verifies them (the tag must still point at the recorded commit, versions,
requirements), re-locked on the base branch head and published like `promote --push`:
the branch is pushed with a lease, the PR updated, or closed when its change became
empty. A re-lock PR (release/<env>/relock) is re-locked again the way its body records
(with or without --upgrade) and published like `relock --push`. Run it on an
up-to-date checkout of the base branch (the workflow does).
A PR that fails does not stop the others; the exit code is then that failure's.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from release_tool.adapters.actions_io import write_step_outputs
from release_tool.adapters.config_file import load_project_config
from release_tool.adapters.git import Checkout
from release_tool.adapters.github import GithubAdapter, PullRequestInfo
from release_tool.adapters.push import token_forms
from release_tool.commands.context import say
from release_tool.commands.options import add_json_option, add_repo_option
from release_tool.core.config import RELEASE_PREFIX, Config
from release_tool.core.payload import validate_pin
from release_tool.core.plan import PromotionRequest
from release_tool.core.pull_requests import distrust_reason
from release_tool.core.relock_render import RelockBlock, read_relock_block, relock_branch
from release_tool.core.render import PinsBlock, read_pins_block
from release_tool.errors import InputRejected, ReleaseToolError
from release_tool.operations import publication
from release_tool.operations.bundles import write_bundle
from release_tool.operations.promotion import PromotionOutcome, promote
from release_tool.operations.relocking import RelockOutcome, RelockRequest, relock
from release_tool.operations.workspace import Workspace


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--env", help="the profile whose release PRs to refresh (staging, prod)")
    parser.add_argument("--pr", type=int, metavar="N", help="only this pull request")
    parser.add_argument(
        "--list", action="store_true", help="list the open release PRs and change nothing"
    )
    add_json_option(parser)
    add_repo_option(parser)
    parser.add_argument(
        "--bundle-out",
        type=Path,
        metavar="DIR",
        help="with --pr: write the regenerated commit and plan.json to DIR for `release-tool "
        "publish-bundle`, and push nothing (needs only a read token)",
    )


def _pins_block(pull: PullRequestInfo) -> PinsBlock | None:
    return read_pins_block(pull.body)


def _relock_block(pull: PullRequestInfo, prefix: str) -> RelockBlock | None:
    block = read_relock_block(pull.body)
    return block if block is not None and pull.branch == relock_branch(block.env, prefix) else None


def describe(pull: PullRequestInfo, prefix: str = RELEASE_PREFIX) -> dict[str, Any]:
    """A PR as the workflow matrix sees it (``env``/``packages`` from its pins block;
    a re-lock PR has ``relock`` true and no packages)."""
    block = _pins_block(pull)
    relocked = None if block is not None else _relock_block(pull, prefix)
    env = block.env if block else relocked.env if relocked else None
    return {
        "number": pull.number,
        "branch": pull.branch,
        "url": pull.url,
        "env": env,
        "packages": [p.package for p in block.pins] if block else [],
        "relock": relocked is not None,
    }


def request_of(pull: PullRequestInfo, env: str, config: Config) -> PromotionRequest:
    """The promotion a PR's pins block records, each pin checked like intake's."""
    block = _pins_block(pull)
    if block is None:
        raise InputRejected(f"#{pull.number} carries no release-tool pins block; not refreshed")
    if block.env != env:
        raise InputRejected(f"#{pull.number} promotes into {block.env}, not {env}")
    pins = tuple(
        validate_pin(
            p.package,
            p.tag,
            p.commit,
            repository=p.repository,
            config=config,
            where=f"#{pull.number}",
        )
        for p in block.pins
    )
    # The PR exists: a pre-release or rollback in it was allowed when it was opened.
    return PromotionRequest(
        profile=env, pins=pins, allow_downgrade=block.rollback, allow_prerelease=True
    )


def prepare_one(
    root: Path, config: Config, pull: PullRequestInfo, *, env: str, environ: Mapping[str, str]
) -> tuple[PromotionOutcome | RelockOutcome, bool]:
    """Re-make ``pull``'s change on the base head (nothing pushed); with allow_older."""
    workspace = Workspace(root, config, environ, say)
    relocked = None if _pins_block(pull) is not None else _relock_block(pull, config.release_prefix)
    if relocked is not None:
        if relocked.env != env:
            raise InputRejected(f"#{pull.number} re-locks {relocked.env}, not {env}")
        request = RelockRequest(env, upgrade=relocked.upgrade)
        return relock(workspace, request), False
    outcome = promote(workspace, request_of(pull, env, config))
    if outcome.branch != pull.branch:
        raise InputRejected(
            f"#{pull.number}'s pins make the branch {outcome.branch}, not its head {pull.branch}"
        )
    return outcome, True


def refresh_one(
    root: Path,
    config: Config,
    pull: PullRequestInfo,
    *,
    env: str,
    environ: Mapping[str, str],
    adapter: GithubAdapter,
) -> publication.Publication[Any]:
    context = publication.publication_context(environ, config, push=True, dry_run=False)
    if context is None:  # push=True always yields a context
        raise InputRejected("refresh needs GitHub")
    outcome, allow_older = prepare_one(root, config, pull, env=env, environ=environ)
    return publication.publish_release_branch(
        root, config, outcome, context, environ, github=adapter, allow_older=allow_older, say=say
    )


def bundle_one(
    root: Path,
    config: Config,
    pull: PullRequestInfo | None,
    args: argparse.Namespace,
    env: Mapping[str, str],
) -> int:
    """``--bundle-out``: the regenerated change of one PR, for publish-bundle."""
    if pull is None:
        raise InputRejected("--bundle-out writes one pull request's bundle: give --pr N")
    outcome, allow_older = prepare_one(root, config, pull, env=args.env, environ=env)
    written = write_bundle(Checkout(root, env), outcome, args.bundle_out, allow_older=allow_older)
    say(f"wrote the release bundle of #{pull.number}: {written}")
    return 0


def list_pulls(
    pulls: list[PullRequestInfo],
    env: Mapping[str, str],
    *,
    as_json: bool,
    prefix: str = RELEASE_PREFIX,
) -> int:
    described = [describe(p, prefix) for p in pulls]
    # A release/ PR without a pins or relock block was not opened by this tool (or its
    # body was edited away): a matrix job for it could only fail, so it is left out.
    listed = [item for item in described if item["env"] is not None]
    for item in described:
        if item["env"] is None:
            print(
                f"release-tool refresh: #{item['number']} ({item['branch']}) carries no "
                "release-tool block; not listed",
                file=sys.stderr,
            )
    write_step_outputs(env, {"prs": json.dumps(listed), "count": str(len(listed))})
    if as_json:
        print(json.dumps(listed))
    else:
        for item in listed:
            print(f"#{item['number']} {item['branch']} ({', '.join(item['packages'])})")
    return 0


def trusted_pulls(
    pulls: list[PullRequestInfo], *, repository: str, bot_login: str, wanted: int | None
) -> list[PullRequestInfo]:
    """The PRs the bot opened from this repository; the others are named on stderr."""
    kept = []
    for pull in pulls:
        why = distrust_reason(
            pull.author, pull.head_repository, repository=repository, bot_login=bot_login
        )
        if why is None:
            kept.append(pull)
            continue
        if pull.number == wanted:
            raise InputRejected(f"#{pull.number} is not refreshed: {why}")
        print(
            f"release-tool refresh: #{pull.number} ({pull.branch}) ignored: {why}",
            file=sys.stderr,
        )
    return kept


def _select(pulls: list[PullRequestInfo], args: argparse.Namespace) -> list[PullRequestInfo]:
    if args.pr is None:
        return pulls
    chosen = [p for p in pulls if p.number == args.pr]
    if not chosen:
        raise InputRejected(f"#{args.pr} is not an open release pull request of {args.env}")
    return chosen


def run(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    root, config = load_project_config(args.repo, env)
    if args.env is not None:
        config.profile(args.env)
    if args.pr is not None and args.list:
        raise InputRejected("--list lists every open release PR; drop --pr")
    if args.env is None and not args.list:
        raise InputRejected("give --env staging|prod (or --list)")
    context = publication.publication_context(env, config, push=True, dry_run=False)
    if context is None:
        raise InputRejected("refresh needs GitHub")
    adapter = publication.github_adapter(context)
    prefix = config.release_branch(args.env, "") if args.env else config.release_prefix
    pulls = trusted_pulls(
        adapter.list_open_pull_requests(context.repository, prefix),
        repository=context.repository,
        bot_login=config.bot.name,
        wanted=args.pr,
    )
    if args.list:
        return list_pulls(pulls, env, as_json=args.json, prefix=config.release_prefix)
    pulls = _select(pulls, args)
    if args.bundle_out is not None:
        return bundle_one(root, config, pulls[0] if args.pr else None, args, env)
    results: list[dict[str, Any]] = []
    code = 0
    for pull in pulls:
        try:
            done = refresh_one(root, config, pull, env=args.env, environ=env, adapter=adapter)
        except ReleaseToolError as exc:
            print(f"release-tool refresh: #{pull.number}: {exc}", file=sys.stderr)
            results.append({"number": pull.number, "branch": pull.branch, "error": str(exc)})
            code = code or exc.exit_code
            continue
        op = done.pull_request
        results.append({"number": pull.number, "branch": pull.branch, **done.as_json()})
        if not args.json:
            print(f"#{pull.number} {pull.branch}: {op.operation} ({done.outcome.status})")
    write_step_outputs(
        env,
        {"refreshed": json.dumps([r["number"] for r in results if "error" not in r])},
        token_forms(context.token),
    )
    if args.json:
        print(json.dumps(results))
    elif not pulls:
        print(f"no open release pull request of {args.env}")
    return code
