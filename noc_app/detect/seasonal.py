"""How far a value is from what this hour of the day usually looks like (daily cycles: traffic, load, temperature).

Per hour-of-day bucket (of the row's UTC timestamp; a local time zone only renames the buckets): an exponentially
weighted mean and mean absolute deviation of the values seen in that hour on earlier days.
"""

from __future__ import annotations

_MIN_SEEN = 3  # rows a bucket needs before its surprise is used


class HourOfDaySurprise:
    __slots__ = ("_alpha", "_buckets", "_stats")

    def __init__(self, buckets: int = 24, alpha: float = 0.1) -> None:
        self._buckets = buckets
        self._alpha = alpha
        self._stats: dict[int, list[float]] = {}  # bucket -> [mean, mean absolute deviation, rows seen]

    def update(self, timestamp: float, value: float, floor: float) -> float | None:
        """Distance from the bucket's mean in mean absolute deviations (+ floor); None until the bucket is known."""
        bucket = int((timestamp % 86400.0) / 86400.0 * self._buckets)
        stats = self._stats.get(bucket)
        if stats is None:
            self._stats[bucket] = [value, 0.0, 1.0]
            return None
        mean, deviation, seen = stats
        surprise = abs(value - mean) / (deviation + floor) if seen >= _MIN_SEEN else None
        error = abs(value - mean)
        stats[0] = mean + self._alpha * (value - mean)
        stats[1] = deviation + self._alpha * (error - deviation) if seen > 1 else error
        stats[2] = seen + 1
        return surprise
