"""Prometheus histogram maths (pure): bucket queries, bucket rates, quantiles, Apdex.

A histogram arrives as one series per `le` label (cumulative counts or rates up to
that bound, the last bound +Inf).  `Buckets` holds them as a (bounds x times)
matrix; the heatmap and apdex panels and their tests use only the functions here.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from noc_app.model import Series

APDEX_TOLERATING_FACTOR = 4.0  # tolerating: slower than T but not slower than 4T
MAX_BUCKETS = 64  # a histogram with more bounds is cut (bounded memory, legible axis)
_REL_TOL = 1e-9


def format_window(seconds: float) -> str:
    """A PromQL duration for a rate window: 300 -> '5m', 90 -> '90s', 3600 -> '1h'."""
    whole = max(1, round(seconds))
    for unit, size in (("h", 3600), ("m", 60)):
        if whole % size == 0:
            return f"{whole // size}{unit}"
    return f"{whole}s"


def bucket_query(histogram: str, selector: str = "", window_s: float = 300.0) -> str:
    """The per-bucket rate query of a histogram, summed over everything but `le`."""
    return f"sum by (le) (rate({histogram}_bucket{selector.strip()}[{format_window(window_s)}]))"


def parse_le(text: str) -> float | None:
    """A bucket bound from an `le` label ('0.25', '+Inf'); None when it is not a number."""
    try:
        value = float(text)
    except ValueError:
        return None
    return None if math.isnan(value) else value


@dataclass(frozen=True, kw_only=True, slots=True)
class Buckets:
    """Cumulative bucket values: counts[i, j] = requests (or rate) <= bounds[i] at times[j]."""

    bounds: np.ndarray  # ascending, the last +Inf when the data has it
    times: np.ndarray
    counts: np.ndarray  # (len(bounds), len(times)); NaN where a bucket had no sample

    @property
    def finite_bounds(self) -> np.ndarray:
        found: np.ndarray = self.bounds[np.isfinite(self.bounds)]
        return found

    @property
    def has_inf(self) -> bool:
        return bool(self.bounds.size) and math.isinf(float(self.bounds[-1]))


def buckets_from_series(series: Iterable[Series]) -> Buckets | None:
    """Bucket series (one per `le`) as one matrix, or None when none has a usable `le`.

    Series with the same `le` are summed (a query that kept another label); times are
    the newest series' grid, the others aligned to it by their newest points.
    """
    by_bound: dict[float, list[Series]] = {}
    for s in series:
        bound = parse_le(s.labels.get("le", ""))
        if bound is not None and s.y.size:
            by_bound.setdefault(bound, []).append(s)
    if not by_bound:
        return None
    bounds = sorted(by_bound)
    if len(bounds) > MAX_BUCKETS:  # keep +Inf (the total) and the lowest finite ones
        bounds = bounds[: MAX_BUCKETS - 1] + ([bounds[-1]] if math.isinf(bounds[-1]) else [])
    width = min(s.y.size for group in (by_bound[b] for b in bounds) for s in group)
    first = by_bound[bounds[0]][0]
    times = np.asarray(first.x[-width:], dtype=np.float64)
    counts = np.zeros((len(bounds), width), dtype=np.float64)
    for i, bound in enumerate(bounds):
        for s in by_bound[bound]:
            counts[i] += s.y[-width:]
    return Buckets(bounds=np.asarray(bounds, dtype=np.float64), times=times, counts=counts)


def bucket_shares(buckets: Buckets) -> np.ndarray:
    """Each bucket's own share of the requests per time step (rows: bounds), 0..1.

    Cumulative values are made monotonic first (rates of counters reset at different
    moments can dip); a step without requests is all NaN (nothing to show, not zero).
    """
    cum = np.fmax.accumulate(np.nan_to_num(buckets.counts, nan=0.0), axis=0)
    own = np.diff(cum, axis=0, prepend=0.0)
    total = cum[-1]
    with np.errstate(invalid="ignore", divide="ignore"):
        shares: np.ndarray = np.where(total > 0, own / np.where(total > 0, total, 1.0), np.nan)
    return shares


def histogram_quantile(q: float, buckets: Buckets) -> np.ndarray:
    """Prometheus' histogram_quantile per time step: linear inside the bucket that holds rank q.

    Like Prometheus: needs a +Inf bucket (else NaN); a rank in the +Inf bucket answers
    the highest finite bound; the first bucket's lower bound is 0 (when its bound is
    positive); no requests -> NaN.
    """
    n_times = buckets.times.size
    if not buckets.has_inf or buckets.bounds.size < 2 or not 0.0 <= q <= 1.0:
        return np.full(n_times, np.nan)
    cum = np.fmax.accumulate(np.nan_to_num(buckets.counts, nan=0.0), axis=0)
    total = cum[-1]
    rank = q * total
    index = (cum >= rank[None, :]).argmax(axis=0)  # first bucket holding the rank
    bounds = buckets.bounds
    upper = bounds[index]
    lower = np.where(index > 0, bounds[np.maximum(index - 1, 0)], np.where(bounds[0] > 0, 0.0, bounds[0]))
    below = np.where(index > 0, cum[np.maximum(index - 1, 0), np.arange(n_times)], 0.0)
    inside = cum[index, np.arange(n_times)] - below
    with np.errstate(invalid="ignore", divide="ignore"):
        fraction = np.where(inside > 0, (rank - below) / np.where(inside > 0, inside, 1.0), 1.0)
    result = lower + (upper - lower) * fraction
    highest_finite = bounds[-2]
    result = np.where(index == bounds.size - 1, highest_finite, result)
    if index.size and bounds[0] <= 0 and np.any(index == 0):
        result = np.where(index == 0, bounds[0], result)
    out: np.ndarray = np.where(total > 0, result, np.nan)
    return out


@dataclass(frozen=True, kw_only=True, slots=True)
class ApdexScore:
    """An Apdex score and whether T and 4T were bucket bounds (else it is interpolated)."""

    score: float  # 0..1, NaN when there were no requests or no +Inf bucket
    t_s: float
    t_on_bound: bool
    t4_on_bound: bool
    bounds: tuple[float, ...]  # the finite bounds the data has

    @property
    def warning(self) -> str:
        """'T=0.3 s is not a bucket boundary (boundaries: ...)', or '' when both are."""
        missing = [
            f"{label}={format_bound(value)}"
            for label, value, ok in (
                ("T", self.t_s, self.t_on_bound),
                ("4T", self.t_s * APDEX_TOLERATING_FACTOR, self.t4_on_bound),
            )
            if not ok
        ]
        if not missing:
            return ""
        verb = "is not a bucket boundary" if len(missing) == 1 else "are not bucket boundaries"
        return f"{' and '.join(missing)} {verb}; interpolated. Boundaries: {format_bounds(self.bounds)}"


def format_bound(seconds: float) -> str:
    """A bound as the room reads it: 0.25 -> '250 ms', 2.5 -> '2.5 s'."""
    if math.isinf(seconds):
        return "+Inf"
    if 0 < abs(seconds) < 1:
        return f"{seconds * 1000:.10g} ms"
    return f"{seconds:g} s"


def format_bounds(bounds: tuple[float, ...]) -> str:
    """Bounds grouped by unit: '5 10 25 ms, 1 2.5 s' (short enough for a small panel)."""
    groups: list[tuple[str, list[str]]] = []
    for bound in bounds:
        number, _, unit = format_bound(bound).partition(" ")
        if groups and groups[-1][0] == unit:
            groups[-1][1].append(number)
        else:
            groups.append((unit, [number]))
    return ", ".join(" ".join(numbers) + (f" {unit}" if unit else "") for unit, numbers in groups) or "none"


def _on_bound(value: float, bounds: np.ndarray) -> bool:
    return bool(np.any(np.isclose(bounds, value, rtol=_REL_TOL, atol=0.0)))


def cumulative_at(value: float, bounds: np.ndarray, cumulative: np.ndarray) -> float:
    """The cumulative count at `value`: exact on a bound, else linear between bounds (0 below)."""
    finite = np.isfinite(bounds)
    b, c = bounds[finite], cumulative[finite]
    if b.size == 0:
        return math.nan
    lows = np.concatenate(([0.0 if b[0] > 0 else b[0]], b))
    highs = np.concatenate(([0.0], c))
    if value >= b[-1]:
        return float(c[-1])
    return float(np.interp(value, lows, highs))


def apdex(buckets: Buckets, t_s: float) -> ApdexScore:
    """Apdex at the newest time step: (satisfied + tolerating / 2) / total."""
    finite = tuple(float(b) for b in buckets.finite_bounds)
    t4 = t_s * APDEX_TOLERATING_FACTOR
    on_t, on_t4 = _on_bound(t_s, buckets.bounds), _on_bound(t4, buckets.bounds)
    score = math.nan
    if buckets.has_inf and buckets.times.size:
        cum = np.fmax.accumulate(np.nan_to_num(buckets.counts[:, -1], nan=0.0))
        total = float(cum[-1])
        if total > 0:
            satisfied = cumulative_at(t_s, buckets.bounds, cum)
            within_4t = cumulative_at(t4, buckets.bounds, cum)
            score = min(1.0, max(0.0, (satisfied + (within_4t - satisfied) / 2.0) / total))
    return ApdexScore(score=score, t_s=t_s, t_on_bound=on_t, t4_on_bound=on_t4, bounds=finite)
