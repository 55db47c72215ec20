"""Plain records the state database stores and returns (no action classes here)."""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


class ActionState(enum.Enum):
    PENDING = "pending"  # recorded; not delivered yet (new, in flight, or waiting for a retry)
    DONE = "done"  # delivered; the outcome says what the backend answered
    FAILED = "failed"  # finished without success (rejected, invalid, gave up): never retried
    CANCELLED = "cancelled"  # an operator took it out of the outbox


@dataclass(frozen=True, kw_only=True, slots=True)
class NewAction:
    """What is written before any network call."""

    request_id: str
    kind: str
    source_id: str
    payload: Mapping[str, Any]  # JSON-able; the actions layer's own record
    created_at: float
    # When a replay may first take it (None: at once).  The recorder leases the row right after
    # recording it; this keeps another deliverer's replay from taking it in between.
    due_at: float | None = None

    @property
    def first_attempt_at(self) -> float:
        return self.created_at if self.due_at is None else self.due_at


@dataclass(frozen=True, kw_only=True, slots=True)
class ActionRecord:
    request_id: str
    kind: str
    source_id: str
    payload: Mapping[str, Any]
    state: ActionState
    attempts: int
    next_attempt_at: float
    created_at: float
    updated_at: float
    outcome: Mapping[str, Any] | None = None
    lease_owner: str | None = None
    lease_until: float | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class Lease:
    """The right to deliver one action until `until`; `token` proves it on completion."""

    request_id: str
    token: str
    until: float
    attempts: int  # attempts made before this one


@dataclass(frozen=True, kw_only=True, slots=True)
class AuditEntry:
    """One append-only line: who did what, when, with what outcome."""

    at: float
    actor: str  # the operator's name (marked when claimed with --as)
    os_user: str
    host: str
    action: str  # e.g. "ack requested", "ack done"
    request_id: str = ""
    subject: str = ""  # e.g. the incident "am/0f3a..."
    outcome: str = ""  # e.g. "done", "queued", "rejected"
    detail: str = ""


@dataclass(frozen=True, kw_only=True, slots=True)
class IncidentMark:
    """What one observation says about an incident; merged into its history row.

    Every field but the key is optional (None: this observation does not say).
    Merge rules (both databases): first_seen_at keeps the earliest value; shown_at
    and the ack keep the first one written; resolved_at is set by a resolution and
    cleared by `reopened` (the incident fires again under the same fingerprint).
    """

    source_id: str
    fingerprint: str
    name: str = ""
    first_seen_at: float | None = None  # the backend's startsAt (or the rule's activeAt when earlier)
    shown_at: float | None = None  # first delivered to a wall
    acked_at: float | None = None
    acked_by: str = ""
    resolved_at: float | None = None
    reopened: bool = False
    severity: str = ""  # the alert's severity when first seen (its P0-P3 priority, for MTTA/MTTR)
    service: str = ""  # the alert's service (its `service` or `job` label), for per-service figures


@dataclass(frozen=True, kw_only=True, slots=True)
class IncidentHistory:
    """The history row of one incident (source + fingerprint): the basis of MTTD/MTTA/MTTR."""

    source_id: str
    fingerprint: str
    name: str = ""
    first_seen_at: float | None = None
    shown_at: float | None = None
    acked_at: float | None = None
    acked_by: str = ""
    resolved_at: float | None = None
    updated_at: float = 0.0
    severity: str = ""
    service: str = ""


def merge_mark(row: IncidentHistory | None, mark: IncidentMark, *, now: float) -> IncidentHistory:
    """The history row after one observation (pure; both databases apply it inside one transaction).

    A reopened incident that was resolved starts a new occurrence: its first-seen, shown and ack
    are those of the new one.
    """
    if row is None or (mark.reopened and row.resolved_at is not None):
        return IncidentHistory(
            source_id=mark.source_id, fingerprint=mark.fingerprint, name=mark.name or (row.name if row else ""),
            first_seen_at=mark.first_seen_at, shown_at=mark.shown_at, acked_at=mark.acked_at,
            acked_by=mark.acked_by if mark.acked_at is not None else "",
            resolved_at=None if mark.reopened else mark.resolved_at, updated_at=now,
            severity=mark.severity or (row.severity if row else ""),
            service=mark.service or (row.service if row else ""),
        )
    first = row.first_seen_at
    if mark.first_seen_at is not None and (first is None or mark.first_seen_at < first):
        first = mark.first_seen_at
    acked_at, acked_by = row.acked_at, row.acked_by
    if acked_at is None and mark.acked_at is not None:
        acked_at, acked_by = mark.acked_at, mark.acked_by
    resolved = row.resolved_at if mark.resolved_at is None else (row.resolved_at or mark.resolved_at)
    return IncidentHistory(
        source_id=row.source_id, fingerprint=row.fingerprint, name=mark.name or row.name, first_seen_at=first,
        shown_at=row.shown_at if row.shown_at is not None else mark.shown_at, acked_at=acked_at,
        acked_by=acked_by, resolved_at=None if mark.reopened else resolved, updated_at=now,
        severity=row.severity or mark.severity, service=row.service or mark.service,
    )


HISTORY_COLUMNS = (
    "source_id, fingerprint, name, first_seen_at, shown_at, acked_at, acked_by, resolved_at, updated_at,"
    " severity, service"
)


def history_from_row(row: Sequence[Any]) -> IncidentHistory:
    """One incidents row (columns in HISTORY_COLUMNS order)."""
    source_id, fingerprint, name, first, shown, acked, acked_by, resolved, updated, severity, service = row

    def opt(value: Any) -> float | None:
        return None if value is None else float(value)

    return IncidentHistory(
        source_id=source_id, fingerprint=fingerprint, name=name, first_seen_at=opt(first), shown_at=opt(shown),
        acked_at=opt(acked), acked_by=acked_by, resolved_at=opt(resolved), updated_at=float(updated),
        severity=severity or "", service=service or "",
    )


def history_values(row: IncidentHistory) -> tuple[Any, ...]:
    return (row.source_id, row.fingerprint, row.name, row.first_seen_at, row.shown_at, row.acked_at,
            row.acked_by, row.resolved_at, row.updated_at, row.severity, row.service)



@dataclass(frozen=True, kw_only=True, slots=True)
class RaisedRow:
    """An incident the app raised itself, kept in the state database when no Alertmanager takes it.

    `body` is the actions layer's own JSON-able record; `version` grows with every write, so a
    write based on an older read is refused (two workstations acking at once: one wins).
    """

    fingerprint: str
    body: Mapping[str, Any]
    version: int
    updated_at: float
