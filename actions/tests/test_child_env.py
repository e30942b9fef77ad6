"""The one environment builder for subprocesses: no credential reaches a child.

Table tests of :func:`release_tool.adapters.process.child_env`, and git itself
reading what is kept (the renumbered ``GIT_CONFIG_*`` pairs still work).
"""

from __future__ import annotations

import os
import sys

import pytest
from release_tool.adapters import process
from release_tool.adapters.process import carries_credential, child_env

CANARY = "ghs_CHILDENVCANARY0123456789"


def pairs(*entries: tuple[str, str]) -> dict[str, str]:
    env = {"GIT_CONFIG_COUNT": str(len(entries))}
    for i, (key, value) in enumerate(entries):
        env[f"GIT_CONFIG_KEY_{i}"] = key
        env[f"GIT_CONFIG_VALUE_{i}"] = value
    return env


def kept_pairs(env: dict[str, str]) -> list[tuple[str, str]]:
    count = int(env.get("GIT_CONFIG_COUNT", "0"))
    return [(env[f"GIT_CONFIG_KEY_{i}"], env[f"GIT_CONFIG_VALUE_{i}"]) for i in range(count)]


@pytest.mark.parametrize("name", ["RELEASE_TOOL_TOKEN", "GH_TOKEN", "GITHUB_TOKEN"])
def test_the_three_token_variables_are_dropped(name: str) -> None:
    assert name not in child_env({name: CANARY, "PATH": "/bin"})


@pytest.mark.parametrize(
    "name",
    [
        "ACTIONS_RUNTIME_TOKEN",
        "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
        "ACTIONS_ID_TOKEN_REQUEST_URL",
        "ACTIONS_CACHE_URL",
        "ACTIONS_RESULTS_URL",
    ],
)
def test_the_runners_actions_variables_are_dropped(name: str) -> None:
    assert name not in child_env({name: CANARY})


KEPT = {
    "PATH": "/usr/bin",
    "HOME": "/home/u",
    "HTTPS_PROXY": "http://proxy:3128",
    "https_proxy": "http://proxy:3128",
    "NO_PROXY": "localhost",
    "SSL_CERT_FILE": "/etc/ssl/ca.pem",
    "SSL_CERT_DIR": "/etc/ssl/certs",
    "UV_INDEX": "pytorch-cu124=file:///idx",
    "UV_CACHE_DIR": "/tmp/uv",
    "UV_NO_GITHUB_FAST_PATH": "1",
    "GIT_CONFIG_GLOBAL": "/tmp/gitconfig",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_ALLOW_PROTOCOL": "https:file",
    "GIT_TERMINAL_PROMPT": "0",
    "GITHUB_ACTIONS": "true",
    "GITHUB_REPOSITORY": "o/r",
    "RUNNER_TEMP": "/tmp/r",
    "TOKENIZERS_PARALLELISM": "false",  # a name containing TOKEN is not a token variable
}


def test_everything_else_is_kept_as_it_is() -> None:
    assert child_env(KEPT) == KEPT


@pytest.mark.parametrize(
    ("key", "value", "credential"),
    [
        ("http.https://github.com/.extraheader", f"AUTHORIZATION: basic {CANARY}", True),
        ("http.extraHeader", f"Authorization: bearer {CANARY}", True),
        ("HTTP.https://ghe.example/.EXTRAHEADER", "x", True),
        ("credential.helper", "store", True),
        ("credential.https://github.com.username", "x-access-token", True),
        ("Credential.Helper", "cache", True),
        ("url.https://x-access-token:secret@github.com/.insteadOf", "https://github.com/", True),
        ("url.https://github.com/.insteadOf", "https://bot:secret@github.com/", True),
        ("core.sshCommand", "ssh -i /k", False),
        ("url.file:///tmp/repos/.insteadOf", "https://github.com/Org/", False),
        ("safe.directory", "*", False),
        ("http.https://github.com/.sslVerify", "true", False),
        ("credentialx.helper", "store", False),  # another section
    ],
)
def test_which_git_config_entries_carry_a_credential(
    key: str, value: str, credential: bool
) -> None:
    assert carries_credential(key, value) is credential


def test_credential_pairs_are_dropped_and_the_rest_renumbered() -> None:
    env = pairs(
        ("safe.directory", "*"),
        ("http.https://github.com/.extraheader", f"AUTHORIZATION: basic {CANARY}"),
        ("url.file:///r/.insteadOf", "https://github.com/O/"),
        ("credential.helper", "store"),
        ("core.quotePath", "false"),
    )
    out = child_env({**env, "PATH": "/bin"})
    assert kept_pairs(out) == [
        ("safe.directory", "*"),
        ("url.file:///r/.insteadOf", "https://github.com/O/"),
        ("core.quotePath", "false"),
    ]
    assert "GIT_CONFIG_KEY_3" not in out and "GIT_CONFIG_VALUE_4" not in out
    assert CANARY not in repr(out)


def test_only_credential_pairs_leave_no_count_behind() -> None:
    out = child_env(pairs(("http.extraheader", CANARY)))
    assert not any(name.startswith("GIT_CONFIG_") for name in out)


def test_stray_pairs_beyond_the_count_and_a_bogus_count_are_dropped() -> None:
    stray = {"GIT_CONFIG_KEY_5": "http.extraheader", "GIT_CONFIG_VALUE_5": CANARY}
    assert child_env(stray) == {}
    bogus = {"GIT_CONFIG_COUNT": "x", "GIT_CONFIG_KEY_0": "http.extraheader", **stray}
    assert child_env(bogus) == {}


def test_explicit_git_config_is_appended_after_the_scrub() -> None:
    env = pairs(("core.x", "y"), ("http.extraheader", "old"))
    out = child_env(env, [("http.https://github.com/.extraheader", "AUTHORIZATION: basic new")])
    assert kept_pairs(out) == [
        ("core.x", "y"),
        ("http.https://github.com/.extraheader", "AUTHORIZATION: basic new"),
    ]


def test_git_reads_the_renumbered_pairs() -> None:
    env = {
        **KEPT,
        "PATH": os.environ["PATH"],
        "GIT_CONFIG_GLOBAL": "/dev/null",
        **pairs(
            ("http.extraheader", f"AUTHORIZATION: basic {CANARY}"),
            ("release-tool.kept", "yes"),
            ("credential.helper", "store"),
            ("release-tool.second", "also"),
        ),
    }
    done = process.run(["git", "config", "--list", "--includes"], env=env, echo=None)
    assert "release-tool.kept=yes" in done.stdout
    assert "release-tool.second=also" in done.stdout
    assert CANARY not in done.stdout and "credential.helper" not in done.stdout


def test_a_child_never_sees_the_tokens(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("RELEASE_TOOL_TOKEN", "GH_TOKEN", "GITHUB_TOKEN", "ACTIONS_RUNTIME_TOKEN"):
        monkeypatch.setenv(name, CANARY)
    script = "import os; print('\\n'.join(f'{k}={v}' for k, v in os.environ.items()))"
    inherited = process.run([sys.executable, "-c", script], echo=None).stdout  # env=None
    given = process.run(
        [sys.executable, "-c", script], env={"GH_TOKEN": CANARY, "KEEP": "1"}, echo=None
    ).stdout
    assert CANARY not in inherited and CANARY not in given
    assert "KEEP=1" in given
