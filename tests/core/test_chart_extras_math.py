"""Pure maths of the chart extras: stacking with gaps, marker placement, markers from samples and alerts."""

from __future__ import annotations

import math

import numpy as np

from noc_app.annotations import alert_markers, merge_gap_s, query_markers
from noc_app.model import Alert, AlertState, QueryResult, Series, Severity
from noc_app.widgets.chart_math import marker_xs, stack_series

NAN = math.nan


def _s(x, y) -> tuple[np.ndarray, np.ndarray]:
    return np.asarray(x, dtype=float), np.asarray(y, dtype=float)


def test_stack_adds_in_order_and_a_gap_adds_zero_and_stays_a_gap():
    (xa, ya), (xb, yb), (xc, yc) = _s([0, 1, 2], [1, NAN, 1]), _s([0, 1, 2], [2, 2, 2]), _s([0, 1, 2], [4, 4, np.inf])
    a, b, c = stack_series([xa, xb, xc], [ya, yb, yc])
    np.testing.assert_array_equal(a, [1, NAN, 1])
    np.testing.assert_array_equal(b, [3, 2, 3])
    np.testing.assert_array_equal(c, [7, 6, NAN])  # +Inf cannot be stacked: a gap


def test_stack_on_unaligned_times_sums_per_timestamp_and_keeps_each_series_own_times():
    low, high = stack_series([np.array([0.0, 10.0]), np.array([0.0, 5.0, 10.0])],
                             [np.array([1.0, 1.0]), np.array([2.0, 2.0, 2.0])])
    np.testing.assert_array_equal(low, [1, 1])
    np.testing.assert_array_equal(high, [3, 2, 3])  # at t=5 the lower series has no sample: adds 0
    assert stack_series([], []) == []


def test_marker_xs_maps_times_into_the_plot_and_drops_those_outside():
    xs = marker_xs(np.array([100.0, 150.0, 200.0, 99.0, 201.0]), 100.0, 200.0, 10.0, 400.0)
    np.testing.assert_array_equal(xs, [10.0, 210.0, 410.0, NAN, NAN])


def _result(x, y) -> QueryResult:
    return QueryResult.build([Series(key="d", name="d", labels={}, x=np.asarray(x, float), y=np.asarray(y, float))])


def test_query_markers_one_per_run_of_positive_samples():
    gap = 25.0
    # run at 0..30 (step 10), NaN gap, run at 100, a 0 then a run at 130; missing samples (a `> 0` filter) split too
    x = [0, 10, 20, 30, 40, 100, 110, 120, 130, 300, 310]
    y = [1, 1, 1, 1, NAN, 2, 2, 0, 1, 1, 1]
    assert [m.at for m in query_markers(_result(x, y), "Deploy", gap)] == [0.0, 100.0, 130.0, 300.0]
    assert query_markers(QueryResult.build(error="boom"), "Deploy", gap) == []
    assert query_markers(None, "Deploy", gap) == []


def test_merge_gap_follows_the_planned_step():
    assert merge_gap_s(3600.0) == 2.5 * 5.0  # 720 points over an hour: a 5 s step


def test_alert_markers_at_each_distinct_start_of_that_alert():
    def alert(name: str, fp: str, start: float) -> Alert:
        return Alert(fingerprint=fp, source_id="am", name=name, severity=Severity.CRITICAL,
                     state=AlertState.FIRING, starts_at=start)
    alerts = [alert("HighErrorRate", "a", 200.0), alert("HighErrorRate", "b", 200.0),
              alert("HighErrorRate", "c", 100.0), alert("DiskFull", "d", 150.0)]
    assert [(m.at, m.title) for m in alert_markers(alerts, "HighErrorRate", "errors")] == [
        (100.0, "errors"), (200.0, "errors")]
