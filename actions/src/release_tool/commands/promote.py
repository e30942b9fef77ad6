"""Promote package tags into a profile: rewrite, re-lock, verify, one commit on a release branch.

  release-tool promote --env staging --package hello-world --tag 0.3.0 [--sha SHA]
  release-tool promote --env staging --package A --tag 1.0 --package B --tag 2.0
  release-tool promote --env staging --pin bench-utils=0.2.0 --pin model-interface=0.2.0@SHA
  release-tool promote --payload intake.json          (the output of `release-tool intake`)

The legal forms for prod:
  release-tool promote --env prod --from-env staging [--package NAME ...]
      the normal path: exactly what staging pins and locks (tag and commit), nothing
      else; without --package, every pin where prod differs from staging
  release-tool promote --env prod --package NAME --tag OLD --allow-downgrade --reason "..."
      a rollback to a previous tag and its commit; the reason goes into the commit and
      the PR body (--reason is required for prod)
  release-tool promote --env prod --package NAME --tag TAG
      a direct promotion (refused where the profile's allow-direct-promotion is false);
      its PR body warns about the pins staging has not tested
Pre-release tags (rc, dev) go into prod only with --allow-prerelease.

Each tag is resolved with git ls-remote (annotated tags peeled; with --sha it must point
there), its pyproject.toml must declare the tag's version (tags below the package's
managed-since are exempt, with a warning), downgrades and same-version re-pins need
--allow-downgrade, pre-releases need --allow-prerelease for prod, and internal
requirements must stay met. <env>/pyproject.toml is rewritten (layout kept), <env>/uv.lock
re-locked with `uv lock --upgrade-package`, the lock verified, and one commit by the bot
identity is written on release/<env>/<package> (release/<env>/batch-<hash> for several)
on the base branch head, in a temporary worktree: your working tree, index and current
branch are never touched. Nothing is pushed unless --push is given or the command runs in
GitHub Actions: then the branch goes to origin with a lease and its pull request is
created or updated (docs/github.md).

With --bundle-out DIR nothing is pushed, in Actions too: the commit (a git bundle) and
plan.json go to DIR for `release-tool publish-bundle`, which the workflows' publish job
runs with the App token (docs/security.md).

Results: committed (a new commit), unchanged (the branch already holds this change),
noop (the base already pins every tag at its commit; no branch), dry-run.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping, Sequence
from typing import Any

from release_tool.adapters.config_file import load_project_config
from release_tool.adapters.git import Checkout
from release_tool.adapters.profile_files import base_state
from release_tool.commands.branch_output import hand_over, publication_target
from release_tool.commands.context import read_input, say
from release_tool.commands.options import (
    add_branch_options,
    add_bundle_out_option,
)
from release_tool.core.config import Config
from release_tool.core.env_forms import pins_from_env
from release_tool.core.payload import (
    MAX_EVENT_CHARS,
    Pin,
    parse_event,
    parse_pin_spec,
    validate_pin,
)
from release_tool.core.plan import PromotionRequest
from release_tool.core.profile_state import ProfileState
from release_tool.errors import InputRejected
from release_tool.operations.promotion import PromotionOutcome, promote
from release_tool.operations.workspace import Workspace


class _GroupAction(argparse.Action):
    """``--package`` opens a group; ``--tag``/``--sha`` fill the latest one."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[Any] | None,
        option_string: str | None = None,
    ) -> None:
        groups: list[dict[str, str]] = list(getattr(namespace, "groups", None) or [])
        if self.dest == "package":
            groups.append({"package": str(values)})
        elif not groups or self.dest in groups[-1]:
            parser.error(f"{option_string} must follow its own --package NAME")
        else:
            groups[-1] = {**groups[-1], self.dest: str(values)}
        namespace.groups = groups


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.set_defaults(groups=[])
    parser.add_argument("--env", help="the profile to promote into (staging, prod)")
    parser.add_argument("--package", action=_GroupAction, metavar="NAME", help="a package")
    parser.add_argument("--tag", action=_GroupAction, metavar="TAG", help="its tag (0.3.0, v0.3.0)")
    parser.add_argument(
        "--sha", action=_GroupAction, metavar="SHA", help="the commit the tag must point at"
    )
    parser.add_argument(
        "--pin",
        action="append",
        default=[],
        metavar="NAME=TAG[@SHA]",
        help="a pin (repeatable); checked like a dispatch payload's",
    )
    parser.add_argument(
        "--payload", metavar="FILE", help="intake's JSON (or a dispatch event; '-' for stdin)"
    )
    parser.add_argument(
        "--from-env",
        metavar="ENV",
        help="take exactly what ENV pins and locks (tag and commit); --package narrows it",
    )
    parser.add_argument("--allow-downgrade", action="store_true", help="allow a rollback")
    parser.add_argument(
        "--allow-prerelease", action="store_true", help="allow pre-release/dev tags in prod"
    )
    parser.add_argument("--reason", help="why (recorded in the commit and the PR body)")
    add_branch_options(parser)
    add_bundle_out_option(parser)


