"""When to try an undelivered action again: the poller's backoff, with the outbox's own numbers."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Protocol

from noc_app.backoff import next_delay

RETRY_INTERVAL_S = 5.0  # first retry of an undelivered ack after ~10 s
MAX_RETRY_S = 300.0  # then at most every five minutes, until delivered or cancelled


class RetryDelay(Protocol):
    def __call__(self, attempts: int, retry_after: float | None) -> float:
        """Seconds until the next attempt, after `attempts` failed ones (>= 1)."""
        ...


def outbox_delay(
    attempts: int,
    retry_after: float | None,
    *,
    rng: Callable[[], float] = random.random,
) -> float:
    """The poller's jittered exponential backoff, started at RETRY_INTERVAL_S and capped at MAX_RETRY_S."""
    return next_delay(
        RETRY_INTERVAL_S, max(1, attempts), retry_after=retry_after, rng=rng, max_backoff=MAX_RETRY_S
    )
