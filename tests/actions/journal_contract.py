"""The Journal contract, run against every implementation.

Not collected by itself (no test_ prefix): test_sqlite_journal.py and the
PostgreSQL integration test import these tests and provide two fixtures:
`open_journal` (a picklable callable opening a NEW connection to the same store,
as another thread, process or workstation would) and `journal` (one open
connection, closed after the test).
"""

from __future__ import annotations

import multiprocessing
import threading

from action_helpers import FIXED_DELAY, FakeClock, make_request

from noc_app.actions.execute import replay_outbox
from noc_app.actions.model import ActionOutcome, ActionRequest, OutcomeStatus
from noc_app.state.journal import Journal
from noc_app.state.records import ActionState, AuditEntry, IncidentMark, NewAction

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


def test_audit_lines_come_back_in_order(journal):
    for i, action in enumerate(["ack requested", "ack", "note requested"]):
        journal.append_audit(AuditEntry(at=T0 + i, actor="alice (claimed)", os_user="root", host="ws-9",
                                        action=action, request_id=rid(i % 2), subject="am/f", outcome="x",
                                        detail="d"))
    assert [e.action for e in journal.audit()] == ["ack requested", "ack", "note requested"]
    assert [e.action for e in journal.audit(request_id=rid(0))] == ["ack requested", "note requested"]
    first = journal.audit(limit=1)[0]
    assert (first.at, first.actor, first.os_user, first.host, first.subject, first.detail) == (
        T0, "alice (claimed)", "root", "ws-9", "am/f", "d")


def test_record_is_idempotent_on_the_request_id(journal):
    assert journal.record(new(rid(1))) is True
    assert not journal.record(NewAction(request_id=rid(1), kind="note", source_id="x", payload={}, created_at=T0 + 5))
    row = journal.get(rid(1))
    assert (row.kind, row.payload, row.state, row.attempts) == ("ack", {"n": rid(1)}, ActionState.PENDING, 0)


def test_record_returns_false_for_a_known_id(journal):
    journal.record(new(rid(1)))
    assert journal.record(new(rid(1))) is False


def test_a_pending_action_survives_a_crash_and_is_replayed_exactly_once(open_journal):
    request = make_request(requested_at=T0)
    clock = FakeClock(T0)
    before_crash = open_journal()
    before_crash.record(NewAction(request_id=request.request_id, kind="ack", source_id="am",
                                  payload=request.to_record(), created_at=T0))
    lease = before_crash.lease(request.request_id, owner="ws-1:100", now=T0, lease_s=60)
    assert lease is not None
    before_crash.close()  # the process dies mid-delivery: its connection goes, no complete()

    after = open_journal()  # the restarted app
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
    assert list(journal.lease_due(owner="y", now=T0 + 10)) == []


def test_cancel_takes_an_idle_pending_row_out_of_the_outbox(journal):
    journal.record(new(rid(1)))
    journal.record(new(rid(2)))
    journal.lease(rid(2), owner="x", now=T0, lease_s=60)
    assert journal.cancel(rid(1), now=T0) is True
    assert journal.cancel(rid(2), now=T0) is False  # in flight
    assert journal.cancel(rid(1), now=T0) is False  # already cancelled
    assert journal.get(rid(1)).state is ActionState.CANCELLED
    assert [r.request_id for r in journal.pending()] == [rid(2)]


def test_concurrent_connections_never_lease_the_same_action(open_journal):
    """Four connections race for 200 due rows, all at once each round: every row goes to exactly one."""
    seed = open_journal()
    for i in range(200):
        seed.record(new(rid(i)))
    seed.close()
    journals = [open_journal() for _ in range(4)]
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


def _lease_all(opener, owner: str, start, out) -> None:  # runs in a child process
    j = opener()
    start.wait()
    got = []
    while batch := j.lease_due(owner=owner, now=T0, lease_s=600, limit=2):
        got.extend(lease.request_id for lease in batch)
    j.close()
    out.put(got)


