"""Pin the base images of docker/base-images.toml by their index digest.

  release-tool bases                      each entry: pinned digest, the tag's index now
  release-tool bases --update             rewrite the digests (tomlkit: comments kept),
                                          print old -> new per entry
  release-tool bases --check              does every pinned digest still resolve; which
                                          tags have moved since they were pinned
  release-tool bases --update --push      one commit on release/bases and its pull request
                                          (implied in GitHub Actions)
  --mirror docker.io=http://127.0.0.1:5000   ask a mirror instead (tests, air-gapped
                                          setups); the file keeps the real reference

Each image reference is resolved over the OCI distribution API to the digest of its
index (manifest list), which must list linux/amd64. --check exits 0 when every pinned
digest resolves (moved tags are named in the report), 2 when a digest is empty
(decided before any registry is asked) or gone, 1 when a registry cannot be reached.
Exit codes: 0 done, 2 input rejected, 1 registry/git/remote failure, 3 bug,
130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path

from release_tool.adapters.config_file import load_project_config
from release_tool.adapters.registry import RegistryClient
from release_tool.commands.context import say
from release_tool.commands.options import add_json_option, add_repo_option
from release_tool.core import base_images as bases
from release_tool.core.oci import parse_mirrors, parse_reference
from release_tool.errors import InputRejected, OperationalError
from release_tool.operations.base_pinning import change_json, commit_bases, resolve_changes
from release_tool.operations.publication import (
    publication_context,
    publish_release_branch,
    report_publication,
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--update", action="store_true", help="rewrite the digests to the tags' current indexes"
    )
    mode.add_argument(
        "--check",
        action="store_true",
        help="verify every pinned digest still resolves; report moved tags",
    )
    add_json_option(parser)
    parser.add_argument(
        "--mirror",
        action="append",
        default=[],
        metavar="REGISTRY=URL",
        help="ask URL instead of REGISTRY (repeatable), e.g. docker.io=http://127.0.0.1:5000",
    )
    parser.add_argument(
        "--push",
        action="store_true",
        help="with --update: commit on release/bases, push it and create, update or close "
        "its pull request (implied in GitHub Actions; needs a token)",
    )
    add_repo_option(parser)


def _read_entries(path: Path) -> tuple[str, tuple[bases.BaseEntry, ...]]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputRejected(f"{path} does not exist") from None
    except OSError as exc:
        raise OperationalError(f"cannot read {path}: {exc.strerror}") from None
    return text, bases.read_base_images(text, path=str(path))


def _write_atomic(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    Path(tmp).replace(path)


def _check(entries: tuple[bases.BaseEntry, ...], client: RegistryClient) -> list[bases.CheckResult]:
    results = []
    for entry in entries:
        reference = parse_reference(entry.image)
        exists = client.exists(reference.with_digest(entry.digest))
        current = client.index_digest(reference) if exists else ""
        results.append(bases.CheckResult(entry, exists, current))
    return results


def run(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    root, config = load_project_config(args.repo, env)
    if args.push and not args.update:
        raise InputRejected("--push publishes what --update resolves; add --update")
    mirrors = parse_mirrors(args.mirror)
    path = root / bases.PATH
    text, entries = _read_entries(path)
    if args.check:
        empty = bases.empty_entries(entries)
        if empty:
            names = ", ".join(e.variant for e in empty)
            raise InputRejected(
                f"{path}: no digest pinned for {names}; run `release-tool bases --update`"
            )
        return _run_check(entries, RegistryClient(mirrors, env=env), as_json=args.json)
    client = RegistryClient(mirrors, env=env)
    context = None
    if args.update:
        context = publication_context(env, config, push=args.push, dry_run=False)
    if context is not None:
        outcome = commit_bases(root, config, client, env, say=say)
        published = publish_release_branch(root, config, outcome, context, env, say=say)
        report_publication(published, context, env)
        if args.json:
            print(json.dumps(published.as_json(), indent=2))
        else:
            _print_changes(published.outcome.changes)
            print(published.pull_request.summary_line())
        return 0
    changes = resolve_changes(entries, client, say)
    written = False
    if args.update:
        new_text = bases.rewrite_digests(text, {c.variant: c.new for c in changes if c.changed})
        if new_text != text:
            _write_atomic(path, new_text)
            written = True
    if args.json:
        data = {"path": str(path), "written": written, "changes": [change_json(c) for c in changes]}
        print(json.dumps(data, indent=2))
    else:
        _print_changes(changes, pending=not args.update)
    return 0


def _run_check(
    entries: tuple[bases.BaseEntry, ...], client: RegistryClient, *, as_json: bool
) -> int:
    results = _check(entries, client)
    if as_json:
        print(json.dumps([_check_json(r) for r in results], indent=2))
    else:
        for result in results:
            print(result.describe())
    gone = [r.entry.variant for r in results if not r.exists]
    if gone:
        print(
            f"release-tool bases: the pinned digest of {', '.join(gone)} is gone from the "
            "registry; run `release-tool bases --update`",
            file=sys.stderr,
        )
        return 2
    return 0


def _print_changes(changes: tuple[bases.DigestChange, ...], *, pending: bool = False) -> None:
    for change in changes:
        if not change.changed:
            print(f"{change.variant} ({change.image}): {change.new} (unchanged)")
        else:
            print(change.describe() + ("  (run --update to pin)" if pending else ""))


def _check_json(result: bases.CheckResult) -> dict[str, object]:
    return {
        "variant": result.entry.variant,
        "image": result.entry.image,
        "digest": result.entry.digest,
        "exists": result.exists,
        "current": result.current,
        "moved": result.moved,
    }
