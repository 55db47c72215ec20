"""ActionService: execute() off the GUI thread, outcomes back on it, outbox replay, retries, upkeep, stop."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import pytest
from action_helpers import make_request

from noc_app.actions.backends.alertmanager_acks import AckUpkeep
from noc_app.actions.errors import Retryable
from noc_app.actions.execute import execute
from noc_app.actions.model import ActionKind, ActionOutcome, ActionRequest, OutcomeStatus, Role
from noc_app.actions.policy import PolicyContext
from noc_app.actions.service import ActionService
from noc_app.config.schema import Mode
from noc_app.model import Alert, AlertState, Severity, Snapshot
from noc_app.state.records import ActionState

WAIT_MS = 10_000  # generous upper bounds: the tests wait for signals, never for time


@dataclass
class FakeBackend:
    """Answers DONE, or raises the next queued error; may block until released."""

    errors: list[Exception] = field(default_factory=list)
    gate: threading.Event | None = None
    entered: threading.Event = field(default_factory=threading.Event)
    threads: list[str] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)
    upkeeps: list[tuple[tuple[dict[str, str], ...], float | None]] = field(default_factory=list)

    def perform(self, request: ActionRequest) -> ActionOutcome:
        self.threads.append(threading.current_thread().name)
        self.calls.append(request.request_id)
        self.entered.set()
        if self.gate is not None:
            assert self.gate.wait(WAIT_MS / 1000), "the test never released the backend"
        if self.errors:
            raise self.errors.pop(0)
        return ActionOutcome(request_id=request.request_id, status=OutcomeStatus.DONE, message="ok",
                             backend_ref="silence-1")

    def upkeep(self, current_alerts, *, alerts_taken_at=None) -> AckUpkeep:
        self.upkeeps.append((tuple(dict(a) for a in current_alerts), alerts_taken_at))
        return AckUpkeep(expire=("s-resolved",))


@pytest.fixture
def repolls() -> list[str]:
    return []


@pytest.fixture
def make_service(journal, repolls, qtbot):
    made: list[ActionService] = []

    def build(backend: FakeBackend, **kwargs) -> ActionService:
        kwargs.setdefault("retry_delay", lambda attempts, retry_after: 0.0)
        service = ActionService({"am": backend}, journal, repoll=repolls.append, **kwargs)
        made.append(service)
        return service

    yield build
    for service in made:
        service.stop(wait_s=5.0)


def test_submit_runs_off_the_gui_thread_and_the_event_loop_keeps_turning(make_service, journal, repolls, qtbot):
    backend = FakeBackend(gate=threading.Event())
    service = make_service(backend)
    service.start()
    request = make_request()
    service.submit(request)
    assert backend.entered.wait(WAIT_MS / 1000), "the backend was never called"

    # The backend is blocked in a worker; the GUI thread still runs timers and queued events.
    ticked: list[bool] = []
    from PySide6.QtCore import QTimer

    QTimer.singleShot(0, lambda: ticked.append(True))
    qtbot.waitUntil(lambda: bool(ticked), timeout=WAIT_MS)
    assert journal.get(request.request_id).state is ActionState.PENDING  # recorded before the network call

    with qtbot.waitSignal(service.outcome_ready, timeout=WAIT_MS) as caught:
        backend.gate.set()
    outcome = caught.args[0]
    assert outcome.request_id == request.request_id and outcome.status is OutcomeStatus.DONE
    assert backend.threads and not backend.threads[0].startswith("MainThread")
    assert journal.get(request.request_id).state is ActionState.DONE
    assert repolls == ["am"]  # the backend changed: the source is polled again


def test_a_note_is_done_without_a_repoll(make_service, repolls, qtbot):
    service = make_service(FakeBackend())
    service.start()
    with qtbot.waitSignal(service.outcome_ready, timeout=WAIT_MS) as caught:
        service.submit(make_request(ActionKind.NOTE))
    assert caught.args[0].status is OutcomeStatus.DONE
    assert repolls == []


def test_replay_at_start_delivers_what_an_earlier_run_left_queued(make_service, journal, repolls, qtbot):
    request = make_request()
    earlier = execute(request, FakeBackend(errors=[Retryable("connection refused")]), journal,
                      retry_delay=lambda attempts, retry_after: 0.0)
    assert earlier.status is OutcomeStatus.QUEUED
    backend = FakeBackend()
    service = make_service(backend)
    with qtbot.waitSignal(service.outcome_ready, timeout=WAIT_MS) as caught:
        service.start()
    assert caught.args[0].request_id == request.request_id and caught.args[0].status is OutcomeStatus.DONE
    assert backend.calls == [request.request_id]
    assert journal.get(request.request_id).state is ActionState.DONE and journal.pending() == []
    assert repolls == ["am"]


def test_replay_of_an_empty_outbox_looks_again_later(make_service, qtbot):
    service = make_service(FakeBackend(), scan_every_s=600.0)
    with qtbot.waitSignal(service.replayed, timeout=WAIT_MS) as caught:
        service.start()
    assert caught.args == [0]
    assert service.next_replay_at() is not None


def test_a_retryable_failure_is_queued_then_retried_by_the_timer(make_service, journal, qtbot):
    backend = FakeBackend(errors=[Retryable("no Alertmanager peer reachable")])
    service = make_service(backend)
    service.start()
    request = make_request()
    outcomes: list[ActionOutcome] = []
    service.outcome_ready.connect(outcomes.append)
    service.submit(request)
    qtbot.waitUntil(lambda: [o.status for o in outcomes] == [OutcomeStatus.QUEUED, OutcomeStatus.DONE],
                    timeout=WAIT_MS)
    assert backend.calls == [request.request_id, request.request_id]
    row = journal.get(request.request_id)
    assert (row.state, row.attempts) == (ActionState.DONE, 2)


def test_policy_refusal_never_reaches_the_backend(make_service, journal, qtbot):
    backend = FakeBackend()

    def wall_policy(request: ActionRequest) -> PolicyContext:
        return PolicyContext(mode=Mode.WALL, role=Role.OPERATOR, operator="alice", read_only=False,
                             state=AlertState.FIRING)

    service = make_service(backend, policy_for=wall_policy)
    service.start()
    with qtbot.waitSignal(service.outcome_ready, timeout=WAIT_MS) as caught:
        service.submit(make_request())
    assert caught.args[0].status is OutcomeStatus.REJECTED and "wall mode has no actions" in caught.args[0].message
    assert backend.calls == []


def test_a_source_without_backend_takes_notes_but_refuses_acks(make_service, qtbot):
    service = make_service(FakeBackend())
    service.start()
    other = make_request().incident.__class__(source_id="am-readonly", fingerprint="ab12")
    with qtbot.waitSignal(service.outcome_ready, timeout=WAIT_MS) as caught:
        service.submit(make_request(incident=other))
    assert caught.args[0].status is OutcomeStatus.REJECTED and "takes no actions" in caught.args[0].message
    with qtbot.waitSignal(service.outcome_ready, timeout=WAIT_MS) as caught:
        service.submit(make_request(ActionKind.NOTE, incident=other))
    assert caught.args[0].status is OutcomeStatus.DONE


def _snapshot(**kwargs) -> Snapshot:
    alert = Alert(fingerprint="f1", source_id="am", name="CheckoutErrors", severity=Severity.CRITICAL,
                  state=AlertState.SILENCED, labels={"alertname": "CheckoutErrors", "service": "checkout"})
    return Snapshot.build("am", 1_800_000_000.0, alerts=[alert], **kwargs)


def test_upkeep_runs_on_complete_alert_lists_only(make_service, repolls, qtbot):
    backend = FakeBackend()
    service = make_service(backend, upkeep_sources={"am": False}, upkeep_every_s=0.0)
    service.start()
    service.on_poll_succeeded("am", _snapshot(degraded=["peer http://b:9093: connection refused"]), 12.0)
    service.on_poll_succeeded("am", _snapshot(notes={"alerts": ["1 alert dropped: labels is null"]}), 12.0)
    service.on_poll_succeeded("am", _snapshot(errors={"alerts": "garbage"}), 12.0)
    assert backend.upkeeps == []  # refused on the GUI thread before any work was queued
    with qtbot.waitSignal(service.upkept, timeout=WAIT_MS) as caught:
        service.on_poll_succeeded("am", _snapshot(), 12.0)
    assert caught.args[0] == "am" and caught.args[1].expire == ("s-resolved",)
    assert backend.upkeeps == [(({"alertname": "CheckoutErrors", "service": "checkout"},), 1_800_000_000.0)]
    assert repolls == ["am"]  # an ack expired: the board shows it now


def test_upkeep_skips_sources_that_hide_alerts(make_service, qtbot):
    backend = FakeBackend()
    service = make_service(backend, upkeep_sources={"am": True}, upkeep_every_s=0.0)
    service.start()
    service.on_poll_succeeded("am", _snapshot(), 12.0)
    service.on_poll_succeeded("prom", _snapshot(), 12.0)
    assert backend.upkeeps == []


def test_stop_with_work_in_flight_is_bounded_and_the_row_is_kept(make_service, journal, qtbot):
    backend = FakeBackend(gate=threading.Event())
    service = make_service(backend)
    service.start()
    outcomes: list[ActionOutcome] = []
    service.outcome_ready.connect(outcomes.append)
    request = make_request()
    service.submit(request)
    assert backend.entered.wait(WAIT_MS / 1000)
    assert service.stop(wait_s=0.05) is False  # the delivery is still running: stop does not wait for it
    service.submit(make_request())  # refused once stopping
    backend.gate.set()
    qtbot.waitUntil(lambda: journal.get(request.request_id).state is ActionState.DONE, timeout=WAIT_MS)
    assert backend.calls == [request.request_id]
    assert outcomes == []  # nothing is reported after stop
    assert service.stop(wait_s=1.0) is True


def _queue_for_an_hour(journal) -> ActionRequest:
    request = make_request()
    queued = execute(request, FakeBackend(errors=[Retryable("connection refused")]), journal,
                     retry_delay=lambda attempts, retry_after: 3600.0)  # next try in an hour
    assert queued.status is OutcomeStatus.QUEUED
    return request


def test_a_backend_that_comes_back_gets_its_queued_actions_at_once_not_after_the_backoff(
    make_service, journal, qtbot
):
    backend = FakeBackend()
    service = make_service(backend)
    with qtbot.waitSignal(service.replayed, timeout=WAIT_MS):
        service.start()
    with qtbot.waitSignal(service.replayed, timeout=WAIT_MS):
        service.on_poll_succeeded("am", _snapshot())  # the first answer: nothing queued yet
    request = _queue_for_an_hour(journal)  # another workstation or the CLI queued it meanwhile
    service.on_poll_succeeded("am", _snapshot())  # a source that never failed since: nothing changes
    qtbot.wait(200)
    assert backend.calls == []  # not due: the backoff holds it
    service.on_poll_failed("am")
    with qtbot.waitSignal(service.outcome_ready, timeout=WAIT_MS) as caught:
        service.on_poll_succeeded("am", _snapshot())  # Alertmanager answers again
    assert caught.args[0].request_id == request.request_id and caught.args[0].status is OutcomeStatus.DONE
    assert backend.calls == [request.request_id]
    assert journal.get(request.request_id).state is ActionState.DONE


def test_an_app_started_after_the_outage_delivers_at_the_first_answer_not_after_the_backoff(
    make_service, journal, qtbot
):
    request = _queue_for_an_hour(journal)  # queued by an app that was killed while Alertmanager was down
    backend = FakeBackend()
    service = make_service(backend)
    with qtbot.waitSignal(service.replayed, timeout=WAIT_MS):
        service.start()
    assert backend.calls == []  # the start replay takes due rows only
    with qtbot.waitSignal(service.outcome_ready, timeout=WAIT_MS) as caught:
        service.on_poll_succeeded("am", _snapshot())  # this app's first answer from Alertmanager
    assert caught.args[0].request_id == request.request_id and caught.args[0].status is OutcomeStatus.DONE
    assert journal.get(request.request_id).state is ActionState.DONE


def test_a_service_that_does_not_deliver_never_replays(make_service, journal, qtbot):
    request = _queue_for_an_hour(journal)
    backend = FakeBackend()
    service = make_service(backend, delivers=False)
    service.start()
    service.on_poll_failed("am")
    service.on_poll_succeeded("am", _snapshot())
    qtbot.wait(300)
    assert backend.calls == [] and service.next_replay_at() is None
    assert journal.get(request.request_id).state is ActionState.PENDING
