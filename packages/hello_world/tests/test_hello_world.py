from __future__ import annotations

import pytest
from hello_world import __version__, greet


def test_greet_names_the_package_version() -> None:
    assert greet(" team ") == f"Hello, team! (hello-world {__version__})"


def test_installed_version_is_the_pyproject_version() -> None:
    assert __version__ == "0.2.0"


def test_blank_name_is_rejected() -> None:
    with pytest.raises(ValueError, match="non-blank"):
        greet("   ")
