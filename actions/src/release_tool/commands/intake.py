"""Validate a repository_dispatch event and print its normalized client_payload.

Reads the event JSON as GitHub delivers it (from $GITHUB_EVENT_PATH when --payload
is omitted; the envelope -- action, repository, sender, installation, ... -- is
accepted as sent) or a bare client_payload. The client_payload is one pin
{package, tag, sha, repository, env?} or a batch {pins: [{package, tag, sha,
repository}, ...], env?}; env defaults to staging. Every field is checked against
[tool.release-tool]. Prints JSON that `release-tool promote --payload` reads:
{package, tag, sha, repository, env} for one pin, {pins: [...], env} for a batch.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping

from release_tool.adapters.config_file import load_project_config
from release_tool.commands.context import read_input
from release_tool.commands.options import add_repo_option
from release_tool.core.payload import MAX_EVENT_CHARS, normalize_payload, parse_event
from release_tool.errors import InputRejected


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--payload",
        metavar="FILE",
        help="the event or client_payload JSON ('-' for stdin; default: $GITHUB_EVENT_PATH)",
    )
    add_repo_option(parser)


def run(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    _, config = load_project_config(args.repo, env)
    source = args.payload or env.get("GITHUB_EVENT_PATH")
    if not source:
        raise InputRejected("no --payload given and GITHUB_EVENT_PATH is not set")
    payload = parse_event(read_input(source, MAX_EVENT_CHARS), config)
    print(json.dumps(normalize_payload(payload), indent=2, sort_keys=False))
    return 0
