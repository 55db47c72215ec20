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
