"""The SQLite journal: crash safety, exactly-once replay, exclusive leases across connections."""

from __future__ import annotations

import multiprocessing
import sqlite3
import threading

import pytest
from action_helpers import FIXED_DELAY, FakeClock, make_request

from noc_app.actions.execute import replay_outbox
from noc_app.actions.model import ActionOutcome, ActionRequest, OutcomeStatus
from noc_app.state.records import ActionState, AuditEntry, NewAction
from noc_app.state.sqlite import SqliteJournal, default_path

T0 = 1_800_000_000.0


def new(request_id: str, at: float = T0, source_id: str = "am") -> NewAction:
    return NewAction(request_id=request_id, kind="ack", source_id=source_id, payload={"n": request_id},
                     created_at=at)


def rid(i: int) -> str:
    return f"{i:032x}"


class CountingBackend:
    def __init__(self) -> None:
        self.delivered: list[str] = []

    def perform(self, request: ActionRequest) -> ActionOutcome:
        self.delivered.append(request.request_id)
        return ActionOutcome(request_id=request.request_id, status=OutcomeStatus.DONE)


def test_wal_mode_and_schema(db_path):
    j = SqliteJournal(db_path)
    j.close()
    with sqlite3.connect(db_path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("PRAGMA user_version").fetchone()[0] == 1


def test_default_path_is_in_the_user_state_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg-state"))
    assert default_path() == tmp_path / "xdg-state" / "noc-app" / "state.db"


def test_record_is_idempotent_on_the_request_id(journal):
    assert journal.record(new(rid(1))) is True
    assert not journal.record(NewAction(request_id=rid(1), kind="note", source_id="x", payload={}, created_at=T0 + 5))
    row = journal.get(rid(1))
    assert (row.kind, row.payload, row.state, row.attempts) == ("ack", {"n": rid(1)}, ActionState.PENDING, 0)


def test_record_returns_false_for_a_known_id(journal):
    journal.record(new(rid(1)))
    assert journal.record(new(rid(1))) is False


def test_a_pending_action_survives_a_crash_and_is_replayed_exactly_once(db_path):
    request = make_request(requested_at=T0)
    clock = FakeClock(T0)
    before_crash = SqliteJournal(db_path)
    before_crash.record(NewAction(request_id=request.request_id, kind="ack", source_id="am",
                                  payload=request.to_record(), created_at=T0))
    lease = before_crash.lease(request.request_id, owner="ws-1:100", now=T0, lease_s=60)
    assert lease is not None
    before_crash._db.close()  # the process dies mid-delivery: no complete(), no close()

    after = SqliteJournal(db_path)  # the restarted app
    try:
        assert [r.request_id for r in after.pending()] == [request.request_id]
        backend = CountingBackend()
        assert replay_outbox({"am": backend}, after, clock=clock) == ()  # the dead lease still holds
        clock.advance(61)  # ...until it runs out
        (outcome,) = replay_outbox({"am": backend}, after, clock=clock)
        assert outcome.status is OutcomeStatus.DONE
        assert replay_outbox({"am": backend}, after, clock=clock) == ()
        clock.advance(3600)
        assert replay_outbox({"am": backend}, after, clock=clock) == ()
        assert backend.delivered == [request.request_id]
        assert after.pending() == []
        assert after.get(request.request_id).state is ActionState.DONE
    finally:
        after.close()


def test_a_lost_lease_cannot_overwrite_the_new_holder(journal):
    journal.record(new(rid(1)))
    stale = journal.lease(rid(1), owner="ws-1", now=T0, lease_s=10)
    fresh = journal.lease(rid(1), owner="ws-2", now=T0 + 11, lease_s=10)
    assert stale is not None and fresh is not None and stale.token != fresh.token
    assert journal.complete(stale, done=True, outcome={"status": "done"}, now=T0 + 12) is False
    assert journal.defer(stale, next_attempt_at=T0 + 99, outcome={}, now=T0 + 12) is False
    assert journal.get(rid(1)).lease_owner == "ws-2"
    assert journal.complete(fresh, done=True, outcome={"status": "done"}, now=T0 + 13) is True
    assert journal.get(rid(1)).state is ActionState.DONE
    assert journal.lease(rid(1), owner="ws-3", now=T0 + 100) is None  # final rows are never leased


def test_lease_due_takes_due_unleased_rows_oldest_first(journal):
    for i in range(5):
        journal.record(new(rid(i), at=T0 + i))
    journal.lease(rid(0), owner="x", now=T0, lease_s=100)
    held = journal.lease(rid(1), owner="x", now=T0, lease_s=100)
    journal.defer(held, next_attempt_at=T0 + 500, outcome={}, now=T0)  # not due until T0+500
    leases = journal.lease_due(owner="y", now=T0 + 10, limit=2)
    assert [lease.request_id for lease in leases] == [rid(2), rid(3)]
    assert [lease.request_id for lease in journal.lease_due(owner="y", now=T0 + 10)] == [rid(4)]
    assert journal.lease_due(owner="y", now=T0 + 10) == []


def test_cancel_takes_an_idle_pending_row_out_of_the_outbox(journal):
    journal.record(new(rid(1)))
    journal.record(new(rid(2)))
    journal.lease(rid(2), owner="x", now=T0, lease_s=60)
    assert journal.cancel(rid(1), now=T0) is True
    assert journal.cancel(rid(2), now=T0) is False  # in flight
    assert journal.cancel(rid(1), now=T0) is False  # already cancelled
    assert journal.get(rid(1)).state is ActionState.CANCELLED
    assert [r.request_id for r in journal.pending()] == [rid(2)]


def test_audit_is_append_only(journal, db_path):
    journal.append_audit(AuditEntry(at=T0, actor="alice", os_user="alice", host="ws", action="ack requested",
                                    request_id=rid(1), subject="am/f", outcome="pending"))
    (entry,) = journal.audit(request_id=rid(1))
    assert entry.actor == "alice" and entry.action == "ack requested"
    with sqlite3.connect(db_path) as db:
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            db.execute("UPDATE audit SET actor = 'mallory'")
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            db.execute("DELETE FROM audit")
    assert journal.audit()[0].actor == "alice"


def test_concurrent_connections_never_lease_the_same_action(db_path):
    """Four connections race for 200 due rows, all at once each round: every row goes to exactly one."""
    seed = SqliteJournal(db_path)
    for i in range(200):
        seed.record(new(rid(i)))
    seed.close()
    journals = [SqliteJournal(db_path) for _ in range(4)]
    rounds = threading.Barrier(len(journals))
    taken: list[list[str]] = [[] for _ in journals]

    def worker(index: int) -> None:
        j = journals[index]
        for _ in range(200 // (3 * len(journals)) + 2):  # enough rounds to drain it
            rounds.wait()  # every worker asks at the same moment: they contend for the writer lock
            taken[index].extend(lease.request_id for lease in j.lease_due(owner=f"w{index}", now=T0,
                                                                           lease_s=600, limit=3))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(journals))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for j in journals:
        j.close()
    everything = [r for part in taken for r in part]
    assert len(everything) == len(set(everything)) == 200
    assert all(taken), "the race never happened: a worker got nothing"


def _lease_all(path: str, owner: str, start, out) -> None:  # runs in a child process
    j = SqliteJournal(path)
    start.wait()
    got = []
    while batch := j.lease_due(owner=owner, now=T0, lease_s=600, limit=2):
        got.extend(lease.request_id for lease in batch)
    j.close()
    out.put(got)


def test_two_processes_never_lease_the_same_action(db_path):
    seed = SqliteJournal(db_path)
    for i in range(100):
        seed.record(new(rid(i)))
    seed.close()
    ctx = multiprocessing.get_context("spawn")
    start, out = ctx.Barrier(2), ctx.Queue()
    procs = [ctx.Process(target=_lease_all, args=(str(db_path), f"p{i}", start, out)) for i in range(2)]
    for p in procs:
        p.start()
    results = [out.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    everything = [r for part in results for r in part]
    assert len(everything) == len(set(everything)) == 100


def test_a_replay_by_two_workstations_delivers_each_action_once(db_path):
    clock = FakeClock(T0)
    seed = SqliteJournal(db_path)
    requests = [make_request(requested_at=T0) for _ in range(30)]
    for r in requests:
        seed.record(NewAction(request_id=r.request_id, kind="ack", source_id="am", payload=r.to_record(),
                              created_at=T0))
    seed.close()
    ws = [SqliteJournal(db_path), SqliteJournal(db_path)]
    backend = CountingBackend()
    start = threading.Barrier(2)

    def drain(j: SqliteJournal, owner: str) -> None:
        start.wait()
        while replay_outbox({"am": backend}, j, owner=owner, clock=clock, retry_delay=FIXED_DELAY, limit=4):
            pass

    threads = [threading.Thread(target=drain, args=(j, f"ws{i}")) for i, j in enumerate(ws)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for j in ws:
        j.close()
    assert sorted(backend.delivered) == sorted(r.request_id for r in requests)


def test_a_newer_schema_is_refused(db_path):
    SqliteJournal(db_path).close()
    with sqlite3.connect(db_path) as db:
        db.execute("PRAGMA user_version = 99")
    with pytest.raises(sqlite3.DatabaseError, match="newer"):
        SqliteJournal(db_path)
