"""PrometheusSource against a real Prometheus scraping the instrumented sample service."""

from __future__ import annotations

import math
import time
from collections.abc import Iterator

import httpx
import numpy as np
import pytest

import raw_api
import servers
from noc_app.config.schema import SourceConfig
from noc_app.model import AlertState, Severity, Snapshot
from noc_app.sources.alertmanager import AlertmanagerSource
from noc_app.sources.base import MetricQuery, PollPlan, SourceError, Unreachable
from noc_app.sources.prometheus import PrometheusSource

pytestmark = pytest.mark.integration

INSTANT_EXPRS = (
    "sum(rate(http_requests_total[30s]))",
    "rate(http_requests_total[30s])",
    "histogram_quantile(0.95, rate(http_request_duration_seconds_bucket[30s]))",
    "up",
)


def prom_config(url: str, **overrides: object) -> SourceConfig:
    return SourceConfig(**{"id": "prom", "kind": "prometheus", "url": url, "timeout_s": 5.0, **overrides})


def poll_once(config: SourceConfig, plan: PollPlan, *, at: float | None = None) -> Snapshot:
    source = PrometheusSource(config, plan, clock=(lambda: at) if at is not None else time.time)
    try:
        return source.poll()
    finally:
        source.close()


def by_labels(raw_result: list[dict]) -> dict[tuple, dict]:
    return {tuple(sorted(item["metric"].items())): item for item in raw_result}


def test_instant_values_equal_the_raw_api_at_the_same_time(prometheus):
    at = round(time.time() - 5.0, 3)  # in the past: every sample for it is already stored
    plan = PollPlan(metrics=tuple(
        MetricQuery(key=f"wall/p{i}/0", expr=expr, instant=True) for i, expr in enumerate(INSTANT_EXPRS)
    ))
    snapshot = poll_once(prom_config(prometheus.base_url), plan, at=at)
    assert snapshot.taken_at == at
    for i, expr in enumerate(INSTANT_EXPRS):
        result = snapshot.metrics[f"wall/p{i}/0"]
        raw = by_labels(raw_api.prom_query(prometheus.base_url, expr, at=at))
        assert result.error is None, (expr, result.error)
        assert raw, f"raw API returned nothing for {expr}"
        assert {tuple(sorted(s.labels.items())) for s in result.series} == set(raw), expr
        for series in result.series:
            raw_time, raw_value = raw[tuple(sorted(series.labels.items()))]["value"]
            assert series.x.tolist() == [float(raw_time)] == [at]
            expected = float(raw_value)
            got = series.y[0]
            assert (math.isnan(got) and math.isnan(expected)) or got == expected, (expr, series.labels)


def test_range_query_has_a_sane_step_and_matches_the_raw_api(prometheus):
    now = time.time()
    query = MetricQuery(key="wall/rate/0", expr='sum by (method) (rate(http_requests_total[30s]))',
                        legend="{{method}}", window_s=120.0, max_points=60)
    result = poll_once(prom_config(prometheus.base_url), PollPlan(metrics=(query,)), at=now).metrics["wall/rate/0"]
    assert result.error is None
    assert sorted(s.name for s in result.series) == ["DELETE", "GET", "POST", "PUT"]
    for series in result.series:
        steps = np.diff(series.x)
        assert steps.size >= 1
        step = float(steps[0])
        assert np.all(steps == step), "points are evenly spaced on one step"
        assert step >= query.window_s / query.max_points
        assert len(series.x) <= query.max_points + 1
        assert series.x[-1] <= now and series.x[0] >= now - query.window_s - step
        assert np.all(series.x % step == 0), "points sit on the step grid (stable across polls)"
    # The same range through the raw API gives the same numbers.
    get = result.series[0]
    response = httpx.get(f"{prometheus.base_url}/api/v1/query_range", timeout=10, params={
        "query": query.expr, "start": f"{get.x[0]:.3f}", "end": f"{get.x[-1]:.3f}",
        "step": f"{get.x[1] - get.x[0]:g}",
    })
    raw = {item["metric"]["method"]: item["values"] for item in response.json()["data"]["result"]}
    for series in result.series:
        raw_x = [float(t) for t, _ in raw[series.labels["method"]]]
        raw_y = [float(v) for _, v in raw[series.labels["method"]]]
        assert series.x.tolist() == raw_x
        assert np.array_equal(series.y, np.array(raw_y), equal_nan=True)


