"""Send the repository_dispatch that starts a promotion (the sender side of `intake`).

  release-tool notify --repository OWNER/MONOREPO --package NAME --tag TAG --sha SHA
  release-tool notify --pin bench-utils=0.3.0@SHA --pin model-interface=0.3.0@SHA
  release-tool notify --pins pins.json [--env staging]

Sends one `package-released` event whose client_payload is built and checked by the
same schema `intake` applies: the single-pin shape for one pin, the batch shape for
several. Anything intake would refuse is refused here (exit 2) and nothing is sent.
--pins reads a JSON list of {package, tag, sha[, repository]} objects, an object with
such a `pins` list, or one pin object (e.g. intake's own output).
The configuration ([tool.release-tool]) is read from the monorepo checkout (--repo, or
the current directory and its parents); a package repository's workflow checks out
the monorepo's pyproject.toml for it. The repository defaults to GITHUB_REPOSITORY,
else the configured one. Prints where to watch the run the event starts.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping

from release_tool.adapters.actions_io import append_step_summary, write_step_outputs
from release_tool.adapters.config_file import load_project_config
from release_tool.adapters.push import token_forms
from release_tool.commands.context import read_input
from release_tool.commands.options import add_dry_run_option, add_json_option, add_repo_option
from release_tool.core.config import Config
from release_tool.core.github_context import read_github_context, target_repository
from release_tool.core.json_text import parse_json
from release_tool.core.payload import (
    EVENT_TYPE,
    Pin,
    build_client_payload,
    parse_pin_spec,
    validate_pin,
)
from release_tool.core.versions import show
from release_tool.errors import InputRejected
from release_tool.operations import publication


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--repository",
        metavar="OWNER/NAME",
        help="the monorepo to notify (default: GITHUB_REPOSITORY, else the configured one)",
    )
    parser.add_argument("--package", metavar="NAME", help="the released package")
    parser.add_argument("--tag", metavar="TAG", help="its new tag")
    parser.add_argument("--sha", metavar="SHA", help="the commit the tag points at")
    parser.add_argument(
        "--pin", action="append", default=[], metavar="NAME=TAG@SHA", help="a pin (repeatable)"
    )
    parser.add_argument("--pins", metavar="FILE", help="pins as JSON ('-' for stdin)")
    parser.add_argument(
        "--env", help="the profile to promote into (default: the configured default-profile)"
    )
    add_dry_run_option(parser)
    add_json_option(parser)
    add_repo_option(parser)


def _file_pins(text: str, config: Config, where: str) -> list[Pin]:
    data = parse_json(text, where)
    if isinstance(data, dict) and "pins" in data:
        data = data["pins"]
    items = data if isinstance(data, list) else [data]
    pins = []
    for i, item in enumerate(items):
        at = f"{where} pin {i + 1}"
        if not isinstance(item, dict):
            raise InputRejected(f"{at} must be an object with package, tag and sha")
        fields = {key: item.get(key) for key in ("package", "tag", "sha", "repository")}
        for key in ("package", "tag", "sha"):
            if not isinstance(fields[key], str):
                raise InputRejected(f"{at}: {key} must be a string, not {show(fields[key])}")
        repository = fields["repository"]
        if repository is not None and not isinstance(repository, str):
            raise InputRejected(f"{at}: repository must be a string")
        pins.append(
            validate_pin(
                str(fields["package"]),
                str(fields["tag"]),
                str(fields["sha"]),
                repository=repository,
                config=config,
                where=at,
            )
        )
    return pins


def collect_pins(args: argparse.Namespace, config: Config) -> list[Pin]:
    """The pins from exactly one of --package/--tag/--sha, --pin, --pins."""
    single = args.package is not None or args.tag is not None or args.sha is not None
    given = [single, bool(args.pin), args.pins is not None]
    if sum(given) != 1:
        raise InputRejected("give exactly one of --package/--tag/--sha, --pin (repeatable), --pins")
    if single:
        missing = [f"--{k}" for k in ("package", "tag", "sha") if getattr(args, k) is None]
        if missing:
            raise InputRejected(
                f"--package needs --tag and --sha too (missing {', '.join(missing)})"
            )
        where = f"--package {args.package}"
        return [
            validate_pin(
                args.package, args.tag, args.sha, repository=None, config=config, where=where
            )
        ]
    if args.pin:
        pins = [parse_pin_spec(spec, config) for spec in args.pin]
        for pin in pins:
            if pin.sha is None:
                raise InputRejected(f"--pin {pin.package}={pin.tag} needs its commit: NAME=TAG@SHA")
        return pins
    return _file_pins(read_input(args.pins), config, f"--pins {args.pins}")


def run(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    _, config = load_project_config(args.repo, env)
    context = read_github_context(env, config.slug)
    repository = target_repository(args.repository, context)
    payload = build_client_payload(
        collect_pins(args, config), args.env or config.default_profile, config
    )
    shape = "batch" if "pins" in payload else "single"
    if args.dry_run:
        print(
            json.dumps(
                {"repository": repository, "event_type": EVENT_TYPE, "client_payload": payload}
            )
        )
        return 0
    context.require_token()
    receipt = publication.github_adapter(context).send_dispatch(repository, EVENT_TYPE, payload)
    secrets = token_forms(context.token)
    write_step_outputs(env, {"watch-url": receipt.watch_url}, secrets)
    append_step_summary(
        env,
        f"Sent `{EVENT_TYPE}` to {repository} ({shape}): [watch the run]({receipt.watch_url})",
        secrets,
    )
    if args.json:
        print(
            json.dumps(
                {
                    "repository": repository,
                    "event_type": EVENT_TYPE,
                    "client_payload": payload,
                    "watch_url": receipt.watch_url,
                }
            )
        )
    else:
        print(f"sent {EVENT_TYPE} ({shape}) to {repository}: {json.dumps(payload)}")
        print(f"watch the run: {receipt.watch_url}")
    return 0
