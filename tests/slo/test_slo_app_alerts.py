"""App-evaluated burn-rate alerts raise one incident through the actions seam."""

from __future__ import annotations

from dataclasses import replace

import pytest

from noc_app.actions.backends.state_raised import StateIncidentSink, raised_alerts
from noc_app.config.schema import SliConfig, SloAlerting, SloConfig
from noc_app.model import AlertState, Severity
from noc_app.slo.app_alerts import BurnAlertEvaluator, instant_queries
from noc_app.slo.burn_alerts import HOUR, MINUTE
from noc_app.state.sqlite import SqliteJournal

NOW = 1_800_000_000.0
SLI = SliConfig(good="sum(rate(ok[{{window}}]))", total="sum(rate(all[{{window}}]))")
SLO = SloConfig(id="checkout", name="Checkout", source="prom", sli=SLI, target=0.999,
                alerting=SloAlerting.APP, labels={"service": "shop"})
FAST = {5 * MINUTE: 0.05, 30 * MINUTE: 0.05, HOUR: 0.05, 6 * HOUR: 0.002, 72 * HOUR: 0.0005}
SLOW = {5 * MINUTE: 0.0012, 30 * MINUTE: 0.0012, HOUR: 0.0012, 6 * HOUR: 0.0012, 72 * HOUR: 0.0012}
QUIET = dict.fromkeys(FAST, 0.0)


class CountingSink:
    def __init__(self, inner):
        self.inner, self.calls = inner, []

    def publish(self, firing, resolved=()):
        self.calls.append((tuple(i.name for i in firing), tuple(i.name for i in resolved)))
        self.inner.publish(firing, resolved)


@pytest.fixture
def journal(tmp_path):
    j = SqliteJournal(tmp_path / "state.db")
    yield j
    j.close()


def test_a_burn_raises_exactly_one_incident_and_resolves_it(journal):
    sink = CountingSink(StateIncidentSink(journal, clock=lambda: NOW))
    evaluator = BurnAlertEvaluator(sink)
    for i in range(5):  # five evaluations 15 s apart while it burns
        evaluator.update(SLO, FAST, now=NOW + 15 * i)
    assert len(sink.calls) == 1
    (alert,) = raised_alerts(journal)
    assert (alert.name, alert.severity, alert.state) == ("SLOErrorBudgetBurn", Severity.CRITICAL, AlertState.FIRING)
    assert alert.labels["slo"] == "checkout" and alert.labels["service"] == "shop"
    evaluator.update(SLO, QUIET, now=NOW + 120)
    assert raised_alerts(journal) == () and evaluator.firing_ids == ()


def test_it_is_reposted_before_its_ttl_runs_out(journal):
    sink = CountingSink(StateIncidentSink(journal, clock=lambda: NOW))
    evaluator = BurnAlertEvaluator(sink)
    evaluator.update(SLO, FAST, now=NOW)
    evaluator.update(SLO, FAST, now=NOW + 99)
    evaluator.update(SLO, FAST, now=NOW + 100)  # a third of the 300 s TTL
    assert len(sink.calls) == 2 and len(raised_alerts(journal)) == 1


def test_a_change_of_urgency_replaces_the_incident(journal):
    sink = CountingSink(StateIncidentSink(journal, clock=lambda: NOW))
    evaluator = BurnAlertEvaluator(sink)
    evaluator.update(SLO, SLOW, now=NOW)
    (ticket,) = raised_alerts(journal)
    assert ticket.severity is Severity.WARNING
    evaluator.update(SLO, FAST, now=NOW + 15)
    (page,) = raised_alerts(journal)
    assert page.severity is Severity.CRITICAL


def test_prometheus_evaluated_slos_are_never_raised_by_the_app(journal):
    sink = CountingSink(StateIncidentSink(journal, clock=lambda: NOW))
    BurnAlertEvaluator(sink).update(replace(SLO, alerting=SloAlerting.PROMETHEUS), FAST, now=NOW)
    assert sink.calls == [] and raised_alerts(journal) == ()


def test_instant_queries_cover_every_window():
    queries = instant_queries(SLO)
    assert sorted(queries) == [300.0, 1800.0, 3600.0, 21600.0, 259200.0]
    assert queries[300.0] == "1 - ((sum(rate(ok[5m]))) / (sum(rate(all[5m]))))"