def test_two_processes_never_lease_the_same_action(open_journal):
    seed = open_journal()
    for i in range(100):
        seed.record(new(rid(i)))
    seed.close()
    ctx = multiprocessing.get_context("spawn")
    start, out = ctx.Barrier(2), ctx.Queue()
    procs = [ctx.Process(target=_lease_all, args=(open_journal, f"p{i}", start, out)) for i in range(2)]
    for p in procs:
        p.start()
    results = [out.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    everything = [r for part in results for r in part]
    assert len(everything) == len(set(everything)) == 100


def test_a_replay_by_two_workstations_delivers_each_action_once(open_journal):
    clock = FakeClock(T0)
    seed = open_journal()
    requests = [make_request(requested_at=T0) for _ in range(30)]
    for r in requests:
        seed.record(NewAction(request_id=r.request_id, kind="ack", source_id="am", payload=r.to_record(),
                              created_at=T0))
    seed.close()
    ws = [open_journal(), open_journal()]
    backend = CountingBackend()
    start = threading.Barrier(2)

    def drain(j: Journal, owner: str) -> None:
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


# -- incident history -------------------------------------------------------------------------


def test_incident_history_keeps_first_seen_first_shown_and_first_ack(journal):
    assert journal.incident_history("am", "f1") is None
    journal.mark_incidents([IncidentMark(source_id="am", fingerprint="f1", name="HighErrorRate",
                                         first_seen_at=T0, shown_at=T0 + 5)], now=T0 + 5)
    journal.mark_incidents([
        IncidentMark(source_id="am", fingerprint="f1", first_seen_at=T0 - 30, shown_at=T0 + 9),  # activeAt: earlier
        IncidentMark(source_id="am", fingerprint="f2", name="Other", first_seen_at=T0 + 1),
    ], now=T0 + 10)
    journal.mark_incidents([IncidentMark(source_id="am", fingerprint="f1", acked_at=T0 + 60, acked_by="alice")],
                           now=T0 + 60)
    journal.mark_incidents([IncidentMark(source_id="am", fingerprint="f1", acked_at=T0 + 90, acked_by="bob")],
                           now=T0 + 90)
    row = journal.incident_history("am", "f1")
    assert (row.name, row.first_seen_at, row.shown_at, row.acked_at, row.acked_by, row.resolved_at) == (
        "HighErrorRate", T0 - 30, T0 + 5, T0 + 60, "alice", None)
    assert row.updated_at == T0 + 90
    assert journal.incident_history("am", "f2").name == "Other"


def test_a_resolved_incident_that_fires_again_starts_a_new_occurrence(journal):
    journal.mark_incidents([IncidentMark(source_id="am", fingerprint="f", name="X", first_seen_at=T0,
                                         acked_at=T0 + 1, acked_by="alice")], now=T0 + 1)
    journal.mark_incidents([IncidentMark(source_id="am", fingerprint="f", resolved_at=T0 + 100)], now=T0 + 100)
    journal.mark_incidents([IncidentMark(source_id="am", fingerprint="f", resolved_at=T0 + 200)], now=T0 + 200)
    assert journal.incident_history("am", "f").resolved_at == T0 + 100  # the first resolution stands
    journal.mark_incidents([IncidentMark(source_id="am", fingerprint="f", first_seen_at=T0 + 300, reopened=True)],
                           now=T0 + 300)
    row = journal.incident_history("am", "f")
    assert (row.name, row.first_seen_at, row.acked_at, row.acked_by, row.resolved_at) == ("X", T0 + 300, None, "",
                                                                                          None)


def test_incident_history_keeps_the_severity_and_service_it_was_first_seen_with(journal):
    journal.mark_incidents([IncidentMark(source_id="am", fingerprint="f", name="X", first_seen_at=T0,
                                         severity="critical", service="checkout")], now=T0)
    journal.mark_incidents([IncidentMark(source_id="am", fingerprint="f", acked_at=T0 + 5, acked_by="alice")],
                           now=T0 + 5)
    journal.mark_incidents([IncidentMark(source_id="am", fingerprint="f", severity="warning")], now=T0 + 6)
    row = journal.incident_history("am", "f")
    assert (row.severity, row.service, row.acked_by) == ("critical", "checkout", "alice")
    assert journal.incident_histories()[0].severity == "critical"


def test_incident_histories_list_the_recently_updated_first(journal):
    for i in range(3):
        journal.mark_incidents([IncidentMark(source_id="am", fingerprint=f"f{i}", first_seen_at=T0)], now=T0 + i)
    assert [h.fingerprint for h in journal.incident_histories()] == ["f2", "f1", "f0"]
    assert [h.fingerprint for h in journal.incident_histories(since=T0 + 1, limit=1)] == ["f2"]


def test_audit_lines_of_one_incident(journal):
    for i, subject in enumerate(["am/f1", "am/f2", "am/f1"]):
        journal.append_audit(AuditEntry(at=T0 + i, actor="a", os_user="u", host="h", action=f"a{i}",
                                        request_id=rid(i), subject=subject))
    assert [e.action for e in journal.audit(subject="am/f1")] == ["a0", "a2"]
    assert [e.action for e in journal.audit(subject="am/f1", request_id=rid(2))] == ["a2"]


def _mark_many(open_journal, worker: int) -> None:
    journal = open_journal()
    try:
        for i in range(20):
            journal.mark_incidents([IncidentMark(source_id="am", fingerprint="shared", first_seen_at=T0 + worker,
                                                 acked_at=T0 + 100 + worker * 100 + i, acked_by=f"w{worker}")],
                                   now=T0 + i)
    finally:
        journal.close()


def test_workstations_marking_one_incident_together_keep_one_consistent_row(open_journal):
    threads = [threading.Thread(target=_mark_many, args=(open_journal, w)) for w in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    journal = open_journal()
    try:
        row = journal.incident_history("am", "shared")
        assert row.first_seen_at == T0
        assert row.acked_by in {"w0", "w1", "w2"}
        assert row.acked_at == T0 + 100 + int(row.acked_by[1:]) * 100  # the first ack of whoever came first
    finally:
        journal.close()


# -- raised incidents (no Alertmanager) ---------------------------------------------------------


def test_raised_rows_are_written_only_over_the_version_they_were_read_at(journal):
    assert journal.raised_get("r1") is None
    assert journal.raised_put("r1", {"name": "SLOBurn", "labels": {"slo": "x"}}, version=0, now=T0) is True
    assert journal.raised_put("r1", {"name": "other"}, version=0, now=T0) is False  # already there
    row = journal.raised_get("r1")
    assert (row.fingerprint, row.body, row.version, row.updated_at) == ("r1", {"name": "SLOBurn", "labels": {"slo": "x"}},
                                                                        1, T0)
    assert journal.raised_put("r1", {"name": "SLOBurn", "acked_by": "alice"}, version=1, now=T0 + 1) is True
    assert journal.raised_put("r1", {"name": "SLOBurn", "acked_by": "bob"}, version=1, now=T0 + 2) is False  # stale
    assert journal.raised_get("r1").body["acked_by"] == "alice"
    journal.raised_put("r0", {"name": "later"}, version=0, now=T0 + 5)
    assert [r.fingerprint for r in journal.raised_all()] == ["r1", "r0"]
