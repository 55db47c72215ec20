"""PagerDuty actions through execute() and a SQLite journal, against the local fake PagerDuty.

The fake enforces the API's rules (token, Accept, From, state transitions, levels,
rate limit), so what passes here is what PagerDuty would accept.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from types import MappingProxyType

import pytest

from noc_app.actions.backends.pagerduty import BULK_LIMIT, PagerDutyBackend, to_action_error
from noc_app.actions.errors import BackendRejected, Retryable
from noc_app.actions.execute import execute, replay_outbox
from noc_app.actions.model import ActionKind, ActionRequest, IncidentKey, Operator, OutcomeStatus, Role
from noc_app.config.schema import AuthConfig, SecretRef, SourceConfig
from noc_app.sources.base import AuthFailed, BadAnswer, RateLimited, Unreachable
from noc_app.sources.pagerduty_http import Forbidden, PagerDutyRejected
from noc_app.state.sqlite import SqliteJournal
from tests.actions.action_helpers import FIXED_DELAY, FakeClock
from tests.integration.fake_pagerduty import FakePagerDuty

TOKEN = "pd-fake-key-0123456789"
ENV = "NOC_PD_ACTION_TOKEN"
ALICE = Operator(name="alice", role=Role.OPERATOR, os_user="alice", host="noc-ws-1", email="alice@example.com")


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakePagerDuty]:
    monkeypatch.setenv(ENV, TOKEN)
    server = FakePagerDuty(token=TOKEN)
    server.add_incident("PINC1", "Checkout 5xx above 2%")
    server.add_incident("PINC2", "Orders DB replication lag", service_id="PSDB", urgency="low")
    with server.serving():
        yield server


@pytest.fixture
def backend(fake: FakePagerDuty) -> Iterator[PagerDutyBackend]:
    pd = PagerDutyBackend(_config(fake.url))
    yield pd
    pd.close()


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[SqliteJournal]:
    j = SqliteJournal(tmp_path / "state.db")
    yield j
    j.close()


def _config(url: str, env: str = ENV) -> SourceConfig:
    return SourceConfig(id="pd", kind="pagerduty", url=url, auth=AuthConfig(bearer=SecretRef(env=env)),
                        options=MappingProxyType({}))


def _request(kind: ActionKind, incident: str = "PINC1", **overrides: object) -> ActionRequest:
    fields: dict[str, object] = {
        "kind": kind,
        "incident": IncidentKey(source_id="pd", fingerprint=incident),
        "operator": ALICE,
        "comment": "" if kind is ActionKind.ACK else "checkout team paged, rollback running",
        "requested_at": 1_800_000_000.0,
    }
    fields.update(overrides)
    return ActionRequest(**fields)  # type: ignore[arg-type]


def _writes(fake: FakePagerDuty) -> list[tuple[str, str]]:
    return [(m, p) for m, p, _ in fake.requests if m in ("PUT", "POST")]


def test_ack_is_journalled_done_and_a_replay_changes_nothing(
    fake: FakePagerDuty, backend: PagerDutyBackend, journal: SqliteJournal
) -> None:
    request = _request(ActionKind.ACK)
    outcome = execute(request, backend, journal)
    assert outcome.status is OutcomeStatus.DONE, outcome.message
    assert fake.incidents["PINC1"].status == "acknowledged"
    assert fake.incidents["PINC1"].acknowledgers == ["PUALICE"]  # From: alice@example.com
    row = journal.get(request.request_id)
    assert row is not None and row.state.value == "done"
    writes = _writes(fake)
    assert writes == [("PUT", "/incidents/PINC1")]
    put_headers = next(h for m, _, h in fake.requests if m == "PUT")
    assert put_headers["from"] == "alice@example.com"
    assert execute(request, backend, journal).status is OutcomeStatus.DONE  # the journal answers
    again = backend.perform(request)  # a crash before the outcome was journalled: delivered again
    assert again.status is OutcomeStatus.DONE and again.message == "already acknowledged by Alice Ops"
    assert _writes(fake) == writes


def test_ack_comment_goes_in_once_as_a_tagged_note(fake: FakePagerDuty, backend: PagerDutyBackend) -> None:
    request = _request(ActionKind.ACK, comment="on it")
    backend.perform(request)
    backend.perform(request)
    notes = fake.incidents["PINC1"].notes
    assert len(notes) == 1
    assert notes[0]["content"] == f"on it — alice via noc-app [noc-app request {request.request_id}]"


def test_resolve_then_replay_and_no_ack_after_resolve(
    fake: FakePagerDuty, backend: PagerDutyBackend, journal: SqliteJournal
) -> None:
    request = _request(ActionKind.RESOLVE)
    assert execute(request, backend, journal).status is OutcomeStatus.DONE
    assert fake.incidents["PINC1"].status == "resolved"
    assert backend.perform(request).message == "already resolved by Alice Ops"
    ack = execute(_request(ActionKind.ACK), backend, journal)
    assert ack.status is OutcomeStatus.REJECTED
    assert "already resolved" in ack.message


def test_escalate_to_the_next_level_once(
    fake: FakePagerDuty, backend: PagerDutyBackend, journal: SqliteJournal
) -> None:
    request = _request(ActionKind.ESCALATE)
    outcome = execute(request, backend, journal)
    assert outcome.status is OutcomeStatus.DONE and outcome.message == "escalated to level 2"
    assert fake.incidents["PINC1"].level == 2
    replay = backend.perform(request)
    assert replay.message == "already escalated to level 2"
    assert fake.incidents["PINC1"].level == 2  # "next level" was not applied twice
    (note,) = fake.incidents["PINC1"].notes
    assert note["content"].startswith("escalating to level 2: checkout team paged")


def test_escalate_to_a_chosen_level_and_to_one_that_does_not_exist(
    fake: FakePagerDuty, backend: PagerDutyBackend, journal: SqliteJournal
) -> None:
    assert execute(_request(ActionKind.ESCALATE, escalation_level=3), backend, journal).status is OutcomeStatus.DONE
    assert fake.incidents["PINC1"].level == 3
    refused = execute(_request(ActionKind.ESCALATE, "PINC2", escalation_level=9), backend, journal)
    assert refused.status is OutcomeStatus.REJECTED
    assert "Escalation level 9 does not exist" in refused.message


def test_note_is_posted_once(fake: FakePagerDuty, backend: PagerDutyBackend, journal: SqliteJournal) -> None:
    request = _request(ActionKind.NOTE)
    outcome = execute(request, backend, journal)
    assert outcome.status is OutcomeStatus.DONE and outcome.backend_ref == "PNOTE1"
    assert backend.perform(request).message == "note already on the incident (note PNOTE1)"
    (note,) = fake.incidents["PINC1"].notes
    assert f"[noc-app request {request.request_id}]" in note["content"]
    assert note["content"].startswith("checkout team paged, rollback running")


def test_no_operator_email_is_refused_with_the_fix(
    fake: FakePagerDuty, backend: PagerDutyBackend, journal: SqliteJournal
) -> None:
    nobody = Operator(name="alice", email="")
    outcome = execute(_request(ActionKind.ACK, operator=nobody), backend, journal)
    assert outcome.status is OutcomeStatus.REJECTED
    assert "set operator.email in the config" in outcome.message
    assert _writes(fake) == []


def test_an_unknown_from_user_is_refused_with_pagerduty_words(
    fake: FakePagerDuty, backend: PagerDutyBackend, journal: SqliteJournal
) -> None:
    stranger = Operator(name="mallory", email="mallory@example.com")
    outcome = execute(_request(ActionKind.ACK, operator=stranger), backend, journal)
    assert outcome.status is OutcomeStatus.REJECTED
    assert "A valid 'From' header is required" in outcome.message
    assert fake.incidents["PINC1"].status == "triggered"


def test_unack_is_refused(backend: PagerDutyBackend, journal: SqliteJournal) -> None:
    outcome = execute(_request(ActionKind.UNACK), backend, journal)
    assert outcome.status is OutcomeStatus.REJECTED and "no un-acknowledge" in outcome.message


def test_rate_limited_ack_is_queued_until_the_window_resets(
    fake: FakePagerDuty, backend: PagerDutyBackend, journal: SqliteJournal
) -> None:
    clock = FakeClock()
    fake.limit_rate(1, 30.0)  # the GET passes, the PUT meets 429
    request = _request(ActionKind.ACK)
    outcome = execute(request, backend, journal, clock=clock, retry_delay=FIXED_DELAY)
    assert outcome.status is OutcomeStatus.QUEUED, outcome.message
    assert "Rate Limit Exceeded" in outcome.message
    assert outcome.retry_at == clock.now + FIXED_DELAY(1, 30.0)
    assert outcome.retry_at >= clock.now + 30.0  # honours ratelimit-reset
    assert fake.incidents["PINC1"].status == "triggered"
    fake.limit_rate(10_000, 60.0)
    clock.advance(outcome.retry_at - clock.now)
    (delivered,) = replay_outbox({"pd": backend}, journal, clock=clock, retry_delay=FIXED_DELAY)
    assert delivered.status is OutcomeStatus.DONE, delivered.message
    assert fake.incidents["PINC1"].status == "acknowledged"


def test_the_key_never_reaches_a_message_or_a_log(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    wrong = "pd-wrong-key-5566778899"
    monkeypatch.setenv(ENV, TOKEN)
    monkeypatch.setenv("NOC_PD_WRONG", wrong)
    server = FakePagerDuty(token=TOKEN, echo_token=True)
    server.add_incident("PINC1", "Checkout 5xx above 2%")
    journal = SqliteJournal(tmp_path / "state.db")
    caplog.set_level(logging.DEBUG)
    with server.serving():
        stranger = Operator(name="mallory", email="mallory@example.com")
        good_key = PagerDutyBackend(_config(server.url))
        bad_key = PagerDutyBackend(_config(server.url, env="NOC_PD_WRONG"))
        refused = execute(_request(ActionKind.ACK, operator=stranger), good_key, journal)
        queued = execute(_request(ActionKind.ACK), bad_key, journal)
        good_key.close()
        bad_key.close()
    assert refused.status is OutcomeStatus.REJECTED and "Token token=***" in refused.message
    assert queued.status is OutcomeStatus.QUEUED and "fix the credentials" in queued.message
    assert "Token token=***" in queued.message
    stored = " ".join(str(e) for e in journal.audit()) + " ".join(str(r.outcome) for r in journal.pending())
    journal.close()
    for text in (refused.message, queued.message, caplog.text, stored):
        assert TOKEN not in text and wrong not in text


def test_bulk_ack_goes_in_batches_of_250(fake: FakePagerDuty, backend: PagerDutyBackend) -> None:
    ids = [f"PB{n:04d}" for n in range(300)]
    for incident_id in ids:
        fake.add_incident(incident_id, "disk full")
    result = backend.update_many(ids, "acknowledged", ALICE)
    assert len(result.updated) == 300 and result.failed == ()
    assert [p for m, p in _writes(fake)] == ["/incidents", "/incidents"]
    assert all(fake.incidents[i].status == "acknowledged" for i in ids)
    assert BULK_LIMIT == 250


def test_bulk_reports_a_refused_batch_and_goes_on(fake: FakePagerDuty, backend: PagerDutyBackend) -> None:
    fake.incidents["PINC2"].status = "resolved"
    result = backend.update_many(["PINC1", "PINC2"], "acknowledged", ALICE)
    assert result.updated == ()
    ((batch, reason),) = result.failed
    assert batch == ("PINC1", "PINC2") and "Incident Already Resolved" in reason


@pytest.mark.parametrize(
    ("error", "expected", "retry_after"),
    [
        (RateLimited("HTTP 429", 12.0), Retryable, 12.0),
        (AuthFailed("HTTP 401 from PagerDuty"), Retryable, 300.0),
        (Forbidden("HTTP 403 from PagerDuty"), BackendRejected, None),
        (PagerDutyRejected("HTTP 404 from PagerDuty: Not Found", 404), BackendRejected, None),
        (PagerDutyRejected("HTTP 400 from PagerDuty: Invalid Input", 400), BackendRejected, None),
        (PagerDutyRejected("HTTP 502 from PagerDuty", 502), Retryable, None),
        (Unreachable("connection refused"), Retryable, None),
        (BadAnswer("truncated JSON"), Retryable, None),
    ],
)
def test_error_mapping(error: Exception, expected: type, retry_after: float | None) -> None:
    mapped = to_action_error(error)  # type: ignore[arg-type]
    assert type(mapped) is expected
    assert getattr(mapped, "retry_after", None) == retry_after
