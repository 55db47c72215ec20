"""Acknowledge through execute() against REAL Alertmanagers: silence, replay, un-ack, outbox, upkeep."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import raw_api
import servers

from noc_app.actions.backends.alertmanager import AlertmanagerBackend
from noc_app.actions.execute import execute, replay_outbox
from noc_app.actions.model import (
    ActionKind,
    ActionRequest,
    IncidentKey,
    Operator,
    OutcomeStatus,
    Role,
)
from noc_app.config.schema import SourceConfig
from noc_app.model import AlertState
from noc_app.sources.alertmanager import AlertmanagerSource
from noc_app.sources.base import PollPlan
from noc_app.sources.http import SourceClient, make_client
from noc_app.sources.silences import iso_time
from noc_app.state.records import ActionState
from noc_app.state.sqlite import SqliteJournal

pytestmark = pytest.mark.integration


def post_alert(peer_urls: tuple[str, ...], run: str, name: str, *, ends_in_s: float = 600.0) -> dict[str, str]:
    now = time.time()
    labels = {"alertname": name, "severity": "critical", "service": "checkout", "test_run": run}
    alert = {"labels": labels, "annotations": {"summary": f"{name} for the actions test"},
             "startsAt": iso_time(now - 30), "endsAt": iso_time(now + ends_in_s)}
    for url in peer_urls:  # Prometheus in HA sends every alert to every peer
        response = httpx.post(f"{url}/api/v2/alerts", json=[alert], timeout=5)
        assert response.status_code == 200, response.text
    return labels


def post_labels(peer_urls: tuple[str, ...], labels: dict[str, str]) -> None:
    now = time.time()
    alert = {"labels": labels, "annotations": {}, "startsAt": iso_time(now - 30), "endsAt": iso_time(now + 600)}
    for url in peer_urls:
        response = httpx.post(f"{url}/api/v2/alerts", json=[alert], timeout=5)
        assert response.status_code == 200, response.text


def our_alert(peer_url: str, run: str) -> dict | None:
    found = raw_api.am_alerts(peer_url, filter=f'test_run="{run}"')
    return found[0] if found else None


def silences_for(peer_url: str, request_id: str) -> list[dict]:
    response = httpx.get(f"{peer_url}/api/v2/silences", timeout=5)
    response.raise_for_status()
    return [s for s in response.json() if f"[noc-app request {request_id}]" in s["comment"]]


def ack_request(labels: dict[str, str], fingerprint: str, kind: ActionKind = ActionKind.ACK,
                comment: str = "on it, INC-42") -> ActionRequest:
    return ActionRequest(
        kind=kind, incident=IncidentKey(source_id="am", fingerprint=fingerprint),
        operator=Operator(name="alice", role=Role.OPERATOR, os_user="alice", host="noc-ws-1"),
        comment=comment, labels=labels,
    )


def backend_for(*urls: str, ack_labels: tuple[str, ...] | None = None) -> AlertmanagerBackend:
    return AlertmanagerBackend(SourceConfig(id="am", kind="alertmanager", url=urls[0], urls=tuple(urls[1:]),
                                            timeout_s=3.0), ack_label_names=ack_labels)


@pytest.fixture
def run_id() -> str:
    return uuid.uuid4().hex[:12]


@pytest.fixture
def lone_alertmanager(tmp_path: Path) -> Iterator[servers.Server]:
    """An Alertmanager of this test's own: the test kills and restarts it."""
    server = servers.start_on_free_ports(lambda: servers.alertmanager(tmp_path / "am"), lambda s: s.start())
    try:
        yield server
    finally:
        server.stop()


