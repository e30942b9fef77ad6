"""The GitHub context read from an environment mapping (pure, table-driven)."""

from __future__ import annotations

import pickle

import pytest
from release_tool.core.github_context import Secret, read_github_context
from release_tool.errors import InputRejected

DEFAULT = "VLMHyperBenchTeam/vlmhyperbench_playground"


@pytest.mark.parametrize(
    ("env", "token", "source"),
    [
        ({}, None, None),
        ({"GITHUB_TOKEN": "g"}, "g", "GITHUB_TOKEN"),
        ({"GH_TOKEN": "h", "GITHUB_TOKEN": "g"}, "h", "GH_TOKEN"),
        (
            {"RELEASE_TOOL_TOKEN": "r", "GH_TOKEN": "h", "GITHUB_TOKEN": "g"},
            "r",
            "RELEASE_TOOL_TOKEN",
        ),
        # Actions expands a missing secret to "": it must not hide the next variable.
        ({"RELEASE_TOOL_TOKEN": "", "GH_TOKEN": "  ", "GITHUB_TOKEN": "g"}, "g", "GITHUB_TOKEN"),
        ({"RELEASE_TOOL_TOKEN": "r", "GITHUB_TOKEN": ""}, "r", "RELEASE_TOOL_TOKEN"),
    ],
)
def test_token_precedence(env: dict[str, str], token: str | None, source: str | None) -> None:
    context = read_github_context(env, DEFAULT)
    assert (context.token.reveal() if context.token else None) == token
    assert context.token_source == source


@pytest.mark.parametrize(
    ("env", "api", "server", "repository", "in_actions"),
    [
        ({}, "https://api.github.com", "https://github.com", DEFAULT, False),
        (
            {
                "GITHUB_API_URL": "https://ghe.example.invalid/api/v3/",
                "GITHUB_SERVER_URL": "https://ghe.example.invalid",
                "GITHUB_REPOSITORY": "Other-Org/mono.repo",
                "GITHUB_ACTIONS": "true",
            },
            "https://ghe.example.invalid/api/v3",
            "https://ghe.example.invalid",
            "Other-Org/mono.repo",
            True,
        ),
        ({"GITHUB_ACTIONS": "1"}, "https://api.github.com", "https://github.com", DEFAULT, False),
        ({"GITHUB_REPOSITORY": ""}, "https://api.github.com", "https://github.com", DEFAULT, False),
        (
            {"GITHUB_API_URL": "http://127.0.0.1:8080/api/v3"},
            "http://127.0.0.1:8080/api/v3",
            "https://github.com",
            DEFAULT,
            False,
        ),
    ],
)
def test_urls_repository_and_actions(
    env: dict[str, str], api: str, server: str, repository: str, in_actions: bool
) -> None:
    context = read_github_context(env, DEFAULT)
    assert (context.api_url, context.server_url) == (api, server)
    assert (context.repository, context.in_actions) == (repository, in_actions)


@pytest.mark.parametrize(
    ("in_actions", "push_flag", "expected"),
    [(False, False, False), (False, True, True), (True, False, True), (True, True, True)],
)
def test_should_push_only_with_flag_or_in_actions(
    in_actions: bool, push_flag: bool, expected: bool
) -> None:
    env = {"GH_TOKEN": "a-token-in-the-shell"} | ({"GITHUB_ACTIONS": "true"} if in_actions else {})
    assert read_github_context(env, DEFAULT).should_push(push_flag) is expected


@pytest.mark.parametrize(
    ("env", "default", "needle"),
    [
        ({"GITHUB_REPOSITORY": "no-slash"}, DEFAULT, "GITHUB_REPOSITORY must be OWNER/NAME"),
        ({"GITHUB_REPOSITORY": "a/b/c"}, DEFAULT, "GITHUB_REPOSITORY must be OWNER/NAME"),
        ({"GITHUB_REPOSITORY": "-x/y"}, DEFAULT, "GITHUB_REPOSITORY must be OWNER/NAME"),
        ({"GITHUB_REPOSITORY": "o/$(id)"}, DEFAULT, "GITHUB_REPOSITORY must be OWNER/NAME"),
        ({}, "bad repo", "the configured repository must be OWNER/NAME"),
        ({"GITHUB_API_URL": "ftp://x"}, DEFAULT, "GITHUB_API_URL must be an http(s) URL"),
        ({"GITHUB_SERVER_URL": "github.com"}, DEFAULT, "GITHUB_SERVER_URL must be an http(s) URL"),
    ],
)
def test_bad_values_are_rejected(env: dict[str, str], default: str, needle: str) -> None:
    with pytest.raises(InputRejected, match=needle.replace("(", r"\(").replace(")", r"\)")):
        read_github_context(env, default)


def test_missing_token_is_one_sentence_naming_the_variables() -> None:
    context = read_github_context({"GITHUB_ACTIONS": "true"}, DEFAULT)
    with pytest.raises(InputRejected) as caught:
        context.require_token()
    assert str(caught.value) == (
        "no GitHub token: set RELEASE_TOOL_TOKEN, GH_TOKEN or GITHUB_TOKEN "
        "to push and open pull requests"
    )


def test_secret_never_shows_itself() -> None:
    secret = Secret("ghs_verysecret")
    context = read_github_context({"GH_TOKEN": "ghs_verysecret"}, DEFAULT)
    shown = [repr(secret), str(secret), f"{secret}", f"{secret!r}", repr(context)]
    shown.append(str(context))
    assert all("verysecret" not in text for text in shown), shown
    assert secret.reveal() == "ghs_verysecret"
    assert context.token == secret
    with pytest.raises(TypeError):
        pickle.dumps(secret)
    with pytest.raises(ValueError, match="non-empty"):
        Secret("")
