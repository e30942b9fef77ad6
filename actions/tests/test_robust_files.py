"""Files of the wrong shape (issue 17): valid TOML that is not what the tool expects
ends in one sentence naming the file and the key, exit 2; an unreadable file, exit 1."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from release_tool.cli import main
from release_tool.core.bump import read_project_version
from release_tool.core.config import ConfigError, load_config
from release_tool.core.consistency import required_uv
from release_tool.core.lockfile import read_lock
from release_tool.core.plan import declared
from release_tool.core.pyproject_edit import read_pins
from release_tool.core.toml_shape import ShapeError
from release_tool.errors import InputRejected

from .conftest import ROOT

PROFILE_CASES = [
    ('project = "x"\n', "project must be a table"),
    ("[project]\ndependencies = [1]\n", r"project.dependencies\[0\] must be a string"),
    ('[project]\ndependencies = "hello-world"\n', "project.dependencies must be an array"),
    ('[[tool.uv.sources]]\nname = "x"\n', "tool.uv.sources must be a table"),
    ('tool = "x"\n', "tool must be a table"),
    ("[tool]\nuv = 1\n", "tool.uv must be a table"),
    (
        '[tool.uv.sources]\nx = { git = 1, tag = "0.2.0" }\n',
        "tool.uv.sources.x.git must be a string",
    ),
    ('[tool.uv.sources]\nx = { git = "u", tag = "0.2.0\\n" }\n', "without control characters"),
    ("[project]\ndependencies = ['--index-url=x']\n", "malformed dependency"),
    ("not = = toml", "is not valid TOML"),
]


@pytest.mark.parametrize(("text", "match"), PROFILE_CASES)
def test_profile_pyproject_of_the_wrong_shape(text: str, match: str) -> None:
    with pytest.raises(InputRejected, match=match) as caught:
        read_pins(text, "staging/pyproject.toml")
    assert str(caught.value).startswith("staging/pyproject.toml")
    assert "\n" not in str(caught.value)


def test_uv_sources_that_are_not_git_tags_are_kept_aside() -> None:
    pins = read_pins('[tool.uv.sources]\nx = { index = "a" }\ny = [{ index = "a" }]\n', "p")
    assert pins.pins == {}
    assert pins.other_sources == {"x": {"index": "a"}, "y": [{"index": "a"}]}
    with pytest.raises(InputRejected, match=r"p: tool\.uv\.sources\.x must be a table or"):
        read_pins('[tool.uv.sources]\nx = "git"\n', "p")
    with pytest.raises(InputRejected, match="without control characters"):
        read_pins('[tool.uv.sources]\nx = { index = "a\\u001f" }\n', "p")


LOCK_CASES = [
    ('[[package]]\nversion = "1.0"\n', r"package\[0\].name is missing"),
    ('[[package]]\nname = "x"\nsource = "git"\n', r"package\[0\].source must be a table"),
    (
        '[[package]]\nname = "x"\nsource = { git = 1 }\n',
        r"package\[0\].source.git must be a string",
    ),
    ("[[package]]\nname = 1\n", r"package\[0\].name must be a string"),
    ('package = "x"\n', "package must be an array"),
    ("package = [1]\n", r"package\[0\] must be a table"),
    ('[[package]]\nname = "x"\ndependencies = ["y"]\n', r"dependencies\[0\] must be a table"),
    (
        '[[package]]\nname = "x"\ndependencies = [{ version = "1" }]\n',
        r"dependencies\[0\].name is missing",
    ),
    ('[[package]]\nname = "x"\nversion = 1.5\n', r"package\[0\].version must be a string"),
    ("[[package]\n", "is not valid TOML"),
]


@pytest.mark.parametrize(("text", "match"), LOCK_CASES)
def test_lock_of_the_wrong_shape(text: str, match: str) -> None:
    with pytest.raises(ShapeError, match=match) as caught:
        read_lock(text, "staging/uv.lock")
    assert str(caught.value).startswith("staging/uv.lock")
    assert caught.value.exit_code == 2


TAG_PYPROJECT_CASES = [
    ('project = "x"\n', "project must be a table"),
    ("[project]\nversion = 1\n", "project.version must be a string"),
    ("[project]\ndependencies = [1]\n", r"project.dependencies\[0\] must be a string"),
]


@pytest.mark.parametrize(("text", "match"), TAG_PYPROJECT_CASES)
def test_pyproject_at_a_package_tag_of_the_wrong_shape(text: str, match: str) -> None:
    where = "pyproject.toml at hello-world 0.2.0"
    with pytest.raises(ShapeError, match=match) as caught:
        declared(text, where)
    assert str(caught.value).startswith(where)
    with pytest.raises(InputRejected):
        read_project_version(text, where)


def test_pyproject_at_a_tag_that_is_not_toml_declares_nothing() -> None:
    assert declared("not = = toml", "x") == (None, ())


def test_required_uv_of_the_wrong_shape() -> None:
    with pytest.raises(ShapeError, match=r"tool\.uv must be a table"):
        required_uv('tool = { uv = "x" }\n', "prod/pyproject.toml")


ROOT_TEXT = (ROOT / "pyproject.toml").read_text(encoding="utf-8")


def _config_with(old: str, new: str) -> str:
    assert old in ROOT_TEXT, old
    return ROOT_TEXT.replace(old, new, 1)


CONFIG_CASES = [
    ("[tool.release-tool]\n", 'tool = "x"\n[tool-release-tool]\n', "is missing"),
    (
        'directory = "packages/hello_world"',
        'directory = "/etc"',
        "must be a path inside the project",
    ),
    (
        'directory = "packages/hello_world"',
        'directory = "packages/../../x"',
        "must be a path inside the project",
    ),
    ('default-branch = "main"', 'default-branch = "--upload-pack=x"', "must not start with '-'"),
    ('extra = "cu124"', 'extra = "-x"', "must not start with '-'"),
    ('extra = "cu124"', 'extra = "cu124\\n"', "control character"),
]


@pytest.mark.parametrize(("old", "new", "match"), CONFIG_CASES)
def test_bad_config_is_refused_at_load(old: str, new: str, match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        load_config(_config_with(old, new), {})


def test_profile_directory_outside_the_project_is_refused() -> None:
    text = _config_with('directory = "staging"', 'directory = "../elsewhere"')
    with pytest.raises(ConfigError, match=r"profiles\.staging\.directory must be a path inside"):
        load_config(text, {})


def test_package_name_starting_with_a_dash_is_refused() -> None:
    text = _config_with(
        "[tool.release-tool.packages.hello-world]", '[tool.release-tool.packages."-hello"]'
    )
    with pytest.raises(ConfigError, match="entry named '-hello': not a name"):
        load_config(text, {})


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "mono"
    root.mkdir()
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    for env in ("staging", "prod"):
        shutil.copytree(ROOT / env, root / env, ignore=shutil.ignore_patterns(".venv"))
    return root


def _check(root: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["check", "--repo", str(root)], env={})
    return code, capsys.readouterr().err


def test_check_on_a_profile_of_the_wrong_shape_is_one_sentence(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "staging" / "pyproject.toml").write_text('project = "x"\n')
    code, err = _check(project, capsys)
    assert code == 2
    assert err == ("release-tool check: staging/pyproject.toml: project must be a table, not 'x'\n")


def test_check_on_a_lock_of_the_wrong_shape(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "prod" / "uv.lock").write_text('[[package]]\nname = "x"\nsource = "git"\n')
    code, err = _check(project, capsys)
    assert code == 2
    assert "prod/uv.lock: package[0].source must be a table" in err
    assert err.count("\n") == 1


def test_check_on_an_unreadable_lock_is_exit_1(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # exists but cannot be read as a file (root ignores permission bits)
    (project / "prod" / "uv.lock").mkdir()
    code, err = _check(project, capsys)
    assert code == 1
    assert "cannot read prod/uv.lock" in err and err.count("\n") == 1


def test_check_on_a_lock_that_is_not_utf8_is_exit_2(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "prod" / "uv.lock").write_bytes(b"\xff\xfe")
    code, err = _check(project, capsys)
    assert code == 2
    assert "prod/uv.lock is not UTF-8 text" in err


def test_versions_of_more_than_4300_digits_are_refused() -> None:
    """Found by the property tests: packaging's Version() raises a bare ValueError."""
    with pytest.raises(ConfigError, match="managed-since is not a PEP 440 version"):
        load_config(
            _config_with(
                'directory = "packages/hello_world"',
                'directory = "packages/hello_world"\nmanaged-since = "' + "1" * 5000 + '"',
            ),
            {},
        )
    with pytest.raises(InputRejected):
        read_project_version('[project]\nversion = "' + "1" * 5000 + '"\n', "p/pyproject.toml")