def test_ack_replay_and_unack_on_a_cluster(alertmanager_cluster, run_id, tmp_path):
    a, b = alertmanager_cluster.urls
    labels = post_alert((a, b), run_id, "CheckoutErrors")
    fingerprint = servers.wait_for(lambda: our_alert(a, run_id), timeout_s=20, what="the alert")["fingerprint"]
    backend = backend_for(a, b)
    journal = SqliteJournal(tmp_path / "state.db")
    request = ack_request(labels, fingerprint)
    try:
        outcome = execute(request, backend, journal)
        assert outcome.status is OutcomeStatus.DONE, outcome.message
        silence_id = outcome.backend_ref

        # the silence is on both peers, with the operator and the request id
        for peer in (a, b):
            (silence,) = servers.wait_for(lambda peer=peer: silences_for(peer, request.request_id),
                                          timeout_s=20, what=f"the ack silence on {peer}")
            assert silence["id"] == silence_id and silence["createdBy"] == "alice"
            assert silence["comment"] == (
                f"ack by alice (until resolved): on it, INC-42 [noc-app request {request.request_id}]")
            assert {m["name"]: m["value"] for m in silence["matchers"]} == labels
            muted = servers.wait_for(
                lambda peer=peer: (al := our_alert(peer, run_id)) and silence_id in al["status"]["silencedBy"] and al,
                timeout_s=20, what=f"the alert to show as silenced on {peer}")
            assert muted["status"]["state"] == "suppressed"
        assert journal.get(request.request_id).state is ActionState.DONE

        # replays: through the journal, straight to the backend (crash before the outcome was
        # journalled), and through a fresh journal (the database was lost): still one silence
        assert execute(request, backend, journal).backend_ref == silence_id
        assert backend.perform(request).backend_ref == silence_id
        other_db = SqliteJournal(tmp_path / "other.db")
        try:
            assert execute(request, backend_for(b, a), other_db).backend_ref == silence_id
        finally:
            other_db.close()
        assert len(silences_for(a, request.request_id)) == 1
        assert len(silences_for(b, request.request_id)) == 1

        # un-ack expires it; the alert fires again
        unack = execute(ack_request(labels, fingerprint, ActionKind.UNACK, comment=""), backend, journal)
        assert unack.status is OutcomeStatus.DONE and unack.backend_ref == silence_id
        assert backend.silence(silence_id).state == "expired"
        servers.wait_for(lambda: (al := our_alert(b, run_id)) and al["status"]["state"] == "active",
                         timeout_s=20, what="the alert to fire again after the un-ack")
        # replaying the original ack does not re-create what the operator took back
        assert backend.perform(request).backend_ref == silence_id
        assert [s["status"]["state"] for s in silences_for(a, request.request_id)] == ["expired"]
        assert [e.action for e in journal.audit(request_id=request.request_id)] == ["ack requested", "ack"]
    finally:
        backend.close()
        journal.close()


def test_a_note_joins_the_ack_comment_on_both_peers_and_the_incident_stays_acked_by_the_acker(
        alertmanager_cluster, run_id, tmp_path):
    a, b = alertmanager_cluster.urls
    name = f"NoteOnAck{run_id}"
    labels = post_alert((a, b), run_id, name)
    fingerprint = servers.wait_for(lambda: our_alert(a, run_id), timeout_s=20, what="the alert")["fingerprint"]
    backend = backend_for(a, b)
    journal = SqliteJournal(tmp_path / "state.db")
    source = AlertmanagerSource(SourceConfig(id="am", kind="alertmanager", url=a, urls=(b,), timeout_s=3.0),
                                PollPlan(alerts=True))
    try:
        ack = ack_request(labels, fingerprint)
        acked = execute(ack, backend, journal)
        assert acked.status is OutcomeStatus.DONE, acked.message
        servers.wait_for(lambda: silences_for(b, ack.request_id), timeout_s=20, what="the ack to gossip to B")
        bob = Operator(name="bob", role=Role.OPERATOR, os_user="bob", host="noc-ws-2")
        note = ActionRequest(kind=ActionKind.NOTE, incident=IncidentKey(source_id="am", fingerprint=fingerprint),
                             operator=bob, comment="vendor says 10 minutes", labels=labels)
        noted = execute(note, backend_for(b, a), journal)  # another workstation, asking the other peer first
        assert noted.status is OutcomeStatus.DONE and "note added to the ack comment" in noted.message, noted.message
        silence_id = noted.backend_ref
        expected = (f"ack by alice (until resolved): on it, INC-42 | [note {note.request_id}] bob: "
                    f"vendor says 10 minutes [noc-app request {ack.request_id}]")

        def live_on(peer: str) -> list[dict]:
            return [s for s in silences_for(peer, ack.request_id) if s["status"]["state"] == "active"]

        for peer in (a, b):
            (silence,) = servers.wait_for(
                lambda peer=peer: (found := live_on(peer)) and found[0]["comment"] == expected and found,
                timeout_s=20, what=f"the noted ack silence on {peer}")
            assert silence["id"] == silence_id and silence["createdBy"] == "alice"
            assert {m["name"]: m["value"] for m in silence["matchers"]} == labels
        if silence_id != acked.backend_ref:  # Alertmanager replaced the silence: the old one no longer mutes
            assert backend.silence(acked.backend_ref).state == "expired"

        def acked_on_board():
            (only,) = [al for al in source.poll().alerts if al.labels.get("test_run") == run_id]
            return only if only.state is AlertState.ACKNOWLEDGED and silence_id in only.silenced_by else None

        shown = servers.wait_for(acked_on_board, timeout_s=20, what="the incident to show as acknowledged")
        assert shown.acknowledged_by == "alice"
        assert shown.mute_reason.startswith("acked by alice until resolved")
        assert shown.mute_reason.endswith(": on it, INC-42 | note by bob: vendor says 10 minutes")

        # replays (through the journal, and straight to the backend as after a crash) change nothing
        before = {peer: httpx.get(f"{peer}/api/v2/silences", timeout=5).json() for peer in (a, b)}
        assert execute(note, backend, journal).backend_ref == silence_id
        again = backend.perform(note)
        assert again.status is OutcomeStatus.DONE and again.backend_ref == silence_id and "already" in again.message
        for peer in (a, b):
            after = httpx.get(f"{peer}/api/v2/silences", timeout=5).json()
            assert sorted(after, key=lambda s: s["id"]) == sorted(before[peer], key=lambda s: s["id"])
        # the ack is still the same request: its replay finds it, the un-ack takes the noted silence back
        assert backend.perform(ack).backend_ref in (acked.backend_ref, silence_id)
        unack = execute(ack_request(labels, fingerprint, ActionKind.UNACK, comment=""), backend, journal)
        assert unack.status is OutcomeStatus.DONE and silence_id in unack.backend_ref.split(",")
        assert backend.silence(silence_id).state == "expired"

        # no ack in force: the note stays in the journal only, and the outcome says so
        alone = ActionRequest(kind=ActionKind.NOTE, incident=IncidentKey(source_id="am", fingerprint=fingerprint),
                              operator=bob, comment="handed over to payments", labels=labels)
        kept = execute(alone, backend, journal)
        assert kept.status is OutcomeStatus.DONE and "journal only" in kept.message and kept.backend_ref == ""
        assert journal.get(alone.request_id).state is ActionState.DONE
        assert all(f"[note {alone.request_id}]" not in s["comment"]
                   for s in httpx.get(f"{a}/api/v2/silences", timeout=5).json())
    finally:
        source.close()
        backend.close()
        journal.close()


