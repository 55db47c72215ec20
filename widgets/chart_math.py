"""Chart arithmetic for the metric bodies: axis ranges, time ticks, decimation (pure, Qt-free).

Everything here is vectorised numpy or works on a handful of tick values, so a
panel's per-update cost does not grow with the number of raw points beyond one
numpy pass.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from noc_app.config.schema import Threshold
from noc_app.model import Severity
from noc_app.selectors import threshold_severity

_MANTISSAS = (1.0, 2.0, 5.0, 10.0)
# Geometric midpoints between 1, 2, 5 and 10: pick the mantissa closest in log space.
_MANTISSA_CUTS = (math.sqrt(2.0), math.sqrt(10.0), math.sqrt(50.0))
_EMPTY = np.empty(0, dtype=np.float64)


def nice_step(span: float, target_ticks: int = 5) -> float:
    """The 1-2-5 x 10^n step that splits `span` into about `target_ticks` intervals."""
    if not math.isfinite(span) or span <= 0:
        return 1.0
    raw = span / max(1, target_ticks)
    exponent = math.floor(math.log10(raw))
    fraction = raw / 10.0**exponent
    mantissa = _MANTISSAS[sum(fraction > cut for cut in _MANTISSA_CUTS)]
    return _clean(mantissa * 10.0**exponent)


@dataclass(frozen=True, kw_only=True, slots=True)
class AxisRange:
    """A value axis: its ends and the 1-2-5 step between its ticks."""

    lo: float
    hi: float
    step: float

    @property
    def span(self) -> float:
        return self.hi - self.lo

    def ticks(self) -> tuple[float, ...]:
        """Tick values: the multiples of `step` inside [lo, hi]."""
        first = math.ceil(self.lo / self.step - 1e-9)
        last = math.floor(self.hi / self.step + 1e-9)
        return tuple(_clean(k * self.step) for k in range(first, last + 1))


def nice_range(
    lo: float,
    hi: float,
    target_ticks: int = 5,
    *,
    fixed_lo: float | None = None,
    fixed_hi: float | None = None,
) -> AxisRange:
    """An axis covering [lo, hi] whose free ends sit on 1-2-5 steps; fixed ends are kept as given."""
    lo = fixed_lo if fixed_lo is not None else lo
    hi = fixed_hi if fixed_hi is not None else hi
    if not math.isfinite(lo) and not math.isfinite(hi):
        lo, hi = 0.0, 1.0
    elif not math.isfinite(lo):
        lo = min(0.0, hi)
    elif not math.isfinite(hi):
        hi = max(lo + 1.0, 1.0)
    if hi < lo:
        lo, hi = hi, lo
    if hi == lo:  # a flat line: give it room around its value
        pad = abs(lo) * 0.1 or 1.0
        lo = lo if fixed_lo is not None else lo - pad
        hi = hi if fixed_hi is not None else hi + pad
        if hi == lo:
            hi = lo + pad
    step = nice_step(hi - lo, target_ticks)
    new_lo = lo if fixed_lo is not None else _clean(math.floor(lo / step + 1e-9) * step)
    new_hi = hi if fixed_hi is not None else _clean(math.ceil(hi / step - 1e-9) * step)
    return AxisRange(lo=new_lo, hi=new_hi, step=step)


def settle_range(
    current: AxisRange | None,
    lo: float,
    hi: float,
    target_ticks: int = 5,
    *,
    fixed_lo: float | None = None,
    fixed_hi: float | None = None,
    headroom: float = 0.05,
) -> AxisRange:
    """Keep `current` while [lo, hi] fits in it and uses at least a third of it; else a new nice range.

    The hysteresis keeps a panel's cached background (grid, labels) valid across
    most updates: the axis only moves when data leaves it or shrinks well inside it.
    """
    if not (math.isfinite(lo) and math.isfinite(hi)):
        lo = hi = lo if math.isfinite(lo) else hi
    if current is not None and math.isfinite(lo):
        used_lo = fixed_lo if fixed_lo is not None else lo
        used_hi = fixed_hi if fixed_hi is not None else hi
        fits = current.lo <= used_lo and used_hi <= current.hi
        if fits and (used_hi - used_lo) * 3.0 >= current.span:
            return current
    pad = (hi - lo) * headroom if math.isfinite(lo) else 0.0
    # Headroom never crosses zero: a latency of 0.2-4.6 s gets an axis from 0 s, not a "-1 s" tick.
    padded_lo = 0.0 if lo >= 0.0 > lo - pad else lo - pad
    padded_hi = 0.0 if hi <= 0.0 < hi + pad else hi + pad
    return nice_range(padded_lo, padded_hi, target_ticks, fixed_lo=fixed_lo, fixed_hi=fixed_hi)


def include_near(lo: float, hi: float, values: tuple[float, ...], reach: float = 0.5) -> tuple[float, float]:
    """Widen [lo, hi] to take in the values lying within `reach` spans of it (thresholds near the data)."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return lo, hi
    span = max(hi - lo, 0.1 * max(abs(lo), abs(hi)), 1e-12)
    new_lo, new_hi = lo, hi
    for value in values:
        if math.isfinite(value) and lo - reach * span <= value <= hi + reach * span:
            new_lo, new_hi = min(new_lo, value), max(new_hi, value)
    return new_lo, new_hi


