"""Carry out one action request: journal first, then the backend, then the outcome. Never raises.

    execute(request, backend, journal)
      1. policy (when a PolicyContext is given): a refusal is audited and returned, never queued
      2. journal.record(request)           <- before any network call; a replay finds it there
      3. journal.lease(request_id)          <- only one deliverer, across threads and processes
      4. backend.perform(request)           <- the only network call
      5. complete (done / failed) or defer (Retryable: stays in the outbox with a backoff)

Every backend error becomes an ActionOutcome.  If the journal cannot be written
in step 2 the backend is not called at all: an action the app cannot remember
is an action it must not take.  If the journal fails after the backend answered,
the outcome is still returned; the row stays pending, its lease runs out and a
replay meets the backend's idempotency check (the request id it carries).

`replay_outbox` delivers what earlier runs (or the CLI, or a crashed process)
left pending, each row once, through the same `deliver`.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import replace
from typing import Protocol

from noc_app.actions.errors import (
    ActionError,
    BackendRejected,
    InvalidRequest,
    NotPermitted,
    Retryable,
)
from noc_app.actions.model import ActionKind, ActionOutcome, ActionRequest, OutcomeStatus
from noc_app.actions.policy import PolicyContext, decide
from noc_app.actions.retry import RetryDelay, outbox_delay
from noc_app.redaction import redact
from noc_app.state.journal import DEFAULT_LEASE_S, Journal
from noc_app.state.records import ActionState, AuditEntry, Lease, NewAction

log = logging.getLogger(__name__)

MAX_QUEUE_AGE_S = 24 * 3600.0  # an undelivered request older than this expires instead of being sent
# The backends key of the runbook backend ('@' is never in a source id): runbooks and their
# verifications go there, not to the incident's source.
RUNBOOK_BACKEND = "@runbooks"
_RUNBOOK_KINDS = frozenset({ActionKind.RUNBOOK, ActionKind.VERIFY})

Clock = Callable[[], float]


class ActionBackend(Protocol):
    def perform(self, request: ActionRequest) -> ActionOutcome:
        """Apply the request (blocking); raise an ActionError subclass when it cannot."""
        ...


def backend_for(request: ActionRequest, backends: Mapping[str, ActionBackend]) -> ActionBackend | None:
    """Where a request goes: runbooks and verifications to the runbook backend, the rest to the incident's source."""
    key = RUNBOOK_BACKEND if request.kind in _RUNBOOK_KINDS else request.incident.source_id
    return backends.get(key)


def default_owner() -> str:
    """Who holds a lease: host and process, as shown by `outbox list`."""
    return f"{socket.gethostname()}:{os.getpid()}"


def execute(
    request: ActionRequest,
    backend: ActionBackend,
    journal: Journal,
    *,
    policy: PolicyContext | None = None,
    owner: str | None = None,
    clock: Clock = time.time,
    retry_delay: RetryDelay = outbox_delay,
    lease_s: float = DEFAULT_LEASE_S,
) -> ActionOutcome:
    """Journal, deliver and record one request; the outcome says what happened."""
    rid = request.request_id
    if policy is not None:
        verdict = decide(request.kind, policy)
        if not verdict.allowed:
            outcome = ActionOutcome(request_id=rid, status=OutcomeStatus.REJECTED, message=verdict.reason)
            _audit(journal, request, f"{request.kind.value} refused", outcome, clock())
            return outcome
    try:
        now = clock()
        payload = request.to_record()
        # due only after a lease's length: the replay of another worker or workstation must not take the
        # row between this record and this lease (if this process dies here, the row is replayed then)
        if journal.record(NewAction(request_id=rid, kind=request.kind.value, source_id=request.incident.source_id,
                                    payload=payload, created_at=now, due_at=now + lease_s)):
            _audit_or_raise(journal, request, f"{request.kind.value} requested", "pending", now)
        lease = journal.lease(rid, owner=owner or default_owner(), now=now, lease_s=lease_s)
    except Exception as exc:
        log.exception("action %s not sent: the state database failed", rid)
        return ActionOutcome(
            request_id=rid, status=OutcomeStatus.FAILED,
            message=f"not sent: cannot record the action ({type(exc).__name__}: {exc})",
        )
    if lease is None:
        return _settled(journal, rid)
    return deliver(request, lease, backend, journal, clock=clock, retry_delay=retry_delay)


