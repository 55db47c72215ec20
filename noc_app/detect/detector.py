"""The shipped detector: make_detector() builds one per series; alert_threshold() maps a sensitivity to a score.

Three surprises per row, each measured against the series' own history of that surprise, so that a noisy series does
not alert more often than a calm one:
- level: distance from the median of the last `window` rows, in robust standard deviations (interquartile range);
- pattern: how unlikely the row's quantised level is after the previous ones (noc_app.detect.transitions);
- daily: distance from what this hour of the day usually looks like (noc_app.detect.seasonal).
Each is divided by its own `quantile` over the last `history` rows; the largest ratio r gives the score r / (1 + r),
so 0.5 means "as surprising as this series' 1-in-2000 rows". After a row, later rows within `hold` score 0 unless they
beat it: one alert per episode instead of a burst (NAB charges every extra row and counts only the first in a window).
The parameters are corpus-wide (chosen on the NAB corpus, never per file or category): see docs-snippets/nab.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from noc_app.detect.online import Scored, StreamingDetector
from noc_app.detect.rolling import RollingMax, SortedWindow
from noc_app.detect.seasonal import HourOfDaySurprise
from noc_app.detect.transitions import TransitionSurprise


@dataclass(frozen=True, slots=True)
class Tuning:
    window: int = 256  # rows the level baseline (median, spread) is taken from
    history: int = 5000  # rows of past surprises each surprise is compared with
    quantile: float = 0.9995  # the past surprise that maps to score 0.5
    levels: int = 6  # quantisation of the pattern model
    order: int = 2  # rows of context of the pattern model
    day_buckets: int = 24  # the daily profile's resolution
    day_alpha: float = 0.1  # how fast the daily profile follows change
    hold: int = 100  # rows after a score during which only a higher score is let through
    warmup: int = 100  # rows scored 0 while the baselines fill


TUNING = Tuning()
_MIN_ROWS = 20  # rows a history needs before it is used
_LARGEST = 1e150  # beyond this, differences of values could overflow: such a value is treated as a gap


class _Calibrated:
    """A surprise divided by the series' own `quantile` of its past values (0 while the history is short)."""

    __slots__ = ("_history", "_quantile")

    def __init__(self, tuning: Tuning) -> None:
        self._history = SortedWindow(tuning.history)
        self._quantile = tuning.quantile

    def __len__(self) -> int:
        return len(self._history)

    def limit(self) -> float:
        return self._history.quantile(self._quantile) + 1e-9

    def ratio(self, surprise: float) -> float:
        ratio = surprise / self.limit() if len(self._history) >= _MIN_ROWS else 0.0
        self._history.add(surprise)
        return ratio


class SurpriseDetector:
    __slots__ = ("_daily", "_daily_ratio", "_high", "_hold", "_level_ratio", "_low", "_pattern", "_pattern_ratio",
                 "_rows", "_t", "_values")

    def __init__(self, tuning: Tuning = TUNING) -> None:
        self._t = tuning
        self._values = SortedWindow(tuning.window)
        self._pattern = TransitionSurprise(tuning.levels, tuning.order)
        self._daily = HourOfDaySurprise(tuning.day_buckets, tuning.day_alpha)
        self._level_ratio = _Calibrated(tuning)
        self._pattern_ratio = _Calibrated(tuning)
        self._daily_ratio = _Calibrated(tuning)
        self._hold = RollingMax(tuning.hold)
        self._rows = 0
        self._low = math.inf
        self._high = -math.inf

    def update(self, timestamp: float, value: float) -> Scored:
        if not (abs(value) < _LARGEST and math.isfinite(timestamp)):  # a gap (NaN, inf): nothing to learn or alert on
            return Scored(0.0, math.nan, math.nan)
        self._rows += 1
        self._low = min(self._low, value)
        self._high = max(self._high, value)
        floor = 1e-3 * (self._high - self._low) + 1e-9  # flat or quantised series: no division by ~0
        low = high = math.nan
        ratio = 0.0
        if len(self._values) >= _MIN_ROWS:
            median, sigma = self._values.median_and_sigma()
            sigma += floor
            if len(self._level_ratio) >= _MIN_ROWS:
                limit = self._level_ratio.limit()
                low, high = median - limit * sigma, median + limit * sigma
            ratio = self._level_ratio.ratio(abs(value - median) / sigma)
        self._values.add(value)
        ratio = max(ratio, self._pattern_ratio.ratio(self._pattern.update(value)))
        daily = self._daily.update(timestamp, value, floor)
        if daily is not None:
            ratio = max(ratio, self._daily_ratio.ratio(daily))
        score = ratio / (1.0 + ratio) if self._rows > self._t.warmup else 0.0
        if score <= self._hold.push(score):
            score = 0.0
        return Scored(score, low, high)


def make_detector(sensitivity: float = 0.5) -> StreamingDetector:
    """A fresh detector for one series (sensitivity only moves alert_threshold; the score does not depend on it)."""
    _check_sensitivity(sensitivity)
    return SurpriseDetector()


def alert_threshold(sensitivity: float) -> float:
    """The score at or above which a row is called anomalous.

    0.5 at sensitivity 0.5 (a surprise at the series' own `quantile`: the threshold NAB's standard profile picks);
    sensitivity 0 asks for 3 times that surprise (0.75), sensitivity 1 for a third of it (0.25).
    """
    _check_sensitivity(sensitivity)
    ratio: float = 3.0 ** (1.0 - 2.0 * sensitivity)
    return ratio / (1.0 + ratio)


def _check_sensitivity(sensitivity: float) -> None:
    if not 0.0 <= sensitivity <= 1.0:
        raise ValueError(f"sensitivity must be in [0, 1], got {sensitivity!r}")
