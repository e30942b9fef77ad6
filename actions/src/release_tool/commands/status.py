"""Where each package stands, per package and profile.

  release-tool status            a table
  release-tool status --json     the same as data

Per package: the version in packages/*, the last release (highest version tag) of its
repository (`unreachable: <reason>` when it cannot be read; status still exits 0), the
tag and locked commit in each profile, and what is pending: a version not released
yet, a release not in staging yet, a staging pin not in prod yet. When the repository
cannot be read, pending shows what the working tree alone tells (packages/* newer
than staging's pin, a staging pin not in prod) and `unknown` for the rest, never
"nothing". Per profile: whether its uv.lock agrees with its pyproject (read offline;
`not yet locked` where there is no lock). A tag force-moved since a profile locked it is
flagged as `check --remote` does (`tag moved to <commit>`). Reads the working tree's files.
--json: {"packages": [{package, version, last_tag, reachable, unreachable (the reason
or null), profiles: {env: {tag, commit}}, pending: [...], pending_complete,
moved_tag: [{env, tag, locked_commit, tag_commit}]}],
"profiles": [{env, state, problems}]}.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from dataclasses import asdict

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from release_tool.adapters.config_file import load_project_config
from release_tool.adapters.git import ls_remote_tags
from release_tool.adapters.process import CommandFailed
from release_tool.adapters.profile_files import package_versions, tree_state
from release_tool.commands.options import add_json_option, add_repo_option
from release_tool.core.status_report import (
    UNKNOWN,
    PackageStatus,
    ProfileLockStatus,
    lock_status,
    package_status,
    pending_text,
)
from release_tool.errors import OperationalError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_json_option(parser)
    add_repo_option(parser)


def _repository_tags(url: str, env: Mapping[str, str]) -> dict[str, str] | str:
    try:
        return ls_remote_tags(url, env)
    except CommandFailed as exc:
        return " ".join(exc.detail.split())  # git's own words, on one line
    except OperationalError as exc:
        return str(exc)


def _render(packages: list[PackageStatus], locks: list[ProfileLockStatus]) -> None:
    console = Console(width=None if sys.stdout.isatty() else 160)
    envs = [lock.env for lock in locks]
    table = Table(title="release status", show_lines=False)
    for column in ("package", "packages/*", "last release", *envs, "pending"):
        table.add_column(column, overflow="fold")
    for status in packages:
        last = status.last_tag or "(no release)"
        if status.unreachable:
            last = f"[red]unreachable[/]: {status.unreachable}"
        cells = []
        moved = {m.env: m for m in status.moved_tag}
        for env in envs:
            cell = status.profiles[env]
            if cell.tag is None:
                cells.append("-")
            else:
                text = f"{cell.tag} ({cell.commit[:10] if cell.commit else 'not locked'})"
                if env in moved:
                    text += f" [red]tag moved to {moved[env].tag_commit[:10]}[/]"
                cells.append(text)
        pending = escape(pending_text(status))
        if not status.pending_complete:
            pending = pending.replace(UNKNOWN, f"[yellow]{UNKNOWN}[/]")
        elif not status.pending:
            pending = f"[green]{pending}[/]"
        table.add_row(status.package, status.version or "?", last, *cells, pending)
    console.print(table)
    for lock in locks:
        line = f"{lock.env} lock: {lock.state}"
        console.print(line + "".join(f"\n  - {p}" for p in lock.problems), highlight=False)


def run(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    root, config = load_project_config(args.repo, env)
    states = [tree_state(root, config, name) for name in config.profiles]
    versions = package_versions(root, config)
    packages = [
        package_status(name, versions[name], _repository_tags(package.url, env), states)
        for name, package in config.packages.items()
    ]
    locks = [lock_status(state) for state in states]
    if args.json:
        data = {"packages": [asdict(p) for p in packages], "profiles": [asdict(x) for x in locks]}
        print(json.dumps(data, indent=2))
    else:
        _render(packages, locks)
    return 0