def test_outbox_holds_the_ack_while_alertmanager_is_down_and_delivers_it_once(lone_alertmanager, run_id, tmp_path):
    url = lone_alertmanager.base_url
    labels = post_alert((url,), run_id, "PaymentGatewayDown")
    fingerprint = servers.wait_for(lambda: our_alert(url, run_id), timeout_s=20, what="the alert")["fingerprint"]
    request = ack_request(labels, fingerprint)
    journal = SqliteJournal(tmp_path / "state.db")
    backend = backend_for(url)
    try:
        lone_alertmanager.kill()
        queued = execute(request, backend, journal)
        assert queued.status is OutcomeStatus.QUEUED, queued.message
        assert "no Alertmanager peer reachable" in queued.message
        assert [r.request_id for r in journal.pending()] == [request.request_id]
        # nothing is delivered before it is due (while the backend is still down)
        assert replay_outbox({"am": backend}, journal) == ()

        lone_alertmanager.start()  # same port, same storage
        labels = post_alert((url,), run_id, "PaymentGatewayDown")  # alerts are not persisted: re-sent
        journal.close()
        journal = SqliteJournal(tmp_path / "state.db")  # and the app restarted meanwhile
        due = queued.retry_at + 1
        (delivered,) = replay_outbox({"am": backend}, journal, clock=lambda: due)
        assert delivered.status is OutcomeStatus.DONE, delivered.message
        assert replay_outbox({"am": backend}, journal, clock=lambda: due + 3600) == ()
        assert journal.pending() == []
        (silence,) = silences_for(url, request.request_id)
        assert silence["id"] == delivered.backend_ref and silence["status"]["state"] == "active"
        row = journal.get(request.request_id)
        assert (row.state, row.attempts) == (ActionState.DONE, 2)
    finally:
        backend.close()
        journal.close()


