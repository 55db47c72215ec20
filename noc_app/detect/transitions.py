"""How surprising a value is after the recent ones: a Markov model over quantised values (contexts of recent levels).

Values are cut into a few levels between the smallest and largest seen so far; the model counts which level followed
each context (the last `order` levels). Surprise is -log of the smoothed probability of the level that came, so a
transition never seen in a well-known context (a daily pattern going flat, a jump) scores high even when the value
itself is ordinary.
"""

from __future__ import annotations

import math
from collections import deque

_PSEUDO_COUNT = 0.1


class TransitionSurprise:
    __slots__ = ("_context", "_counts", "_high", "_levels", "_low", "_order")

    def __init__(self, levels: int = 6, order: int = 2) -> None:
        self._levels = levels
        self._order = order
        self._context: deque[int] = deque(maxlen=order)
        self._counts: dict[tuple[int, ...], list[int]] = {}  # context -> count per level, then the total
        self._low = math.inf
        self._high = -math.inf

    def update(self, value: float) -> float:
        """Surprise of this value after the previous ones (0 until a full context exists), then learn it."""
        self._low = min(self._low, value)
        self._high = max(self._high, value)
        span = self._high - self._low
        level = 0 if span <= 0 else min(self._levels - 1, int((value - self._low) / span * self._levels))
        surprise = 0.0
        if len(self._context) == self._order:
            key = tuple(self._context)
            counts = self._counts.get(key)
            if counts is None:
                counts = self._counts[key] = [0] * (self._levels + 1)
            seen, total = counts[level], counts[self._levels]
            surprise = -math.log((seen + _PSEUDO_COUNT) / (total + _PSEUDO_COUNT * self._levels))
            counts[level] = seen + 1
            counts[self._levels] = total + 1
        self._context.append(level)
        return surprise
