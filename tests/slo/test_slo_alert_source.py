"""The wall runs the app-evaluated burn alerts as a polled source (off the GUI thread)."""

from __future__ import annotations

import pytest

from noc_app.config.schema import SliConfig, SloAlerting, SloConfig
from noc_app.model import QueryResult, Series, Snapshot
from noc_app.slo.alert_source import SloAlertSource, wants_app_alerts
from noc_app.slo.app_alerts import BurnAlertEvaluator
from noc_app.slo.app_runner import SloAlertRunner
from noc_app.sources.base import Unreachable

NOW = 1_800_000_000.0
SLI = SliConfig(good="sum(rate(ok[{{window}}]))", total="sum(rate(all[{{window}}]))")


def _slo(slo_id: str, alerting=SloAlerting.APP) -> SloConfig:
    return SloConfig(id=slo_id, name=slo_id, source="prom", sli=SLI, target=0.999, alerting=alerting)


class _Config:
    def __init__(self, *slos):
        self.slos = slos


class FakeSource:
    """Answers every error-ratio query with `ratio`, or raises `error`."""

    def __init__(self, plan, ratio, error=None):
        self.plan, self.ratio, self.error, self.id = plan, ratio, error, "prom"

    def poll(self):
        if self.error is not None:
            raise self.error
        import numpy as np

        series = Series(key="{}", name="r", labels={}, x=np.array([NOW]), y=np.array([self.ratio]))
        return Snapshot.build("prom", NOW, metrics={q.key: QueryResult.build([series]) for q in self.plan.metrics})

    def close(self):
        pass


class Sink:
    def __init__(self):
        self.posts = []

    def publish(self, firing, resolved=()):
        self.posts.append(([i.labels["slo"] for i in firing], [i.labels["slo"] for i in resolved]))


def _source(config, ratio, error=None):
    sink = Sink()
    runner = SloAlertRunner(config, BurnAlertEvaluator(sink),
                            make_source=lambda _config, _sid, plan: FakeSource(plan, ratio, error))
    return SloAlertSource(runner, clock=lambda: NOW), sink


def test_a_burning_app_slo_is_raised_and_prometheus_ones_are_left_alone():
    config = _Config(_slo("checkout"), _slo("search", SloAlerting.PROMETHEUS))
    source, sink = _source(config, ratio=0.05)
    snapshot = source.poll()
    assert snapshot.degraded == () and snapshot.info["slos"] == "checkout"
    assert sink.posts == [(["checkout"], [])]
    source.poll()
    assert len(sink.posts) == 1  # the same incident, not re-posted within a third of its TTL


def test_an_unreachable_prometheus_makes_the_source_unreachable():
    source, sink = _source(_Config(_slo("checkout")), ratio=0.0, error=Unreachable("connection refused"))
    with pytest.raises(Unreachable, match="connection refused"):
        source.poll()
    assert sink.posts == []


def test_only_configs_with_app_slos_get_the_source():
    assert wants_app_alerts(_Config(_slo("a"), _slo("b", SloAlerting.PROMETHEUS)))
    assert not wants_app_alerts(_Config(_slo("b", SloAlerting.PROMETHEUS)))


def test_the_wall_adds_the_slo_alert_source_when_an_slo_is_app_evaluated(tmp_path, qtbot):
    from noc_app.app import attach_actions
    from noc_app.config.loader import load_config_text
    from noc_app.runtime import Runtime

    config = load_config_text(f"""
mode: wall
state: {{url: "sqlite:///{tmp_path}/state.db"}}
sources: [{{id: demo, kind: demo, interval: 1s}}]
dashboards: [{{id: d, title: D, panels: [{{id: checkout, kind: slo, title: C}}]}}]
slos:
  - id: checkout
    source: demo
    target: 99.9
    alerting: app
    sli:
      good: sum(rate(http_requests_total{{status!~"5.."}}[{{{{window}}}}]))
      total: sum(rate(http_requests_total[{{{{window}}}}]))
""", filename="wall.yaml")
    runtime = Runtime(config)
    attach_actions(config, runtime)
    assert "slo-alerts" in runtime.sources
    runtime.start()
    try:
        qtbot.waitUntil(lambda: runtime.poll_counts["slo-alerts"] >= 1, timeout=10_000)
    finally:
        runtime.stop()
