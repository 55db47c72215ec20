"""PrometheusSource against a real VictoriaMetrics (Prometheus-compatible query API)."""

from __future__ import annotations

import math
import time

import numpy as np
import pytest

import raw_api
import servers
from noc_app.config.schema import SourceConfig
from noc_app.model import Snapshot
from noc_app.sources.base import MetricQuery, PollPlan
from noc_app.sources.prometheus import PrometheusSource

pytestmark = pytest.mark.integration

JOB = '{job="ecommerce-api"}'


def poll_vm(url: str, plan: PollPlan, *, at: float | None = None) -> Snapshot:
    config = SourceConfig(id="vm", kind="prometheus", url=url, timeout_s=5.0)
    source = PrometheusSource(config, plan, clock=(lambda: at) if at is not None else time.time)
    try:
        return source.poll()
    finally:
        source.close()


@pytest.fixture(scope="module")
def vm(victoria_metrics):
    """VictoriaMetrics once it can compute rates a few seconds in the past."""
    servers.wait_for(
        lambda: raw_api.prom_query(victoria_metrics.base_url, f"sum(rate(http_requests_total{JOB}[30s]))",
                                   at=time.time() - 5),
        timeout_s=30, what="request rates in VictoriaMetrics",
    )
    return victoria_metrics


@pytest.mark.parametrize("expr", [
    f"sum(http_requests_total{JOB})",
    f"rate(http_requests_total{JOB}[30s])",
    f"histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{JOB}[30s])))",
])
def test_instant_values_equal_the_raw_api_at_the_same_time(vm, expr):
    at = round(time.time() - 5.0, 3)
    snapshot = poll_vm(vm.base_url, PollPlan(metrics=(MetricQuery(key="wall/q/0", expr=expr, instant=True),)), at=at)
    result = snapshot.metrics["wall/q/0"]
    raw = {tuple(sorted(item["metric"].items())): item["value"] for item in
           raw_api.prom_query(vm.base_url, expr, at=at)}
    assert result.error is None, result.error
    assert raw and {tuple(sorted(s.labels.items())) for s in result.series} == set(raw)
    for series in result.series:
        raw_time, raw_value = raw[tuple(sorted(series.labels.items()))]
        assert series.x.tolist() == [float(raw_time)]
        got, expected = series.y[0], float(raw_value)
        assert (math.isnan(got) and math.isnan(expected)) or got == expected


def test_range_query_steps_and_legend(vm):
    query = MetricQuery(key="wall/rate/0", expr=f"sum by (method) (rate(http_requests_total{JOB}[30s]))",
                        legend="{{method}}", window_s=60.0, max_points=30)
    now = time.time()
    result = poll_vm(vm.base_url, PollPlan(metrics=(query,)), at=now).metrics["wall/rate/0"]
    assert result.error is None
    assert sorted(s.name for s in result.series) == ["DELETE", "GET", "POST", "PUT"]
    for series in result.series:
        steps = np.diff(series.x)
        assert steps.size >= 1 and np.all(steps == steps[0]) and steps[0] >= query.window_s / query.max_points
        assert series.x[-1] <= now
        assert np.all(np.isfinite(series.y) & (series.y >= 0))


def test_same_series_as_prometheus_for_the_same_query(vm, prometheus):
    """Both scrape the same sample service: the same query names the same series."""
    plan = PollPlan(metrics=(MetricQuery(key="wall/req/0", expr=f"http_requests_total{JOB}", instant=True),))
    from_vm = poll_vm(vm.base_url, plan).metrics["wall/req/0"]
    config = SourceConfig(id="prom", kind="prometheus", url=prometheus.base_url, timeout_s=5.0)
    source = PrometheusSource(config, plan)
    try:
        from_prom = source.poll().metrics["wall/req/0"]
    finally:
        source.close()
    def label_sets(result):
        return {(s.labels["method"], s.labels["status"], s.labels["job"]) for s in result.series}
    assert len(from_vm.series) == 20  # 4 methods x (success, 404, three 5xx), all pre-initialised
    assert label_sets(from_vm) == label_sets(from_prom)


def test_query_error_from_victoria_metrics_stays_with_its_panel(vm):
    plan = PollPlan(metrics=(
        MetricQuery(key="wall/bad/0", expr="sum(rate(http_requests_total[30s])", instant=True),
        MetricQuery(key="wall/good/0", expr=f'up{JOB}', instant=True),
    ))
    snapshot = poll_vm(vm.base_url, plan)
    bad, good = snapshot.metrics["wall/bad/0"], snapshot.metrics["wall/good/0"]
    assert bad.series == () and bad.error and "sum(rate(http_requests_total[30s])" in bad.error
    assert good.error is None and good.series[0].last_value == 1.0
