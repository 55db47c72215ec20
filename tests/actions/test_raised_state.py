"""Raised incidents without an Alertmanager: kept and acknowledged in the state database."""

from __future__ import annotations

from action_helpers import FakeClock, make_request

from noc_app.actions.backends.state_raised import (
    RAISED_SOURCE_ID,
    StateBackend,
    StateIncidentSink,
    raised_alerts,
    raised_fingerprint,
)
from noc_app.actions.execute import execute
from noc_app.actions.model import ActionKind, IncidentKey, Operator, OutcomeStatus, Role
from noc_app.actions.raised import RaisedIncident
from noc_app.model import AlertState, Severity

NOW = 1_800_000_000.0
BURN = RaisedIncident(name="SLOBurnRateFast", severity="critical", labels={"slo": "checkout"},
                      summary="2% of the budget in one hour", starts_at=NOW - 120)


def _request(kind: ActionKind, name: str = "alice", role: Role = Role.OPERATOR, fp: str | None = None):
    return make_request(kind, incident=IncidentKey(source_id=RAISED_SOURCE_ID,
                                                  fingerprint=fp or raised_fingerprint(BURN.all_labels)),
                        operator=Operator(name=name, role=role, os_user=name, host="ws"))


def test_published_incidents_are_listed_as_alerts_and_resolve(journal):
    clock = FakeClock(NOW)
    sink = StateIncidentSink(journal, clock=clock)
    sink.publish([BURN])
    (alert,) = raised_alerts(journal)
    assert (alert.source_id, alert.name, alert.severity, alert.state, alert.starts_at) == (
        RAISED_SOURCE_ID, "SLOBurnRateFast", Severity.CRITICAL, AlertState.FIRING, NOW - 120)
    assert alert.labels["generator"] == "noc-app" and alert.fingerprint == raised_fingerprint(BURN.all_labels)
    clock.advance(60)
    sink.publish([], resolved=[BURN])
    assert raised_alerts(journal) == ()
    (gone,) = raised_alerts(journal, include_resolved=True)
    assert (gone.state, gone.ends_at) == (AlertState.RESOLVED, NOW + 60)


def test_ack_and_unack_through_execute_journal_first_and_once(journal):
    clock = FakeClock(NOW)
    StateIncidentSink(journal, clock=clock).publish([BURN])
    backend = StateBackend(journal, clock=clock)
    ack = _request(ActionKind.ACK)
    outcome = execute(ack, backend, journal, clock=clock)
    assert outcome.status is OutcomeStatus.DONE and journal.get(ack.request_id).state.value == "done"
    (alert,) = raised_alerts(journal)
    assert (alert.state, alert.acknowledged_by) == (AlertState.ACKNOWLEDGED, "alice")
    assert backend.perform(ack).status is OutcomeStatus.DONE  # a replay of the same request: already applied
    other = execute(_request(ActionKind.ACK, name="bob"), backend, journal, clock=clock)
    assert other.status is OutcomeStatus.REJECTED and "already acknowledged by alice" in other.message
    StateIncidentSink(journal, clock=clock).publish([BURN])  # a re-post keeps the ack
    assert raised_alerts(journal)[0].acknowledged_by == "alice"
    assert execute(_request(ActionKind.UNACK), backend, journal, clock=clock).status is OutcomeStatus.DONE
    assert raised_alerts(journal)[0].state is AlertState.FIRING
    assert execute(_request(ActionKind.NOTE), backend, journal, clock=clock).status is OutcomeStatus.DONE


def test_unknown_or_resolved_raised_incidents_refuse_an_ack(journal):
    clock = FakeClock(NOW)
    backend = StateBackend(journal, clock=clock)
    assert execute(_request(ActionKind.ACK, fp="0" * 16), backend, journal, clock=clock).status is (
        OutcomeStatus.REJECTED)
    sink = StateIncidentSink(journal, clock=clock)
    sink.publish([BURN])
    sink.publish([], resolved=[BURN])
    refused = execute(_request(ActionKind.ACK), backend, journal, clock=clock)
    assert refused.status is OutcomeStatus.REJECTED and "resolved" in refused.message
    sink.publish([BURN])  # fires again: a new occurrence, ackable
    assert execute(_request(ActionKind.ACK), backend, journal, clock=clock).status is OutcomeStatus.DONE


class RacingJournal:
    """Lets another workstation ack between this one's read and its write, once."""

    def __init__(self, journal, fingerprint: str) -> None:
        self._journal, self._fp, self.raced = journal, fingerprint, False

    def raised_get(self, fingerprint):
        row = self._journal.raised_get(fingerprint)
        if not self.raced:
            self.raced = True
            assert self._journal.raised_put(self._fp, {**row.body, "acked_by": "bob"}, version=row.version, now=NOW)
        return row  # stale now: the write over it is refused, and the backend reads again

    def __getattr__(self, name):
        return getattr(self._journal, name)


def test_two_workstations_acking_at_once_one_wins(journal):
    clock = FakeClock(NOW)
    StateIncidentSink(journal, clock=clock).publish([BURN])
    racing = RacingJournal(journal, raised_fingerprint(BURN.all_labels))
    refused = execute(_request(ActionKind.ACK), StateBackend(racing, clock=clock), journal, clock=clock)
    assert racing.raced and refused.status is OutcomeStatus.REJECTED and "already acknowledged by bob" in refused.message
    assert raised_alerts(journal)[0].acknowledged_by == "bob"


def test_the_config_decides_where_raised_incidents_go(tmp_path, monkeypatch):
    from noc_app.actions.backends.alertmanager_alerts import AlertmanagerAlertSink
    from noc_app.actions.upkeep import policy_context
    from noc_app.actions.wiring import build_parts, raised_sink
    from noc_app.config.schema import AppConfig, Mode, SourceConfig, StateConfig

    def config(*sources: SourceConfig) -> AppConfig:
        return AppConfig(path="x.yaml", title="t", mode=Mode.OPERATOR, theme="dark", dashboards=(), sources=sources,
                         state=StateConfig(url=f"sqlite:///{tmp_path}/state.db"))

    alone = config(SourceConfig(id="prom", kind="prometheus", url="http://prom:9090"))
    parts = build_parts(alone)
    try:
        assert isinstance(parts.backends[RAISED_SOURCE_ID], StateBackend)
        assert isinstance(raised_sink(alone, parts.journal), StateIncidentSink)
        ctx = policy_context(alone, _request(ActionKind.ACK), None)
        assert ctx.read_only is False
    finally:
        parts.close()
    with_am = config(SourceConfig(id="am", kind="alertmanager", url="http://am:9093"))
    parts = build_parts(with_am)
    try:
        assert RAISED_SOURCE_ID not in parts.backends
        sink = raised_sink(with_am, parts.journal)
        assert isinstance(sink, AlertmanagerAlertSink)
        sink.close()
    finally:
        parts.close()
