"""The dispatch schema: what intake accepts, refuses, and prints."""

from __future__ import annotations

import json
from typing import Any

import pytest
from release_tool.cli import main
from release_tool.core.config import Config
from release_tool.core.payload import (
    Pin,
    build_client_payload,
    normalize_payload,
    parse_client_payload,
    parse_event,
    parse_pin_spec,
)
from release_tool.core.versions import is_prerelease, parse_tag
from release_tool.errors import InputRejected

from .conftest import FIXTURES, GOOD, SHA


def test_real_event_envelope_single(config: Config) -> None:
    payload = parse_event((FIXTURES / "event-single.json").read_text(), config)
    assert normalize_payload(payload) == {**GOOD, "env": "staging"}


def test_real_event_envelope_batch(config: Config) -> None:
    payload = parse_event((FIXTURES / "event-batch.json").read_text(), config)
    data = normalize_payload(payload)
    assert data["env"] == "staging"
    assert [p["tag"] for p in data["pins"]] == ["0.2.0", "v0.2.0"]
    assert set(data) == {"pins", "env"}


def test_bare_client_payload_and_round_trip(config: Config) -> None:
    payload = parse_event(json.dumps(GOOD), config)
    again = parse_event(json.dumps(normalize_payload(payload)), config)
    assert again == payload


def _refused(data: Any, config: Config, match: str) -> None:
    text = data if isinstance(data, str) else json.dumps(data)
    with pytest.raises(InputRejected, match=match):
        parse_event(text, config)


REFUSALS: list[tuple[Any, str]] = [
    ({**GOOD, "package": "bench_utils2"}, "unknown package"),
    ({**GOOD, "repository": "VLMHyperBenchTeam/bench_utils"}, "not hello-world's repository"),
    ({**GOOD, "repository": "evil/hello_world"}, "not hello-world's repository"),
    ({**GOOD, "sha": SHA.upper()}, "40-character lowercase hex"),
    ({**GOOD, "sha": SHA[:39]}, "40-character lowercase hex"),
    ({**GOOD, "tag": "latest"}, "malformed tag"),
    ({**GOOD, "tag": "0.2.0-"}, "malformed tag"),
    ({**GOOD, "tag": 2}, "must be a string"),
    ({**GOOD, "extra": "x"}, "unknown key"),
    ({k: v for k, v in GOOD.items() if k != "sha"}, "sha is missing"),
    ({**GOOD, "env": "prod"}, "may not target prod directly"),
    ({**GOOD, "env": "qa"}, "unknown environment"),
    ({"pins": []}, "non-empty list"),
    ({"pins": [GOOD, GOOD]}, "more than once"),
    ({"pins": [{**GOOD, "env": "staging"}]}, "unknown key"),
    ({"pins": [GOOD], "package": "x"}, "unknown key"),
    ({f"k{i}": "v" for i in range(11)}, "more than 10 top-level keys"),
    ({**GOOD, "action": "x" * 70_000}, "longer than 65535"),
    ({"client_payload": GOOD, "action": "other-event"}, "is not package-released"),
    ([GOOD], "must be a JSON object"),
    ("{not json", "not valid JSON"),
    ('{"package": "a", "package": "b"}', "repeats the key"),
    ("[" * 100_000 + "]" * 100_000, "not valid JSON"),
    ("x" * 5_000_000, "longer than"),
]


@pytest.mark.parametrize(("data", "match"), REFUSALS, ids=[m for _, m in REFUSALS])
def test_malformed_payloads_are_refused(data: Any, match: str, config: Config) -> None:
    _refused(data, config, match)


HOSTILE = [
    "0.2.0; rm -rf /",
    "$(touch /tmp/pwned)",
    "`id`",
    "--upload-pack=touch /tmp/pwned",
    "-x",
    "0.2.0\nrm -rf /",
    "0.2.0 ",
    "\uff10.\uff12.\uff10",  # fullwidth digits
    "hello-wörld",
    "../../etc/passwd",
    "0.2.0|cat",
    "",
]


@pytest.mark.parametrize("field", ["package", "tag", "sha", "repository", "env"])
@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_values_in_every_field_are_refused(field: str, value: str, config: Config) -> None:
    with pytest.raises(InputRejected) as caught:
        parse_event(json.dumps({**GOOD, field: value}), config)
    message = str(caught.value)
    assert "\n" not in message  # one sentence, newlines escaped
    with pytest.raises(InputRejected):
        parse_event(json.dumps({"pins": [{**GOOD, field: value}]}), config)


@pytest.mark.parametrize(
    ("tag", "version", "pre"),
    [
        ("0.2.0", "0.2.0", False),
        ("v0.2.0", "0.2.0", False),
        ("0.3.0rc1", "0.3.0rc1", True),
        ("0.3.0.dev2", "0.3.0.dev2", True),
        ("1.0.0-rc.1", "1.0.0rc1", True),
        ("0.0.11", "0.0.11", False),
        ("1!2.0", "1!2.0", False),
    ],
)
def test_tags_parse_as_pep440(tag: str, version: str, pre: bool) -> None:
    parsed = parse_tag(tag)
    assert str(parsed) == version
    assert is_prerelease(parsed) is pre


def test_dev_orders_before_rc_and_release() -> None:
    assert parse_tag("0.3.0.dev1") < parse_tag("0.3.0rc1") < parse_tag("0.3.0")


def test_pin_specs(config: Config) -> None:
    assert parse_pin_spec(f"hello-world=v0.2.0@{SHA}", config) == Pin(
        "hello-world", "v0.2.0", SHA, "VLMHyperBenchTeam/hello_world"
    )
    assert parse_pin_spec("hello-world=0.2.0", config).sha is None
    for bad in ("hello-world", "hello-world=", "hello-world=0.2.0@", "nope=0.2.0"):
        with pytest.raises(InputRejected):
            parse_pin_spec(bad, config)


def test_build_client_payload_shapes(config: Config) -> None:
    one = Pin("hello-world", "0.2.0", SHA, "VLMHyperBenchTeam/hello_world")
    two = Pin("print-utils", "0.2.0", SHA, "VLMHyperBenchTeam/print_utils")
    assert build_client_payload([one], "staging", config) == GOOD
    batch = build_client_payload([one, two], "staging", config)
    assert [p["package"] for p in batch["pins"]] == ["hello-world", "print-utils"]
    assert normalize_payload(parse_client_payload(batch, config))["pins"] == batch["pins"]
    with pytest.raises(InputRejected, match="directly"):
        build_client_payload([one], "prod", config)
    with pytest.raises(InputRejected, match="needs its commit sha"):
        build_client_payload([Pin("hello-world", "0.2.0", None, "x/y")], "staging", config)


def test_intake_command(tmp_path: Any, capsys: pytest.CaptureFixture[str]) -> None:
    event = FIXTURES / "event-single.json"
    assert main(["intake"], env={"GITHUB_EVENT_PATH": str(event)}) == 0
    assert json.loads(capsys.readouterr().out) == {**GOOD, "env": "staging"}
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({**GOOD, "tag": "--exec=x"}))
    assert main(["intake", "--payload", str(bad)], env={}) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("release-tool intake: ")
    assert "Traceback" not in err
    assert main(["intake"], env={}) == 2
    assert main(["intake", "--payload", str(tmp_path / "missing.json")], env={}) == 1
