"""The shipped detector: make_detector() builds one per series; alert_threshold() maps a sensitivity to a score.

Two surprises per row, each measured against the series' own history of surprises so that a noisy series does not
alert more than a calm one:
- level: distance from the median of the last WINDOW rows, in robust standard deviations (interquartile range);
- pattern: how unlikely the row's quantised level is after the previous ones (noc_app.detect.transitions).
Each is divided by its own QUANTILE over the last HISTORY rows; the larger ratio r gives the score r / (1 + r), so
0.5 means "as surprising as the series' 1-in-2000 rows". After a row, later rows within HOLD score 0 unless they beat
it (one alert per episode instead of a burst: NAB charges every extra row and counts only the first in a window).
The parameters are corpus-wide (chosen on the NAB corpus, never per file or category): see docs-snippets/nab.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from noc_app.detect.online import Scored, StreamingDetector
from noc_app.detect.rolling import RollingMax, SortedWindow
from noc_app.detect.transitions import TransitionSurprise


@dataclass(frozen=True, slots=True)
class Tuning:
    window: int = 256  # rows the level baseline (median, spread) is taken from
    history: int = 5000  # rows of past surprises each surprise is compared with
    quantile: float = 0.9995  # the past surprise that maps to score 0.5
    pattern_quantile: float = 0.999
    levels: int = 6  # quantisation of the pattern model
    order: int = 2  # rows of context of the pattern model
    hold: int = 100  # rows after a score during which only a higher score is let through
    warmup: int = 100  # rows scored 0 while the baselines fill


TUNING = Tuning()
_MIN_ROWS = 20  # a baseline needs this many rows before it is used


class SurpriseDetector:
    __slots__ = ("_high", "_hold", "_level_history", "_low", "_pattern", "_pattern_history", "_rows", "_t", "_values")

    def __init__(self, tuning: Tuning = TUNING) -> None:
        self._t = tuning
        self._values = SortedWindow(tuning.window)
        self._level_history = SortedWindow(tuning.history)
        self._pattern = TransitionSurprise(tuning.levels, tuning.order)
        self._pattern_history = SortedWindow(tuning.history)
        self._hold = RollingMax(tuning.hold)
        self._rows = 0
        self._low = math.inf
        self._high = -math.inf

    def update(self, timestamp: float, value: float) -> Scored:
        if not math.isfinite(value):  # a gap: nothing to learn from, nothing to alert on
            return Scored(0.0, math.nan, math.nan)
        t = self._t
        self._rows += 1
        self._low = min(self._low, value)
        self._high = max(self._high, value)
        low = high = math.nan
        ratio = 0.0
        if len(self._values) >= _MIN_ROWS:
            median, sigma = self._values.median_and_sigma()
            sigma += 1e-3 * (self._high - self._low) + 1e-9  # flat or quantised series: no division by ~0
            surprise = abs(value - median) / sigma
            if len(self._level_history) >= _MIN_ROWS:
                limit = self._level_history.quantile(t.quantile) + 1e-9
                ratio = surprise / limit
                low, high = median - limit * sigma, median + limit * sigma
            self._level_history.add(surprise)
        self._values.add(value)
        pattern = self._pattern.update(value)
        if len(self._pattern_history) >= _MIN_ROWS:
            ratio = max(ratio, pattern / (self._pattern_history.quantile(t.pattern_quantile) + 1e-9))
        self._pattern_history.add(pattern)
        score = ratio / (1.0 + ratio) if self._rows > t.warmup else 0.0
        if score <= self._hold.push(score):
            score = 0.0
        return Scored(score, low, high)


def make_detector(sensitivity: float = 0.5) -> StreamingDetector:
    """A fresh detector for one series (sensitivity only moves alert_threshold; the score does not depend on it)."""
    _check_sensitivity(sensitivity)
    return SurpriseDetector()


def alert_threshold(sensitivity: float) -> float:
    """The score at or above which a row is called anomalous.

    0.5 at sensitivity 0.5 (a surprise at the series' own QUANTILE, near the threshold NAB's standard profile picks);
    sensitivity 0 asks for 3 times that surprise (0.75), sensitivity 1 for a third of it (0.25).
    """
    _check_sensitivity(sensitivity)
    ratio: float = 3.0 ** (1.0 - 2.0 * sensitivity)
    return ratio / (1.0 + ratio)


def _check_sensitivity(sensitivity: float) -> None:
    if not 0.0 <= sensitivity <= 1.0:
        raise ValueError(f"sensitivity must be in [0, 1], got {sensitivity!r}")
