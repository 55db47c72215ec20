"""The action service: runs `execute` off the GUI thread and reports outcomes on it (QtCore only).

    submit(request)          -> worker: execute() (journal first, then the backend)
                             -> GUI thread: outcome_ready(ActionOutcome); a re-poll of the source when
                                the backend changed; a retry timer when the request was queued
    start()                  -> worker: replay the outbox (rows left by a crash, the CLI, another
                                workstation); then the timer wakes the replay when the next row is due
    on_poll_succeeded(...)   -> worker: ack-until-resolved upkeep from a complete Alertmanager alert list;
                                the incidents' history (new, acknowledged, resolved: actions.history)

Its own small worker pool (a hung poll never delays an ack), timers on the GUI
thread (never a sleep), results handed back through a queued signal.  `stop()`
is bounded like the Poller's: a delivery still running when it gives up is
finished by the next start's replay (its row stays pending; its lease runs out).
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Protocol

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from noc_app.actions.backends.alertmanager_acks import AckUpkeep
from noc_app.actions.execute import (
    ActionBackend,
    Clock,
    backend_for,
    default_owner,
    execute,
    flush_outbox,
    replay_outbox,
)
from noc_app.actions.history import observe, outcome_mark, timeline
from noc_app.actions.model import ActionOutcome, ActionRequest, IncidentKey, IncidentTimeline, Operator, OutcomeStatus
from noc_app.actions.policy import BACKEND_KINDS, PolicyContext
from noc_app.actions.retry import RetryDelay, outbox_delay
from noc_app.actions.upkeep import complete_alert_labels
from noc_app.actions.wiring import NoBackend
from noc_app.model import Snapshot
from noc_app.state.journal import Journal
from noc_app.state.records import ActionState, IncidentMark
from noc_app.worker_stop import stop_workers

log = logging.getLogger(__name__)

WORKERS = 2
STOP_WAIT_S = 3.0
OUTBOX_SCAN_S = 30.0  # with nothing due, look at the outbox this often (rows from the CLI, other workstations)
UPKEEP_EVERY_S = 30.0  # ack upkeep per source at most this often
MAX_TIMER_MS = 2**31 - 1
REPLAY_BATCH = 20
_BACKEND_KIND_VALUES = frozenset(k.value for k in BACKEND_KINDS)

PolicyFor = Callable[[ActionRequest], PolicyContext | None]


class UpkeepBackend(Protocol):
    def upkeep(
        self, current_alerts: Sequence[Mapping[str, str]], *, alerts_taken_at: float | None = None
    ) -> AckUpkeep: ...


@dataclass(frozen=True, slots=True)
class _Delivered:
    outcome: ActionOutcome
    kind: str  # ActionKind value
    source_id: str


@dataclass(frozen=True, slots=True)
class _Replayed:
    delivered: tuple[_Delivered, ...]
    next_due: float | None  # epoch seconds of the next pending row (None: the outbox is empty)
    full_batch: bool


@dataclass(frozen=True, slots=True)
class _History:
    timeline: IncidentTimeline
    deliver: Callable[[IncidentTimeline], None]


@dataclass(frozen=True, slots=True)
class _Upkept:
    source_id: str
    plan: AckUpkeep | None  # None: it failed (logged)


class ActionService(QObject):
    """Delivers action requests in its own worker pool; every outcome comes back on the GUI thread."""

    outcome_ready = Signal(object)  # ActionOutcome
    replayed = Signal(int)  # outcomes of one outbox replay (0 when nothing was due)
    upkept = Signal(str, object)  # source_id, AckUpkeep (after a successful upkeep)
    _finished = Signal(object)  # from worker threads; queued to the GUI thread

    def __init__(
        self,
        backends: Mapping[str, ActionBackend],
        journal: Journal,
        *,
        repoll: Callable[[str], None] = lambda source_id: None,
        policy_for: PolicyFor | None = None,
        operator: Operator | None = None,
        upkeep_sources: Mapping[str, bool] | None = None,
        executor: Executor | None = None,
        owner: str | None = None,
        clock: Clock = time.time,
        retry_delay: RetryDelay = outbox_delay,
        scan_every_s: float = OUTBOX_SCAN_S,
        upkeep_every_s: float = UPKEEP_EVERY_S,
        delivers: bool = True,
        parent: QObject | None = None,
    ) -> None:
        """operator: who acts from this workstation; stamped on every submitted request (a widget does not say).

        upkeep_sources: source id -> whether its snapshots hide alerts on purpose (dead man's switch).
        delivers: False on a wall or kiosk: it records the incidents' history and reads timelines, but
        never replays the outbox (the room's operator apps and `outbox flush` deliver what others queued).
        """
        super().__init__(parent)
        self._backends = dict(backends)
        self._journal = journal
        self._repoll = repoll
        self._policy_for = policy_for
        self.operator = operator
        self._upkeep_sources = dict(upkeep_sources or {})
        self._own_executor = executor is None
        self._executor = executor or ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="action")
        self._owner = owner or default_owner()
        self._clock = clock
        self._retry_delay = retry_delay
        self._scan_every_s = scan_every_s
        self._upkeep_every_s = upkeep_every_s
        self._delivers = delivers
        self._running = False
        self._stopping = False
        self._in_flight: set[Future[object]] = set()
        self._lock = threading.Lock()
        self._replay_running = False
        self._replay_again = False
        self._failing: set[str] = set()  # sources whose last poll failed
        self._answered: set[str] = set()  # sources that answered a poll since start
        self._recovered: set[str] = set()  # sources back since the last replay: their rows go now
        self._upkeep_running: set[str] = set()
        self._upkeep_last: dict[str, float] = {}
        self._seen: dict[str, dict[str, str]] = {}  # source -> fingerprint -> ack holder (history memory)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._replay_now)
        self._due_at: float | None = None
        self._finished.connect(self._on_finished, Qt.ConnectionType.QueuedConnection)

    # -- public --------------------------------------------------------------------------

    def start(self) -> None:
        """Replay what the outbox holds, now, then whenever a row is due (only when this service delivers)."""
        self._running = True
        if self._delivers:
            self._replay_now()

    def submit(self, request: ActionRequest) -> None:
        """Deliver one request in the worker pool; its outcome arrives as outcome_ready."""
        if self._stopping:
            log.warning("action %s submitted while the app is stopping: not sent", request.request_id)
            return
        if self.operator is not None and request.operator != self.operator:
            request = replace(request, operator=self.operator)
        backend = backend_for(request, self._backends)
        policy = self._policy_for(request) if self._policy_for is not None else None
        self._run(lambda: self._execute(request, backend, policy))

    def on_poll_failed(self, source_id: str, error: object = None, latency_ms: float = 0.0) -> None:
        """Remember the source is down: when it answers again, its queued actions go at once."""
        del error, latency_ms
        self._failing.add(source_id)

    def on_poll_succeeded(self, source_id: str, snapshot: object, latency_ms: float = 0.0) -> None:
        """After a successful poll: deliver what waited for this source, keep its until-resolved acks in step."""
        del latency_ms
        first_answer = source_id not in self._answered
        self._answered.add(source_id)
        if source_id in self._failing or first_answer:
            self._failing.discard(source_id)
            if source_id in self._backends and self._delivers:
                # Queued acks must not sit out their backoff (up to 5 min) once the backend answers:
                # back after an outage, or answering this app's first poll (it may have been down
                # when another app or the CLI queued them).
                self._recovered.add(source_id)
                self._replay_now()
        if self._running and isinstance(snapshot, Snapshot):
            self._record_history(source_id, snapshot)
        backend = self._backends.get(source_id)
        if not self._running or not isinstance(snapshot, Snapshot) or not hasattr(backend, "upkeep"):
            return
        if source_id in self._upkeep_running or source_id not in self._upkeep_sources:
            return
        now = self._clock()
        if now - self._upkeep_last.get(source_id, -1e18) < self._upkeep_every_s:
            return
        alerts = complete_alert_labels(snapshot, hides_alerts=self._upkeep_sources[source_id])
        if alerts is None:
            return  # an incomplete list would expire the acks of the alerts it misses
        self._upkeep_running.add(source_id)
        self._upkeep_last[source_id] = now
        upkeeper: UpkeepBackend = backend  # type: ignore[assignment]  # hasattr checked above
        self._run(lambda: self._upkeep(source_id, upkeeper, alerts, snapshot.taken_at))

    def read_history(self, incident: IncidentKey, deliver: Callable[[IncidentTimeline], None]) -> None:
        """Read one incident's timeline in the worker pool; `deliver` gets it on the GUI thread (the History view)."""
        journal = self._journal
        self._run(lambda: _History(timeline(journal, incident), deliver))

    def stop(self, wait_s: float = STOP_WAIT_S) -> bool:
        """Stop timers, cancel queued work, wait up to wait_s for running work; True when none is left."""
        self._running = False
        self._stopping = True
        self._timer.stop()
        return stop_workers(
            self._in_flight, self._lock, self._executor, own_executor=self._own_executor, wait_s=wait_s
        )

    def next_replay_at(self) -> float | None:
        """When the outbox is looked at next (epoch seconds), None when no timer is set."""
        return self._due_at if self._timer.isActive() else None

    def _record_history(self, source_id: str, snapshot: Snapshot) -> None:
        marks, self._seen[source_id] = observe(
            self._seen.get(source_id), snapshot, now=self._clock(),
            hides_alerts=self._upkeep_sources.get(source_id, False),
        )
        if marks:
            self._run(lambda: self._mark(marks))

    # -- workers (run in the pool; never touch Qt objects but the signal) -------------------

    def _mark(self, marks: Sequence[IncidentMark]) -> object:
        try:
            self._journal.mark_incidents(marks, now=self._clock())
        except Exception:  # history is a record, not a duty: a lost mark must not stop the wall
            log.exception("incident history: cannot write %d marks", len(marks))
        return None

    def _execute(self, request: ActionRequest, backend: ActionBackend | None, policy: PolicyContext | None) -> object:
        if backend is None:
            backend = NoBackend(request.incident.source_id)
        outcome = execute(request, backend, self._journal, policy=policy, owner=self._owner, clock=self._clock,
                          retry_delay=self._retry_delay)
        mark = outcome_mark(request, outcome, now=self._clock())
        if mark is not None:
            self._mark([mark])
        return _Delivered(outcome, request.kind.value, request.incident.source_id)

    def _replay(self, recovered: frozenset[str] = frozenset()) -> object:
        early = tuple(flush_outbox(self._backends, self._journal, owner=self._owner, clock=self._clock,
                                   retry_delay=self._retry_delay, source_ids=recovered)) if recovered else ()
        regular = tuple(replay_outbox(self._backends, self._journal, owner=self._owner, clock=self._clock,
                                      retry_delay=self._retry_delay, limit=REPLAY_BATCH))
        outcomes = early + regular
        delivered = []
        for outcome in outcomes:
            try:
                row = self._journal.get(outcome.request_id)
            except Exception:
                row = None
            delivered.append(_Delivered(outcome, row.kind if row else "", row.source_id if row else ""))
            if row is not None and outcome.status is OutcomeStatus.DONE:
                with contextlib.suppress(Exception):  # an unreadable row: no history mark, nothing else lost
                    mark = outcome_mark(ActionRequest.from_record(row.payload), outcome, now=self._clock())
                    if mark is not None:
                        self._mark([mark])
        next_due: float | None = None
        try:
            for row in self._journal.pending():
                if row.state is not ActionState.PENDING:
                    continue
                due = max(row.next_attempt_at, row.lease_until or 0.0)
                next_due = due if next_due is None else min(next_due, due)
        except Exception:
            log.exception("outbox: cannot read the pending rows")
        return _Replayed(tuple(delivered), next_due, len(regular) >= REPLAY_BATCH)

    def _upkeep(
        self, source_id: str, backend: UpkeepBackend, alerts: Sequence[Mapping[str, str]], taken_at: float
    ) -> object:
        try:
            return _Upkept(source_id, backend.upkeep(alerts, alerts_taken_at=taken_at))
        except Exception as exc:  # an ActionError from the backend, or anything unexpected: try again next poll
            log.warning("ack upkeep on %s failed: %s", source_id, exc)
            return _Upkept(source_id, None)

    def _run(self, job: Callable[[], object]) -> None:
        try:
            future: Future[object] = self._executor.submit(job)
        except RuntimeError:  # the pool is shut down
            return
        with self._lock:
            self._in_flight.add(future)
        future.add_done_callback(self._deliver)

    def _deliver(self, future: Future[object]) -> None:
        """Runs in the worker thread: hand the result to the GUI thread."""
        with self._lock:
            self._in_flight.discard(future)
        if future.cancelled() or self._stopping:
            return  # shutting down: the journal holds the outcome (or the row stays pending for the next start)
        exc = future.exception()
        if exc is not None:
            log.error("action worker raised unexpectedly", exc_info=exc)
            return
        with contextlib.suppress(RuntimeError):  # the service was deleted during shutdown
            self._finished.emit(future.result())

    # -- back on the GUI thread ---------------------------------------------------------

    def _on_finished(self, result: object) -> None:
        if isinstance(result, _Delivered):
            self._settle(result)
        elif isinstance(result, _Replayed):
            self._replay_running = False
            for delivered in result.delivered:
                self._settle(delivered)
            self.replayed.emit(len(result.delivered))
            if result.full_batch or self._replay_again:
                self._replay_again = False
                self._schedule(self._clock())
            else:
                self._schedule(result.next_due if result.next_due is not None else self._clock() + self._scan_every_s)
        elif isinstance(result, _History):
            try:
                result.deliver(result.timeline)
            except Exception:
                log.exception("the history view could not take the timeline of %s", result.timeline.incident.text)
        elif isinstance(result, _Upkept):
            self._upkeep_running.discard(result.source_id)
            if result.plan is not None:
                if result.plan.expire or result.plan.extend:
                    log.info("ack upkeep on %s: expired %d, extended %d", result.source_id,
                             len(result.plan.expire), len(result.plan.extend))
                    self._safe_repoll(result.source_id)
                self.upkept.emit(result.source_id, result.plan)

    def _settle(self, delivered: _Delivered) -> None:
        outcome = delivered.outcome
        if outcome.status is OutcomeStatus.QUEUED and outcome.retry_at is not None:
            self._schedule(outcome.retry_at)
        elif outcome.status is OutcomeStatus.DONE and delivered.kind in _BACKEND_KIND_VALUES:
            self._safe_repoll(delivered.source_id)  # the backend changed: show it now, not at the next poll
        self.outcome_ready.emit(outcome)

    def _safe_repoll(self, source_id: str) -> None:
        if not self._running:
            return
        try:
            self._repoll(source_id)
        except Exception:
            log.exception("re-poll of %s failed", source_id)

    def _schedule(self, at: float) -> None:
        """Wake the replay at `at` (epoch seconds), unless it is already due to wake sooner."""
        if not self._running:
            return
        if self._timer.isActive() and self._due_at is not None and self._due_at <= at:
            return
        self._due_at = at
        delay_ms = int(max(0.0, at - self._clock()) * 1000)
        self._timer.start(min(MAX_TIMER_MS, delay_ms))

    def _replay_now(self) -> None:
        if not self._running or not self._delivers:
            return
        if self._replay_running:
            self._replay_again = True
            return
        self._replay_running = True
        recovered = frozenset(self._recovered)
        self._recovered.clear()
        self._run(lambda: self._replay(recovered))

