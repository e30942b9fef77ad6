"""Check the pipeline's setup on GitHub and in the checkout, read-only.

  release-tool doctor [--json] [--repository OWNER/NAME] [--dispatch-app SLUG]

One row per setting of docs/pipeline-setup.md: ✓, ✗ with the one fix to make, or ?
naming the permission the token lacked. It reads the App installations, the
monorepo's environments, rulesets and branch protection, the fork-PR approval
policy, the org's runner groups and Actions allow-list, each package repository's
secret and variable names and rulesets, the GHCR package, and in the checkout the
base-image digests and the profile locks. Nothing is written.
Run it with an administrator's token (an org owner's `gh auth token`, or a
fine-grained token with Administration, Secrets, Variables and Environments read on
the repositories and organization Self-hosted runners and Administration read);
the GHCR row needs a classic token with read:packages. The release App's token can
read almost none of this.
Exit codes: 0 every row ✓, 2 any row ✗ or ?, 1 GitHub could not be reached
(whatever the offline rows say).
"""

from __future__ import annotations

import argparse
import json
import sys
import tomllib
from collections.abc import Mapping
from pathlib import Path

from release_tool.adapters.config_file import load_project_config
from release_tool.adapters.github_setup import GithubUnreachable, SetupReader
from release_tool.commands.options import add_json_option, add_repo_option
from release_tool.core.config import Config
from release_tool.core.doctor import diagnose
from release_tool.core.github_context import GithubContext, read_github_context, target_repository
from release_tool.core.setup_facts import LocalFacts, SetupFacts
from release_tool.core.setup_rows import DEFAULT_DISPATCH_APP, Row, exit_code, render_rows
from release_tool.core.setup_runners import check_local
from release_tool.errors import OperationalError

BASE_IMAGES = Path("docker") / "base-images.toml"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_json_option(parser)
    parser.add_argument(
        "--repository",
        metavar="OWNER/NAME",
        help="the monorepo on GitHub (default: GITHUB_REPOSITORY, else the configured one)",
    )
    parser.add_argument(
        "--dispatch-app",
        default=DEFAULT_DISPATCH_APP,
        metavar="SLUG",
        help=f"the dispatch App's slug (default {DEFAULT_DISPATCH_APP})",
    )
    add_repo_option(parser)


def read_local(root: Path, config: Config) -> LocalFacts:
    """The checkout's base-image digests and which profile locks are missing."""
    path = root / BASE_IMAGES
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise OperationalError(f"cannot read {path}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise OperationalError(f"{path} is not valid TOML ({exc})") from None
    digests = {
        name: str(entry.get("digest", ""))
        for name, entry in data.items()
        if isinstance(entry, dict)
    }
    missing = tuple(
        f"{profile.directory}/uv.lock"
        for profile in config.profiles.values()
        if not (root / profile.directory / "uv.lock").is_file()
    )
    return LocalFacts(digests, missing)


def setup_reader(context: GithubContext) -> SetupReader:
    """The adapter (one seam for the tests' fast retry policy)."""
    return SetupReader(context)


def read_setup(
    reader: SetupReader, repository: str, config: Config, local: LocalFacts
) -> SetupFacts:
    org = repository.split("/", maxsplit=1)[0]
    branch = config.default_branch
    # ghcr.io/<owner>/<name>: the package lives in the monorepo's organization
    image = config.images.name.partition("/")[2] or config.images.name
    return SetupFacts(
        monorepo=reader.repository(repository, monorepo=True, branch=branch),
        packages=tuple(
            reader.repository(p.slug, monorepo=False, branch=branch)
            for p in config.packages.values()
        ),
        installations=reader.installations(org),
        runner_groups=reader.runner_groups(org),
        actions_policy=reader.actions_policy(org),
        image_repository=reader.image_repository(org, image),
        local=local,
    )


def _print(rows: list[Row], *, as_json: bool, reachable: bool, code: int) -> None:
    if as_json:
        items = [
            {
                "group": r.group,
                "name": r.name,
                "status": r.status,
                "mark": r.mark,
                "detail": r.detail,
            }
            for r in rows
        ]
        print(json.dumps({"reachable": reachable, "exit_code": code, "rows": items}, indent=2))
    else:
        print(render_rows(rows), end="")


def run(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    root, config = load_project_config(args.repo, env)
    context = read_github_context(env, config.slug)
    repository = target_repository(args.repository, context)
    local = read_local(root, config)
    reader = setup_reader(context)
    try:
        facts = read_setup(reader, repository, config, local)
    except GithubUnreachable as exc:
        _print(check_local(local), as_json=args.json, reachable=False, code=1)
        print(f"release-tool doctor: {exc}", file=sys.stderr)
        return 1
    rows = diagnose(facts, config, args.dispatch_app)
    code = exit_code(rows)
    _print(rows, as_json=args.json, reachable=True, code=code)
    return code
