"""The Opsgenie source and action backend against a local fake that enforces Opsgenie's rules.

Opsgenie is a SaaS (no binary to start), so `fake_opsgenie.FakeOpsgenie` stands in:
real HTTP on loopback, GenieKey auth, 429 after N calls, asynchronous request ids,
limit/offset pages and the alert state rules.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fake_opsgenie import FakeOpsgenie

from noc_app.actions.backends.opsgenie import OpsgenieBackend
from noc_app.actions.execute import execute, replay_outbox
from noc_app.actions.model import ActionKind, ActionRequest, IncidentKey, Operator, OutcomeStatus, Role
from noc_app.config.schema import AuthConfig, SecretRef, SourceConfig
from noc_app.model import AlertState, Severity
from noc_app.redaction import redact
from noc_app.sources.base import AuthFailed, PollPlan
from noc_app.sources.opsgenie import OpsgenieSource
from noc_app.sources.registry import create_source
from noc_app.state.sqlite import SqliteJournal

KEY_ENV = "NOC_FAKE_OPSGENIE_KEY"
KEY = "7d1e9c4b-2a3f-4e5d-8c7b-6a5f4e3d2c1b"
NOW = 1_800_000_500.0


@pytest.fixture(autouse=True)
def api_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KEY_ENV, KEY)


@pytest.fixture
def fake() -> Iterator[FakeOpsgenie]:
    server = FakeOpsgenie(key=KEY).start()
    yield server
    server.stop()


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[SqliteJournal]:
    j = SqliteJournal(tmp_path / "state.db")
    yield j
    j.close()


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> float:
        return self.now


def config(fake: FakeOpsgenie, **options: object) -> SourceConfig:
    return SourceConfig(id="og", kind="opsgenie", url=fake.url, auth=AuthConfig(bearer=SecretRef(env=KEY_ENV)),
                        options=options)


def source(fake: FakeOpsgenie, **options: object) -> OpsgenieSource:
    built = create_source(config(fake, **options), PollPlan(alerts=True), clock=lambda: NOW)
    assert isinstance(built, OpsgenieSource)
    return built


def backend(fake: FakeOpsgenie, **options: object) -> OpsgenieBackend:
    # No real sleeping: the settle budget is counted in the delays the backend asks for.
    return OpsgenieBackend(config(fake, **options), sleep=lambda _s: None, settle_budget_s=3.0)


def request(kind: ActionKind, alert_id: str = "a1", **fields: object) -> ActionRequest:
    comment = "" if kind is ActionKind.ACK else "vendor says 10 minutes"
    values: dict[str, object] = {
        "kind": kind, "incident": IncidentKey(source_id="og", fingerprint=alert_id),
        "operator": Operator(name="alice", role=Role.OPERATOR), "comment": comment, "requested_at": NOW,
    }
    values.update(fields)
    return ActionRequest(**values)  # type: ignore[arg-type]


def board(fake: FakeOpsgenie, **options: object):
    polled = source(fake, **options)
    try:
        return {a.fingerprint: a for a in polled.poll().alerts or ()}
    finally:
        polled.close()


# -- reading ------------------------------------------------------------------------------


def test_pagination_over_260_alerts_reads_them_all_newest_first(fake):
    for index in range(260):
        fake.add_alert(f"a{index:03d}", created=1_800_000_000.0 + index, priority=f"P{index % 5 + 1}")
    fake.add_alert("old-closed", status="closed")
    polled = source(fake)
    snapshot = polled.poll()
    polled.close()
    alerts = snapshot.alerts or ()
    assert len(alerts) == 260 and "old-closed" not in {a.fingerprint for a in alerts}
    assert fake.calls == [("GET", "/v2/alerts")] * 3  # 100 + 100 + 60
    assert "alerts" not in snapshot.notes and "cut" not in snapshot.info
    assert sum(a.severity is Severity.CRITICAL for a in alerts) == 52
    cut = source(fake, page_size=50, max_pages=2).poll()
    assert len(cut.alerts or ()) == 100
    assert cut.notes["alerts"][0].startswith("list cut at 100 alerts (2 pages of 50)")


def test_wrong_key_is_auth_failed_and_the_echoed_keys_never_show(fake, monkeypatch):
    fake.echo_auth = True
    monkeypatch.setenv(KEY_ENV, "wrong-" + KEY)
    with pytest.raises(AuthFailed) as raised:
        source(fake).poll()
    shown = redact(str(raised.value))
    assert "401" in shown and "Could not authenticate" in shown
    assert KEY not in shown  # neither the wrong key (registered when resolved) nor the right one


# -- acting ---------------------------------------------------------------------------------


def test_every_action_goes_through_execute_and_the_board_follows(fake, journal):
    fake.add_alert("a1", message="Checkout errors", priority="P1")
    og = backend(fake, escalation="Checkout_Escalation")
    clock = Clock()
    for kind in (ActionKind.ACK, ActionKind.NOTE, ActionKind.ESCALATE):
        outcome = execute(request(kind), og, journal, clock=clock)
        assert outcome.status is OutcomeStatus.DONE, (kind, outcome.message)
    seen = board(fake)["a1"]
    assert (seen.state, seen.acknowledged_by, seen.severity) == (AlertState.ACKNOWLEDGED, "alice", Severity.CRITICAL)
    assert execute(request(ActionKind.UNACK), og, journal, clock=clock).status is OutcomeStatus.DONE
    assert board(fake)["a1"].state is AlertState.FIRING
    closed = execute(request(ActionKind.RESOLVE), og, journal, clock=clock)
    assert closed.status is OutcomeStatus.DONE and closed.message.startswith("closed: Close")
    assert "a1" not in board(fake)  # status:open
    assert board(fake, query="status:closed")["a1"].state is AlertState.RESOLVED
    assert [p.action for p in fake.posts()] == ["acknowledge", "notes", "escalate", "unacknowledge", "close"]
    assert fake.posts("escalate")[0].body["escalation"] == {"name": "Checkout_Escalation", "type": "escalation"}
    assert all(p.body["source"] == "noc-app" and "[noc-app request " in p.body["note"] for p in fake.posts())
    og.close()


def test_ack_of_a_closed_alert_fails_at_opsgenie_and_is_rejected(fake, journal):
    fake.add_alert("a1", status="closed")
    og = backend(fake)
    outcome = execute(request(ActionKind.ACK), og, journal, clock=Clock())
    assert outcome.status is OutcomeStatus.REJECTED
    assert outcome.message.startswith("Opsgenie did not ack: Alert is already closed (request ")
    assert journal.pending() == []
    # Closing it again is the idempotent replay: done, nothing posted.
    again = execute(request(ActionKind.RESOLVE), og, journal, clock=Clock())
    assert (again.status, again.message) == (OutcomeStatus.DONE, "already closed")
    assert [p.action for p in fake.posts()] == ["acknowledge"]
    og.close()


def test_the_fake_enforces_closing_a_closed_alert_fails(fake):
    """The rule the backend's idempotence check avoids, seen from a plain client."""
    fake.add_alert("a1", status="closed")
    headers = {"Authorization": f"GenieKey {KEY}"}
    accepted = httpx.post(f"{fake.url}/v2/alerts/a1/close", json={"user": "x"}, headers=headers)
    assert accepted.status_code == 202
    status = httpx.get(f"{fake.url}/v2/alerts/requests/{accepted.json()['requestId']}", headers=headers)
    assert status.json()["data"]["isSuccess"] is False
    assert httpx.get(f"{fake.url}/v2/alerts", headers={"Authorization": "GenieKey nope"}).status_code == 401