def collect_pins(args: argparse.Namespace, config: Config) -> tuple[str, tuple[Pin, ...]]:
    """The env and pins from --package groups, --pin and --payload, checked like intake's."""
    pins: list[Pin] = []
    for i, group in enumerate(args.groups):
        if "tag" not in group:
            raise InputRejected(f"--package {group['package']} has no --tag")
        pins.append(
            validate_pin(
                group["package"],
                group["tag"],
                group.get("sha"),
                repository=None,
                config=config,
                where=f"--package group {i + 1}",
            )
        )
    pins += [parse_pin_spec(spec, config) for spec in args.pin]
    env = args.env
    if args.payload:
        payload = parse_event(read_input(args.payload, MAX_EVENT_CHARS), config)
        if env is not None and env != payload.env:
            raise InputRejected(f"--env {env} contradicts the payload's env {payload.env}")
        env = payload.env
        pins += payload.pins
    if env is None:
        raise InputRejected("give --env staging|prod (or a --payload that names one)")
    config.profile(env)
    names = [p.package for p in pins]
    for name in names:
        if names.count(name) > 1:
            raise InputRejected(f"{name} is named more than once")
    if not pins:
        raise InputRejected("nothing to promote: give --package/--tag, --pin or --payload")
    return env, tuple(pins)


def collect_from_env(
    args: argparse.Namespace, config: Config, checkout: Checkout
) -> tuple[str, tuple[Pin, ...]]:
    """The pins of ``--from-env``: the source profile's tags at their locked commits."""
    if args.pin or args.payload:
        raise InputRejected("--from-env takes its pins from that profile: drop --pin/--payload")
    for group in args.groups:
        if len(group) > 1:
            raise InputRejected(
                f"--from-env takes {group['package']}'s tag from {args.from_env}: drop --tag/--sha"
            )
    if args.env is None:
        raise InputRejected(f"give --env, the profile to promote {args.from_env}'s pins into")
    if args.env == args.from_env:
        raise InputRejected(f"--from-env {args.from_env} names the target profile itself")
    base = checkout.resolve_base(config.default_branch)
    source = base_state(checkout, config, args.from_env, base)
    target = base_state(checkout, config, args.env, base)
    names = list(dict.fromkeys(g["package"] for g in args.groups))
    return args.env, pins_from_env(config, source, target, names)


def _tested_in(
    args: argparse.Namespace, config: Config, checkout: Checkout, name: str
) -> ProfileState | None:
    """The profile that should have tested a direct promotion into profile ``name`` (None: none)."""
    profile = config.profile(name)
    source = profile.fed_by
    if args.from_env is not None or source is None or source not in config.profiles:
        return None
    if args.allow_downgrade:
        if not args.reason:
            raise InputRejected(
                f'a rollback in {name} needs --reason "..." (it goes into the commit and PR)'
            )
        return None
    if not profile.allow_direct_promotion:
        raise InputRejected(
            f"{name} takes only --from-env {source} or a rollback (--allow-downgrade --reason); "
            f"its allow-direct-promotion is false"
        )
    return base_state(checkout, config, source, checkout.resolve_base(config.default_branch))


def _print_human(outcome: PromotionOutcome, dry_run: bool) -> None:
    pins = ", ".join(f"{p.package} {p.tag} ({p.commit[:10]})" for p in outcome.pins)
    if outcome.status == "noop":
        print(f"unchanged: {outcome.env} already pins {pins}; no branch written")
        return
    if dry_run:
        print(
            f"dry run: would write one commit on {outcome.branch} (base {outcome.base_branch} "
            f"{outcome.base_commit[:10]})\n"
        )
        print(outcome.pyproject_diff)
        print(f"title: {outcome.title}\n")
        print(outcome.body)
        return
    word = "committed" if outcome.status == "committed" else "unchanged"
    print(f"{word}: {outcome.branch} at {outcome.commit} ({pins})")
    print(f"title: {outcome.title}")


def run(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    root, config = load_project_config(args.repo, env)
    checkout = Checkout(root, env)
    if args.from_env is not None:
        config.profile(args.from_env)
        target, pins = collect_from_env(args, config, checkout)
        if not pins:
            if args.json:
                print(json.dumps({"status": "noop", "env": target, "pins": []}))
            else:
                print(f"unchanged: {target} already pins and locks what {args.from_env} does")
            return 0
    else:
        target, pins = collect_pins(args, config)
    request = PromotionRequest(
        profile=target,
        pins=pins,
        allow_downgrade=args.allow_downgrade,
        allow_prerelease=args.allow_prerelease,
        dry_run=args.dry_run,
        reason=args.reason,
        tested_in=_tested_in(args, config, checkout, target),
    )
    context = publication_target(args, config, env)
    outcome = promote(Workspace(root, config, env, say), request)
    return hand_over(
        args,
        root,
        config,
        outcome,
        context,
        env=env,
        allow_older=args.allow_downgrade,
        show=lambda shown: _print_human(shown, args.dry_run),
    )
