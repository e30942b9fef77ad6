"""Status lines that never wrap: paths stay whole when the output is piped or narrow.

rich wraps long lines at the console width (80 columns when piped), which cuts
a path mid-word; a copied path must work, so status lines are printed with soft
wrapping (the terminal folds them, the text keeps no inserted newlines). Any
``[`` in a message is printed as is, never read as rich markup.
"""

from __future__ import annotations

from print_utils import get_console, print_status
from rich.console import Console
from rich.markup import escape


def say(message: str, level: str = "info") -> None:
    """Print one status line (ok, info, warn, error) without wrapping it."""
    console = get_console()
    before = console.soft_wrap
    console.soft_wrap = True
    try:
        print_status(escape(message), level, console)
    finally:
        console.soft_wrap = before


def say_error(message: str) -> None:
    """Print one error line to stderr, unwrapped and without markup."""
    console = Console(stderr=True, highlight=False, soft_wrap=True)
    print_status(escape(message), "error", console)
