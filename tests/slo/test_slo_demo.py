"""The demo source answers the SLO panels' queries, so the built-in wall shows SLOs."""

from __future__ import annotations

import time

import pytest

from noc_app.config.loader import load_builtin
from noc_app.slo.fetch import fetch_status
from noc_app.sources.demo.catalog import Signal, UnknownQuery, resolve


@pytest.mark.parametrize(("expr", "part", "window", "threshold"), [
    ('sum(rate(http_requests_total{status!~"5.."}[1h]))', "good", 3600.0, 0.0),
    ("sum(rate(http_requests_total[10m]))", "total", 600.0, 0.0),
    ('sum(rate(http_request_duration_seconds_bucket{le="0.5"}[30m]))', "fast", 1800.0, 0.5),
    ("sum(rate(http_request_duration_seconds_count[3d]))", "total", 259200.0, 0.0),
])
def test_windowed_sli_queries_resolve(expr, part, window, threshold):
    query = resolve(expr)
    assert (query.signal, query.part, query.window_s, query.threshold_s) == (
        Signal.WINDOWED_RATE, part, window, threshold)


def test_other_ranges_of_unknown_metrics_are_still_refused():
    with pytest.raises(UnknownQuery):
        resolve("sum(rate(other_total[1h]))")


def test_builtin_demo_computes_its_three_slos():
    config = load_builtin("demo")
    now = time.time()  # the demo source's own clock: the SLO window must hold its answers
    figures = {}
    for slo in config.slos:
        outcome = fetch_status(config, slo, now=now)
        assert not isinstance(outcome, str), outcome
        figures[slo.id] = outcome[0]
    for status in figures.values():
        assert status.attainment is not None and status.coverage_s >= 29.9 * 86400 - 3600
        assert status.budget_total_min == pytest.approx((1 - status.target) * 30 * 1440)
    # the same good/total SLI against 99.9 % and 99 %: ten times the budget, same attainment
    avail, errors = figures["availability_slo"], figures["error_rate_slo"]
    # (each fetch starts its own demo source a moment later: nearly the same history)
    assert avail.attainment == pytest.approx(errors.attainment, abs=1e-6)
    assert 1 - errors.budget_remaining == pytest.approx((1 - avail.budget_remaining) / 10, abs=1e-3)
