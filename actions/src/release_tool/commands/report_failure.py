"""Open or update the issue telling a tag's pusher that its promotion failed.

  release-tool report-failure --package hello-world --tag 0.3.0 --env staging \\
      --run-url "$RUN_URL" --file log-excerpt.txt

One issue per package + tag + env (found again by a hidden marker), labelled
`release-failure`, `env:<env>`, `package:<name>`, with the reason (--reason, else the
tool's own error line from the excerpt), the run link and the tail of the log. A second
failure of the same tag updates it; a later successful promotion of the tag closes it.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping

from release_tool.adapters.actions_io import write_step_outputs
from release_tool.adapters.config_file import load_project_config
from release_tool.adapters.process import redact
from release_tool.adapters.push import token_forms
from release_tool.commands.context import read_input
from release_tool.commands.options import add_json_option, add_repo_option
from release_tool.core.failures import parse_failure
from release_tool.core.github_context import read_github_context
from release_tool.operations import publication


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--package", required=True, metavar="NAME", help="the package")
    parser.add_argument("--tag", required=True, metavar="TAG", help="the tag that failed")
    parser.add_argument("--env", required=True, metavar="ENV", help="the profile it targeted")
    parser.add_argument("--run-url", required=True, metavar="URL", help="the failed run")
    parser.add_argument(
        "--file", required=True, metavar="FILE", help="the log excerpt ('-': stdin)"
    )
    parser.add_argument("--reason", help="one sentence (default: taken from the excerpt)")
    add_json_option(parser)
    add_repo_option(parser)


def run(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    _, config = load_project_config(args.repo, env)
    context = read_github_context(env, config.slug)
    secrets = token_forms(context.token)
    report = parse_failure(
        package=args.package,
        tag=args.tag,
        env=args.env,
        run_url=args.run_url,
        excerpt=redact(read_input(args.file), secrets),
        reason=redact(args.reason, secrets) if args.reason else None,
    )
    context.require_token()
    adapter = publication.github_adapter(context)
    done = adapter.upsert_issue(
        context.repository, report.key, report.title, report.body(), report.labels
    )
    write_step_outputs(
        env,
        {
            "operation": done.operation,
            "issue-number": str(done.number or ""),
            "issue-url": done.url or "",
        },
        secrets,
    )
    if args.json:
        print(json.dumps({"operation": done.operation, "number": done.number, "url": done.url}))
    else:
        print(
            f"failure issue for {report.package} {report.tag} ({report.env}): "
            f"{done.operation} ({done.url})"
        )
    return 0