def finite_extent(*arrays: np.ndarray) -> tuple[float, float]:
    """(min, max) of the finite values of all arrays; (nan, nan) when there are none."""
    lo, hi = math.inf, -math.inf
    for array in arrays:
        if array.size:
            a_lo, a_hi = np.fmin.reduce(array), np.fmax.reduce(array)  # NaN-skipping, no warnings
            if np.isinf(a_lo) or np.isinf(a_hi):  # +-Inf are values, but not ones an axis can reach
                finite = array[np.isfinite(array)]
                if not finite.size:
                    continue
                a_lo, a_hi = finite.min(), finite.max()
            if math.isfinite(a_lo):
                lo = min(lo, float(a_lo))
            if math.isfinite(a_hi):
                hi = max(hi, float(a_hi))
    return (lo, hi) if lo <= hi else (math.nan, math.nan)


def decimate_minmax(
    x: np.ndarray, y: np.ndarray, x0: float, x1: float, columns: int
) -> tuple[np.ndarray, np.ndarray]:
    """Clip (x, y) to [x0, x1] and reduce it to a min and a max per column (in alternating order); NaN gaps stay NaN.

    x must be ascending.  One point either side of the window is kept so lines
    reach the edges.  Columns are aligned to multiples of their width in x, so a
    sliding window keeps each column's content stable (no shimmer).  A finite run
    never joins across a NaN, even inside one column: the output then holds a NaN
    separator.  Sparse data (at most two points per column) is returned as is.
    """
    n = x.size
    if n == 0 or columns < 1 or not x1 > x0:
        return _EMPTY, _EMPTY
    start = max(0, int(np.searchsorted(x, x0, "left")) - 1)
    stop = min(n, int(np.searchsorted(x, x1, "right")) + 1)
    xv, yv = x[start:stop], y[start:stop]
    if xv.size <= 2 * columns:
        return xv, yv
    finite = np.isfinite(yv)
    width = (x1 - x0) / columns
    if finite.all():  # the usual case: no gaps, so no run bookkeeping and no copies
        column = np.floor(xv / width)  # (np.floor_divide is 30x slower on floats)
        starts = np.flatnonzero(column[1:] != column[:-1]) + 1
        starts = np.concatenate(([0], starts))
        xs, ys = _pairs(xv, yv, starts)
        return xs.ravel(), ys.ravel()
    idx = np.flatnonzero(finite)
    if idx.size == 0:
        return _EMPTY, _EMPTY
    xf, yf = xv[idx], yv[idx]
    new_run = np.empty(idx.size, dtype=bool)
    new_run[0] = True
    np.greater(np.diff(idx), 1, out=new_run[1:])
    column = np.floor(xf / width)
    seg_start = new_run.copy()
    seg_start[1:] |= column[1:] != column[:-1]
    starts = np.flatnonzero(seg_start)
    pair_x, pair_y = _pairs(xf, yf, starts)
    # Segments that open a new finite run get a NaN separator before them.
    gap_before = new_run[starts]
    gap_before[0] = False
    pos = 2 * np.arange(starts.size) + np.cumsum(gap_before)
    out_n = 2 * starts.size + int(gap_before.sum())
    xs = np.full(out_n, np.nan)
    ys = np.full(out_n, np.nan)
    xs[pos], xs[pos + 1] = pair_x[:, 0], pair_x[:, 1]
    ys[pos], ys[pos + 1] = pair_y[:, 0], pair_y[:, 1]
    return xs, ys