def test_still_processing_is_queued_then_done_on_replay_without_a_second_note(fake, journal):
    fake.add_alert("a1")
    fake.processing_polls = 8  # the first attempt polls 6 times within its budget
    og = backend(fake)
    note = request(ActionKind.NOTE)
    clock = Clock()
    first = execute(note, og, journal, clock=clock)
    assert first.status is OutcomeStatus.QUEUED, first.message
    assert first.retry_at is not None and first.backend_ref
    assert "not processed" in first.message
    clock.now = first.retry_at
    (second,) = replay_outbox({"og": og}, journal, clock=clock)
    assert second.status is OutcomeStatus.DONE, second.message
    assert second.backend_ref == first.backend_ref
    assert len(fake.posts("notes")) == 1
    assert [n["note"] for n in fake.notes["a1"]] == [f"vendor says 10 minutes [noc-app request {note.request_id}]"]
    assert journal.pending() == []
    og.close()


def test_after_a_restart_the_tagged_note_stops_a_second_post(fake, journal):
    fake.add_alert("a1")
    fake.processing_polls = 100
    note = request(ActionKind.NOTE)
    clock = Clock()
    first = backend(fake)
    assert execute(note, first, journal, clock=clock).status is OutcomeStatus.QUEUED
    first.close()  # the process ends; Opsgenie finishes meanwhile
    fake.process_all()
    clock.now += 3600
    (replayed,) = replay_outbox({"og": backend(fake)}, journal, clock=clock)
    assert replayed.status is OutcomeStatus.DONE and replayed.message.startswith("already delivered")
    assert len(fake.posts("notes")) == 1


def test_429_is_queued_with_retry_at_then_delivered(fake, journal):
    fake.add_alert("a1")
    fake.rate_limit = 1  # the alert read passes, the POST is throttled
    og = backend(fake)
    clock = Clock()
    outcome = execute(request(ActionKind.ACK), og, journal, clock=clock)
    assert outcome.status is OutcomeStatus.QUEUED
    assert outcome.retry_at == pytest.approx(clock.now + 60.0, abs=1.0)  # X-RateLimit-Period-In-Sec
    assert "429" in outcome.message and fake.posts() == []
    fake.reset_window()
    fake.rate_limit = None
    clock.now = outcome.retry_at
    (done,) = replay_outbox({"og": og}, journal, clock=clock)
    assert done.status is OutcomeStatus.DONE
    assert len(fake.posts()) == 1
    og.close()


def test_the_key_never_appears_in_messages_logs_or_the_journal(fake, journal, caplog, monkeypatch):
    caplog.set_level(logging.DEBUG)
    fake.add_alert("a1")
    fake.echo_auth = True
    og = backend(fake)
    good = execute(request(ActionKind.ACK), og, journal, clock=Clock())
    assert good.status is OutcomeStatus.DONE
    monkeypatch.setenv(KEY_ENV, "Zx9" + KEY)  # a key Opsgenie refuses, echoed in its 401 body
    refused_by = backend(fake)
    outcome = execute(request(ActionKind.NOTE), refused_by, journal, clock=Clock())
    assert outcome.status is OutcomeStatus.QUEUED and "Could not authenticate with 'GenieKey ***'" in outcome.message
    audit = json.dumps([dataclasses.asdict(e) for e in journal.audit()], default=str)
    texts = [outcome.message, good.message, caplog.text, audit]
    texts += [json.dumps(row.outcome) for row in journal.pending()]
    for text in texts:
        assert KEY not in text
    og.close()
    refused_by.close()
