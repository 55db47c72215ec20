"""config/ecommerce.yaml works against real backends: every panel query answers, the incident board is healthy."""

from __future__ import annotations

import dataclasses
import math

import pytest

from noc_app.config.loader import load_config
from noc_app.config.schema import AppConfig
from noc_app.sources.base import MetricQuery, PollPlan
from noc_app.sources.registry import create_source
import servers
from servers import REPO_ROOT

pytestmark = pytest.mark.integration

CONFIG = REPO_ROOT / "config" / "ecommerce.yaml"


@pytest.fixture(scope="module")
def wall() -> AppConfig:
    return load_config(CONFIG)


def panel_queries(wall: AppConfig, source_id: str) -> tuple[MetricQuery, ...]:
    return tuple(  # every dashboard: the main wall and the SLO panels (their queries are bound by the loader)
        MetricQuery(key=f"{dashboard.id}/{panel.id}/{i}", expr=q.expr, legend=q.legend,
                    instant=panel.kind in ("stat", "gauge") if q.instant is None else q.instant,
                    window_s=panel.window_s)
        for dashboard in wall.dashboards
        for panel in dashboard.panels if panel.source == source_id
        for i, q in enumerate(panel.queries)
    )


def test_the_wall_points_at_the_demo_stack_ports(wall):
    assert wall.source("prom").url == "http://127.0.0.1:19090"
    assert wall.source("am").url == "http://127.0.0.1:19093"
    assert wall.source("am").deadman_alert == "Watchdog"
    incidents = next(p for p in wall.dashboards[0].panels if p.kind == "incidents")
    assert incidents.source == "am"


def test_every_prometheus_panel_query_answers_with_data(wall, prometheus):
    config = dataclasses.replace(wall.source("prom"), url=prometheus.base_url)
    queries = panel_queries(wall, "prom")
    assert len(queries) >= 12
    source = create_source(config, PollPlan(metrics=queries, targets=True))
    try:
        snapshot = source.poll()
    finally:
        source.close()
    errors = {k: r.error for k, r in snapshot.metrics.items() if r.error}
    assert errors == {}
    # "/" may be an overlay filesystem node_exporter ignores (containers): NO DATA is honest there.
    # SLO range queries (slo/<id>/0 and /1) are hourly buckets: empty until the fresh Prometheus
    # has crossed an hour boundary; their current-hour instant queries (/2 and /3) must answer.
    hourly = {k for k in snapshot.metrics if k.startswith("slo/") and k.endswith(("/0", "/1"))}
    assert len(hourly) == 6
    empty = {k for k, r in snapshot.metrics.items() if not r.series and k != "ecommerce/disk/0"} - hourly
    assert empty == set()
    for key in ("ecommerce/error_rate/0", "ecommerce/availability/0", "ecommerce/apdex/0"):
        value = snapshot.metrics[key].series[0].last_value
        assert math.isfinite(value) and value >= 0, key
    assert 0 <= snapshot.metrics["ecommerce/apdex/0"].series[0].last_value <= 1
    assert 0 <= snapshot.metrics["ecommerce/cpu/0"].series[0].last_value <= 100
    assert {t.job for t in snapshot.targets} >= {"ecommerce-api", "node"}


def test_incident_source_sees_the_dead_mans_switch(wall, prometheus, alertmanager):
    config = dataclasses.replace(wall.source("am"), url=alertmanager.base_url)
    source = create_source(config, PollPlan(alerts=True))
    try:
        servers.wait_for(lambda: source.poll().degraded == (), timeout_s=30,
                         what="Watchdog to arrive so the incident source is healthy")
    finally:
        source.close()
