"""The error kinds the CLI boundary maps to exit codes.

- :class:`InputRejected` (exit 2): the input is wrong; the message says what and what to do.
- :class:`OperationalError` (exit 1): git, uv, the filesystem or a remote failed.
Anything else is a bug (exit 3, with a traceback).
"""

from __future__ import annotations


class ReleaseToolError(Exception):
    """Base of the errors that end a command with one sentence and no traceback."""

    exit_code = 1


class InputRejected(ReleaseToolError):
    exit_code = 2


class OperationalError(ReleaseToolError):
    exit_code = 1
