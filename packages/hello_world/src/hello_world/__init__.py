"""The smallest VLMHyperBench package: the one used to rehearse releases."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

__all__ = ["__version__", "greet", "main"]

try:
    __version__ = version("hello-world")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"


def greet(name: str = "VLMHyperBench") -> str:
    """Return the greeting for ``name``; blank names are rejected."""
    cleaned = name.strip()
    if not cleaned:
        raise ValueError("greet() needs a non-blank name")
    return f"Hello, {cleaned}! (hello-world {__version__})"


def main() -> None:
    print(greet())
