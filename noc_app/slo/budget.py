"""SLO arithmetic: attainment, error budget, burn rate, forecast and coverage (pure).

The input is a row of buckets: for each step-long interval ending at `t[i]`, how
many events were good and how many there were in all (NaN where the data has a
gap).  A bucket with total 0 is covered but has no traffic: it counts towards
coverage and changes nothing else.

Budget in minutes is the usual time equivalent of a request budget: a 99.9 %
target over 30 days allows (1 - 0.999) * 30 d = 43.2 minutes of total failure.
Burning at rate 1 spends exactly the whole budget over the whole window.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

MINUTE_S = 60.0
HOUR_S = 3600.0
DAY_S = 86400.0

FloatArray = Sequence[float] | np.ndarray


@dataclass(frozen=True, kw_only=True, slots=True)
class Buckets:
    """Good/total event counts per step-long bucket; t is each bucket's end (epoch s)."""

    t: np.ndarray
    good: np.ndarray
    total: np.ndarray
    step_s: float

    @staticmethod
    def of(t: FloatArray, good: FloatArray, total: FloatArray, step_s: float) -> Buckets:
        return Buckets(t=np.asarray(t, dtype=np.float64), good=np.asarray(good, dtype=np.float64),
                       total=np.asarray(total, dtype=np.float64), step_s=float(step_s))

    def since(self, start: float) -> Buckets:
        """Only the buckets that lie inside (start, ...]."""
        keep = self.t - self.step_s >= start - 1e-6
        return Buckets(t=self.t[keep], good=self.good[keep], total=self.total[keep], step_s=self.step_s)

    @property
    def covered(self) -> np.ndarray:
        mask: np.ndarray = np.isfinite(self.total) & np.isfinite(self.good)
        return mask


@dataclass(frozen=True, kw_only=True, slots=True)
class SloStatus:
    """Everything an SLO panel shows, for one window."""

    target: float  # ratio, 0.999
    window_s: float
    attainment: float | None  # good/total over the covered part; None: no traffic at all
    budget_total_min: float  # the budget of the whole window in minutes
    budget_remaining: float  # share of the budget left, 1.0 = untouched, negative = overspent
    coverage_s: float  # how much of the window has data
    burn_rate: float | None  # over the last `burn_window_s`; None: no traffic there
    burn_window_s: float
    exhaustion_s: float | None  # at the current burn, seconds until the budget is gone; None: never

    @property
    def budget_remaining_min(self) -> float:
        return self.budget_total_min * self.budget_remaining

    @property
    def coverage(self) -> float:
        return min(1.0, self.coverage_s / self.window_s) if self.window_s > 0 else 0.0


def budget_minutes(target: float, window_s: float) -> float:
    """(1 - target) of the window, in minutes: 99.9 % of 30 days -> 43.2."""
    return (1.0 - target) * window_s / MINUTE_S


def attainment(buckets: Buckets) -> float | None:
    """Good / total over the covered buckets; None when there was no traffic."""
    mask = buckets.covered
    total = float(buckets.total[mask].sum())
    if total <= 0:
        return None
    return min(1.0, max(0.0, float(buckets.good[mask].sum()) / total))


def budget_remaining(attained: float | None, target: float) -> float:
    """Share of the error budget left: 1 - (1 - attainment) / (1 - target)."""
    if attained is None:
        return 1.0
    return 1.0 - (1.0 - attained) / (1.0 - target)


def burn_rate(buckets: Buckets, target: float) -> float | None:
    """How fast the budget burns: the error ratio over the buckets / (1 - target)."""
    attained = attainment(buckets)
    if attained is None:
        return None
    return (1.0 - attained) / (1.0 - target)


def exhaustion_s(remaining: float, rate: float | None, window_s: float) -> float | None:
    """Seconds until the budget is gone at this burn rate: 0 when already spent, None when never."""
    if remaining <= 0:
        return 0.0
    if rate is None or rate <= 0:
        return None
    return remaining * window_s / rate


