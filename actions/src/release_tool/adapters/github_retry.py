"""Bounded, injectable retries for every GitHub request, built on PyGithub's GithubRetry.

PyGithub already retries 5xx and rate-limited 403s through urllib3, and
urllib3 retries dropped connections. This module only bounds and instruments
that one layer:

- at most ``max_attempts`` attempts per request (urllib3 ``total`` retries + 1),
  including POST and PATCH, so no other layer adds its own retries;
- 429 retried too (GithubRetry leaves it out), honouring ``Retry-After``;
- the wait before a retry is ``Retry-After`` when given, else the time to
  ``x-ratelimit-reset`` when ``x-ratelimit-remaining`` is 0, else exponential
  backoff with jitter (a secondary rate limit without either waits
  ``secondary_rate_wait``, not PyGithub's 60 s);
- all waits of one adapter draw from one budget (``max_wait_total``); a wait
  that would overrun it raises :class:`RetryBudgetExhausted` instead of sleeping;
- ``sleep`` and ``clock`` are injected, so tests never sleep.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from github import Auth, Github
from github.GithubRetry import GithubRetry
from urllib3 import BaseHTTPResponse
from urllib3.util.retry import Retry


class RetryBudgetExhausted(Exception):
    """Waiting any longer would overrun the run's retry budget."""


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try: attempts per request, total waiting, backoff shape, throttling."""

    max_attempts: int = 10
    max_wait_total: float = 60.0
    backoff_factor: float = 1.0
    backoff_max: float = 20.0
    backoff_jitter: float = 1.0
    secondary_rate_wait: float = 15.0
    # PyGithub's own throttling between requests (its defaults; 0 in tests).
    seconds_between_requests: float = 0.25
    seconds_between_writes: float = 1.0
    timeout: int = 30
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)
    clock: Callable[[], float] = field(default=time.time, compare=False)

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.max_wait_total < 0:
            raise ValueError("max_wait_total must not be negative")


class WaitBudget:
    """The waiting left to one adapter, shared by all its requests (thread-safe)."""

    def __init__(self, policy: RetryPolicy) -> None:
        self.policy = policy
        self.waited = 0.0
        self.retries = 0
        self.waits: list[float] = []
        self._lock = threading.Lock()

    def spend(self, seconds: float) -> None:
        """Sleep ``seconds`` (through the injected sleep) or refuse if over budget."""
        seconds = max(0.0, seconds)
        with self._lock:
            left = self.policy.max_wait_total - self.waited
            if seconds > left + 1e-9:
                raise RetryBudgetExhausted(
                    f"the next retry would wait {seconds:.0f} s, beyond the retry budget of "
                    f"{self.policy.max_wait_total:.0f} s ({self.waited:.0f} s already spent)"
                )
            self.waited += seconds
            self.retries += 1
            self.waits.append(seconds)
        if seconds > 0:
            self.policy.sleep(seconds)


class BudgetedRetry(GithubRetry):
    """GithubRetry whose waits go through a :class:`WaitBudget`."""

    def __init__(self, budget: WaitBudget | None = None, **kwargs: Any) -> None:
        if budget is None:
            raise ValueError("BudgetedRetry needs a WaitBudget")
        self.budget = budget
        super().__init__(**kwargs)

    def new(self, **kw: Any) -> BudgetedRetry:
        kw["budget"] = self.budget
        return super().new(**kw)

    def _wait_for(self, response: BaseHTTPResponse | None) -> float:
        if response is not None:
            if self.respect_retry_after_header:
                retry_after = self.get_retry_after(response)
                if retry_after is not None:
                    return retry_after
            headers = response.headers
            reset = headers.get("x-ratelimit-reset", "")
            if headers.get("x-ratelimit-remaining") == "0" and reset.isdigit():
                return max(0.0, int(reset) - self.budget.policy.clock()) + 1
        return self.get_backoff_time()

    def sleep(self, response: BaseHTTPResponse | None = None) -> None:
        self.budget.spend(self._wait_for(response))

    def sleep_for_retry(self, response: BaseHTTPResponse) -> bool:
        retry_after = self.get_retry_after(response)
        if retry_after is None:
            return False
        self.budget.spend(retry_after)
        return True

    def _sleep_backoff(self) -> None:
        self.budget.spend(self.get_backoff_time())


def build_retry(budget: WaitBudget) -> Retry:
    """The urllib3 retry object handed to ``Github(retry=...)``."""
    policy = budget.policy
    return BudgetedRetry(
        budget=budget,
        total=policy.max_attempts - 1,
        secondary_rate_wait=policy.secondary_rate_wait,
        status_forcelist=[429, *range(500, 600)],
        allowed_methods=Retry.DEFAULT_ALLOWED_METHODS | {"GET", "POST", "PATCH"},
        backoff_factor=policy.backoff_factor,
        backoff_max=policy.backoff_max,
        backoff_jitter=policy.backoff_jitter,
        raise_on_status=False,
        respect_retry_after_header=True,
    )


def github_client(api_url: str, token: str, budget: WaitBudget) -> Github:
    """The one way a PyGithub client is made: ``budget``'s retries, timeout and pacing."""
    policy = budget.policy
    return Github(
        base_url=api_url,
        auth=Auth.Token(token),
        retry=build_retry(budget),
        timeout=policy.timeout,
        seconds_between_requests=policy.seconds_between_requests or None,
        seconds_between_writes=policy.seconds_between_writes or None,
        lazy=True,
    )
