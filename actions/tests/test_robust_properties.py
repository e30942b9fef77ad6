"""Property tests (issue 17): generated hostile input through intake (``cli.main``),
pin specs, the config and every file reader, in-process.

Each property runs a fixed number of examples from a fixed seed (``derandomize``) with
no example database; together they exceed 10,000 inputs per run. Every example must
end in a value or one of the tool's one-sentence errors (never an unexpected
exception, which is exit 3), within a bound (no hang), and an accepted value never
holds a control character.
"""

from __future__ import annotations

import contextlib
import io
import json
import signal
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import tomlkit
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from release_tool.cli import main
from release_tool.core.bump import read_project_version
from release_tool.core.config import Config, load_config
from release_tool.core.consistency import required_uv
from release_tool.core.lockfile import read_lock
from release_tool.core.payload import normalize_payload, parse_event, parse_pin_spec
from release_tool.core.plan import declared
from release_tool.core.pyproject_edit import read_pins
from release_tool.core.toml_shape import CONTROL
from release_tool.core.versions import parse_tag, resolve_tag
from release_tool.errors import ReleaseToolError

from .conftest import GOOD, ROOT, SHA

pytestmark = pytest.mark.heavy  # about 45 s of CPU: a fast local run may skip it

PER_EXAMPLE_SECONDS = 10  # far above any example's cost: reaching it is a hang
TOTAL: dict[str, int] = {}


@contextlib.contextmanager
def bounded() -> Iterator[None]:
    def hang(signum: int, frame: object) -> None:
        raise AssertionError(f"an example ran past {PER_EXAMPLE_SECONDS} s")

    previous = signal.signal(signal.SIGALRM, hang)
    signal.alarm(PER_EXAMPLE_SECONDS)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def one_sentence(exc: ReleaseToolError) -> None:
    message = str(exc)
    assert message and "\n" not in message and "\r" not in message, repr(message)
    assert exc.exit_code in (1, 2)


def no_control(value: Any) -> None:
    """Every string in an accepted value is free of control characters."""
    if isinstance(value, str):
        assert not CONTROL.search(value), repr(value)
    elif isinstance(value, dict):
        for key, item in value.items():
            no_control(key)
            no_control(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            no_control(item)
    elif hasattr(value, "__dataclass_fields__"):
        for name in value.__dataclass_fields__:
            no_control(getattr(value, name))


def run_property(
    name: str, strategy: st.SearchStrategy[Any], check: Callable[[Any], None], n: int
) -> None:
    """Run ``check`` on ``n`` generated examples; count them."""
    count = 0

    @settings(
        max_examples=n,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def examples(value: Any) -> None:
        nonlocal count
        count += 1
        with bounded():
            check(value)

    examples()
    TOTAL[name] = count
    assert count >= n * 0.9, (name, count)


def guarded(call: Callable[[], Any]) -> Any:
    """The call's value, or None when it refused the input in one sentence."""
    try:
        return call()
    except ReleaseToolError as exc:
        one_sentence(exc)
        return None


# ---------------------------------------------------------------- strategies

nasty_text = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(max_codepoint=0x9F), max_size=20),
    st.sampled_from(
        [
            "0.2.0\n",
            "0.2.0\r",
            "v0.2.0",
            "-x",
            "--upload-pack=x",
            "hello-world\n",
            SHA + "\n",
            "VLMHyperBenchTeam/hello_world\n",
            "\x00",
            "0.2.0\x85",
            "\u2028",
            "1" * 5000,
        ]
    ),
    st.builds(
        lambda good, tail: good + tail, st.sampled_from(list(GOOD.values())), st.text(max_size=3)
    ),
)


def _json_containers(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.lists(inner, max_size=4) | st.dictionaries(nasty_text, inner, max_size=4)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | nasty_text,
    _json_containers,
    max_leaves=12,
)


@st.composite
def mutated_payload(draw: st.DrawFn) -> str:
    data: dict[str, Any] = dict(GOOD)
    for key in draw(st.lists(st.sampled_from([*GOOD, "env", "extra"]), max_size=3)):
        data[key] = draw(st.one_of(nasty_text, json_values))
    shape = draw(st.sampled_from(["bare", "envelope", "batch", "null-action"]))
    if shape == "envelope":
        return json.dumps({"action": "package-released", "client_payload": data})
    if shape == "batch":
        return json.dumps({"pins": [data, draw(json_values)][: draw(st.integers(1, 2))]})
    if shape == "null-action":
        return json.dumps({"action": None, "client_payload": data})
    text = json.dumps(data)
    if draw(st.booleans()):  # raw edits: duplicate keys, huge numbers, truncation
        edit = draw(st.sampled_from(["dup", "int", "cut", "nan"]))
        if edit == "dup":
            text = text[:-1] + ', "tag": "0.2.0"}'
        elif edit == "int":
            text = text[:-1] + ', "n": ' + "9" * draw(st.integers(4290, 4310)) + "}"
        elif edit == "cut":
            text = text[: draw(st.integers(0, len(text)))]
        else:
            text = text[:-1] + ', "n": NaN}'
    return text


