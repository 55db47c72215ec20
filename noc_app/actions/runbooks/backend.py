"""The runbook backend: performs RUNBOOK and VERIFY requests (`execute` journals them first).

    RUNBOOK  role (or `auto` for the automation), match, cooldown and hourly cap (from the
             audit), values validated, then one "runbook run" audit line, then the call;
             on success the follow-ups go into the outbox: VERIFY (due shortly) and the
             `undo_after` runbook (due after its delay)
    VERIFY   one instant query: true -> done "verified"; not yet -> Retryable (the outbox
             asks again); still not at the deadline -> done "verification failed", and an
             ESCALATE (automatic) plus the `rollback` runbook go into the outbox

Every run, refused or not, is in the audit; cooldown and max runs per hour are counted
from the audit lines of subject `runbook/<id>` (one per run actually started).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import httpx

from noc_app.actions.errors import InvalidRequest, NotPermitted, Retryable
from noc_app.actions.execute import RUNBOOK_BACKEND as RUNBOOK_BACKEND
from noc_app.actions.model import ActionKind, ActionOutcome, ActionRequest, OutcomeStatus
from noc_app.actions.runbooks import verify as verification
from noc_app.actions.runbooks.policy import chained_ids, find_runbook, match_problem, rate_problem, role_problem
from noc_app.actions.runbooks.prepare import prepare
from noc_app.actions.runbooks.requests import chained_request, escalate_request, verify_request
from noc_app.actions.runbooks.run import run_argv, run_http
from noc_app.config.runbook_schema import RunbookConfig
from noc_app.config.schema import AppConfig, SourceConfig
from noc_app.redaction import redact
from noc_app.sources.base import SourceError
from noc_app.state.journal import Journal
from noc_app.state.records import AuditEntry, NewAction

log = logging.getLogger(__name__)

RUN_ACTION = "runbook run"
VERIFY_FIRST_S = 15.0  # the first verification a little after the run: the target needs a moment
VERIFY_RETRY_S = 15.0
MAX_RUNS_READ = 100_000  # audit lines read per runbook for its cooldown and hourly cap

Clock = Callable[[], float]
ClientFactory = Callable[[SourceConfig], httpx.Client]


def run_subject(runbook_id: str) -> str:
    return f"runbook/{runbook_id}"


class RunbookBackend:
    """Runs the configured runbooks; `client_for` replaces make_client in tests (a MockTransport)."""

    def __init__(self, config: AppConfig, journal: Journal, *, clock: Clock = time.time,
                 client_for: ClientFactory | None = None, verify_first_s: float = VERIFY_FIRST_S) -> None:
        self._config = config
        self._journal = journal
        self._clock = clock
        self._client_for = client_for
        self._verify_first_s = verify_first_s
        self._chained = chained_ids(config)

    def perform(self, request: ActionRequest) -> ActionOutcome:
        if request.kind is ActionKind.RUNBOOK:
            return self._run(request)
        if request.kind is ActionKind.VERIFY:
            return self._verify(request)
        raise InvalidRequest(f"the runbook backend does not {request.kind.value}")

    def close(self) -> None:
        """Nothing is kept open: each run makes its own client."""

    # -- RUNBOOK ---------------------------------------------------------------------

    def _run(self, request: ActionRequest) -> ActionOutcome:
        runbook = self._runbook(request.runbook)
        problem = (role_problem(runbook, request.operator.role, automatic=request.automatic,
                                chained=runbook.id in self._chained)
                   or match_problem(runbook, request.labels)
                   or rate_problem(runbook, self.run_times(runbook.id, excluding=request.request_id), self._clock()))
        if problem:
            raise NotPermitted(problem)
        call = prepare(runbook, request.params)
        now = self._clock()
        self._audit(request, RUN_ACTION, run_subject(runbook.id), "started", now, call.describe())
        answer = run_http(call, runbook, self._client_for) if call.is_http else run_argv(call)
        follow = self._follow_ups(request, runbook, now)
        message = redact(f"ran {runbook.id}: {answer}" + (f"; {follow}" if follow else ""))
        return ActionOutcome(request_id=request.request_id, status=OutcomeStatus.DONE, message=message)

    def run_times(self, runbook_id: str, *, excluding: str = "") -> tuple[float, ...]:
        """When the runbook was started before (this request's own earlier attempts excluded)."""
        lines = self._journal.audit(subject=run_subject(runbook_id), limit=MAX_RUNS_READ)
        return tuple(line.at for line in lines if line.action == RUN_ACTION and line.request_id != excluding)

    def _follow_ups(self, run: ActionRequest, runbook: RunbookConfig, now: float) -> str:
        said = []
        if runbook.verify is not None:
            self._enqueue(verify_request(run, runbook, at=now), due_at=now + self._verify_first_s)
            said.append(f"verification within {runbook.verify.within_s:g} s")
        if runbook.undo is not None:
            target = find_runbook(self._config, runbook.undo.runbook)
            try:
                if target is None:
                    raise InvalidRequest(f"no runbook {runbook.undo.runbook!r}")
                undo = chained_request(run, target, f"undo of runbook {runbook.id} (run {run.request_id})", at=now)
            except InvalidRequest as exc:
                said.append(f"undo {runbook.undo.runbook} NOT scheduled: {exc}")
            else:
                self._enqueue(undo, due_at=now + runbook.undo.after_s)
                said.append(f"undo {target.id} in {runbook.undo.after_s:g} s")
        return "; ".join(said)

    # -- VERIFY ----------------------------------------------------------------------

    def _verify(self, request: ActionRequest) -> ActionOutcome:
        runbook = self._runbook(request.runbook)
        if runbook.verify is None:
            raise InvalidRequest(f"runbook {runbook.id!r} has no verification")
        now = self._clock()
        deadline = request.requested_at + runbook.verify.within_s
        try:
            ok, why = verification.check(self._config, runbook.verify, self._client_for), "false"
        except (SourceError, KeyError) as exc:
            ok, why = False, f"could not be checked: {exc}"
        if ok:
            return ActionOutcome(request_id=request.request_id, status=OutcomeStatus.DONE,
                                 message=f"verified: {runbook.verify.query}")
        if now < deadline:
            raise Retryable(f"not verified yet ({why}); checking until {deadline - now:.0f} s from now",
                            retry_after=min(VERIFY_RETRY_S, max(1.0, deadline - now)))
        reason = (f"runbook {runbook.id}: verification failed, {runbook.verify.query} not true within "
                  f"{runbook.verify.within_s:g} s ({why})")
        said = [self._escalate(request, reason, now)]
        if runbook.rollback is not None:
            said.append(self._rollback(request, runbook.rollback, reason, now))
        return ActionOutcome(request_id=request.request_id, status=OutcomeStatus.DONE,
                             message=redact(f"verification failed: {'; '.join(said)}"))

    def _escalate(self, verify: ActionRequest, reason: str, now: float) -> str:
        self._enqueue(escalate_request(verify, reason, at=now), due_at=None)
        return "escalated"

    def _rollback(self, verify: ActionRequest, rollback_id: str, reason: str, now: float) -> str:
        target = find_runbook(self._config, rollback_id)
        try:
            if target is None:
                raise InvalidRequest(f"no runbook {rollback_id!r}")
            request = chained_request(verify, target, f"rollback: {reason}", at=now)
        except InvalidRequest as exc:
            return f"rollback {rollback_id} NOT requested: {exc}"
        self._enqueue(request, due_at=None)
        return f"rollback {target.id} requested"

    # -- helpers ---------------------------------------------------------------------

    def _runbook(self, runbook_id: str) -> RunbookConfig:
        runbook = find_runbook(self._config, runbook_id)
        if runbook is None:
            raise InvalidRequest(f"no runbook {runbook_id!r} in this configuration")
        return runbook

    def _enqueue(self, request: ActionRequest, *, due_at: float | None) -> None:
        """Put a follow-up in the outbox (journal first, like every request) and audit it."""
        now = self._clock()
        if self._journal.record(NewAction(request_id=request.request_id, kind=request.kind.value,
                                          source_id=request.incident.source_id, payload=request.to_record(),
                                          created_at=now, due_at=due_at)):
            self._audit(request, f"{request.kind.value} requested", request.incident.text, "pending", now,
                        request.comment)

    def _audit(self, request: ActionRequest, action: str, subject: str, outcome: str, now: float,
               detail: str) -> None:
        self._journal.append_audit(AuditEntry(
            at=now, actor=request.operator.text, os_user=request.operator.os_user, host=request.operator.host,
            action=action, request_id=request.request_id, subject=subject, outcome=outcome, detail=redact(detail),
        ))

