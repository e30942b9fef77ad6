"""The repository_dispatch schema: what ``intake`` accepts and ``notify`` sends.

A client_payload is one pin ``{package, tag, sha, repository, env?}`` or a batch
``{pins: [{package, tag, sha, repository}, ...], env?}``. Every field is checked
against the configuration before anything else sees it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from release_tool.core.config import Config
from release_tool.core.versions import parse_tag, show
from release_tool.errors import InputRejected

EVENT_TYPE = "package-released"
MAX_PAYLOAD_CHARS = 65_535  # GitHub's bound on a serialized client_payload
MAX_TOP_LEVEL_KEYS = 10
MAX_EVENT_CHARS = 4_000_000  # a whole event with its envelope; anything bigger is not GitHub's
MAX_INT_DIGITS = 4_300  # Python's default int/str conversion limit
SHA_RE = re.compile(r"^[0-9a-f]{40}\Z")
PIN_KEYS = ("package", "tag", "sha", "repository")


@dataclass(frozen=True)
class Pin:
    """A package at a tag; ``sha`` is the commit the sender saw (optional on the CLI)."""

    package: str
    tag: str
    sha: str | None
    repository: str  # OWNER/NAME

    def as_dict(self) -> dict[str, str]:
        data = {"package": self.package, "tag": self.tag, "repository": self.repository}
        if self.sha is not None:
            data["sha"] = self.sha
        return {k: data[k] for k in PIN_KEYS if k in data}


@dataclass(frozen=True)
class Payload:
    pins: tuple[Pin, ...]
    env: str
    batch: bool


def _loads(text: str, what: str) -> Any:
    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        found = dict(pairs)
        if len(found) != len(pairs):  # linear: a 4 MB object of keys stays cheap
            seen: set[str] = set()
            for key, _ in pairs:
                if key in seen:
                    raise InputRejected(f"{what} repeats the key {show(key)}")
                seen.add(key)
        return found

    try:
        return json.loads(text, object_pairs_hook=no_duplicates)
    except (json.JSONDecodeError, RecursionError) as exc:
        detail = exc.msg if isinstance(exc, json.JSONDecodeError) else "nested too deeply"
        raise InputRejected(f"{what} is not valid JSON ({detail})") from None
    except ValueError:
        # int() refuses more than 4300 digits (sys.get_int_max_str_digits); no field of
        # an event is an integer that long. Catching it costs nothing per number.
        raise InputRejected(
            f"{what} holds an integer of more than {MAX_INT_DIGITS} digits"
        ) from None


def _text(data: Mapping[str, Any], key: str, where: str) -> str:
    if key not in data:
        raise InputRejected(f"{where}.{key} is missing")
    value = data[key]
    if not isinstance(value, str):
        raise InputRejected(f"{where}.{key} must be a string, not {show(value)}")
    return value


def validate_pin(
    package: str, tag: str, sha: str | None, *, repository: str | None, config: Config, where: str
) -> Pin:
    """One pin checked against the config: known package, its repository, tag, sha."""
    if package not in config.packages:
        raise InputRejected(
            f"{where}: unknown package {show(package)}; "
            f"configured packages: {', '.join(config.packages)}"
        )
    cfg = config.packages[package]
    if repository is not None and repository.lower() != cfg.slug.lower():
        raise InputRejected(
            f"{where}: repository {show(repository)} is not {package}'s repository ({cfg.slug})"
        )
    parse_tag(tag)
    if sha is not None and not SHA_RE.fullmatch(sha):
        raise InputRejected(f"{where}: sha {show(sha)} is not a 40-character lowercase hex commit")
    return Pin(package, tag, sha, cfg.slug)


def _env(data: Mapping[str, Any], config: Config) -> str:
    if "env" not in data:
        return config.default_profile
    env = _text(data, "env", "client_payload")
    profile = config.profile(env)
    if not profile.allow_direct_dispatch:
        raise InputRejected(
            f"a dispatch may not target {env} directly (allow-direct-dispatch is false); "
            "promote through staging"
        )
    return env


def _unknown(data: Mapping[str, Any], allowed: Sequence[str], where: str) -> None:
    unknown = [k for k in data if k not in allowed]
    if unknown:
        raise InputRejected(f"{where} has an unknown key {show(unknown[0])}")


def parse_client_payload(data: object, config: Config) -> Payload:
    """Validate a client_payload (a parsed JSON object) against the config."""
    if not isinstance(data, dict):
        raise InputRejected("client_payload must be a JSON object")
    if len(data) > MAX_TOP_LEVEL_KEYS:
        raise InputRejected(f"client_payload has more than {MAX_TOP_LEVEL_KEYS} top-level keys")
    if len(json.dumps(data, separators=(",", ":"))) > MAX_PAYLOAD_CHARS:
        raise InputRejected(f"client_payload is longer than {MAX_PAYLOAD_CHARS} characters")
    if "pins" in data:
        _unknown(data, ("pins", "env"), "client_payload")
        pins_data = data["pins"]
        if not isinstance(pins_data, list) or not pins_data:
            raise InputRejected("client_payload.pins must be a non-empty list")
        pins = []
        for i, item in enumerate(pins_data):
            where = f"client_payload.pins[{i}]"
            if not isinstance(item, dict):
                raise InputRejected(f"{where} must be an object")
            _unknown(item, PIN_KEYS, where)
            fields = [_text(item, key, where) for key in PIN_KEYS]
            pins.append(
                validate_pin(
                    fields[0],
                    fields[1],
                    fields[2],
                    repository=fields[3],
                    config=config,
                    where=where,
                )
            )
        seen: set[str] = set()
        for pin in pins:
            if pin.package in seen:
                raise InputRejected(f"client_payload.pins names {pin.package} more than once")
            seen.add(pin.package)
        return Payload(tuple(pins), _env(data, config), batch=True)
    _unknown(data, (*PIN_KEYS, "env"), "client_payload")
    fields = [_text(data, key, "client_payload") for key in PIN_KEYS]
    pin = validate_pin(
        fields[0], fields[1], fields[2], repository=fields[3], config=config, where="client_payload"
    )
    return Payload((pin,), _env(data, config), batch=False)


def parse_event(text: str, config: Config) -> Payload:
    """A repository_dispatch event as GitHub delivers it, or a bare client_payload."""
    if len(text) > MAX_EVENT_CHARS:
        raise InputRejected(f"the event is longer than {MAX_EVENT_CHARS} characters")
    data = _loads(text, "the event")
    if isinstance(data, dict) and "client_payload" in data:
        # GitHub always sends the event type; an explicit null or another type is refused
        if "action" in data and data["action"] != EVENT_TYPE:
            raise InputRejected(f"event type {show(data['action'])} is not {EVENT_TYPE}")
        return parse_client_payload(data["client_payload"], config)
    return parse_client_payload(data, config)


def normalize_payload(payload: Payload) -> dict[str, Any]:
    """The normalized client_payload: flat for one pin, ``{pins, env}`` for a batch."""
    if payload.batch:
        return {"pins": [p.as_dict() for p in payload.pins], "env": payload.env}
    return {**payload.pins[0].as_dict(), "env": payload.env}


def build_client_payload(pins: Sequence[Pin], env: str, config: Config) -> dict[str, Any]:
    """The client_payload to send for ``pins``, refused exactly where intake would refuse it."""
    if not pins:
        raise InputRejected("nothing to send: give at least one pin")
    if any(p.sha is None for p in pins):
        raise InputRejected("every pin sent in a dispatch needs its commit sha")
    if len(pins) == 1:
        data: dict[str, Any] = {**pins[0].as_dict()}
    else:
        data = {"pins": [p.as_dict() for p in pins]}
    if env != config.default_profile:
        data["env"] = env
    parse_client_payload(data, config)
    return data


def parse_pin_spec(spec: str, config: Config) -> Pin:
    """``NAME=TAG`` or ``NAME=TAG@SHA`` from the command line, checked like intake's pins."""
    name, sep, rest = spec.partition("=")
    if not sep or not rest:
        raise InputRejected(f"--pin {show(spec)} is not NAME=TAG or NAME=TAG@SHA")
    tag, at, sha = rest.partition("@")
    return validate_pin(
        name, tag, sha if at else None, repository=None, config=config, where=f"--pin {show(spec)}"
    )
