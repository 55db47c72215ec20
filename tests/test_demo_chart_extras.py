"""The demo's deploy markers and per-status rates, as the chart-extras panels of config/demo.yaml ask for them."""

from __future__ import annotations

import numpy as np
import pytest

from noc_app.annotations import merge_gap_s, query_markers
from noc_app.config.schema import SourceConfig
from noc_app.sources.base import MetricQuery, PollPlan
from noc_app.sources.demo.source import DEPLOY_EVERY_S, DEPLOY_OFFSET_S, DemoSource

CONFIG = SourceConfig(id="demo", kind="demo", interval_s=2.0)
START = 1_700_000_000.0


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> float:
        return self.now


def test_deploy_query_marks_each_simulated_deploy_once():
    clock = Clock()
    query = MetricQuery(key="d", expr="changes(deploy_timestamp[1m]) > 0", window_s=3600.0)
    source = DemoSource(CONFIG, PollPlan(metrics=(query,)), clock=clock)
    clock.now = START + 600
    result = source.poll().metrics["d"]
    assert result.error is None
    first = START + DEPLOY_OFFSET_S
    expected = [first - DEPLOY_EVERY_S, first, first + DEPLOY_EVERY_S]  # the ones in the last hour
    assert expected[0] >= clock.now - 3600 and expected[-1] <= clock.now
    markers = query_markers(result, "Deploy", merge_gap_s(3600.0))
    assert [m.at for m in markers] == pytest.approx(expected, abs=5.0)  # on the 5 s step
    values = result.series[0].y
    assert set(np.unique(values[np.isfinite(values)])) == {1.0}  # `> 0` leaves no zeros, only gaps


def test_requests_by_status_sum_the_per_method_rates():
    clock = Clock()
    by_status = MetricQuery(key="s", expr="sum by (status) (rate(http_requests_total[5m]))", instant=True)
    each = MetricQuery(key="e", expr="rate(http_requests_total[5m])", instant=True)
    snap = DemoSource(CONFIG, PollPlan(metrics=(by_status, each)), clock=clock).poll()
    sums = {s.labels["status"]: float(s.y[-1]) for s in snap.metrics["s"].series}
    expected: dict[str, float] = {}
    for s in snap.metrics["e"].series:
        expected[s.labels["status"]] = expected.get(s.labels["status"], 0.0) + float(s.y[-1])
    assert sums == pytest.approx(expected)
    assert {"200", "500", "503"} <= set(sums)
