"""Read a JSON document that a command was handed (a file, an option, an artifact)."""

from __future__ import annotations

import json
from typing import Any

from release_tool.errors import InputRejected


def parse_json(text: str, source: str) -> Any:
    """``text`` parsed; InputRejected (exit 2) naming ``source`` and where it breaks."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputRejected(f"{source} is not JSON ({exc.msg} at line {exc.lineno})") from None
    except RecursionError:
        raise InputRejected(f"{source} is not JSON this tool reads (nested too deeply)") from None