def deliver(
    request: ActionRequest,
    lease: Lease,
    backend: ActionBackend,
    journal: Journal,
    *,
    clock: Clock = time.time,
    retry_delay: RetryDelay = outbox_delay,
) -> ActionOutcome:
    """Send one journalled, leased request to its backend and record the outcome."""
    rid = request.request_id
    try:
        outcome = backend.perform(request)
        if outcome.request_id != rid:
            raise BackendRejected(f"backend answered for request {outcome.request_id}, not {rid}")
    except Retryable as exc:
        outcome = _queued(rid, str(exc), lease, clock(), exc.retry_after, retry_delay)
    except (NotPermitted, InvalidRequest, BackendRejected) as exc:
        outcome = ActionOutcome(request_id=rid, status=OutcomeStatus.REJECTED, message=str(exc))
    except ActionError as exc:
        outcome = ActionOutcome(request_id=rid, status=OutcomeStatus.FAILED, message=str(exc))
    except Exception as exc:
        log.exception("action %s: backend raised unexpectedly", rid)
        outcome = ActionOutcome(
            request_id=rid, status=OutcomeStatus.FAILED, message=f"internal error: {type(exc).__name__}: {exc}"
        )
    else:
        if outcome.status is OutcomeStatus.QUEUED:  # an asynchronous backend: ask again later
            outcome = _queued(rid, outcome.message, lease, clock(), None, retry_delay, outcome.backend_ref)
    # A backend may echo our credentials in an error body: mask them before they are stored or shown.
    outcome = replace(outcome, message=redact(outcome.message), backend_ref=redact(outcome.backend_ref))
    now = clock()
    try:
        if outcome.status is OutcomeStatus.QUEUED:
            assert outcome.retry_at is not None
            kept = journal.defer(lease, next_attempt_at=outcome.retry_at, outcome=outcome.to_record(), now=now)
        else:
            kept = journal.complete(
                lease, done=outcome.status is OutcomeStatus.DONE, outcome=outcome.to_record(), now=now
            )
        if not kept:
            log.warning("action %s: lease lost before its outcome (%s) was recorded", rid, outcome.status.value)
        _audit_or_raise(journal, request, request.kind.value, outcome.status.value, now, outcome.message)
    except Exception:
        log.exception("action %s: outcome %s not recorded", rid, outcome.status.value)
    return outcome


def replay_outbox(
    backends: Mapping[str, ActionBackend],
    journal: Journal,
    *,
    owner: str | None = None,
    clock: Clock = time.time,
    retry_delay: RetryDelay = outbox_delay,
    lease_s: float = DEFAULT_LEASE_S,
    limit: int = 20,
    max_age_s: float | None = MAX_QUEUE_AGE_S,
) -> Sequence[ActionOutcome]:
    """Deliver up to `limit` due outbox rows, each leased first so no other deliverer takes it too.

    A request older than max_age_s is not delivered any more: an ack typed during
    an outage must not land a day later on whatever fires then.  It is finished as
    failed ("expired"), audited, and left for the operator to see.
    """
    try:
        leases = journal.lease_due(owner=owner or default_owner(), now=clock(), lease_s=lease_s, limit=limit)
    except Exception:
        log.exception("outbox replay: the state database failed")
        return ()
    outcomes = []
    for lease in leases:
        outcomes.append(_replay_one(lease, backends, journal, clock, retry_delay, max_age_s))
    return tuple(outcomes)


def flush_outbox(
    backends: Mapping[str, ActionBackend],
    journal: Journal,
    *,
    owner: str | None = None,
    clock: Clock = time.time,
    retry_delay: RetryDelay = outbox_delay,
    lease_s: float = DEFAULT_LEASE_S,
    max_age_s: float | None = MAX_QUEUE_AGE_S,
    source_ids: Collection[str] | None = None,
) -> Sequence[ActionOutcome]:
    """Try every pending row now, due or not (`outbox flush`); rows another deliverer holds are skipped.

    With source_ids, only the rows for those sources (a backend that just came back).
    """
    try:
        rows = [r for r in journal.pending() if source_ids is None or r.source_id in source_ids]
    except Exception:
        log.exception("outbox flush: the state database failed")
        return ()
    outcomes = []
    for row in rows:
        try:
            lease = journal.lease(row.request_id, owner=owner or default_owner(), now=clock(), lease_s=lease_s)
        except Exception:
            log.exception("outbox flush: cannot lease %s", row.request_id)
            continue
        if lease is not None:
            outcomes.append(_replay_one(lease, backends, journal, clock, retry_delay, max_age_s))
    return tuple(outcomes)


