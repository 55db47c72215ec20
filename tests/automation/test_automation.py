"""The automation tick with an injected clock, a real SQLite journal and a fake channel."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from noc_app.actions.automation import Automation
from noc_app.actions.errors import Retryable
from noc_app.actions.model import ActionKind, ActionOutcome, ActionRequest, OutcomeStatus
from noc_app.actions.notify.backend import NotificationBackend
from noc_app.actions.notify.messages import NOTIFY_SOURCE_ID, notice
from noc_app.actions.severity import DEFAULT_POLICY
from noc_app.config.schema import (
    AppConfig,
    BusinessHours,
    Mode,
    NotificationChannel,
    NotificationsConfig,
    SecretRef,
    SourceConfig,
)
from noc_app.model import Alert, AlertState, Severity
from noc_app.state.records import ActionState, IncidentMark
from noc_app.state.sqlite import SqliteJournal

T0 = 1_800_000_000.0


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> float:
        return self.now


class FakeSender:
    def __init__(self, log: list[tuple[str, str, str]], channel_id: str, fail: list[Exception]) -> None:
        self.log, self.channel_id, self.fail = log, channel_id, fail

    def send(self, subject: str, text: str) -> str:
        if self.fail:
            raise self.fail.pop(0)
        self.log.append((self.channel_id, subject, text))
        return "ok"

    def close(self) -> None:
        pass


class FakeEscalationBackend:
    def __init__(self) -> None:
        self.requests: list[ActionRequest] = []

    def perform(self, request: ActionRequest) -> ActionOutcome:
        self.requests.append(request)
        return ActionOutcome(request_id=request.request_id, status=OutcomeStatus.DONE, message="escalated")


NOTIFICATIONS = NotificationsConfig(channels=(
    NotificationChannel(id="slack", kind="slack", webhook_url=SecretRef(env="NOC_TEST_SLACK")),
    NotificationChannel(id="pagerduty", kind="slack", webhook_url=SecretRef(env="NOC_TEST_PD")),
))


def config(kind: str = "alertmanager") -> AppConfig:
    return AppConfig(
        path="room.yaml", title="room", mode=Mode.OPERATOR, theme="dark",
        sources=(SourceConfig(id="am", kind=kind, url="http://am:9093"),), dashboards=(),
        notifications=NOTIFICATIONS,
    )


def firing(severity: str = "high", *, state: AlertState = AlertState.FIRING, fingerprint: str = "f1") -> Alert:
    return Alert(fingerprint=fingerprint, source_id="am", name="HighErrorRate", severity=Severity.parse(severity),
                 state=state, summary="5xx above 5%", labels={"severity": severity, "service": "checkout"},
                 starts_at=T0)


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[SqliteJournal]:
    j = SqliteJournal(tmp_path / "state.db")
    yield j
    j.close()


class Room:
    def __init__(self, journal: SqliteJournal, kind: str = "alertmanager") -> None:
        self.sent: list[tuple[str, str, str]] = []
        self.fail: list[Exception] = []
        self.clock = Clock()
        self.escalations = FakeEscalationBackend()
        notifier = NotificationBackend(NOTIFICATIONS, sender_factory=lambda ch: FakeSender(self.sent, ch.id, self.fail))
        backends = {NOTIFY_SOURCE_ID: notifier, "am": self.escalations}
        self.journal = journal
        self.automation = Automation(config(kind), journal, backends, clock=self.clock)

    def tick(self, *alerts: Alert) -> None:
        self.automation.tick({"am": alerts})


def test_a_new_p1_goes_to_its_channels_once_however_often_it_is_seen(journal: SqliteJournal) -> None:
    room = Room(journal)
    room.tick(firing())
    room.tick(firing())
    again = Automation(config(), journal, room.automation._backends, clock=room.clock)  # another holder
    again.tick({"am": (firing(),)})
    assert sorted(ch for ch, _, _ in room.sent) == ["pagerduty", "slack"]  # P1: slack + pagerduty
    assert all(subject == "[P1 NEW] HighErrorRate" for _, subject, _ in room.sent)
    rows = list(journal.pending())
    assert rows == []  # both delivered
    audit = journal.audit()
    assert {a.actor for a in audit} == {"noc-app automation"}
    assert [a.action for a in audit].count("notify") == 2


def test_an_unacknowledged_p1_escalates_at_fifteen_minutes(journal: SqliteJournal) -> None:
    room = Room(journal, kind="pagerduty")  # a backend that escalates natively
    room.tick(firing())
    room.clock.now = T0 + 899
    room.tick(firing())
    assert room.escalations.requests == []
    room.clock.now = T0 + 900
    room.tick(firing())
    room.clock.now = T0 + 960
    room.tick(firing())
    (request,) = room.escalations.requests  # once
    assert request.kind is ActionKind.ESCALATE and request.automatic
    assert request.operator.name == "noc-app automation"
    assert "Engineering Manager" in request.comment and "not acknowledged within 15 min" in request.comment
    escalated = [s for _, s, _ in room.sent if "ESCALATED" in s]
    assert sorted(escalated) == ["[P1 ESCALATED] HighErrorRate"] * 2
    audit = [a for a in journal.audit() if a.request_id == request.request_id]
    assert [(a.actor, a.action, a.outcome) for a in audit] == [
        ("noc-app automation", "escalate requested", "pending"), ("noc-app automation", "escalate", "done")]


def test_an_acknowledged_incident_does_not_escalate(journal: SqliteJournal) -> None:
    room = Room(journal, kind="pagerduty")
    journal.mark_incidents([IncidentMark(source_id="am", fingerprint="f1", first_seen_at=T0, acked_at=T0 + 60,
                                         acked_by="alice")], now=T0 + 60)
    room.clock.now = T0 + 3600
    room.tick(firing())
    assert room.escalations.requests == []


def test_alertmanager_escalation_is_recorded_and_the_notice_does_the_escalating(journal: SqliteJournal) -> None:
    room = Room(journal)
    room.clock.now = T0 + 900
    room.tick(firing())
    assert room.escalations.requests == []  # Alertmanager's backend is not asked: it cannot escalate
    rows = [a for a in journal.audit() if a.action == "escalate"]
    assert [(a.outcome, a.detail.split(";")[0]) for a in rows] == [("done", "escalation recorded")]
    assert any("Escalated to Engineering Manager" in text for _, _, text in room.sent)


def test_a_resolved_incident_gets_its_resolution_once(journal: SqliteJournal) -> None:
    room = Room(journal)
    room.tick(firing())
    room.clock.now = T0 + 120
    room.tick()  # gone from a good poll
    room.tick()
    resolved = [s for _, s, _ in room.sent if "RESOLVED" in s]
    assert resolved == ["[P1 RESOLVED] HighErrorRate"] * 2


def test_a_failed_source_resolves_nothing(journal: SqliteJournal) -> None:
    room = Room(journal)
    room.tick(firing())
    room.automation.tick({})  # the source did not answer
    assert not [s for _, s, _ in room.sent if "RESOLVED" in s]


def test_silenced_and_unmatched_alerts_send_nothing(journal: SqliteJournal) -> None:
    room = Room(journal)
    room.tick(firing(state=AlertState.SILENCED), firing("mystery", fingerprint="f2"))
    assert room.sent == []


def test_a_channel_that_is_down_keeps_the_message_in_the_outbox(journal: SqliteJournal) -> None:
    room = Room(journal)
    room.fail.extend([Retryable("channel slack: the webhook is unreachable")] * 2)
    room.tick(firing())
    pending = journal.pending()
    assert len(pending) == 2 and all(r.state is ActionState.PENDING for r in pending)
    room.clock.now = T0 + 400  # past the backoff: the tick's outbox replay delivers them
    room.tick(firing())
    assert journal.pending() == []
    assert sorted(ch for ch, _, _ in room.sent) == ["pagerduty", "slack"]


def test_notice_words_are_plain_and_carry_no_secret() -> None:
    alert = replace(firing(), name="Disk\u202efull", summary="x\x1b[31my")
    text = notice("escalated", alert, DEFAULT_POLICY[1], reason="P1 not acknowledged within 15 min",
                  targets=("Engineering Manager",), now=T0 + 900)
    assert text.subject == "[P1 ESCALATED] Disk⟨U+202E⟩full"
    assert "\x1b" not in text.text and "\u202e" not in text.text
    assert "Escalated to Engineering Manager: P1 not acknowledged within 15 min" in text.text
    assert "Labels: service=checkout severity=high" in text.text
    assert "Started: 2027-01-15 08:00:00 UTC" in text.text


def test_business_hours_config_reaches_the_policy() -> None:
    assert config().automation.business_hours == BusinessHours()


def test_the_same_message_twice_is_one_row_and_one_message(journal: SqliteJournal) -> None:
    from noc_app.actions.execute import execute
    from noc_app.actions.notify.messages import notify_request

    room = Room(journal)
    alert = firing()
    first = notify_request(alert, "new", "slack", notice("new", alert, DEFAULT_POLICY[1], now=T0), now=T0)
    again = notify_request(alert, "new", "slack", notice("new", alert, DEFAULT_POLICY[1], now=T0 + 5), now=T0 + 5)
    assert first.request_id == again.request_id  # derived from incident, occurrence, event and channel
    backend = room.automation._backends[NOTIFY_SOURCE_ID]
    assert execute(first, backend, journal, clock=room.clock).status is OutcomeStatus.DONE
    assert execute(again, backend, journal, clock=room.clock).status is OutcomeStatus.DONE  # "already handled"
    assert len(room.sent) == 1
    assert [a.action for a in journal.audit(request_id=first.request_id)] == ["notify requested", "notify"]
    other_channel = notify_request(alert, "new", "pagerduty", notice("new", alert, DEFAULT_POLICY[1], now=T0),
                                   now=T0)
    refired = notify_request(replace(alert, starts_at=T0 + 3600), "new", "slack",
                             notice("new", alert, DEFAULT_POLICY[1], now=T0), now=T0)
    assert len({first.request_id, other_channel.request_id, refired.request_id}) == 3


AUTO_RUNBOOKS = """\
sources:
  - {id: am, kind: alertmanager, url: 'http://127.0.0.1:9'}
