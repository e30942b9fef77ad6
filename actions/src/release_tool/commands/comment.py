"""Create or update one sticky comment of a kind on a pull request (or issue).

  release-tool comment --pr 42 --kind gpu --file gpu-report.md

The comment carries a hidden marker for its kind, so the next run of the same kind
edits it instead of adding another; a run with the same text writes nothing.
Prints the operation (created, updated, unchanged) and the comment's URL.
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Mapping

from release_tool.adapters.actions_io import write_step_outputs
from release_tool.adapters.config_file import load_project_config
from release_tool.adapters.process import redact
from release_tool.adapters.push import token_forms
from release_tool.commands.context import read_input
from release_tool.commands.options import add_json_option, add_repo_option
from release_tool.core.github_context import read_github_context
from release_tool.core.versions import show
from release_tool.errors import InputRejected
from release_tool.operations import publication

MAX_COMMENT_CHARS = 60_000  # GitHub refuses comments over 65,536 characters
_KIND = re.compile(r"^[a-z0-9][a-z0-9._-]{0,60}\Z")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--pr", type=int, required=True, metavar="N", help="the PR (or issue) number"
    )
    parser.add_argument(
        "--kind", required=True, metavar="KIND", help="the report's kind, e.g. gpu (the GPU gate's)"
    )
    parser.add_argument("--file", required=True, metavar="FILE", help="the Markdown ('-': stdin)")
    add_json_option(parser)
    add_repo_option(parser)


def comment_body(text: str) -> str:
    if len(text) <= MAX_COMMENT_CHARS:
        return text
    return text[: MAX_COMMENT_CHARS - 40] + "\n\n… (truncated by release-tool)\n"


def run(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    if not _KIND.fullmatch(args.kind):
        raise InputRejected(
            f"--kind {show(args.kind)} must be lowercase letters, digits, '.', '_' or '-'"
        )
    if args.pr < 1:
        raise InputRejected(f"--pr {args.pr} is not a pull request number")
    text = read_input(args.file)
    if not text.strip():
        raise InputRejected(f"{args.file} is empty: nothing to report")
    _, config = load_project_config(args.repo, env)
    context = read_github_context(env, config.slug)
    context.require_token()
    adapter = publication.github_adapter(context)
    # A report could quote the environment; the token never reaches GitHub's text.
    body = comment_body(redact(text, token_forms(context.token)))
    done = adapter.upsert_comment(context.repository, args.pr, f"report:{args.kind}", body)
    write_step_outputs(
        env, {"operation": done.operation, "comment-url": done.url}, token_forms(context.token)
    )
    if args.json:
        print(json.dumps({"operation": done.operation, "id": done.comment_id, "url": done.url}))
    else:
        print(f"{args.kind} comment on #{args.pr}: {done.operation} ({done.url})")
    return 0