def _replay_one(
    lease: Lease, backends: Mapping[str, ActionBackend], journal: Journal, clock: Clock, retry_delay: RetryDelay,
    max_age_s: float | None,
) -> ActionOutcome:
    rid = lease.request_id
    try:
        row = journal.get(rid)
        if row is None:
            raise InvalidRequest("the journal row vanished")
        request = ActionRequest.from_record(row.payload)
    except Exception as exc:
        log.exception("outbox row %s is unreadable; marking it failed", rid)
        outcome = ActionOutcome(request_id=rid, status=OutcomeStatus.FAILED, message=f"unreadable outbox row: {exc}")
        try:
            journal.complete(lease, done=False, outcome=outcome.to_record(), now=clock())
        except Exception:
            log.exception("outbox row %s: cannot mark it failed", rid)
        return outcome
    if max_age_s is not None and clock() - request.requested_at > max_age_s:
        return _expire(request, lease, journal, clock, max_age_s)
    backend = backend_for(request, backends)
    if backend is None:  # this app's config does not know the source (or has no runbooks); another may
        return _defer_unrouted(request, lease, journal, clock, retry_delay)
    return deliver(request, lease, backend, journal, clock=clock, retry_delay=retry_delay)


def _defer_unrouted(
    request: ActionRequest, lease: Lease, journal: Journal, clock: Clock, retry_delay: RetryDelay
) -> ActionOutcome:
    now = clock()
    message = f"no backend for source {request.incident.source_id!r} in this configuration"
    outcome = _queued(request.request_id, message, lease, now, None, retry_delay)
    assert outcome.retry_at is not None
    try:
        journal.defer(lease, next_attempt_at=outcome.retry_at, outcome=outcome.to_record(), now=now)
    except Exception:
        log.exception("outbox row %s: cannot defer it", request.request_id)
    return outcome


def _expire(request: ActionRequest, lease: Lease, journal: Journal, clock: Clock, max_age_s: float) -> ActionOutcome:
    now = clock()
    outcome = ActionOutcome(
        request_id=request.request_id, status=OutcomeStatus.FAILED,
        message=f"expired in the outbox: not delivered within {max_age_s / 3600:g} h of the request",
    )
    try:
        journal.complete(lease, done=False, outcome=outcome.to_record(), now=now)
        _audit_or_raise(journal, request, f"{request.kind.value} expired", outcome.status.value, now, outcome.message)
    except Exception:
        log.exception("outbox row %s: cannot mark it expired", request.request_id)
    return outcome


def _queued(
    rid: str, message: str, lease: Lease, now: float, retry_after: float | None, retry_delay: RetryDelay,
    backend_ref: str = "",
) -> ActionOutcome:
    delay = retry_delay(lease.attempts + 1, retry_after)
    return ActionOutcome(
        request_id=rid, status=OutcomeStatus.QUEUED, message=message, backend_ref=backend_ref, retry_at=now + delay
    )


def _settled(journal: Journal, rid: str) -> ActionOutcome:
    """The outcome of a request this call may not deliver: already final, or in another's hands."""
    try:
        row = journal.get(rid)
    except Exception as exc:
        log.exception("action %s: cannot read its journal row", rid)
        return ActionOutcome(request_id=rid, status=OutcomeStatus.FAILED, message=f"cannot read the journal: {exc}")
    if row is None:
        return ActionOutcome(request_id=rid, status=OutcomeStatus.FAILED, message="the journal lost the request")
    if row.state is ActionState.PENDING:
        retry_at = row.lease_until if row.lease_until is not None else row.next_attempt_at
        return ActionOutcome(
            request_id=rid, status=OutcomeStatus.QUEUED, message="being delivered by another worker", retry_at=retry_at
        )
    if row.state is ActionState.CANCELLED:
        return ActionOutcome(request_id=rid, status=OutcomeStatus.REJECTED, message="cancelled by an operator")
    if row.outcome is not None:
        try:
            return ActionOutcome.from_record(row.outcome)
        except (KeyError, ValueError, TypeError):
            pass
    status = OutcomeStatus.DONE if row.state is ActionState.DONE else OutcomeStatus.FAILED
    return ActionOutcome(request_id=rid, status=status, message="already handled")


def _audit_or_raise(
    journal: Journal, request: ActionRequest, action: str, outcome: str, now: float, detail: str = ""
) -> None:
    journal.append_audit(AuditEntry(
        at=now, actor=request.operator.text, os_user=request.operator.os_user, host=request.operator.host,
        action=action, request_id=request.request_id, subject=request.incident.text, outcome=outcome, detail=detail,
    ))


def _audit(journal: Journal, request: ActionRequest, action: str, outcome: ActionOutcome, now: float) -> None:
    try:
        _audit_or_raise(journal, request, action, outcome.status.value, now, outcome.message)
    except Exception:
        log.exception("action %s: audit line %r not written", request.request_id, action)
