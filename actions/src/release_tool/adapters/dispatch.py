"""Sending the ``package-released`` repository_dispatch that starts a promotion.

``publish --notify`` takes the sender as a parameter (:data:`DispatchSender`) so a
test can hand it a recording one; :func:`github_sender` is the real one, through
the GitHub adapter (``GITHUB_API_URL``, the token from ``RELEASE_TOOL_TOKEN``,
``GH_TOKEN`` or ``GITHUB_TOKEN``, bounded retries, the token never shown).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from release_tool.adapters.github import GithubAdapter
from release_tool.adapters.github_retry import RetryPolicy
from release_tool.core.github_context import read_github_context
from release_tool.core.payload import EVENT_TYPE

# (monorepo OWNER/NAME, client_payload) -> where to watch the run it starts
DispatchSender = Callable[[str, Mapping[str, Any]], str]


def github_sender(env: Mapping[str, str], policy: RetryPolicy | None = None) -> DispatchSender:
    """A sender posting to the GitHub API that ``env`` names."""

    def send(repository: str, payload: Mapping[str, Any]) -> str:
        context = read_github_context(env, repository)
        receipt = GithubAdapter(context, policy).send_dispatch(
            context.repository, EVENT_TYPE, payload
        )
        return receipt.watch_url

    return send
