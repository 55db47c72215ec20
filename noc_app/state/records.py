"""Plain records the state database stores and returns (no action classes here)."""

from __future__ import annotations

import enum
from collections.abc import Mapping
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
