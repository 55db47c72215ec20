"""The room's automation: escalation timers, notifications and outbox delivery, in ONE process at a time.

    Automation.tick(alerts, now)  -> what it did (pure orchestration over execute(); injected clock)
    AutomationRunner              -> a daemon thread: take the lease (automation_lease), tick every
                                     interval while holding it, retry the lease every ~15 s otherwise

Each tick, for every incident the policy gives a level (actions.severity):
  - "new": one NOTIFY per channel of its level, once (deterministic request id; the journal refuses
    a second row with the same id, so two holders overlapping for a moment still send one message);
  - escalation: when escalation_due says so, one ESCALATE request (automatic=True, operator
    "noc-app automation") through execute(), then an "escalated" NOTIFY per channel;
  - runbooks: for an incident that FIRES (not acknowledged or muted), each `auto: true` runbook whose
    `match` it satisfies runs once per occurrence (deterministic request id), through the runbook
    backend, which still enforces its cooldown, hourly cap and parameter checks, and audits the run;
  - "resolved": an incident this holder saw open and that a good poll no longer lists (or lists as
    resolved) gets a "resolved" NOTIFY on the channels that had its "new" one.
Then the outbox is replayed (queued notifications and escalations, with backoff).

Escalation where the backend cannot escalate (Alertmanager, the state database): the ESCALATE
request is journalled and audited and completes as "recorded"; the escalation itself is the
"escalated" notice to the level's channels, which names the escalation targets.  We do not re-post
a copy of the alert with an `escalated` label: that copy would be a second alert (another
fingerprint, a second row on every board) that someone must keep alive and resolve.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from noc_app.actions.errors import InvalidRequest
from noc_app.actions.execute import RUNBOOK_BACKEND, ActionBackend, Clock, execute, replay_outbox
from noc_app.actions.model import ActionKind, ActionOutcome, ActionRequest, IncidentKey, Operator, OutcomeStatus
from noc_app.actions.notify.messages import (
    AUTOMATION_OPERATOR,
    NOTIFY_SOURCE_ID,
    escalate_request_id,
    notice,
    notify_request,
    occurrence_of,
    runbook_request_id,
)
from noc_app.actions.policy import backend_support
from noc_app.actions.runbooks.policy import runbooks_for
from noc_app.actions.runbooks.requests import automation_request
from noc_app.actions.severity import Escalation, effective_policy, escalation_due, priority_of
from noc_app.config.schema import AppConfig, SeverityLevel
from noc_app.model import Alert, AlertState
from noc_app.state.journal import Journal
from noc_app.state.records import IncidentHistory

log = logging.getLogger(__name__)

Poll = Callable[[], tuple[Mapping[str, Sequence[Alert]], Mapping[str, str]]]
MAX_SETTLED = 50_000
_NOT_NEW = frozenset({AlertState.SILENCED, AlertState.INHIBITED, AlertState.RESOLVED})


@dataclass(frozen=True, kw_only=True, slots=True)
class TickReport:
    notified: tuple[str, ...] = ()  # "new am/f1 -> slack" for each message newly journalled this tick
    escalated: tuple[str, ...] = ()  # "am/f1 step 1"
    ran: tuple[str, ...] = ()  # "am/f1 runbook restart-api: done" for each automatic run started this tick
    outcomes: tuple[ActionOutcome, ...] = ()


class RecordedEscalation:
    """ESCALATE for a backend that cannot escalate: journalled and audited; the notice does the rest."""

    def __init__(self, backend_name: str) -> None:
        self._name = backend_name

    def perform(self, request: ActionRequest) -> ActionOutcome:
        return ActionOutcome(request_id=request.request_id, status=OutcomeStatus.DONE,
                             message=f"escalation recorded; {self._name} cannot escalate natively: "
                                     "the escalation notice went to the level's channels")


@dataclass
class _Seen:
    alert: Alert
    level: SeverityLevel


class Automation:
    def __init__(
        self, config: AppConfig, journal: Journal, backends: Mapping[str, ActionBackend], *,
        clock: Clock = time.time, owner: str | None = None,
    ) -> None:
        self._config = config
        self._journal = journal
        self._backends = backends
        self._clock = clock
        self._owner = owner
        self._policy = effective_policy(config.severity_levels)
        self._channels = {c.id for c in config.notifications.channels}
        self._events = set(config.notifications.events)
        self._kinds = {s.id: s.kind for s in config.sources}
        self._operator = Operator(name=AUTOMATION_OPERATOR.name, email=config.operator.email)
        self._open: dict[tuple[str, str], _Seen] = {}  # what this holder saw firing, for "resolved"
        self._settled: set[str] = set()  # request ids known to be journalled: no need to ask again

    def forget(self) -> None:
        """Lost the lease: the next holder starts from the journal, and so do we if we get it back."""
        self._open.clear()

    def tick(self, alerts: Mapping[str, Sequence[Alert]]) -> TickReport:
        """One pass over the sources that answered (a source missing from `alerts` failed: no resolutions)."""
        notified: list[str] = []
        escalated: list[str] = []
        ran: list[str] = []
        now = self._clock()
        if len(self._settled) > MAX_SETTLED:  # a memo only (the journal dedups): forget it rather than grow
            self._settled.clear()
        for source_id, source_alerts in alerts.items():
            current: set[tuple[str, str]] = set()
            for alert in source_alerts:
                key = (alert.source_id, alert.fingerprint)
                level = priority_of(alert, self._policy)
                if level is None:
                    continue
                if alert.state is AlertState.RESOLVED:
                    seen = self._open.pop(key, None) or _Seen(alert=alert, level=level)
                    self._resolved(seen, now, notified)
                    continue
                current.add(key)
                self._open[key] = _Seen(alert=alert, level=level)
                if alert.state not in _NOT_NEW:
                    self._notify("new", alert, level, now, notified)
                if alert.state is AlertState.FIRING:
                    self._run_auto_runbooks(alert, now, ran)
                history = self._history(alert)
                due = escalation_due(alert, history, self._policy, now, self._config.automation.business_hours)
                if due is not None:
                    self._escalate(alert, due, now, escalated, notified)
            for key in [k for k in self._open if k[0] == source_id and k not in current]:
                self._resolved(self._open.pop(key), now, notified)
        outcomes = replay_outbox(self._backends, self._journal, owner=self._owner, clock=self._clock)
        return TickReport(notified=tuple(notified), escalated=tuple(escalated), ran=tuple(ran),
                          outcomes=tuple(outcomes))

    # -- steps -------------------------------------------------------------------------

    def _history(self, alert: Alert) -> IncidentHistory | None:
        try:
            return self._journal.incident_history(alert.source_id, alert.fingerprint)
        except Exception:
            log.exception("automation: cannot read the history of %s/%s", alert.source_id, alert.fingerprint)
            return None

    def _escalate(self, alert: Alert, due: Escalation, now: float, escalated: list[str], notified: list[str]) -> None:
        incident = IncidentKey(source_id=alert.source_id, fingerprint=alert.fingerprint)
        rid = escalate_request_id(incident, occurrence_of(alert), due.step)
        if rid not in self._settled:
            targets = ", ".join(due.targets)
            request = ActionRequest(
                kind=ActionKind.ESCALATE, incident=incident, operator=self._operator, labels=alert.labels,
                comment=f"automatic escalation to {targets}: {due.reason}"[:1900], requested_at=now,
                request_id=rid, automatic=True,
            )
            outcome = execute(request, self._escalation_backend(alert.source_id), self._journal,
                              owner=self._owner, clock=self._clock)
            if not outcome.message.startswith("not sent: cannot record"):  # else: try again next tick
                self._settled.add(rid)
            escalated.append(f"{incident.text} step {due.step}: {outcome.status.value}")
        self._notify("escalated", alert, due.level, now, notified, reason=due.reason, targets=due.targets,
                     step=due.step)

    def _run_auto_runbooks(self, alert: Alert, now: float, ran: list[str]) -> None:
        backend = self._backends.get(RUNBOOK_BACKEND)
        if backend is None:
            return
        incident = IncidentKey(source_id=alert.source_id, fingerprint=alert.fingerprint)
        for runbook in runbooks_for(alert, self._config, automatic=True):
            rid = runbook_request_id(incident, occurrence_of(alert), runbook.id)
            if rid in self._settled:
                continue
            try:
                request = replace(
                    automation_request(runbook, alert, self._operator,
                                       f"automatic run: {alert.name} fired ({runbook.title})"[:1900]),
                    request_id=rid, requested_at=now,
                )
            except InvalidRequest as exc:  # a label the runbook needs is missing or not allowed: never for this one
                log.warning("automation: runbook %s not run for %s: %s", runbook.id, incident.text, exc)
                self._settled.add(rid)
                continue
            outcome = execute(request, backend, self._journal, owner=self._owner, clock=self._clock)
            if not outcome.message.startswith("not sent: cannot record"):  # else: try again next tick
                self._settled.add(rid)
            ran.append(f"{incident.text} runbook {runbook.id}: {outcome.status.value}")

    def _escalation_backend(self, source_id: str) -> ActionBackend:
        kind = self._kinds.get(source_id, "")
        supports, name = backend_support(kind)
        backend = self._backends.get(source_id)
        if backend is not None and ActionKind.ESCALATE in supports:
            return backend
        return RecordedEscalation(name)

    def _resolved(self, seen: _Seen, now: float, notified: list[str]) -> None:
        for channel in self._level_channels(seen.level):
            new_id = notify_request(seen.alert, "new", channel, notice("new", seen.alert, seen.level, now=now),
                                    now=now).request_id
            try:
                had_new = self._journal.get(new_id) is not None
            except Exception:
                log.exception("automation: cannot read the journal")
                continue
            if had_new:
                self._send("resolved", seen.alert, seen.level, channel, now, notified)

    def _notify(self, event: str, alert: Alert, level: SeverityLevel, now: float, notified: list[str], *,
                reason: str = "", targets: tuple[str, ...] = (), step: int = 0) -> None:
        for channel in self._level_channels(level):
            self._send(event, alert, level, channel, now, notified, reason=reason, targets=targets, step=step)

    def _send(self, event: str, alert: Alert, level: SeverityLevel, channel: str, now: float, notified: list[str],
              *, reason: str = "", targets: tuple[str, ...] = (), step: int = 0) -> None:
        if event not in self._events:
            return
        message = notice(event, alert, level, reason=reason, targets=targets, now=now)
        tag = event if step <= 1 else f"{event}-{step}"  # a second escalation is a second message
        request = notify_request(alert, tag, channel, message, now=now)
        if request.request_id in self._settled:
            return
        backend = self._backends.get(NOTIFY_SOURCE_ID)
        if backend is None:
            return
        try:
            fresh = self._journal.get(request.request_id) is None
        except Exception:
            log.exception("automation: cannot read the journal")
            return
        if fresh:
            outcome = execute(request, backend, self._journal, owner=self._owner, clock=self._clock)
            notified.append(f"{event} {alert.source_id}/{alert.fingerprint} -> {channel}: {outcome.status.value}")
        self._settled.add(request.request_id)

    def _level_channels(self, level: SeverityLevel) -> tuple[str, ...]:
        return tuple(c for c in level.channels if c in self._channels)


@dataclass
class RunnerStatus:
    holding: bool = False
    since: float | None = None
    ticks: int = 0
    last_error: str = ""
    events: list[str] = field(default_factory=list)


class AutomationRunner:
    """Runs Automation in a daemon thread while this process holds the room's lease (never on the GUI thread)."""

    def __init__(
        self, automation: Automation, lease: object, poll: Poll, *, interval_s: float = 30.0,
        lease_retry_s: float = 15.0, on_tick: Callable[[TickReport], None] | None = None,
        clock: Clock = time.time,
    ) -> None:
        from noc_app.actions.automation_lease import RoomLease

        self._automation = automation
        self._lease: RoomLease = lease  # type: ignore[assignment]
        self._poll = poll
        self._interval_s = interval_s
        self._retry_s = lease_retry_s
        self._on_tick = on_tick
        self._clock = clock
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.status = RunnerStatus()

    def start(self) -> None:
        self._thread = threading.Thread(target=self.run, name="noc-app automation", daemon=True)
        self._thread.start()

    def stop(self, timeout_s: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout_s)
        self._lease.release()

    def run(self) -> None:
        while not self._stop.is_set():
            self._stop.wait(self.step())

    def step(self) -> float:
        """One round: hold (or try to take) the lease, tick if held; returns the seconds to wait."""
        try:
            held = self._lease.try_acquire() and self._lease.still_held()
        except Exception as exc:
            log.exception("automation: the lease failed")
            self.status.last_error = f"lease: {type(exc).__name__}"
            held = False
        if held != self.status.holding:
            self.status.holding = held
            self.status.since = self._clock() if held else None
            log.warning("automation: %s the room's lease", "took" if held else "lost")
            if not held:
                self._automation.forget()
        if not held:
            return self._retry_s
        try:
            alerts, errors = self._poll()
            for source_id, error in errors.items():
                log.warning("automation: %s: %s", source_id, error)
            report = self._automation.tick(alerts)
            self.status.ticks += 1
            if self._on_tick is not None:
                self._on_tick(report)
        except Exception as exc:
            log.exception("automation: tick failed")
            self.status.last_error = f"tick: {type(exc).__name__}"
        return self._interval_s