# ---------------------------------------------------------------- intake


@pytest.fixture(scope="module")
def config() -> Config:
    return load_config((ROOT / "pyproject.toml").read_text(encoding="utf-8"), {})


def test_intake_through_the_cli(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)

    def check(text: str) -> None:
        stdin = io.TextIOWrapper(io.BytesIO(text.encode("utf-8", "surrogatepass")))
        out, err = io.StringIO(), io.StringIO()
        with monkeypatch.context() as m:
            m.setattr(sys, "stdin", stdin)
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = main(["intake", "--payload", "-"], env={})
        assert code in (0, 2), (code, err.getvalue())
        if code == 2:
            assert err.getvalue().count("\n") == 1, err.getvalue()
            assert err.getvalue().startswith("release-tool intake: ")
        else:
            no_control(json.loads(out.getvalue()))

    run_property("intake via cli.main", mutated_payload(), check, 1500)


def test_intake_parse_event(config: Config) -> None:
    def check(text: str) -> None:
        payload = guarded(lambda: parse_event(text, config))
        if payload is not None:
            no_control(normalize_payload(payload))

    run_property("intake parse_event", mutated_payload(), check, 3000)


def test_intake_arbitrary_json(config: Config) -> None:
    def check(value: Any) -> None:
        payload = guarded(lambda: parse_event(json.dumps(value), config))
        if payload is not None:
            no_control(normalize_payload(payload))

    envelope = st.fixed_dictionaries(
        {"client_payload": json_values}, optional={"action": json_values}
    )
    run_property("intake arbitrary JSON", st.one_of(json_values, envelope), check, 1200)


def test_pin_specs(config: Config) -> None:
    spec = st.one_of(
        nasty_text,
        st.builds(
            lambda name, tag, sha: f"{name}={tag}{sha}",
            st.sampled_from(["hello-world", "print-utils", "x", ""]) | nasty_text,
            st.sampled_from(["0.2.0", "v0.2.0", "0.3.0rc1"]) | nasty_text,
            st.sampled_from(["", "@" + SHA, "@" + SHA + "\n"]) | nasty_text.map(lambda t: "@" + t),
        ),
    )

    def check(text: str) -> None:
        no_control(guarded(lambda: parse_pin_spec(text, config)))
        no_control(guarded(lambda: str(parse_tag(text))))
        no_control(guarded(lambda: resolve_tag(text, {"0.2.0": SHA, "v0.2.1": SHA}, "p")))

    run_property("pin specs and tags", spec, check, 1500)


# ---------------------------------------------------------------- config

ROOT_TEXT = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
CONFIG_KEYS = [
    ("repository",),
    ("default-branch",),
    ("bot", "name"),
    ("images", "latest-backend"),
    ("profiles", "staging", "directory"),
    ("profiles", "prod", "allow-direct-dispatch"),
    ("backends", "cu124", "extra"),
    ("backends", "cu124", "runner-labels"),
    ("backends", "cu124", "timeout-minutes"),
    ("packages", "hello-world", "directory"),
    ("packages", "hello-world", "repository"),
    ("packages", "hello-world", "tag-format"),
    ("packages", "hello-world", "managed-since"),
    ("profiles",),
    ("packages",),
]


