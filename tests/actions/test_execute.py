"""execute(): journal before network, every failure an outcome, replays deliver once."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest
from action_helpers import FIXED_DELAY, FakeClock, make_request

from noc_app.actions.errors import (
    BackendRejected,
    InvalidRequest,
    NotPermitted,
    Retryable,
)
from noc_app.actions.execute import execute, replay_outbox
from noc_app.actions.model import (
    ActionKind,
    ActionOutcome,
    ActionRequest,
    OutcomeStatus,
    Role,
)
from noc_app.actions.policy import PolicyContext
from noc_app.actions.retry import MAX_RETRY_S, RETRY_INTERVAL_S
from noc_app.config.schema import Mode
from noc_app.model import AlertState
from noc_app.state.records import ActionState
from noc_app.state.sqlite import SqliteJournal


@dataclass
class SpyBackend:
    """Looks at the database through ITS OWN connection when called, then answers or raises."""

    db_path: Path
    answer: Exception | None = None
    seen: list[object] = field(default_factory=list)
    calls: int = 0

    def perform(self, request: ActionRequest) -> ActionOutcome:
        self.calls += 1
        other = SqliteJournal(self.db_path)  # a different connection: sees only committed rows
        try:
            self.seen.append(other.get(request.request_id))
            self.seen.append([e.action for e in other.audit(request_id=request.request_id)])
        finally:
            other.close()
        if self.answer is not None:
            raise self.answer
        return ActionOutcome(request_id=request.request_id, status=OutcomeStatus.DONE, message="ok", backend_ref="s-1")


def test_request_is_committed_and_leased_before_the_backend_is_called(journal, db_path):
    backend = SpyBackend(db_path)
    request = make_request()
    outcome = execute(request, backend, journal, owner="ws-1", clock=FakeClock())
    assert outcome.status is OutcomeStatus.DONE and outcome.backend_ref == "s-1"
    row_during_call, audit_during_call = backend.seen
    assert row_during_call is not None, "the backend ran before the request was committed"
    assert row_during_call.state is ActionState.PENDING
    assert row_during_call.lease_owner == "ws-1"
    assert row_during_call.payload == request.to_record()
    assert audit_during_call == ["ack requested"]
    after = journal.get(request.request_id)
    assert after.state is ActionState.DONE and after.outcome["backend_ref"] == "s-1"
    assert after.lease_owner is None and after.attempts == 1
    assert [(e.action, e.outcome) for e in journal.audit(request_id=request.request_id)] == [
        ("ack requested", "pending"), ("ack", "done")]
    entry = journal.audit(request_id=request.request_id)[0]
    assert (entry.actor, entry.os_user, entry.host, entry.subject) == (
        "alice", "alice", "noc-ws-1", "am/0f3a9c1d2e4b5a6f")


@pytest.mark.parametrize(
    ("error", "status", "state"),
    [
        (Retryable("connection refused: am:9093"), OutcomeStatus.QUEUED, ActionState.PENDING),
        (BackendRejected("HTTP 400: bad matcher"), OutcomeStatus.REJECTED, ActionState.FAILED),
        (InvalidRequest("no labels"), OutcomeStatus.REJECTED, ActionState.FAILED),
        (NotPermitted("no"), OutcomeStatus.REJECTED, ActionState.FAILED),
        (RuntimeError("bug in a backend"), OutcomeStatus.FAILED, ActionState.FAILED),
        (KeyError("x"), OutcomeStatus.FAILED, ActionState.FAILED),
    ],
)
def test_backend_errors_become_outcomes(journal, db_path, error, status, state):
    request = make_request()
    outcome = execute(request, SpyBackend(db_path, answer=error), journal, clock=FakeClock(),
                      retry_delay=FIXED_DELAY)
    assert outcome.status is status
    assert str(error.args[0]) in outcome.message
    assert journal.get(request.request_id).state is state
    assert journal.audit(request_id=request.request_id)[-1].outcome == status.value


def test_retryable_stays_in_the_outbox_with_the_pollers_backoff(journal, db_path):
    clock = FakeClock()
    request = make_request()
    backend = SpyBackend(db_path, answer=Retryable("connection refused"))
    first = execute(request, backend, journal, clock=clock, retry_delay=FIXED_DELAY)
    # next_delay(interval=5, failures=1) with jitter pinned at the middle: 5 * 2 = 10 s
    assert first.retry_at == pytest.approx(clock.now + 2 * RETRY_INTERVAL_S)
    row = journal.get(request.request_id)
    assert (row.state, row.attempts, row.next_attempt_at) == (ActionState.PENDING, 1, first.retry_at)
    assert [r.request_id for r in journal.pending()] == [request.request_id]
    assert replay_outbox({"am": backend}, journal, clock=clock, retry_delay=FIXED_DELAY) == ()  # not due yet
    clock.advance(10)
    (second,) = replay_outbox({"am": backend}, journal, clock=clock, retry_delay=FIXED_DELAY)
    assert second.retry_at == pytest.approx(clock.now + 4 * RETRY_INTERVAL_S)  # failure 2: doubled
    for _ in range(10):
        clock.now = journal.get(request.request_id).next_attempt_at
        (later,) = replay_outbox({"am": backend}, journal, clock=clock, retry_delay=FIXED_DELAY)
    assert later.retry_at - clock.now == pytest.approx(MAX_RETRY_S)  # capped
    backend.answer = None
    clock.now = journal.get(request.request_id).next_attempt_at
    (done,) = replay_outbox({"am": backend}, journal, clock=clock, retry_delay=FIXED_DELAY)
    assert done.status is OutcomeStatus.DONE
    assert journal.pending() == []
    assert journal.get(request.request_id).attempts == 13


def test_retry_after_from_the_backend_is_honoured(journal, db_path):
    clock = FakeClock()
    outcome = execute(make_request(), SpyBackend(db_path, answer=Retryable("429", retry_after=120.0)), journal,
                      clock=clock, retry_delay=FIXED_DELAY)
    assert outcome.retry_at == pytest.approx(clock.now + 120.0)


def test_execute_never_raises_when_the_journal_is_broken(db_path):
    class BrokenJournal:
        def __getattr__(self, name):
            def fail(*args, **kwargs):
                raise OSError("disk full")
            return fail

    backend = SpyBackend(db_path)
    outcome = execute(make_request(), backend, BrokenJournal())  # type: ignore[arg-type]
    assert outcome.status is OutcomeStatus.FAILED and "disk full" in outcome.message
    assert backend.calls == 0, "an action that could not be journalled must not be sent"


def test_outcome_is_returned_even_if_recording_it_fails(journal, db_path):
    backend = SpyBackend(db_path)
    journal.complete = lambda *a, **k: (_ for _ in ()).throw(OSError("disk full"))  # type: ignore[method-assign]
    outcome = execute(make_request(), backend, journal, clock=FakeClock())
    assert outcome.status is OutcomeStatus.DONE


def test_a_replayed_request_is_not_delivered_twice(journal, db_path):
    backend = SpyBackend(db_path)
    request = make_request()
    clock = FakeClock()
    first = execute(request, backend, journal, clock=clock)
    again = execute(request, backend, journal, clock=clock)
    assert backend.calls == 1
    assert again == first
    assert [e.action for e in journal.audit(request_id=request.request_id)] == ["ack requested", "ack"]


def test_a_request_leased_elsewhere_is_reported_queued_not_sent(journal, db_path):
    request = make_request()
    clock = FakeClock()
    backend = SpyBackend(db_path)
    other = SqliteJournal(db_path)
    try:
        other.record(_new(request, clock.now))
        assert other.lease(request.request_id, owner="ws-2", now=clock.now) is not None
    finally:
        other.close()
    outcome = execute(request, backend, journal, clock=clock)
    assert outcome.status is OutcomeStatus.QUEUED and "another worker" in outcome.message
    assert backend.calls == 0


def test_policy_refusal_is_audited_and_never_queued(journal, db_path):
    backend = SpyBackend(db_path)
    request = make_request()
    refused = PolicyContext(mode=Mode.KIOSK, role=Role.LEAD, operator="alice", read_only=False,
                            state=AlertState.FIRING)
    outcome = execute(request, backend, journal, policy=refused, clock=FakeClock())
    assert outcome.status is OutcomeStatus.REJECTED and "kiosk mode" in outcome.message
    assert backend.calls == 0
    assert journal.get(request.request_id) is None and journal.pending() == []
    assert [(e.action, e.outcome) for e in journal.audit(request_id=request.request_id)] == [
        ("ack refused", "rejected")]


def test_a_note_is_kept_in_the_journal(journal, db_path):
    request = make_request(ActionKind.NOTE, comment="vendor ticket 4711")
    execute(request, SpyBackend(db_path), journal, clock=FakeClock())
    assert journal.get(request.request_id).payload["comment"] == "vendor ticket 4711"


def test_replay_leaves_rows_for_unknown_sources_queued(journal, db_path):
    request = make_request(incident=make_request().incident.__class__(source_id="other-room", fingerprint="f"))
    clock = FakeClock()
    journal.record(_new(request, clock.now))
    (outcome,) = replay_outbox({"am": SpyBackend(db_path)}, journal, clock=clock, retry_delay=FIXED_DELAY)
    assert outcome.status is OutcomeStatus.QUEUED and "other-room" in outcome.message
    assert journal.get(request.request_id).state is ActionState.PENDING


def test_replay_fails_an_unreadable_row_instead_of_retrying_it_forever(journal, db_path):
    from noc_app.state.records import NewAction

    journal.record(NewAction(request_id="b" * 32, kind="ack", source_id="am", payload={"v": 99}, created_at=1.0))
    (outcome,) = replay_outbox({"am": SpyBackend(db_path)}, journal, clock=FakeClock())
    assert outcome.status is OutcomeStatus.FAILED
    assert journal.get("b" * 32).state is ActionState.FAILED


def _new(request: ActionRequest, now: float):
    from noc_app.state.records import NewAction

    return NewAction(request_id=request.request_id, kind=request.kind.value,
                     source_id=request.incident.source_id, payload=request.to_record(), created_at=now)


def test_a_request_queued_too_long_expires_instead_of_being_delivered(journal, db_path):
    clock = FakeClock()
    request = make_request(requested_at=clock.now)
    backend = SpyBackend(db_path, answer=Retryable("down"))
    execute(request, backend, journal, clock=clock, retry_delay=FIXED_DELAY)
    backend.answer = None
    clock.advance(3 * 3600)
    (outcome,) = replay_outbox({"am": backend}, journal, clock=clock, retry_delay=FIXED_DELAY, max_age_s=2 * 3600)
    assert outcome.status is OutcomeStatus.FAILED and "expired in the outbox" in outcome.message
    assert backend.calls == 1  # only the first, failed attempt
    assert journal.get(request.request_id).state is ActionState.FAILED and journal.pending() == []
    assert journal.audit(request_id=request.request_id)[-1].action == "ack expired"


class _RacingJournal:
    """A journal where another workstation's replay runs right after each record(), before the lease."""

    def __init__(self, inner: SqliteJournal) -> None:
        self.inner = inner
        self.taken_by_other: list[object] = []

    def __getattr__(self, name: str):
        return getattr(self.inner, name)

    def record(self, action):
        fresh = self.inner.record(action)
        self.taken_by_other.extend(self.inner.lease_due(owner="other-ws", now=action.created_at))
        return fresh


def test_a_replay_between_record_and_lease_does_not_take_the_fresh_row(journal, db_path):
    racing = _RacingJournal(journal)
    backend = SpyBackend(db_path)
    outcome = execute(make_request(), backend, racing, owner="ws-1", clock=FakeClock())
    assert racing.taken_by_other == []
    assert outcome.status is OutcomeStatus.DONE and backend.calls == 1
