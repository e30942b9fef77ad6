"""The environment of sandboxed git and uv calls: nothing of the caller's GitHub context.

A sandbox must never reach GitHub, whatever the shell holds: every ``GITHUB_*``,
``RUNNER_*`` and ``ACTIONS_*`` variable and every token is dropped, git reads only the
sandbox's own config (``insteadOf`` redirections), and uv skips its GitHub fast path.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

_DROPPED_PREFIXES = ("GITHUB_", "RUNNER_", "GIT_CONFIG", "UV_INDEX", "ACTIONS_")
_DROPPED_NAMES = frozenset({"GH_TOKEN", "GITHUB_TOKEN", "RELEASE_TOOL_TOKEN", "VIRTUAL_ENV"})


def clean_env(base: Mapping[str, str], extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """``base`` without any GitHub/Actions context or token, plus ``extra``."""
    env = {
        k: v
        for k, v in base.items()
        if not k.startswith(_DROPPED_PREFIXES) and k not in _DROPPED_NAMES
    }
    env.update(extra or {})
    return env


def uv_index_env(indexes: Mapping[str, Path]) -> str:
    """``UV_INDEX`` naming each stand-in backend index as the profiles' ``pytorch-<backend>``."""
    return " ".join(f"pytorch-{backend}=file://{path}" for backend, path in sorted(indexes.items()))


def sandbox_env(
    base: Mapping[str, str],
    gitconfig: Path,
    indexes: Mapping[str, Path] | None,
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The environment for git and uv inside a sandbox (``indexes`` None: the real ones)."""
    local = {
        "GIT_CONFIG_GLOBAL": str(gitconfig),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_TERMINAL_PROMPT": "0",
        "UV_NO_GITHUB_FAST_PATH": "1",
    }
    if indexes is not None:
        local["UV_INDEX"] = uv_index_env(indexes)
    return clean_env(base, {**local, **(extra or {})})