dashboards:
  - {id: main, panels: [{id: note, kind: text, title: N, text: hi}]}
actions:
  runbooks:
    - id: restart
      title: Restart the service
      argv: [%(python)s, -c, "import sys; open(sys.argv[1], 'a').write(sys.argv[2] + chr(10))",
             %(out)s, "{{ service }}"]
      params: {service: {pattern: "[a-z-]+"}}
      match: {alertname: HighErrorRate}
      auto: true
      confirm: false
    - id: by-hand
      title: Only an operator runs this
      argv: [%(python)s, -c, "import sys; open(sys.argv[1], 'a').write('by-hand' + chr(10))", %(out)s]
      match: {alertname: HighErrorRate}
      confirm: false
"""


def test_an_auto_runbook_runs_once_per_occurrence_and_only_on_a_firing_incident(journal, tmp_path):
    import sys

    from noc_app.actions.execute import RUNBOOK_BACKEND
    from noc_app.actions.runbooks.backend import RunbookBackend
    from noc_app.actions.wiring import action_backends
    from noc_app.config.loader import load_config_text

    out = tmp_path / "runs.txt"
    room = load_config_text(AUTO_RUNBOOKS % {"python": sys.executable, "out": str(out)}, filename="room.yaml")
    clock = Clock()
    backends = {**action_backends(room), RUNBOOK_BACKEND: RunbookBackend(room, journal, clock=clock)}
    automation = Automation(room, journal, backends, clock=clock)
    labels = {"alertname": "HighErrorRate", "severity": "high", "service": "checkout"}
    fires = replace(firing(), labels=labels)
    acked = replace(firing(fingerprint="f2"), labels=labels, state=AlertState.ACKNOWLEDGED, acknowledged_by="kim")

    report = automation.tick({"am": [fires, acked]})
    assert [line.split(": ")[-1] for line in report.ran] == ["done"] and "am/f1 runbook restart" in report.ran[0]
    assert out.read_text() == "checkout\n"  # the acknowledged one and the by-hand runbook did not run
    clock.now += 60
    assert automation.tick({"am": [fires, acked]}).ran == ()
    assert Automation(room, journal, backends, clock=clock).tick({"am": [fires]}).ran[0].endswith(": done")
    assert out.read_text() == "checkout\n"  # a second holder finds the run journalled: nothing runs twice
    again = replace(fires, starts_at=T0 + 3600)  # it resolved and fired again: a new occurrence
    clock.now = T0 + 3600 + 600  # past the cooldown
    assert automation.tick({"am": [again]}).ran[0].endswith(": done")
    assert out.read_text() == "checkout\ncheckout\n"
    audit = [line for line in journal.audit(limit=100) if line.action.startswith("runbook")]
    assert audit and all(line.actor.startswith("noc-app automation") for line in audit)
