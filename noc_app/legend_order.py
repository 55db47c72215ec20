"""Legend order of a time-series panel: by newest value, peak, mean or name (pure).

The default is the newest value, highest first: on a real Prometheus the busy
series lead the legend, not DELETE at 0 req/s.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class SeriesStats:
    """What a legend can be sorted by: the series' name, newest value, peak and mean (NaN: none)."""

    name: str
    last: float
    max: float
    mean: float


def series_stats(name: str, y: np.ndarray) -> SeriesStats:
    """Stats of one series; NaN points are gaps, +-Inf are values (a division by zero sorts first)."""
    present = y[~np.isnan(y)]
    if not present.size:
        return SeriesStats(name, math.nan, math.nan, math.nan)
    with np.errstate(invalid="ignore"):  # +Inf and -Inf together have no mean: NaN, sorted last
        mean = float(present.mean())
    return SeriesStats(name, float(present[-1]), float(present.max()), mean)


def legend_order(stats: Sequence[SeriesStats], sort: str = "last", order: str = "desc") -> list[int]:
    """Indices of `stats` in legend order: by last/max/mean value or by name, series without values last.

    Ties keep their given order (stable), so equal series do not swap places between updates.
    """
    if sort == "name":
        ranked = sorted(range(len(stats)), key=lambda i: stats[i].name.casefold(), reverse=order == "desc")
        return ranked
    values = [getattr(s, sort) for s in stats]
    present = [i for i, v in enumerate(values) if not math.isnan(v)]
    missing = [i for i, v in enumerate(values) if math.isnan(v)]
    present.sort(key=lambda i: values[i], reverse=order == "desc")
    return present + missing


SWAP_MARGIN = 0.1  # a series overtakes its neighbour only when ahead by 10 % of the larger value


def steady_legend_order(
    stats: Sequence[SeriesStats],
    keys: Sequence[str],
    previous: Sequence[str],
    sort: str = "last",
    order: str = "desc",
    margin: float = SWAP_MARGIN,
) -> list[int]:
    """legend_order, but keeping the previous order of keys until a series is clearly ahead.

    Two series at 11.7 and 12.1 req/s would swap at every refresh (and each swap re-lays the
    legend): here one overtakes the other only when ahead by `margin` of the larger value.
    New series enter at their sorted place; a name sort needs no margin.
    """
    fresh = legend_order(stats, sort, order)
    if sort == "name" or not previous:
        return fresh
    where = {key: i for i, key in enumerate(keys)}
    start = [where[k] for k in previous if k in where]
    kept = set(start)
    ranked = start + [i for i in fresh if i not in kept]
    values = [getattr(s, sort) for s in stats]
    sign = 1.0 if order == "desc" else -1.0

    def clearly_ahead(a: int, b: int) -> bool:
        va, vb = values[a], values[b]
        if math.isnan(va):
            return False
        if math.isnan(vb):
            return True
        if math.isinf(va) or math.isinf(vb):
            return sign * va > sign * vb
        return sign * (va - vb) > margin * max(abs(va), abs(vb))

    for i in range(1, len(ranked)):  # insertion sort: moves only past clearly slower neighbours
        j = i
        while j > 0 and clearly_ahead(ranked[j], ranked[j - 1]):
            ranked[j - 1], ranked[j] = ranked[j], ranked[j - 1]
            j -= 1
    return ranked
