"""Incident history from polls and outcomes: the pure `observe`, and the service writing it."""

from __future__ import annotations

import threading

from action_helpers import make_request

from noc_app.actions.history import observe, outcome_mark
from noc_app.actions.model import ActionKind, ActionOutcome, OutcomeStatus
from noc_app.model import Alert, AlertState, Severity, Snapshot

T0 = 1_800_000_000.0


def alert(fp: str, state: AlertState = AlertState.FIRING, acked_by: str = "", **kw) -> Alert:
    return Alert(fingerprint=fp, source_id="am", name=f"A-{fp}", severity=Severity.CRITICAL, state=state,
                 starts_at=T0 - 60, acknowledged_by=acked_by, **kw)


def snap(*alerts: Alert, **kw) -> Snapshot:
    return Snapshot.build(source_id="am", taken_at=T0, alerts=tuple(alerts), **kw)


def test_a_new_incident_is_marked_first_seen_at_its_start_and_shown_now():
    marks, seen = observe(None, snap(alert("f1")), now=T0)
    assert seen == {"f1": ""}
    (mark,) = marks
    assert (mark.fingerprint, mark.name, mark.first_seen_at, mark.shown_at, mark.reopened) == (
        "f1", "A-f1", T0 - 60, T0, True)


def test_a_steady_wall_writes_nothing_and_a_new_ack_is_marked_once():
    _, seen = observe(None, snap(alert("f1")), now=T0)
    assert observe(seen, snap(alert("f1")), now=T0 + 15)[0] == []
    marks, seen = observe(seen, snap(alert("f1", AlertState.ACKNOWLEDGED, acked_by="alice")), now=T0 + 30)
    assert [(m.acked_at, m.acked_by) for m in marks] == [(T0 + 30, "alice")]
    assert observe(seen, snap(alert("f1", AlertState.ACKNOWLEDGED, acked_by="alice")), now=T0 + 45)[0] == []


def test_an_incident_gone_from_a_whole_list_has_resolved_but_not_from_a_partial_one():
    _, seen = observe(None, snap(alert("f1"), alert("f2")), now=T0)
    marks, kept = observe(seen, snap(alert("f2"), errors={"alerts": "peer 2 down"}), now=T0 + 15)
    assert marks == [] and set(kept) == {"f1", "f2"}
    marks, seen = observe(kept, snap(alert("f2")), now=T0 + 30)
    assert [(m.fingerprint, m.resolved_at) for m in marks] == [("f1", T0 + 30)]
    assert seen == {"f2": ""}


def test_a_reported_resolution_uses_the_backends_end_time():
    _, seen = observe(None, snap(alert("f1")), now=T0)
    marks, _ = observe(seen, snap(alert("f1", AlertState.RESOLVED, ends_at=T0 + 5)), now=T0 + 15)
    assert [(m.fingerprint, m.resolved_at) for m in marks] == [("f1", T0 + 5)]


def test_only_a_confirmed_ack_marks_the_history():
    request = make_request()
    done = ActionOutcome(request_id=request.request_id, status=OutcomeStatus.DONE)
    queued = ActionOutcome(request_id=request.request_id, status=OutcomeStatus.QUEUED)
    mark = outcome_mark(request, done, now=T0)
    assert (mark.source_id, mark.fingerprint, mark.acked_at, mark.acked_by) == ("am", "0f3a9c1d2e4b5a6f", T0, "alice")
    assert outcome_mark(request, queued, now=T0) is None
    note = make_request(ActionKind.NOTE)
    assert outcome_mark(note, ActionOutcome(request_id=note.request_id, status=OutcomeStatus.DONE), now=T0) is None


class DoneBackend:
    def perform(self, request):
        return ActionOutcome(request_id=request.request_id, status=OutcomeStatus.DONE)


def test_the_service_records_history_from_polls_and_from_a_confirmed_ack(journal, qtbot):
    from noc_app.actions.service import ActionService

    service = ActionService({"am": DoneBackend()}, journal, clock=lambda: T0 + 100)
    try:
        service.start()
        service.on_poll_succeeded("am", snap(alert("0f3a9c1d2e4b5a6f")))
        qtbot.waitUntil(lambda: journal.incident_history("am", "0f3a9c1d2e4b5a6f") is not None, timeout=10_000)
        with qtbot.waitSignal(service.outcome_ready, timeout=10_000):
            service.submit(make_request())
        qtbot.waitUntil(lambda: journal.incident_history("am", "0f3a9c1d2e4b5a6f").acked_by == "alice",
                        timeout=10_000)
        row = journal.incident_history("am", "0f3a9c1d2e4b5a6f")
        assert (row.first_seen_at, row.shown_at, row.acked_at) == (T0 - 60, T0 + 100, T0 + 100)
        assert threading.current_thread() is threading.main_thread()
    finally:
        service.stop(wait_s=5.0)


def test_the_timeline_joins_the_history_row_and_the_audit_with_comments(journal):
    from noc_app.actions.execute import execute
    from noc_app.actions.history import timeline
    from noc_app.actions.model import IncidentKey
    from noc_app.state.records import IncidentMark

    key = IncidentKey(source_id="am", fingerprint="0f3a9c1d2e4b5a6f")
    journal.mark_incidents([IncidentMark(source_id="am", fingerprint=key.fingerprint, name="X", first_seen_at=T0,
                                         shown_at=T0 + 5, acked_at=T0 + 20, acked_by="alice")], now=T0 + 20)
    note = make_request(ActionKind.NOTE, requested_at=T0 + 10)
    execute(note, DoneBackend(), journal, clock=lambda: T0 + 10)
    lines = [(e.at, e.text) for e in timeline(journal, key).entries]
    assert lines[0] == (T0, "first seen (the backend's start)")
    assert (T0 + 5, "first shown on the wall") in lines and (T0 + 20, "acknowledged by alice") in lines
    notes = [text for _, text in lines if text.startswith("note")]
    assert notes and '"vendor says 10 minutes"' in notes[0]
    assert [at for at, _ in lines] == sorted(at for at, _ in lines)


def test_a_timeline_from_a_broken_database_says_so():
    from noc_app.actions.history import timeline
    from noc_app.actions.model import IncidentKey

    class Broken:
        def incident_history(self, *a):
            raise OSError("database is down")

    result = timeline(Broken(), IncidentKey(source_id="am", fingerprint="f"))  # type: ignore[arg-type]
    assert result.entries == () and "database is down" in result.error


def test_read_history_delivers_on_the_gui_thread(journal, qtbot):
    from noc_app.actions.model import IncidentKey
    from noc_app.actions.service import ActionService

    service = ActionService({}, journal)
    got: list[tuple[object, bool]] = []
    try:
        service.read_history(IncidentKey(source_id="am", fingerprint="f"),
                             lambda t: got.append((t, threading.current_thread() is threading.main_thread())))
        qtbot.waitUntil(lambda: bool(got), timeout=10_000)
        timeline, on_gui = got[0]
        assert on_gui and timeline.entries == () and timeline.error == ""
    finally:
        service.stop(wait_s=5.0)
