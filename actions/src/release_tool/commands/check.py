"""Check the configuration, the profiles and their locks for consistency (offline).

  release-tool check                      both profiles
  release-tool check --env prod --remote  also ask each package repository (git ls-remote)

Problems (input rejected, listed): an internal package without exactly its configured git
source (`{ git = <repository>, tag = ... }`; without one, uv would take a same-named
package from PyPI), a malformed tag, a pre-release in a profile that refuses them, a
uv.lock that does not match its pyproject's pins, an internal package locked from
anywhere but its repository, [tool.uv] required-version differing between the root
and the profiles. With --remote: a locked commit that is not the commit its tag names
in the package repository (a lock made against anything but the real repositories).
Information (not a problem): pins behind packages/*, a profile not locked yet, a package not
in a profile yet.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping

from release_tool.adapters.config_file import load_project_config
from release_tool.adapters.profile_files import (
    package_versions,
    read_text,
    remote_tags,
    tree_state,
)
from release_tool.commands.options import add_json_option, add_repo_option
from release_tool.core.consistency import (
    Finding,
    check_profile,
    check_remote,
    check_uv_pins,
    required_uv,
)
from release_tool.errors import InputRejected, OperationalError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--env", help="check only this profile (default: all)")
    parser.add_argument(
        "--remote",
        action="store_true",
        help="also check each locked commit against its tag in the package repository",
    )
    add_json_option(parser)
    add_repo_option(parser)


def run(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    root, config = load_project_config(args.repo, env)
    names = [config.profile(args.env).name] if args.env else list(config.profiles)
    states = [tree_state(root, config, name) for name in names]
    versions = package_versions(root, config)
    findings: list[Finding] = []
    for state in states:
        findings += check_profile(config, state, versions)
    uv_pins = {"pyproject.toml": required_uv(read_text(root, "pyproject.toml"))}
    for state in states:
        path = f"{state.directory}/pyproject.toml"
        uv_pins[path] = required_uv(read_text(root, path), path)
    findings += check_uv_pins(uv_pins)
    if args.remote:
        remote = remote_tags(states, env)
        unreachable = [message for message in remote.values() if isinstance(message, str)]
        if unreachable:  # not a problem of the files: the check could not be made (exit 1)
            raise OperationalError(unreachable[0])
        for state in states:
            findings += check_remote(state, config, remote)
    problems = [f.message for f in findings if f.problem]
    info = [f.message for f in findings if not f.problem]
    if args.json:
        print(json.dumps({"problems": problems, "info": info}, indent=2))
    else:
        checked = ", ".join(names) + (" (with --remote)" if args.remote else "")
        for line in info:
            print(f"info: {line}")
        if problems:
            print(f"{len(problems)} problem(s) in {checked}:")
            for line in problems:
                print(f"  - {line}")
        else:
            print(f"consistent: {checked}")
    if problems:
        raise InputRejected(f"{len(problems)} problem(s) found in {', '.join(names)}")
    return 0