def _toml_containers(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    keys = st.text(min_size=1, max_size=8)
    return st.lists(inner, max_size=3) | st.dictionaries(keys, inner, max_size=3)


toml_values = st.recursive(
    st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.floats(allow_nan=False) | nasty_text,
    _toml_containers,
    max_leaves=6,
)


@st.composite
def mutated_config(draw: st.DrawFn) -> str:
    doc = tomlkit.parse(ROOT_TEXT)
    tool = doc["tool"]["release-tool"]  # type: ignore[index]
    for path in draw(st.lists(st.sampled_from(CONFIG_KEYS), min_size=1, max_size=2)):
        table = tool
        for key in path[:-1]:
            table = table.get(key) if isinstance(table, dict) else None
        if isinstance(table, dict):  # an earlier change may have replaced the table
            table[path[-1]] = draw(toml_values)
    return tomlkit.dumps(doc)


def test_config(tmp_path: Path) -> None:
    def check(text: str) -> None:
        config = guarded(lambda: load_config(text, {}))
        if config is not None:
            no_control(config)

    run_property("config", mutated_config(), check, 800)


# ---------------------------------------------------------------- file readers

PROFILE_TEXT = (ROOT / "staging" / "pyproject.toml").read_text(encoding="utf-8")
LOCK_TEXT = """version = 1
[[package]]
name = "hello-world"
version = "0.2.0"
source = { git = "https://github.com/VLMHyperBenchTeam/hello_world.git?tag=0.2.0#SHA" }
dependencies = [{ name = "print-utils" }]
[[package]]
name = "print-utils"
version = "0.2.0"
source = { registry = "https://example.invalid/simple" }
""".replace("SHA", SHA)


def toml_document(base: str, paths: list[tuple[str, ...]]) -> st.SearchStrategy[str]:
    @st.composite
    def build(draw: st.DrawFn) -> str:
        if draw(st.integers(0, 9)) == 0:  # sometimes a whole generated document
            doc = tomlkit.document()
            for key, value in draw(
                st.dictionaries(
                    st.sampled_from(["project", "tool", "package", "version"]),
                    toml_values,
                    max_size=3,
                )
            ).items():
                doc[key] = value
            return tomlkit.dumps(doc)
        doc = tomlkit.parse(base)
        for path in draw(st.lists(st.sampled_from(paths), min_size=1, max_size=2)):
            node: Any = doc
            for key in path[:-1]:
                if isinstance(node, list):
                    node = node[0] if node else None
                elif isinstance(node, dict):
                    node = node.setdefault(key, {})
                if node is None or not isinstance(node, (dict, list)):
                    break
            else:
                if isinstance(node, dict):
                    node[path[-1]] = draw(toml_values)
                elif isinstance(node, list) and node and isinstance(node[0], dict):
                    node[0][path[-1]] = draw(toml_values)
        return tomlkit.dumps(doc)

    return build()


PROFILE_PATHS = [
    ("project",),
    ("project", "dependencies"),
    ("project", "version"),
    ("tool",),
    ("tool", "uv"),
    ("tool", "uv", "sources"),
    ("tool", "uv", "sources", "hello-world"),
    ("tool", "uv", "sources", "hello-world", "tag"),
    ("tool", "uv", "sources", "hello-world", "git"),
    ("tool", "uv", "required-version"),
]
LOCK_PATHS = [
    ("package",),
    ("package", "name"),
    ("package", "version"),
    ("package", "source"),
    ("package", "dependencies"),
]


def test_profile_pyproject_readers() -> None:
    def check(text: str) -> None:
        no_control(guarded(lambda: read_pins(text, "staging/pyproject.toml")))
        no_control(guarded(lambda: required_uv(text, "staging/pyproject.toml")))
        no_control(guarded(lambda: declared(text, "pyproject.toml at hello-world 0.2.0")))
        no_control(guarded(lambda: str(read_project_version(text, "packages/x/pyproject.toml"))))

    run_property(
        "profile and package pyproject", toml_document(PROFILE_TEXT, PROFILE_PATHS), check, 1200
    )


def test_lock_reader() -> None:
    def check(text: str) -> None:
        no_control(guarded(lambda: read_lock(text, "staging/uv.lock")))

    run_property("uv.lock", toml_document(LOCK_TEXT, LOCK_PATHS), check, 1200)


def test_raw_text_readers() -> None:
    """Bytes-level garbage: not TOML at all, huge integers, control characters."""
    raw = st.one_of(
        st.text(max_size=200),
        st.builds(lambda n: "[project]\nversion = " + "9" * n + "\n", st.integers(4290, 4400)),
        st.builds(lambda t: f'[project]\nname = "{t}"\n', st.text(max_size=10)),
    )

    def check(text: str) -> None:
        no_control(guarded(lambda: read_pins(text)))
        no_control(guarded(lambda: read_lock(text)))
        no_control(guarded(lambda: load_config(text, {})))

    run_property("raw text", raw, check, 600)


def test_zz_total_examples_per_run() -> None:
    """Reported in the closing note; counts what the tests above ran in this session."""
    total = sum(TOTAL.values())
    print(f"hypothesis examples this run: {total} {TOTAL}")
    if len(TOTAL) == 9:  # every property above ran (not a -k selection)
        assert total >= 10_000