def test_until_resolved_ack_is_expired_when_the_alert_resolves(lone_alertmanager, run_id, tmp_path):
    url = lone_alertmanager.base_url
    labels = post_alert((url,), run_id, "InventorySyncStalled")
    fingerprint = servers.wait_for(lambda: our_alert(url, run_id), timeout_s=20, what="the alert")["fingerprint"]
    backend = backend_for(url)
    journal = SqliteJournal(tmp_path / "state.db")
    try:
        ack = execute(ack_request(labels, fingerprint), backend, journal)
        assert ack.status is OutcomeStatus.DONE, ack.message

        def current() -> list[dict[str, str]]:
            return [al["labels"] for al in raw_api.am_alerts(url)]

        assert backend.upkeep(current()).expire == ()  # still firing (silenced): the ack stays
        assert backend.silence(ack.backend_ref).state == "active"

        post_alert((url,), run_id, "InventorySyncStalled", ends_in_s=-1)  # Prometheus says: resolved
        servers.wait_for(lambda: our_alert(url, run_id) is None, timeout_s=20,
                         what="Alertmanager to drop the resolved alert")
        plan = backend.upkeep(current())
        assert ack.backend_ref in plan.expire
        assert backend.silence(ack.backend_ref).state == "expired"
    finally:
        backend.close()
        journal.close()


def test_an_incident_the_app_raises_is_shared_acked_and_resolved(alertmanager_cluster, run_id, tmp_path):
    from noc_app.actions.backends.alertmanager_alerts import AlertmanagerAlertSink
    from noc_app.actions.raised import RaisedIncident

    a, b = alertmanager_cluster.urls
    config = SourceConfig(id="am", kind="alertmanager", url=a, urls=(b,), timeout_s=3.0)
    sink = AlertmanagerAlertSink(config)
    raised = RaisedIncident(name="SLOBurnRateFast", severity="critical", labels={"test_run": run_id},
                            summary="error budget burning 14x", starts_at=time.time() - 60)
    backend = backend_for(a, b)
    journal = SqliteJournal(tmp_path / "state.db")
    try:
        sink.publish([raised])
        on_both = [servers.wait_for(lambda peer=peer: our_alert(peer, run_id), timeout_s=20,
                                    what=f"the raised incident on {peer}") for peer in (a, b)]
        assert all(al["labels"]["generator"] == "noc-app" for al in on_both)
        assert on_both[0]["fingerprint"] == on_both[1]["fingerprint"]
        ack = execute(ack_request(on_both[0]["labels"], on_both[0]["fingerprint"]), backend, journal)
        assert ack.status is OutcomeStatus.DONE, ack.message
        servers.wait_for(lambda: (al := our_alert(b, run_id)) and ack.backend_ref in al["status"]["silencedBy"],
                         timeout_s=20, what="the raised incident to show as acknowledged (silenced) on the other peer")
        sink.publish([], [raised])
        for peer in (a, b):
            servers.wait_for(lambda peer=peer: our_alert(peer, run_id) is None, timeout_s=20,
                             what=f"the resolved incident to leave {peer}")
    finally:
        sink.close()
        backend.close()
        journal.close()


def test_ack_on_stable_labels_mutes_the_incident_on_both_peers_and_never_matches_everything(
        alertmanager_cluster, run_id, tmp_path):
    """actions.ack_labels [alertname, service, instance]: the silence holds those the alert has (no instance
    here), mutes the same incident when a volatile label changes, and an alert with none of them is acked on
    alertname alone, never with empty matchers."""
    a, b = alertmanager_cluster.urls
    name = f"StableAck{run_id}"  # unique: a silence on alertname + service must not mute other tests' alerts
    labels = post_alert((a, b), run_id, name)
    fingerprint = servers.wait_for(lambda: our_alert(a, run_id), timeout_s=20, what="the alert")["fingerprint"]
    backend = backend_for(a, b, ack_labels=("alertname", "service", "instance"))
    journal = SqliteJournal(tmp_path / "state.db")
    try:
        request = ack_request(labels, fingerprint)
        ack = execute(request, backend, journal)
        assert ack.status is OutcomeStatus.DONE, ack.message
        for peer in (a, b):
            (silence,) = servers.wait_for(lambda peer=peer: silences_for(peer, request.request_id),
                                          timeout_s=20, what=f"the ack silence on {peer}")
            assert {m["name"]: m["value"] for m in silence["matchers"]} == {"alertname": name, "service": "checkout"}
            assert all(m["isEqual"] and not m["isRegex"] for m in silence["matchers"])
        # the same incident with a volatile label changed (severity) is muted by the same ack
        changed = {**labels, "severity": "warning", "test_run": f"{run_id}-b"}
        post_labels((a, b), changed)
        muted = servers.wait_for(
            lambda: (al := our_alert(a, f"{run_id}-b")) and ack.backend_ref in al["status"]["silencedBy"] and al,
            timeout_s=20, what="the changed alert to be muted by the stable-label ack")
        assert muted["status"]["state"] == "suppressed"
        # acking it again finds the ack in force: no second silence
        again = execute(ack_request(changed, muted["fingerprint"]), backend, journal)
        assert again.backend_ref == ack.backend_ref

        # none of the configured labels: the ack falls back to alertname, never to an empty matcher list
        bare = {"alertname": f"BareAck{run_id}", "test_run": f"{run_id}-c"}
        post_labels((a, b), bare)
        bare_fp = servers.wait_for(lambda: our_alert(a, f"{run_id}-c"), timeout_s=20, what="the bare alert")
        narrow = backend_for(a, b, ack_labels=("service", "instance"))
        try:
            fallback = execute(ack_request(bare, bare_fp["fingerprint"]), narrow, journal)
            assert fallback.status is OutcomeStatus.DONE, fallback.message
            matchers = backend.silence(fallback.backend_ref).matchers
            assert [(m.name, m.value) for m in matchers] == [("alertname", bare["alertname"])]
            nothing = execute(ack_request({"test_run": run_id}, "0" * 16), narrow, journal)
            assert nothing.status is not OutcomeStatus.DONE and "silence everything" in nothing.message
        finally:
            narrow.close()
        backend.perform(ack_request(labels, fingerprint, ActionKind.UNACK, comment=""))
        narrow_unack = backend_for(a, b, ack_labels=("service", "instance"))
        try:
            narrow_unack.perform(ack_request(bare, bare_fp["fingerprint"], ActionKind.UNACK, comment=""))
        finally:
            narrow_unack.close()
        assert backend.silence(fallback.backend_ref).state == "expired"
    finally:
        backend.close()
        journal.close()


