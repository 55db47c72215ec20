"""Histogram maths: bucket queries, shares, histogram_quantile and Apdex (pure, no Qt)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from noc_app.histogram import (
    MAX_BUCKETS,
    apdex,
    bucket_query,
    bucket_shares,
    buckets_from_series,
    format_bound,
    format_bounds,
    format_window,
    histogram_quantile,
)
from noc_app.model import Series

T0 = 1_700_000_000.0


def _buckets(table: dict[str, list[float]]):
    series = []
    for le, values in table.items():
        y = np.asarray(values, dtype=np.float64)
        series.append(Series(key=le, name=le, labels={"le": le}, x=T0 + np.arange(y.size) * 10.0, y=y))
    return buckets_from_series(series)


@pytest.mark.parametrize(("name", "selector", "window", "expected"), [
    ("http_request_duration_seconds", "", 300, "sum by (le) (rate(http_request_duration_seconds_bucket[5m]))"),
    ("rpc_seconds", '{job="api"}', 90, 'sum by (le) (rate(rpc_seconds_bucket{job="api"}[90s]))'),
    ("x", "", 7200, "sum by (le) (rate(x_bucket[2h]))"),
])
def test_bucket_query(name, selector, window, expected):
    assert bucket_query(name, selector, window) == expected


def test_format_window_and_bounds():
    assert [format_window(s) for s in (30, 60, 300, 3600, 5400)] == ["30s", "1m", "5m", "1h", "90m"]
    assert [format_bound(b) for b in (0.005, 0.25, 1.0, 2.5, math.inf)] == ["5 ms", "250 ms", "1 s", "2.5 s", "+Inf"]
    assert format_bounds((0.005, 0.01, 0.25, 1.0, 2.5)) == "5 10 250 ms, 1 2.5 s"


# Cumulative: 50 requests <= 0.1 s, 90 <= 0.5 s, 100 <= 1 s, 100 in all.
SIMPLE = {"0.1": [50], "0.5": [90], "1": [100], "+Inf": [100]}


@pytest.mark.parametrize(("q", "expected"), [
    (0.5, 0.1),  # rank 50 is the top of the first bucket
    (0.25, 0.05),  # first bucket: from 0 to 0.1, linear
    (0.95, 0.75),  # rank 95 in (0.5, 1]: 0.5 + 0.5 * (95 - 90) / 10
    (0.99, 0.95),
    (1.0, 1.0),
])
def test_histogram_quantile_matches_prometheus(q, expected):
    assert histogram_quantile(q, _buckets(SIMPLE))[0] == pytest.approx(expected)


def test_quantile_in_the_inf_bucket_is_the_highest_finite_bound():
    buckets = _buckets({"0.1": [50], "1": [90], "+Inf": [100]})
    assert histogram_quantile(0.95, buckets)[0] == pytest.approx(1.0)


def test_quantile_needs_an_inf_bucket_and_requests():
    assert math.isnan(histogram_quantile(0.95, _buckets({"0.1": [5], "1": [10]}))[0])
    assert math.isnan(histogram_quantile(0.95, _buckets({"0.1": [0], "+Inf": [0]}))[0])


def test_quantile_per_time_step_and_labels_out_of_order():
    buckets = _buckets({"+Inf": [100, 10], "1": [100, 10], "0.5": [90, 0], "0.1": [50, 0]})
    assert list(buckets.bounds) == [0.1, 0.5, 1.0, math.inf]
    assert histogram_quantile(0.95, buckets) == pytest.approx([0.75, 0.975])


def test_bucket_shares_are_each_buckets_own_share():
    buckets = _buckets({"0.1": [50, 0], "0.5": [90, 0], "1": [100, 0], "+Inf": [100, 0]})
    shares = bucket_shares(buckets)
    assert shares[:, 0] == pytest.approx([0.5, 0.4, 0.1, 0.0])
    assert np.isnan(shares[:, 1]).all()  # no requests: nothing to show, not zeros


def test_a_dip_in_cumulative_rates_is_never_a_negative_share():
    shares = bucket_shares(_buckets({"0.1": [60], "0.5": [55], "+Inf": [100]}))
    assert (shares[:, 0] >= 0).all() and shares[:, 0].sum() == pytest.approx(1.0)


def test_series_with_the_same_le_are_summed_and_junk_le_ignored():
    y = np.array([5.0])
    series = [Series(key=f"{le}{i}", name="", labels={"le": le}, x=np.array([T0]), y=y)
              for i, le in enumerate(("0.1", "0.1", "+Inf", "+Inf", "abc"))]
    buckets = buckets_from_series(series)
    assert list(buckets.bounds) == [0.1, math.inf] and list(buckets.counts[:, 0]) == [10.0, 10.0]
    assert buckets_from_series([Series(key="a", name="", labels={}, x=np.array([T0]), y=y)]) is None


def test_bucket_count_is_bounded():
    bounds = [str(i) for i in range(1, MAX_BUCKETS + 20)] + ["+Inf"]
    buckets = _buckets({le: [float(i)] for i, le in enumerate(bounds)})
    assert buckets.bounds.size == MAX_BUCKETS and math.isinf(buckets.bounds[-1])


# -- Apdex -------------------------------------------------------------------------------

APDEX_DATA = {"0.1": [50], "0.25": [60], "0.5": [80], "1": [90], "+Inf": [100]}


def test_apdex_with_t_and_4t_on_bucket_bounds():
    score = apdex(_buckets(APDEX_DATA), 0.25)
    assert score.score == pytest.approx((60 + (90 - 60) / 2) / 100)
    assert (score.t_on_bound, score.t4_on_bound, score.warning) == (True, True, "")


def test_apdex_with_t_off_a_bound_is_interpolated_and_says_so():
    score = apdex(_buckets(APDEX_DATA), 0.3)  # 4T = 1.2 s: beyond the last finite bound
    satisfied = 60 + (80 - 60) * (0.3 - 0.25) / (0.5 - 0.25)
    assert score.score == pytest.approx((satisfied + (90 - satisfied) / 2) / 100)
    assert (score.t_on_bound, score.t4_on_bound) == (False, False)
    assert score.warning == (
        "T=300 ms and 4T=1.2 s are not bucket boundaries; interpolated. Boundaries: 100 250 500 ms, 1 s")


def test_apdex_only_4t_off_a_bound():
    score = apdex(_buckets(APDEX_DATA), 0.1)  # 4T = 0.4
    assert (score.t_on_bound, score.t4_on_bound) == (True, False)
    assert score.warning.startswith("4T=400 ms is not a bucket boundary;")


def test_apdex_without_requests_or_total_is_nan():
    assert math.isnan(apdex(_buckets({"0.25": [0], "1": [0], "+Inf": [0]}), 0.25).score)
    assert math.isnan(apdex(_buckets({"0.25": [5], "1": [9]}), 0.25).score)


def test_apdex_reads_the_newest_step():
    score = apdex(_buckets({"0.25": [0, 100], "1": [0, 100], "+Inf": [100, 100]}), 0.25)
    assert score.score == pytest.approx(1.0)
