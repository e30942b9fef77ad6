"""A pipeline set up exactly as docs/pipeline-setup.md says, on the fake GitHub.

:func:`configure` fills a :class:`~tests.support.fake_github.FakeGitHub` with the
fully configured setup of the project's own configuration (every `doctor` row ✓);
the doctor tests break one setting at a time. :func:`make_checkout` writes the
checkout side (pyproject.toml, pinned base-image digests, profile locks).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from release_tool.core.config import Config
from release_tool.core.setup_access import release_app_slug
from release_tool.core.setup_rows import (
    ACTION_OWNERS,
    CI_CHECKS,
    DISPATCH_SECRET,
    DISPATCH_VARIABLE,
    ENVIRONMENTS,
    GATE_CHECK,
    GITHUB_ACTIONS_APP_ID,
    RELEASE_APP_PERMISSIONS,
    RELEASE_SECRET,
    RELEASE_VARIABLE,
    REVIEWED_ENVIRONMENTS,
)

from tests.support.fake_github import FakeGitHub
from tests.support.sandbox import ROOT

RELEASE_APP_ID, DISPATCH_APP_ID = 901, 902
DISPATCH_SLUG = "vlmhb-dispatch"
DIGEST = "sha256:" + "ab" * 32
_WRITES = [{"type": "creation"}, {"type": "update"}, {"type": "deletion"}]
_RELEASE_APP = {"actor_id": RELEASE_APP_ID, "actor_type": "Integration", "bypass_mode": "always"}


def configure(fake: FakeGitHub, config: Config) -> None:
    """Every setting of the guide, for ``config``'s monorepo and package repositories."""
    monorepo = config.slug
    owner = monorepo.split("/")[0]
    packages = [p.slug for p in config.packages.values()]
    mono = fake.add_repo(monorepo)
    for env in ENVIRONMENTS:
        mono.environments[env] = {
            "branches": [config.default_branch],
            "reviewers": ["maintainer"] if env in REVIEWED_ENVIRONMENTS else [],
            "secrets": [RELEASE_SECRET],
            "variables": {RELEASE_VARIABLE: "Iv23liRelease"},
        }
    checks = [
        {"context": name, "integration_id": GITHUB_ACTIONS_APP_ID}
        for name in (GATE_CHECK, *CI_CHECKS)
    ]
    mono.rulesets = [
        {
            "id": 1,
            "name": "main",
            "target": "branch",
            "conditions": {"ref_name": {"include": ["~DEFAULT_BRANCH"], "exclude": []}},
            "rules": [
                {"type": "deletion"},
                {
                    "type": "pull_request",
                    "parameters": {
                        "dismiss_stale_reviews_on_push": True,
                        "require_code_owner_review": False,
                        "require_last_push_approval": True,
                        "required_approving_review_count": 1,
                        "required_review_thread_resolution": False,
                    },
                },
                {
                    "type": "required_status_checks",
                    "parameters": {
                        "strict_required_status_checks_policy": False,
                        "required_status_checks": checks,
                    },
                },
            ],
        },
        {
            "id": 2,
            "name": "release branches",
            "target": "branch",
            "bypass_actors": [_RELEASE_APP],
            "conditions": {
                "ref_name": {
                    "include": ["refs/heads/release/**", "refs/heads/bump/**"],
                    "exclude": [],
                }
            },
            "rules": _WRITES,
        },
        {
            "id": 3,
            "name": "tags",
            "target": "tag",
            "bypass_actors": [_RELEASE_APP],
            "conditions": {"ref_name": {"include": ["~ALL"], "exclude": []}},
            "rules": _WRITES,
        },
    ]
    mono.fork_approval = "all_external_contributors"
    for number, slug in enumerate(packages, start=10):
        repo = fake.add_repo(slug)
        repo.environments["release"] = {
            "branches": None,
            "secrets": [DISPATCH_SECRET],
            "variables": {DISPATCH_VARIABLE: "Iv23liDispatch"},
        }
        repo.rulesets = [
            {
                "id": number,
                "name": "main and tags",
                "target": "branch",
                "bypass_actors": [_RELEASE_APP],
                "conditions": {"ref_name": {"include": ["~DEFAULT_BRANCH"], "exclude": []}},
                "rules": [{"type": "deletion"}, {"type": "non_fast_forward"}, {"type": "update"}],
            }
        ]
    org = fake.add_org(owner)
    org.installations = [
        {
            "id": 71,
            "app_id": RELEASE_APP_ID,
            "app_slug": release_app_slug(config),
            "permissions": {"metadata": "read", **RELEASE_APP_PERMISSIONS},
            "repository_selection": "selected",
            "repositories": [monorepo, *packages],
        },
        {
            "id": 72,
            "app_id": DISPATCH_APP_ID,
            "app_slug": DISPATCH_SLUG,
            "permissions": {"metadata": "read", "contents": "write"},
            "repository_selection": "selected",
            "repositories": [monorepo],
        },
    ]
    org.runner_groups = [
        {"id": 1, "name": "Default", "visibility": "all", "runners": []},
        {
            "id": 2,
            "name": "gpu",
            "visibility": "selected",
            "allows_public_repositories": True,
            "repositories": [monorepo],
            "runners": [
                {"name": f"gpu-{name}", "labels": list(backend.runner_labels)}
                for name, backend in sorted(config.backends.items())
            ],
        },
    ]
    org.allowed_actions = "selected"
    org.selected_actions = {
        "github_owned_allowed": True,
        "patterns_allowed": [f"{o}/*" for o in ACTION_OWNERS if o != "actions"],
    }
    org.packages[config.images.name.partition("/")[2]] = monorepo


def make_checkout(root: Path, config: Config) -> Path:
    """A checkout doctor accepts: the project's pyproject, pinned digests, profile locks."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    (root / "docker").mkdir(exist_ok=True)
    (root / "docker" / "base-images.toml").write_text(
        "".join(
            f'[{name}]\nimage = "nvidia/cuda:12.8.1-base-ubuntu22.04"\ndigest = "{DIGEST}"\n\n'
            for name in ("cu124", "cu128", "dev")
        ),
        encoding="utf-8",
    )
    for profile in config.profiles.values():
        (root / profile.directory).mkdir(exist_ok=True)
        (root / profile.directory / "uv.lock").write_text("version = 1\n", encoding="utf-8")
    return root