@pytest.mark.parametrize("peer_order", ["same peer", "each its own peer"])
def test_two_workstations_noting_one_ack_at_once_both_notes_stay(alertmanager_cluster, run_id, tmp_path, peer_order):
    """A comment update is last-writer-wins: each writer reads back and appends again when it lost."""
    a, b = alertmanager_cluster.urls
    name = f"TwoNotes{run_id}"
    labels = post_alert((a, b), run_id, name)
    fingerprint = servers.wait_for(lambda: our_alert(a, run_id), timeout_s=20, what="the alert")["fingerprint"]
    def slow_writes(config: SourceConfig, peer: str) -> SourceClient:
        """Both writers read the comment before either writes it: the race, every time."""
        client = make_client(config, base_url=peer)
        client.event_hooks["request"].append(
            lambda request: time.sleep(0.4) if request.method == "POST" and not written.is_set() else None)
        return client

    written = threading.Event()
    urls = (a, b), ((a, b) if peer_order == "same peer" else (b, a))
    first, second = (
        AlertmanagerBackend(SourceConfig(id="am", kind="alertmanager", url=u[0], urls=u[1:], timeout_s=3.0),
                        client_factory=slow_writes)
        for u in urls
    )
    try:
        ack = ack_request(labels, fingerprint)
        written.set()
        assert first.perform(ack).status is OutcomeStatus.DONE
        servers.wait_for(lambda: silences_for(b, ack.request_id), timeout_s=20, what="the ack to gossip to B")
        written.clear()
        notes = [
            ActionRequest(kind=ActionKind.NOTE, incident=IncidentKey(source_id="am", fingerprint=fingerprint),
                          operator=Operator(name=who, role=Role.OPERATOR, os_user=who, host=f"ws-{who}"),
                          comment=f"{who} was here", labels=labels)
            for who in ("bob", "carol")
        ]
        start = threading.Barrier(2)
        outcomes: dict[str, object] = {}

        def deliver(backend: AlertmanagerBackend, note: ActionRequest) -> None:
            start.wait()
            outcomes[note.operator.name] = backend.perform(note)
            written.set()  # from now on writes go at full speed (the retries)

        threads = [threading.Thread(target=deliver, args=pair) for pair in zip((first, second), notes, strict=True)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert all(o.status is OutcomeStatus.DONE for o in outcomes.values()), outcomes

        def both_notes_on(peer: str) -> bool:
            live = [s for s in silences_for(peer, ack.request_id) if s["status"]["state"] == "active"]
            return len(live) == 1 and all(f"[note {n.request_id}]" in live[0]["comment"] for n in notes)

        for peer in (a, b):
            servers.wait_for(lambda peer=peer: both_notes_on(peer), timeout_s=20, what=f"both notes on {peer}")
    finally:
        first.close()
        second.close()