def test_legends_targets_and_build_info(prometheus):
    plan = PollPlan(
        metrics=(MetricQuery(key="wall/req/0", expr="rate(http_requests_total[30s])",
                             legend="{{method}} {{status}}", instant=True),),
        targets=True,
    )
    snapshot = poll_once(prom_config(prometheus.base_url), plan)
    names = {s.name for s in snapshot.metrics["wall/req/0"].series}
    assert {"GET 200", "POST 201", "GET 500", "DELETE 204"} <= names
    assert {(t.job, t.health) for t in snapshot.targets} == {
        ("ecommerce-api", "up"), ("node", "up"), ("prometheus", "up")}
    assert snapshot.info["version"].startswith("2.")


def test_a_bad_query_fails_only_its_own_panel(prometheus):
    plan = PollPlan(metrics=(
        MetricQuery(key="wall/bad/0", expr="sum(rate(http_requests_total[30s])", instant=True),
        MetricQuery(key="wall/good/0", expr="sum(rate(http_requests_total[30s]))", instant=True),
    ))
    snapshot = poll_once(prom_config(prometheus.base_url), plan)
    bad, good = snapshot.metrics["wall/bad/0"], snapshot.metrics["wall/good/0"]
    assert bad.error is not None and bad.error.startswith("bad_data:") and "parse error" in bad.error
    assert good.error is None and good.series[0].last_value > 0


def test_high_error_rate_fires_and_reaches_the_incident_board(prometheus, alertmanager, sample_behaviour):
    sample_behaviour(error_ratio=0.5)
    firing = servers.wait_for(
        lambda: [a for a in raw_api.firing_alerts(prometheus.base_url) if a["labels"]["alertname"] == "HighErrorRate"],
        timeout_s=60, what="HighErrorRate to fire in Prometheus after error_ratio=0.5",
    )
    assert firing[0]["labels"]["severity"] == "critical"

    # Prometheus' own view, through the adapter.
    snapshot = poll_once(prom_config(prometheus.base_url), PollPlan(alerts=True))
    from_prometheus = [a for a in snapshot.alerts if a.name == "HighErrorRate"]
    assert from_prometheus and all(a.severity is Severity.CRITICAL for a in from_prometheus)
    assert from_prometheus[0].summary == "High error rate detected"

    # And as an incident from Alertmanager, with the dead man's switch healthy.
    am = AlertmanagerSource(
        SourceConfig(id="am", kind="alertmanager", url=alertmanager.base_url, timeout_s=5.0,
                     deadman_alert="Watchdog"),
        PollPlan(alerts=True),
    )
    try:
        def incidents() -> list:
            return [a for a in am.poll().alerts if a.name == "HighErrorRate"]

        incidents_now = servers.wait_for(incidents, timeout_s=30, what="HighErrorRate in AlertmanagerSource")
        final = am.poll()
    finally:
        am.close()
    incident = incidents_now[0]
    assert incident.severity is Severity.CRITICAL and incident.severity.priority == "P0"
    assert incident.state is AlertState.FIRING
    assert incident.labels["service"] == "ecommerce-api" and incident.labels["job"] == "ecommerce-api"
    assert incident.annotations["runbook"] == "https://wiki.company.com/runbooks/high-error-rate"
    assert incident.url.startswith("http://") and "/graph?" in incident.url
    assert final.degraded == ()  # Watchdog present
    assert all(a.name != "Watchdog" for a in final.alerts)  # a health signal, not an incident


@pytest.fixture
def private_prometheus(tmp_path, sample_service) -> Iterator[servers.Server]:
    """A Prometheus of this test's own, so killing it cannot disturb the shared one."""
    server = servers.start_on_free_ports(
        lambda: servers.prometheus(tmp_path / "prometheus",
                                   scrape={"ecommerce-api": [f"{servers.LOOPBACK}:{sample_service.port}"]},
                                   rule_files=()),
        servers.Server.start,
    )
    yield server
    server.stop()


def test_killed_prometheus_is_unreachable_and_recovers_on_restart(private_prometheus):
    query = MetricQuery(key="wall/up/0", expr='up{job="ecommerce-api"}', instant=True)
    source = PrometheusSource(prom_config(private_prometheus.base_url, timeout_s=2.0), PollPlan(metrics=(query,)))
    try:
        servers.wait_for(lambda: source.poll().metrics["wall/up/0"].series, timeout_s=20,
                         what="the first scrape to show up")

        private_prometheus.kill()
        with pytest.raises(Unreachable, match=r"^connection refused: "):
            source.poll()

        private_prometheus.start()  # same port, same data directory
        deadline = time.monotonic() + 30
        while True:
            try:
                snapshot = source.poll()
                break
            except SourceError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.25)
        servers.wait_for(lambda: source.poll().metrics["wall/up/0"].series, timeout_s=20,
                         what="data after the restart")
        assert snapshot.source_id == "prom"
        assert source.poll().metrics["wall/up/0"].series[0].last_value == 1.0
    finally:
        source.close()
