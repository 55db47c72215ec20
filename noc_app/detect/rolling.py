"""Bounded sliding windows kept sorted, so median, spread and quantiles of the last N values cost O(log N) + memmove."""

from __future__ import annotations

import bisect
from collections import deque


class SortedWindow:
    """The last `size` values, in arrival order (to evict) and sorted (to read order statistics)."""

    __slots__ = ("_arrival", "_size", "_sorted")

    def __init__(self, size: int) -> None:
        self._size = size
        self._arrival: deque[float] = deque()
        self._sorted: list[float] = []

    def __len__(self) -> int:
        return len(self._sorted)

    def add(self, value: float) -> None:
        self._arrival.append(value)
        bisect.insort(self._sorted, value)
        if len(self._arrival) > self._size:
            old = self._arrival.popleft()
            del self._sorted[bisect.bisect_left(self._sorted, old)]

    def quantile(self, q: float) -> float:
        """The value at rank floor(q * n) (the largest for q = 1); the window must not be empty."""
        values = self._sorted
        return values[min(len(values) - 1, int(q * len(values)))]

    def median_and_sigma(self) -> tuple[float, float]:
        """Median, and the interquartile range scaled to a normal distribution's standard deviation."""
        values = self._sorted
        n = len(values)
        return values[n // 2], (values[(3 * n) // 4] - values[n // 4]) / 1.349


class RollingMax:
    """Maximum over a sliding span of steps (monotonic deque: O(1) amortised)."""

    __slots__ = ("_entries", "_span", "_step")

    def __init__(self, span: int) -> None:
        self._span = span
        self._step = 0
        self._entries: deque[tuple[int, float]] = deque()

    def push(self, value: float) -> float:
        """Add a value; return the maximum of the span - 1 values before it (0 when there is none)."""
        self._step += 1
        entries = self._entries
        while entries and entries[0][0] <= self._step - self._span:
            entries.popleft()
        previous = entries[0][1] if entries else 0.0
        while entries and entries[-1][1] <= value:
            entries.pop()
        entries.append((self._step, value))
        return previous