def _pairs(x: np.ndarray, y: np.ndarray, starts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per segment (rows from `starts`): its first/last x and its min/max y, as (n, 2) arrays.

    Odd segments list max before min: the joins between columns then link
    neighbouring extremes (short) instead of spanning each column's range again,
    which halves the pixels a noisy line costs without changing what it covers.
    """
    pair_x = np.empty((starts.size, 2))
    pair_x[:, 0] = x[starts]
    pair_x[:-1, 1] = x[starts[1:] - 1]
    pair_x[-1, 1] = x[-1]
    pair_y = np.empty((starts.size, 2))
    np.minimum.reduceat(y, starts, out=pair_y[:, 0])
    np.maximum.reduceat(y, starts, out=pair_y[:, 1])
    pair_y[1::2] = pair_y[1::2, ::-1].copy()
    return pair_x, pair_y


def split_finite_runs(values: np.ndarray) -> list[tuple[int, int]]:
    """(start, stop) index pairs of the runs of finite values: the pieces a line is drawn in."""
    finite = np.isfinite(values)
    if finite.all():
        return [(0, int(values.size))] if values.size else []
    edges = np.diff(finite.astype(np.int8), prepend=np.int8(0), append=np.int8(0))
    # Padded with 0 at both ends, every run's rise (+1) has its fall (-1).
    return list(zip(np.flatnonzero(edges == 1).tolist(), np.flatnonzero(edges == -1).tolist(), strict=True))


def last_finite(values: np.ndarray) -> float:
    """The newest finite value, NaN when there is none (fast when the last one is finite)."""
    if values.size and math.isfinite(values[-1]):
        return float(values[-1])
    finite = np.flatnonzero(np.isfinite(values))
    return float(values[finite[-1]]) if finite.size else math.nan


_TIME_STEPS = (
    1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200,
    86400, 172800, 604800,
)


def time_ticks(window_s: float, max_ticks: int) -> tuple[float, ...]:
    """Relative-time tick offsets (seconds, negative, ascending, ending at 0 = now) for a window."""
    if not window_s > 0:
        return (0.0,)
    limit = max(1, max_ticks)
    step = next((s for s in _TIME_STEPS if window_s / s <= limit), None)
    if step is None:
        step = math.ceil(window_s / limit / 86400) * 86400
    count = math.floor(window_s / step + 1e-9)
    return tuple(float(-k * step) for k in range(count, -1, -1))


def relative_time_label(offset_s: float) -> str:
    """'now', '-45s', '-5m', '-1h30m', '-2d' for a tick offset."""
    seconds = round(abs(offset_s))
    if seconds == 0:
        return "now"
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{v}{u}" for v, u in ((days, "d"), (hours, "h"), (minutes, "m"), (secs, "s")) if v]
    return "-" + "".join(parts[:2])


def severity_bands(
    lo: float, hi: float, thresholds: tuple[Threshold, ...]
) -> list[tuple[float, float, Severity | None]]:
    """Split [lo, hi] into intervals by threshold, each with the severity its values have (None: fine)."""
    if not hi > lo:
        return []
    cuts = sorted({lo, hi, *(t.value for t in thresholds if lo < t.value < hi)})
    bands: list[tuple[float, float, Severity | None]] = []
    for a, b in itertools.pairwise(cuts):
        # The selector's rule (gt means >=) decides; the midpoint is never on a cut.
        severity = threshold_severity((a + b) / 2.0, thresholds)
        if bands and bands[-1][2] == severity:
            bands[-1] = (bands[-1][0], b, severity)
        else:
            bands.append((a, b, severity))
    return bands


def _clean(value: float) -> float:
    """Drop binary float noise from a tick value (0.30000000000000004 -> 0.3)."""
    return float(f"{value:.12g}")


def stack_series(xs: list[np.ndarray], ys: list[np.ndarray]) -> list[np.ndarray]:
    """Each series' values plus those of the series before it (stacked in the given order), at its own x.

    Values are summed per timestamp (the union of all series' times).  A gap (NaN,
    or +-Inf, which cannot be stacked) or a missing sample adds 0 to the series
    above and stays a gap in the series' own curve, so one gap never breaks the
    stack.
    """
    if not xs:
        return []
    grid = np.unique(np.concatenate(xs))
    total = np.zeros(grid.size)
    stacked = []
    for x, y in zip(xs, ys, strict=True):
        at = np.searchsorted(grid, x)
        finite = np.isfinite(y)
        np.add.at(total, at[finite], y[finite])
        stacked.append(np.where(finite, total[at], np.nan))
    return stacked


def marker_xs(times: np.ndarray, x0: float, x1: float, left: float, width: float) -> np.ndarray:
    """Pixel x of each time on a plot showing [x0, x1] from `left` over `width`; NaN outside the window."""
    if not x1 > x0:
        return np.full(times.shape, np.nan)
    inside = (times >= x0) & (times <= x1)
    return np.where(inside, left + (times - x0) / (x1 - x0) * width, np.nan)
