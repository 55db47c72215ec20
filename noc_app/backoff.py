"""When to poll (or retry) next: jittered exponential backoff, a pure policy (no Qt, no clock).

Shared by the poller and the actions outbox, so a room of walls and workstations
backs off alike.
"""

from __future__ import annotations

import random
from collections.abc import Callable

MAX_BACKOFF_S = 60.0  # a wall must notice a recovered backend within a minute
AUTH_RETRY_S = 300.0  # bad credentials rarely fix themselves: retry slowly


def next_delay(
    interval: float,
    failures: int,
    *,
    retry_after: float | None = None,
    auth_failed: bool = False,
    rng: Callable[[], float] = random.random,
    max_backoff: float = MAX_BACKOFF_S,
) -> float:
    """Seconds until the next poll.

    Success (failures == 0) -> the interval.  Failure n -> interval * 2**n capped
    at max_backoff, with +-20 % jitter so a room of walls does not retry in step.
    A backend's Retry-After wins when it asks for longer.
    """
    if failures <= 0:
        return interval
    if auth_failed:
        base = max(interval, AUTH_RETRY_S)
    else:
        base = min(max_backoff, interval * (2 ** min(failures, 16)))
        base = max(base, interval)
    jittered = base * (0.8 + 0.4 * rng())
    if retry_after is not None:
        jittered = max(jittered, retry_after)
    return jittered


def start_phase(interval: float, rng: Callable[[], float] = random.random) -> float:
    """A random first-poll delay, so sources configured alike do not fire together."""
    return min(interval, 1.0) * 0.5 * rng()