def coverage_s(buckets: Buckets, window_s: float) -> float:
    """Seconds of the window with data (gaps excluded), at most the window."""
    return min(window_s, float(np.count_nonzero(buckets.covered)) * buckets.step_s)


def slo_status(buckets: Buckets, *, target: float, window_s: float, start: float,
               burn_window_s: float = HOUR_S) -> SloStatus:
    """The SLO over (start, start + window_s]; the burn rate over the last burn_window_s of data."""
    inside = buckets.since(start)
    attained = attainment(inside)
    remaining = budget_remaining(attained, target)
    last = inside.t[-1] if inside.t.size else start
    rate = burn_rate(inside.since(last - burn_window_s), target)
    return SloStatus(
        target=target,
        window_s=window_s,
        attainment=attained,
        budget_total_min=budget_minutes(target, window_s),
        budget_remaining=remaining,
        coverage_s=coverage_s(inside, window_s),
        burn_rate=rate,
        burn_window_s=burn_window_s,
        exhaustion_s=exhaustion_s(remaining, rate, window_s),
    )


def budget_curve(buckets: Buckets, target: float) -> np.ndarray:
    """Budget left (share) after each bucket: the burn-down chart.

    The budget is (1 - target) of all events in the buckets; each bucket's bad events
    spend it, so the curve falls from 1.0 to the window's `budget_remaining` (below 0
    when overspent).  Gaps spend nothing; no traffic at all leaves it at 1.0.
    """
    mask = buckets.covered
    good = np.where(mask, buckets.good, 0.0)
    total = np.where(mask, buckets.total, 0.0)
    budget_events = (1.0 - target) * float(total.sum())
    if budget_events <= 0:
        return np.ones(buckets.t.shape)
    curve: np.ndarray = 1.0 - np.cumsum(np.clip(total - good, 0.0, None)) / budget_events
    return curve


def counter_increase(values: Sequence[float]) -> float:
    """Increase of a counter over its samples, Prometheus-style: a drop is a reset to 0.

    NaN samples (gaps) are skipped; the increase across a gap still counts.
    """
    clean = [v for v in values if not math.isnan(v)]
    total = 0.0
    for before, after in itertools.pairwise(clean):
        total += after - before if after >= before else after
    return total


def rates_to_buckets(t: FloatArray, good_rate: FloatArray, total_rate: FloatArray,
                     step_s: float) -> Buckets:
    """Per-second rates averaged over each step (`rate(x[step])` at step-aligned times) -> counts."""
    good = np.asarray(good_rate, dtype=np.float64) * step_s
    total = np.asarray(total_rate, dtype=np.float64) * step_s
    # no good events is reported by rate() as 0, but a missing good series as absent: when
    # there is traffic and no good series at all, nothing was good
    return Buckets.of(t, good, total, step_s)


def error_ratio_to_buckets(t: FloatArray, error_ratio: FloatArray, step_s: float) -> Buckets:
    """An error-ratio recording rule per step -> buckets weighting every step equally (as Sloth does)."""
    ratio = np.asarray(error_ratio, dtype=np.float64)
    total = np.where(np.isfinite(ratio), 1.0, np.nan)
    return Buckets.of(t, total - np.clip(ratio, 0.0, 1.0), total, step_s)


def format_span(seconds: float) -> str:
    """'3 d 4 h', '5 h 12 m', '12 m', '< 1 m': two units at most, rounded down."""
    if seconds < MINUTE_S:
        return "< 1 m"
    whole = int(seconds // MINUTE_S)
    days, rest = divmod(whole, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes} m" if minutes else f"{hours} h"
    return f"{minutes} m"


def coverage_text(status: SloStatus) -> str:
    """'based on 9 d 4 h of 30 d'."""
    return f"based on {format_span(status.coverage_s)} of {format_span(status.window_s)}"


def forecast_text(status: SloStatus) -> str:
    if status.exhaustion_s == 0.0:
        return "budget exhausted"
    if status.exhaustion_s is None:
        return "no burn: the budget holds"
    if status.exhaustion_s > status.window_s:
        return "at the current burn the budget outlasts the window"
    return f"at the current burn the budget is gone in {format_span(status.exhaustion_s)}"
