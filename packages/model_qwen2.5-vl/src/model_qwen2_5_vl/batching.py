"""Group independent requests into memory-bounded batches (pure code)."""

from __future__ import annotations

from collections.abc import Sequence


def plan_batches(costs: Sequence[int], batch_size: int, max_batch_tokens: int) -> list[list[int]]:
    """Indices of ``costs`` grouped into batches.

    ``costs[i]`` is request i's sequence length in tokens (prompt, image tokens
    and new tokens). A left-padded batch takes ``len(batch) * longest`` token
    slots, which must stay within ``max_batch_tokens``; a batch holds at most
    ``batch_size`` requests; a request larger than the budget runs alone.
    Requests of similar length are grouped (longest first) to waste little on
    padding; callers put the answers back in request order.
    """
    if batch_size < 1 or max_batch_tokens < 1:
        raise ValueError("batch_size and max_batch_tokens must be positive")
    order = sorted(range(len(costs)), key=lambda i: (-costs[i], i))
    batches: list[list[int]] = []
    current: list[int] = []
    longest = 0
    for index in order:
        # Sorted longest first, so the batch's longest request is its first one.
        width = max(longest, costs[index])
        if current and (
            len(current) >= batch_size or (len(current) + 1) * width > max_batch_tokens
        ):
            batches.append(current)
            current, width = [], costs[index]
        current.append(index)
        longest = width
    if current:
        batches.append(current)
    return batches
