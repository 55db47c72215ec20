"""The shipped detector: make_detector() builds one per series; alert_threshold() maps a sensitivity to a score.

sensitivity is in [0, 1]; higher means more alerts (a lower threshold on the score).
"""

from __future__ import annotations

import math
from collections import deque

from noc_app.detect.online import Scored, StreamingDetector

_WINDOW = 288  # rows of history the baseline is computed from
_WARMUP = 30  # rows before any score other than 0 is given
_Z_FULL = 8.0  # a robust z-score this far out scores ~1


class RollingZDetector:
    """Score = how far the value is from the recent mean, in recent standard deviations, squashed into [0, 1]."""

    __slots__ = ("_sum", "_sum_sq", "_values")

    def __init__(self) -> None:
        self._values: deque[float] = deque(maxlen=_WINDOW)
        self._sum = 0.0
        self._sum_sq = 0.0

    def update(self, timestamp: float, value: float) -> Scored:
        if not math.isfinite(value):
            return Scored(0.0, math.nan, math.nan)
        count = len(self._values)
        if count >= _WARMUP:
            mean = self._sum / count
            std = math.sqrt(max(self._sum_sq / count - mean * mean, 0.0)) + 1e-9 * (1.0 + abs(mean))
            z = abs(value - mean) / std
            scored = Scored(min(1.0, z / _Z_FULL), mean - 3.0 * std, mean + 3.0 * std)
        else:
            scored = Scored(0.0, math.nan, math.nan)
        if count == _WINDOW:
            old = self._values[0]
            self._sum -= old
            self._sum_sq -= old * old
        self._values.append(value)
        self._sum += value
        self._sum_sq += value * value
        return scored


def make_detector(sensitivity: float = 0.5) -> StreamingDetector:
    """A fresh detector for one series (sensitivity only moves alert_threshold; the score does not depend on it)."""
    _check_sensitivity(sensitivity)
    return RollingZDetector()


def alert_threshold(sensitivity: float) -> float:
    """The score at or above which a row is called anomalous: 0.9 at sensitivity 0, 0.3 at 1."""
    _check_sensitivity(sensitivity)
    return 0.9 - 0.6 * sensitivity


def _check_sensitivity(sensitivity: float) -> None:
    if not 0.0 <= sensitivity <= 1.0:
        raise ValueError(f"sensitivity must be in [0, 1], got {sensitivity!r}")
