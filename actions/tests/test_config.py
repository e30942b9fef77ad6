"""The typed configuration: the committed file loads, defaults apply, bad keys are named."""

from __future__ import annotations

import re

import pytest
from packaging.version import Version
from release_tool.core.config import Config, ConfigError, load_config

from .conftest import ROOT

TEXT = (ROOT / "pyproject.toml").read_text(encoding="utf-8")


def test_committed_config_loads_with_defaults(config: Config) -> None:
    assert config.slug == "VLMHyperBenchTeam/vlmhyperbench_playground"
    assert config.default_branch == "main"
    assert config.bot.name.endswith("[bot]")
    hello = config.packages["hello-world"]
    assert hello.slug == "VLMHyperBenchTeam/hello_world"
    assert hello.tag_format == "{version}"
    assert hello.format_tag("0.3.0") == "0.3.0"
    assert hello.managed_since == Version("0.2.0")
    assert config.profiles["staging"].allow_direct_dispatch is True
    assert config.profiles["prod"].allow_direct_dispatch is False
    assert config.profiles["staging"].allow_prerelease is True
    assert config.profiles["prod"].allow_prerelease is False
    assert config.backends["cu128"].runner_labels[-1] == "cuda-12.8"
    assert config.backends["cu124"].timeout_minutes == 60
    assert config.images.latest_backend == "cu128"


def test_every_configured_package_is_in_both_profiles(config: Config) -> None:
    for profile in config.profiles.values():
        text = (ROOT / profile.directory / "pyproject.toml").read_text(encoding="utf-8")
        for package in config.packages.values():
            assert f'git = "{package.url}"' in text, (profile.name, package.name)


def test_github_repository_in_the_env_wins() -> None:
    config = load_config(TEXT, {"GITHUB_REPOSITORY": "someone/fork"})
    assert config.slug == "someone/fork"


def _edit(old: str, new: str) -> str:
    assert old in TEXT
    return TEXT.replace(old, new, 1)


BAD = [
    (
        _edit('default-branch = "main"', 'default-branch = "main"\ncolour = "blue"'),
        "unknown key tool.release-tool.colour",
    ),
    (
        _edit('directory = "packages/hello_world"', "directory = 3"),
        "tool.release-tool.packages.hello-world.directory must be a str",
    ),
    (
        _edit('directory = "packages/hello_world"', 'directory = "packages/hello_world"\nfoo = 1'),
        "unknown key tool.release-tool.packages.hello-world.foo",
    ),
    (
        _edit('directory = "packages/hello_world"', 'directory = "x"\nmanaged-since = "soon"'),
        "tool.release-tool.packages.hello-world.managed-since is not a PEP 440 version",
    ),
    (
        _edit(
            'directory = "packages/hello_world"', 'directory = "x"\ntag-format = "rel-{version}"'
        ),
        "tool.release-tool.packages.hello-world.tag-format must be one of",
    ),
    (
        _edit("timeout-minutes = 60", "timeout-minutes = true"),
        "tool.release-tool.backends.cu124.timeout-minutes must be an integer",
    ),
    (
        _edit("allow-direct-dispatch = false", 'allow-direct-dispatch = "no"'),
        "tool.release-tool.profiles.prod.allow-direct-dispatch must be a bool",
    ),
    (
        _edit('name = "vlmhb-release-bot[bot]"\n', ""),
        "tool.release-tool.bot.name is missing",
    ),
    (
        _edit('repository = "VLMHyperBenchTeam/vlmhyperbench_playground"', 'repository = "x"'),
        "tool.release-tool.repository must be OWNER/NAME",
    ),
    (
        _edit('latest-backend = "cu128"', 'latest-backend = "cu999"'),
        "latest-backend names no configured backend",
    ),
    (TEXT.replace("[tool.release-tool", "[tool.other"), "[tool.release-tool] is missing"),
    ("this is = = not toml", "not valid TOML"),
]


@pytest.mark.parametrize(("text", "message"), BAD, ids=[m for _, m in BAD])
def test_a_bad_key_is_named(text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)) as caught:
        load_config(text, {})
    assert caught.value.exit_code == 2


def test_release_policy_comes_from_the_config(config: Config) -> None:
    assert config.profiles["prod"].fed_by == "staging"
    assert config.profiles["staging"].fed_by is None
    assert config.default_profile == "staging"
    assert config.release_prefix == "release/"
    assert config.release_branch("prod", "relock") == "release/prod/relock"
    other = load_config(
        _edit('release-branch-prefix = "release/"', 'release-branch-prefix = "rel/"'), {}
    )
    assert other.release_branch("staging", "hello-world") == "rel/staging/hello-world"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            _edit('fed-by = "staging"', 'fed-by = "qa"'),
            "tool.release-tool.profiles.prod.fed-by names no configured profile",
        ),
        (
            _edit('default-profile = "staging"', 'default-profile = "qa"'),
            "tool.release-tool.default-profile names no configured profile",
        ),
        (
            _edit('release-branch-prefix = "release/"', 'release-branch-prefix = "release"'),
            "tool.release-tool.release-branch-prefix must end with /",
        ),
    ],
)
def test_bad_release_policy_is_named(text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_config(text, {})
