"""Axis ranges, time ticks and peak-preserving decimation (pure numpy, no Qt)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from noc_app.config.schema import Threshold
from noc_app.model import Severity
from noc_app.widgets.chart_math import (
    AxisRange,
    decimate_minmax,
    finite_extent,
    include_near,
    last_finite,
    nice_range,
    nice_step,
    relative_time_label,
    settle_range,
    severity_bands,
    split_finite_runs,
    time_ticks,
)


def _is_125(value: float) -> bool:
    """True when value is 1, 2 or 5 times a power of ten."""
    exponent = math.floor(math.log10(value))
    mantissa = round(value / 10.0**exponent, 9)
    return mantissa in (1.0, 2.0, 5.0)


def _is_multiple(value: float, step: float) -> bool:
    return abs(value / step - round(value / step)) < 1e-6


@pytest.mark.parametrize(
    ("span", "ticks", "expected"),
    [(100, 5, 20), (130, 5, 20), (1, 5, 0.2), (0.003, 5, 0.0005), (7, 5, 1), (45, 5, 10), (1e9, 4, 2e8), (36, 5, 10)],
)
def test_nice_step_is_1_2_5_times_a_power_of_ten(span, ticks, expected):
    assert nice_step(span, ticks) == pytest.approx(expected)
    assert _is_125(nice_step(span, ticks))


@pytest.mark.parametrize(
    ("lo", "hi", "kwargs", "expected"),
    [
        (3, 97, {}, (0, 100, 20)),
        (0.0123, 0.0871, {}, (0.0, 0.1, 0.02)),
        (212, 689, {"fixed_lo": 0}, (0, 700, 100)),
        (-3.2, 4.1, {}, (-4, 6, 2)),
        (40, 60, {"fixed_lo": 0, "fixed_hi": 100}, (0, 100, 20)),
        (0.2, 0.93, {"fixed_lo": 0, "fixed_hi": 1}, (0, 1, 0.2)),
        (1.2e6, 3.4e6, {"fixed_lo": 0}, (0, 3.5e6, 5e5)),
        (5, 5, {}, (4.4, 5.6, 0.2)),  # a flat line gets room around it
        (0, 0, {}, (-1, 1, 0.5)),
        (math.nan, math.nan, {}, (0, 1, 0.2)),  # nothing to show yet
    ],
)
def test_nice_range_table(lo, hi, kwargs, expected):
    r = nice_range(lo, hi, 5, **kwargs)
    assert (r.lo, r.hi, r.step) == pytest.approx(expected)
    assert r.lo <= min(lo, hi) or math.isnan(lo) or "fixed_lo" in kwargs
    assert r.hi >= max(lo, hi) or math.isnan(hi) or "fixed_hi" in kwargs


def test_free_range_ends_sit_on_step_multiples():
    rng = np.random.default_rng(7)
    for _ in range(200):
        lo, hi = sorted(rng.uniform(-1e4, 1e4, 2) * 10.0 ** rng.integers(-6, 6))
        r = nice_range(lo, hi, int(rng.integers(2, 9)))
        assert _is_125(r.step)
        assert _is_multiple(r.lo, r.step) and _is_multiple(r.hi, r.step)
        assert r.lo <= lo and r.hi >= hi
        assert all(_is_multiple(t, r.step) for t in r.ticks())


def test_ticks_are_clean_multiples_inside_the_range():
    assert AxisRange(lo=0.0, hi=1.0, step=0.1).ticks() == (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
    assert AxisRange(lo=0.0, hi=99.5, step=20.0).ticks() == (0.0, 20.0, 40.0, 60.0, 80.0)  # a fixed max off the grid


def test_settle_range_keeps_the_axis_while_data_fits_and_fills_a_third():
    current = settle_range(None, 212, 689, 5, fixed_lo=0)
    assert (current.lo, current.hi) == (0, 800)  # 5 % headroom over 689, snapped up
    assert settle_range(current, 250, 700, 5, fixed_lo=0) is current  # still fits: no change
    assert settle_range(current, 10, 300, 5, fixed_lo=0) is current  # 300 of 800 is more than a third
    grown = settle_range(current, 10, 950, 5, fixed_lo=0)
    assert grown.hi >= 950 and grown is not current  # data left the range
    shrunk = settle_range(current, 10, 200, 5, fixed_lo=0)
    assert shrunk.hi < 800 and shrunk.hi >= 200  # data uses less than a third
    # A flat line is recomputed each time but lands on the same range: the background survives.
    flat = settle_range(None, 42.0, 42.0, 5)
    assert settle_range(flat, 42.0, 42.0, 5) == flat


def test_thresholds_near_the_data_are_brought_into_view():
    assert include_near(0, 700, (1000,)) == (0, 1000)  # within half a span above
    assert include_near(0, 400, (1000,)) == (0, 400)  # too far: the data would be squashed
    assert include_near(0.5, 0.9, (0.85, 0.7)) == (0.5, 0.9)
    lo, hi = include_near(math.nan, math.nan, (5,))
    assert math.isnan(lo) and math.isnan(hi)


def _brute_columns(x, y, x0, x1, columns):
    """Per aligned column: (min, max) of the finite samples, by plain Python loops."""
    width = (x1 - x0) / columns
    out: dict[float, list[float]] = {}
    for xi, yi in zip(x, y):
        if math.isfinite(yi):
            out.setdefault(math.floor(xi / width), []).append(yi)
    return {k: (min(v), max(v)) for k, v in out.items()}


def test_decimation_keeps_every_columns_spike_and_dip():
    rng = np.random.default_rng(3)
    x = 1_700_000_000.0 + np.arange(3600.0)
    y = rng.normal(100, 5, x.size)
    y[1234] = 10_000.0  # a one-sample spike
    y[2345] = -500.0  # a one-sample dip
    xs, ys = decimate_minmax(x, y, x[0], x[-1], 200)
    assert xs.size <= 2 * 202  # ~two points per column, not 3600
    assert 10_000.0 in ys and -500.0 in ys
    width = (x[-1] - x[0]) / 200
    got: dict[float, list[float]] = {}
    for xi, yi in zip(xs, ys):
        got.setdefault(math.floor(xi / width), []).append(yi)
    expected = _brute_columns(x, y, x[0], x[-1], 200)
    assert {k: (min(v), max(v)) for k, v in got.items()} == expected


def test_decimation_alternates_min_and_max_order():
    x = np.arange(1000.0)
    y = np.sin(x / 3.0)
    _xs, ys = decimate_minmax(x, y, 0.0, 999.0, 100)
    pairs = ys.reshape(-1, 2)
    assert (pairs[0::2, 0] <= pairs[0::2, 1]).all() and (pairs[1::2, 0] >= pairs[1::2, 1]).all()


def test_decimation_keeps_nan_gaps_as_gaps_never_zeros():
    x = np.arange(3600.0)
    y = np.full(x.size, 50.0)
    y[1000:1300] = np.nan  # a five-minute scrape outage
    y[2000] = np.nan  # one missing sample, inside a column
    xs, ys = decimate_minmax(x, y, 0.0, 3599.0, 100)
    runs = split_finite_runs(ys)
    assert len(runs) == 3  # the outage and the single missing sample both break the line
    assert not (ys[np.isfinite(ys)] == 0).any()
    finite_x = xs[np.isfinite(ys)]
    assert not ((finite_x >= 1000) & (finite_x < 1300)).any()  # nothing drawn inside the outage
    # The gap's edges are kept: the line stops at 999 and resumes at 1300.
    assert 999.0 in finite_x and 1300.0 in finite_x


def test_sparse_data_is_returned_as_is_with_its_gaps():
    x = np.arange(0.0, 600.0, 15.0)
    y = np.linspace(1, 2, x.size)
    y[10] = np.nan
    xs, ys = decimate_minmax(x, y, 0.0, 600.0, 800)
    assert xs.size == x.size and np.isnan(ys[10]) and np.array_equal(ys[:10], y[:10])


def test_decimation_clips_to_the_window_keeping_one_point_beyond_each_edge():
    x = np.arange(10_000.0)
    y = x.copy()
    xs, _ys = decimate_minmax(x, y, 5000.5, 6000.5, 100)
    assert xs.min() == 5000.0 and xs.max() == 6001.0
    assert decimate_minmax(x, y, 20_000.0, 21_000.0, 100)[0].size <= 1  # only the last point before
    assert decimate_minmax(np.array([]), np.array([]), 0.0, 1.0, 10)[0].size == 0


def test_all_nan_data_decimates_to_nothing():
    x = np.arange(5000.0)
    xs, ys = decimate_minmax(x, np.full(x.size, np.nan), 0.0, 5000.0, 100)
    assert xs.size == 0 and ys.size == 0


def test_split_finite_runs():
    y = np.array([np.nan, 1, 2, np.nan, np.nan, 3, np.nan, 4, 5, 6])
    assert split_finite_runs(y) == [(1, 3), (5, 6), (7, 10)]
    assert split_finite_runs(np.array([1.0, 2.0])) == [(0, 2)]
    assert split_finite_runs(np.array([np.nan])) == []
    assert split_finite_runs(np.array([])) == []


def test_last_finite_and_extent_skip_nan():
    assert last_finite(np.array([1.0, 2.0, np.nan])) == 2.0
    assert math.isnan(last_finite(np.array([np.nan])))
    assert finite_extent(np.array([np.nan, 3.0, -1.0]), np.array([7.0, np.nan])) == (-1.0, 7.0)
    lo, hi = finite_extent(np.array([np.nan]))
    assert math.isnan(lo) and math.isnan(hi)


@pytest.mark.parametrize(
    ("window", "max_ticks", "expected"),
    [
        (1800, 7, (-1800, -1500, -1200, -900, -600, -300, 0)),
        (1800, 4, (-1800, -1200, -600, 0)),
        (600, 6, (-600, -480, -360, -240, -120, 0)),
        (3600, 5, (-3600, -2700, -1800, -900, 0)),
        (86400, 5, (-86400, -64800, -43200, -21600, 0)),
    ],
)
def test_time_ticks_end_at_now(window, max_ticks, expected):
    assert time_ticks(window, max_ticks) == expected


@pytest.mark.parametrize(
    ("offset", "label"),
    [(0, "now"), (-45, "-45s"), (-300, "-5m"), (-5400, "-1h30m"), (-7200, "-2h"), (-172800, "-2d"), (-90061, "-1d1h")],
)
def test_relative_time_labels(offset, label):
    assert relative_time_label(offset) == label


def test_severity_bands_follow_the_selector_rule():
    warn, crit = Severity.WARNING, Severity.CRITICAL
    gt = (Threshold(value=85, severity=warn), Threshold(value=90, severity=crit))
    assert severity_bands(0, 100, gt) == [(0, 85, None), (85, 90, warn), (90, 100, crit)]
    lt = (Threshold(value=0.85, severity=warn, op="lt"), Threshold(value=0.7, severity=crit, op="lt"))
    assert severity_bands(0, 1, lt) == [(0, 0.7, crit), (0.7, 0.85, warn), (0.85, 1, None)]
    assert severity_bands(0, 100, ()) == [(0, 100, None)]
    assert severity_bands(5, 5, gt) == []


def test_finite_extent_ignores_infinities_but_keeps_the_finite_values():
    inf = math.inf
    assert finite_extent(np.array([1.0, 2.0, inf])) == (1.0, 2.0)
    assert finite_extent(np.array([-inf, 3.0, np.nan, 4.0])) == (3.0, 4.0)
    assert finite_extent(np.array([inf, -inf]), np.array([5.0])) == (5.0, 5.0)
    assert all(math.isnan(v) for v in finite_extent(np.array([inf, np.nan])))


def test_headroom_never_pushes_a_non_negative_series_below_zero():
    latency = settle_range(None, 0.2, 4.6)  # seconds: padding 5 % of the span would reach -0.02
    assert latency.lo == 0.0 and latency.hi >= 4.6
    falling = settle_range(None, -4.6, -0.2)
    assert falling.hi == 0.0 and falling.lo <= -4.6
    crossing = settle_range(None, -1.0, 3.0)
    assert crossing.lo < -1.0  # data on both sides of zero keeps its headroom
