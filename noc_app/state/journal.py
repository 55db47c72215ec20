"""The journal seam: an outbox of actions plus an append-only audit, as a Protocol.

Lifecycle of one action row:

    record()            -> pending, attempts 0, due now          (before any network call)
    lease() / lease_due() -> pending + lease (owner, token, until) (one deliverer at a time)
    complete(done|failed) -> final; outcome stored                 (after the backend answered)
    defer(next_attempt_at) -> pending, attempts + 1, lease cleared (backend unreachable)
    cancel()            -> cancelled (an operator gave up on it)

A lease that runs out (its process died mid-delivery) makes the row leasable
again, so an action recorded before a crash is delivered after the restart; the
backend's own idempotency check (the request id it carries) covers the window
between its side effect and `complete`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from noc_app.state.records import (
    ActionRecord,
    AuditEntry,
    IncidentHistory,
    IncidentMark,
    Lease,
    NewAction,
    RaisedRow,
)

DEFAULT_LEASE_S = 120.0


class Journal(Protocol):
    def record(self, action: NewAction) -> bool:
        """Insert a pending action; False (and no change) when the request id is already known."""
        ...

    def get(self, request_id: str) -> ActionRecord | None: ...

    def lease(self, request_id: str, *, owner: str, now: float, lease_s: float = DEFAULT_LEASE_S) -> Lease | None:
        """Take this pending action for delivery; None when it is final or someone else holds it."""
        ...

    def lease_due(
        self, *, owner: str, now: float, lease_s: float = DEFAULT_LEASE_S, limit: int = 20
    ) -> Sequence[Lease]:
        """Take up to `limit` pending actions that are due and not leased, oldest first."""
        ...

    def complete(
        self, lease: Lease, *, done: bool, outcome: Mapping[str, Any], now: float
    ) -> bool:
        """Finish a leased action (done or failed); False when the lease was lost meanwhile."""
        ...

    def defer(
        self, lease: Lease, *, next_attempt_at: float, outcome: Mapping[str, Any], now: float
    ) -> bool:
        """Put a leased action back in the outbox for a later attempt; False when the lease was lost."""
        ...

    def cancel(self, request_id: str, *, now: float) -> bool:
        """Take a pending, unleased action out of the outbox; False when it is final or in flight."""
        ...

    def pending(self) -> Sequence[ActionRecord]:
        """Every pending action, oldest first (the outbox, leased or not)."""
        ...

    def append_audit(self, entry: AuditEntry) -> None: ...

    def audit(
        self, *, request_id: str | None = None, subject: str | None = None, limit: int = 1000
    ) -> Sequence[AuditEntry]:
        """Audit lines, oldest first; optionally those of one request and/or one subject ("am/0f3a...")."""
        ...

    def mark_incidents(self, marks: Sequence[IncidentMark], *, now: float) -> None:
        """Merge observations into the incidents' history rows (see IncidentMark for the rules); one transaction."""
        ...

    def incident_history(self, source_id: str, fingerprint: str) -> IncidentHistory | None: ...

    def incident_histories(self, *, since: float | None = None, limit: int = 1000) -> Sequence[IncidentHistory]:
        """History rows updated at or after `since`, most recently updated first."""
        ...

    def raised_get(self, fingerprint: str) -> RaisedRow | None: ...

    def raised_all(self) -> Sequence[RaisedRow]:
        """Every raised incident the database holds, oldest write first."""
        ...

    def raised_put(self, fingerprint: str, body: Mapping[str, Any], *, version: int, now: float) -> bool:
        """Write a raised incident if its stored version is still `version` (0: not stored yet); False if not."""
        ...

    def close(self) -> None: ...
