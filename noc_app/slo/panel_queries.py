"""What an SLO panel asks its source, and how the answers become an SloStatus (pure).

Queries, in this order (the panel's query indexes):
  0, 1  good and total rate over each 1-hour bucket of the window (range query, step 1 h:
        744 points at most, far under Prometheus' 11,000 per series, so no chunking), or
  0     the error ratio per bucket, for an SLI given as a recording rule;
  then the same over the last hour as instant queries: the current burn, not an hour late.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from noc_app.config.schema import SloConfig, SloWindow
from noc_app.model import QueryResult
from noc_app.slo.budget import HOUR_S, Buckets, SloStatus, error_ratio_to_buckets, rates_to_buckets, slo_status
from noc_app.slo.promql import bucket_queries, uses_error_ratio

BUCKET_S = HOUR_S
BURN_WINDOW_S = HOUR_S


@dataclass(frozen=True, kw_only=True, slots=True)
class SloQuery:
    expr: str
    instant: bool
    window_s: float
    max_points: int


def window_bounds(slo: SloConfig, now: float) -> tuple[float, float]:
    """(start, length) of the window that holds `now`: rolling, or the calendar month (UTC)."""
    if slo.window is SloWindow.CALENDAR_MONTH:
        today = dt.datetime.fromtimestamp(now, tz=dt.UTC)
        start = dt.datetime(today.year, today.month, 1, tzinfo=dt.UTC).timestamp()
        days = calendar.monthrange(today.year, today.month)[1]
        return start, days * 86400.0
    rolling_days = 28.0 if slo.window is SloWindow.ROLLING_28D else 30.0
    return now - rolling_days * 86400.0, rolling_days * 86400.0


def query_window_s(slo: SloConfig) -> float:
    return 31 * 86400.0 if slo.window is SloWindow.CALENDAR_MONTH else window_bounds(slo, 0.0)[1]


def slo_queries(slo: SloConfig) -> tuple[SloQuery, ...]:
    span = query_window_s(slo)
    points = math.ceil(span / BUCKET_S)
    ranged = tuple(SloQuery(expr=e, instant=False, window_s=span, max_points=points)
                   for e in bucket_queries(slo, BUCKET_S))
    current = tuple(SloQuery(expr=e, instant=True, window_s=BURN_WINDOW_S, max_points=1)
                    for e in bucket_queries(slo, BURN_WINDOW_S))
    return ranged + current


class SloDataError(ValueError):
    """The answers cannot make an SLO figure (a query failed or returned several series)."""


def _single(result: QueryResult | None, what: str) -> tuple[np.ndarray, np.ndarray] | None:
    if result is None:
        return None
    if result.error:
        raise SloDataError(f"{what}: {result.error}")
    if not result.series:
        return None
    if len(result.series) > 1:
        raise SloDataError(f"{what} returned {len(result.series)} series; wrap the SLI in sum(...)")
    series = result.series[0]
    return np.asarray(series.x, dtype=np.float64), np.asarray(series.y, dtype=np.float64)


def _aligned(grid: np.ndarray, answer: tuple[np.ndarray, np.ndarray] | None) -> np.ndarray:
    """Values on the grid; NaN where the answer has no point (a gap)."""
    out = np.full(grid.shape, np.nan)
    if answer is None:
        return out
    x, y = answer
    index = {round(float(v)): i for i, v in enumerate(grid)}
    for xi, yi in zip(x, y, strict=True):
        pos = index.get(round(float(xi)))
        if pos is not None:
            out[pos] = yi
    return out


def bucket_grid(slo: SloConfig, now: float) -> np.ndarray:
    """The bucket end times of the window so far, on the hour grid."""
    start, _ = window_bounds(slo, now)
    first = math.ceil((start + BUCKET_S) / BUCKET_S)
    last = math.floor(now / BUCKET_S)
    return np.arange(first, last + 1, dtype=np.float64) * BUCKET_S


def buckets_from_results(slo: SloConfig, results: Sequence[QueryResult | None], now: float) -> Buckets:
    grid = bucket_grid(slo, now)
    if uses_error_ratio(slo):
        ratio = _aligned(grid, _single(results[0] if results else None, "error ratio"))
        return error_ratio_to_buckets(grid, ratio, BUCKET_S)
    good = _aligned(grid, _single(results[0] if results else None, "good events"))
    total = _aligned(grid, _single(results[1] if len(results) > 1 else None, "all events"))
    # traffic with no good series at all: rate() of a missing series is absent, not 0
    good = np.where(np.isnan(good) & np.isfinite(total), 0.0, good)
    return rates_to_buckets(grid, good, total, BUCKET_S)


def _instant(results: Sequence[QueryResult | None], index: int, what: str) -> float | None:
    answer = _single(results[index] if len(results) > index else None, what)
    if answer is None or not answer[1].size or not math.isfinite(float(answer[1][-1])):
        return None
    return float(answer[1][-1])


def current_burn(slo: SloConfig, results: Sequence[QueryResult | None]) -> float | None:
    """Burn rate over the last hour from the instant queries; None without traffic or data."""
    if uses_error_ratio(slo):
        ratio = _instant(results, 1, "current error ratio")
        return None if ratio is None else ratio / (1.0 - slo.target)
    good, total = _instant(results, 2, "current good events"), _instant(results, 3, "current events")
    if total is None or total <= 0:
        return None
    return (1.0 - min(1.0, (good or 0.0) / total)) / (1.0 - slo.target)


def status_from_results(slo: SloConfig, results: Sequence[QueryResult | None], now: float) -> tuple[SloStatus, Buckets]:
    """The SLO's figures from its panel's answers; raises SloDataError on a failed query."""
    start, length = window_bounds(slo, now)
    buckets = buckets_from_results(slo, results, now)
    status = slo_status(buckets, target=slo.target, window_s=length, start=start, burn_window_s=BURN_WINDOW_S)
    burn = current_burn(slo, results)
    if burn is not None:
        from dataclasses import replace

        from noc_app.slo.budget import exhaustion_s

        status = replace(status, burn_rate=burn, exhaustion_s=exhaustion_s(status.budget_remaining, burn, length))
    return status, buckets
