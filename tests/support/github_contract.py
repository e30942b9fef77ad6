"""Every exchange with the fake GitHub checked against GitHub's REST API description.

:class:`Contract` validates one request (method, path parameters, query, JSON body)
against the operation the fake's route serves, and one response (status code, JSON
body, documented headers) against that operation's responses. It uses ``jsonschema``
over the description's own schemas (``tests/fixtures/github-openapi.json``), read as
JSON Schema 2020-12 after one translation of OpenAPI 3.0's ``nullable``. Validators
are compiled once per schema location and shared by every fake server of the session.

A finding is a :class:`Violation`: the operation id, where (request query, response
body...), the JSON path inside it and jsonschema's message.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from tests.support.github_description import (
    Operation,
    load_fixture,
    operation_for,
    parameters,
    path_values,
    resolve,
    template_pattern,
)

_URI = "urn:vlmhb:github-openapi"


@dataclass(frozen=True)
class Violation:
    operation_id: str
    where: str  # e.g. "request body", "response 201 body", "request query parameter state"
    path: str  # JSON path inside it, "$" for the whole
    message: str

    def __str__(self) -> str:
        return f"{self.operation_id}: {self.where} at {self.path}: {self.message}"


def json_schema(node: Any) -> Any:
    """OpenAPI 3.0 schema objects as JSON Schema 2020-12 (``nullable`` -> a null type)."""
    if isinstance(node, list):
        return [json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: json_schema(value) for key, value in node.items() if key != "nullable"}
    if node.get("nullable") is not True:
        return out
    if isinstance(out.get("type"), str):
        out["type"] = [out["type"], "null"]
        if "enum" in out and None not in out["enum"]:
            out["enum"] = [*out["enum"], None]
        return out
    return {"anyOf": [out, {"type": "null"}]}


def _pointer(*parts: str) -> str:
    return "/" + "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)


def _json_path(error: ValidationError) -> str:
    return "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)


def _coerce(value: str, schema: Mapping[str, Any]) -> Any:
    """A query or path string as the JSON value its schema describes (left as is if not one)."""
    kind = schema.get("type")
    kinds = kind if isinstance(kind, list) else [kind]
    if "integer" in kinds and re.fullmatch(r"-?\d+", value):
        return int(value)
    if "number" in kinds and re.fullmatch(r"-?\d+(\.\d+)?", value):
        return float(value)
    if "boolean" in kinds and value in {"true", "false"}:
        return value == "true"
    if "array" in kinds:
        return value.split(",")
    return value


class Contract:
    """The description's operations, their validators compiled once and cached."""

    def __init__(self, description: Mapping[str, Any]) -> None:
        self.description = description
        self.source = str(description.get("x-source", "?"))
        self._schema_doc = json_schema(dict(description))
        self._registry: Registry[Any] = Registry().with_resource(
            _URI, DRAFT202012.create_resource(self._schema_doc)
        )
        self._validators: dict[str, Draft202012Validator] = {}
        self._operations: dict[tuple[str, str], Operation] = {}
        self._patterns: dict[tuple[str, str], re.Pattern[str]] = {}
        self._lock = threading.Lock()

    # -- lookup -----------------------------------------------------------------
    def operation(self, method: str, route: re.Pattern[str]) -> Operation:
        """The operation the fake's route ``method route`` serves (cached)."""
        key = (method, route.pattern)
        with self._lock:
            if key not in self._operations:
                self._operations[key] = operation_for(self.description, method, route)
            return self._operations[key]

    def _validator(self, pointer: str) -> Draft202012Validator:
        with self._lock:
            found = self._validators.get(pointer)
            if found is None:
                found = Draft202012Validator({"$ref": f"{_URI}#{pointer}"}, registry=self._registry)
                self._validators[pointer] = found
            return found

    def _errors(self, op: Operation, where: str, pointer: str, instance: Any) -> list[Violation]:
        found = []
        for error in self._validator(pointer).iter_errors(instance):
            precise = best_match(error.context) if error.context else error
            found.append(Violation(op.operation_id, where, _json_path(precise), precise.message))
        return found

    def _op_node(self, op: Operation) -> Mapping[str, Any]:
        node: Mapping[str, Any] = self.description["paths"][op.template][op.method]
        return node

    # -- requests ---------------------------------------------------------------
    def check_request(
        self, op: Operation, path: str, query: Mapping[str, str], body: Any
    ) -> list[Violation]:
        """The request's path parameters, query and JSON body against ``op``."""
        found: list[Violation] = []
        key = (op.template, op.method)
        if key not in self._patterns:
            self._patterns[key] = template_pattern(self.description, op.template, op.method)
        match = self._patterns[key].fullmatch(path)
        if match is None:
            return [Violation(op.operation_id, "request path", "$", f"{path} is not {op.template}")]
        values = {("path", k): v for k, v in path_values(op.template, match).items()}
        values |= {("query", k): v for k, v in query.items()}
        documented = {
            (p["in"], p["name"]): p
            for p in parameters(self.description, op.template, op.method)
            if p["in"] in {"path", "query"}
        }
        for (place, name), value in sorted(values.items()):
            where = f"request {place} parameter {name}"
            param = documented.get((place, name))
            if param is None:
                found.append(Violation(op.operation_id, where, "$", "not documented"))
                continue
            schema = resolve(self.description, param.get("schema", {}))
            found += self._errors(op, where, self._param_pointer(op, param), _coerce(value, schema))
        for (place, name), param in sorted(documented.items()):
            if param.get("required") and (place, name) not in values:
                where = f"request {place} parameter {name}"
                found.append(Violation(op.operation_id, where, "$", "required but missing"))
        return found + self._check_body(op, body)

    def _param_pointer(self, op: Operation, param: Mapping[str, Any]) -> str:
        item = self.description["paths"][op.template]
        for level, raws in (
            ((op.template, op.method), self._op_node(op).get("parameters", [])),
            ((op.template,), item.get("parameters", [])),
        ):
            for index, raw in enumerate(raws):
                if resolve(self.description, raw) is param:
                    ref = raw.get("$ref") if isinstance(raw, dict) else None
                    if ref:
                        return str(ref).removeprefix("#") + "/schema"
                    return _pointer("paths", *level, "parameters", str(index), "schema")
        raise KeyError(param["name"])

    def _check_body(self, op: Operation, body: Any) -> list[Violation]:
        node = self._op_node(op)
        request = resolve(self.description, node.get("requestBody"))
        if request is None:
            if body is not None:
                return [Violation(op.operation_id, "request body", "$", "no body is documented")]
            return []
        if body is None:
            if request.get("required"):
                return [Violation(op.operation_id, "request body", "$", "required but missing")]
            return []
        if "application/json" not in request.get("content", {}):
            return [Violation(op.operation_id, "request body", "$", "JSON is not documented")]
        raw = node["requestBody"]
        base = (
            str(raw["$ref"]).removeprefix("#")
            if "$ref" in raw
            else _pointer("paths", op.template, op.method, "requestBody")
        )
        pointer = base + _pointer("content", "application/json", "schema")
        return self._errors(op, "request body", pointer, body)

    # -- responses --------------------------------------------------------------
    def documents(self, op: Operation, status: int) -> bool:
        """Whether ``op`` documents answers with ``status`` (or a default answer)."""
        responses = self._op_node(op)["responses"]
        return str(status) in responses or "default" in responses

    def check_response(
        self, op: Operation, status: int, headers: Mapping[str, str], body: Any
    ) -> list[Violation]:
        """The response's status, documented headers and JSON body against ``op``."""
        responses = self._op_node(op)["responses"]
        code = str(status) if str(status) in responses else "default"
        where = f"response {status}"
        if code not in responses:
            return [Violation(op.operation_id, where, "$", "status code not documented")]
        raw = responses[code]
        response = resolve(self.description, raw)
        base = (
            str(raw["$ref"]).removeprefix("#")
            if "$ref" in raw
            else _pointer("paths", op.template, op.method, "responses", code)
        )
        found: list[Violation] = []
        sent = {k.lower(): v for k, v in headers.items()}
        for name, header_raw in sorted(response.get("headers", {}).items()):
            header = resolve(self.description, header_raw)
            value = sent.get(name.lower())
            if value is None:
                if header.get("required"):
                    found.append(
                        Violation(op.operation_id, f"{where} header {name}", "$", "missing")
                    )
                continue
            schema = resolve(self.description, header.get("schema", {}))
            pointer = (
                str(header_raw["$ref"]).removeprefix("#")
                if "$ref" in header_raw
                else base + _pointer("headers", name)
            ) + "/schema"
            found += self._errors(op, f"{where} header {name}", pointer, _coerce(value, schema))
        content = response.get("content", {})
        if "application/json" not in content:
            # A success without content (204) has no body; an error whose content the
            # description leaves out (delete-ref's 422) has a body it does not describe.
            if body is not None and status < 300:
                found.append(Violation(op.operation_id, f"{where} body", "$", "no body documented"))
            return found
        if body is None:
            return [*found, Violation(op.operation_id, f"{where} body", "$", "missing")]
        pointer = base + _pointer("content", "application/json", "schema")
        return found + self._errors(op, f"{where} body", pointer, body)


@cache
def shared_contract() -> Contract:
    """The contract of ``tests/fixtures/github-openapi.json``, built once per session."""
    return Contract(load_fixture())


def summary(violations: Iterable[Violation]) -> str:
    return "\n".join(f"  - {v}" for v in violations)
