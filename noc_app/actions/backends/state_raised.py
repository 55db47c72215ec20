"""Raised incidents without an Alertmanager: they live in the state database and are acknowledged there.

Two halves on one journal, so a room sharing a PostgreSQL shares them:

- `StateIncidentSink` is the `IncidentSink` (actions.raised): `publish` writes each
  firing incident (keyed by a fingerprint of its labels, generator=noc-app among
  them) and marks the others resolved.  An incident that fires again after it
  resolved starts afresh (no ack carried over).
- `StateBackend` is the `ActionBackend` (actions.execute) for them: ack / unack
  change the stored row, a note needs nothing (the journal holds it).  Every write
  is made over the version it read (`raised_put`), so two workstations acking at
  once cannot both win; the request id is stored with the ack, so a replay of the
  same request is recognised as done.

`raised_alerts` turns the stored rows into `Alert`s under `RAISED_SOURCE_ID`, the
same objects a board or `incidents list` shows.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import Any

from noc_app.actions.errors import BackendRejected, InvalidRequest, Retryable
from noc_app.actions.model import ActionKind, ActionOutcome, ActionRequest, OutcomeStatus
from noc_app.actions.raised import RAISED_SOURCE_ID, RaisedIncident
from noc_app.model import Alert, AlertState, Severity
from noc_app.state.journal import Journal

__all__ = ["RAISED_SOURCE_ID", "StateBackend", "StateIncidentSink", "raised_alerts", "raised_fingerprint"]
MAX_CONFLICTS = 5  # version conflicts (another workstation wrote meanwhile) before giving up for now


def raised_fingerprint(labels: Mapping[str, str]) -> str:
    """A stable id of a label set (16 hex digits), as Alertmanager's fingerprint is."""
    text = json.dumps(sorted(labels.items()), separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _body(incident: RaisedIncident, old: Mapping[str, Any] | None, *, now: float) -> dict[str, Any]:
    keep = old is not None and old.get("resolved_at") is None  # still the same occurrence: keep its ack
    return {
        "name": incident.name,
        "severity": incident.severity,
        "labels": incident.all_labels,
        "summary": incident.summary,
        "description": incident.description,
        "starts_at": (old or {}).get("starts_at") if keep else (incident.starts_at or now),
        "last_posted_at": now,
        "resolved_at": None,
        "acked_by": (old or {}).get("acked_by", "") if keep else "",
        "acked_at": (old or {}).get("acked_at") if keep else None,
        "ack_request_id": (old or {}).get("ack_request_id", "") if keep else "",
    }


class StateIncidentSink:
    """IncidentSink on the state database (used when no Alertmanager is configured)."""

    def __init__(self, journal: Journal, *, clock: Callable[[], float] = time.time) -> None:
        self._journal = journal
        self._clock = clock

    def publish(self, firing: Sequence[RaisedIncident], resolved: Sequence[RaisedIncident] = ()) -> None:
        now = self._clock()
        for incident in firing:
            _update(self._journal, raised_fingerprint(incident.all_labels), now, partial(_body, incident, now=now))

        def resolve(old: Mapping[str, Any] | None) -> dict[str, Any] | None:
            return None if old is None or old.get("resolved_at") is not None else {**old, "resolved_at": now}

        for incident in resolved:
            _update(self._journal, raised_fingerprint(incident.all_labels), now, resolve)

    def close(self) -> None:
        """The journal belongs to the caller."""


class StateBackend:
    """ActionBackend for raised incidents kept in the state database."""

    def __init__(self, journal: Journal, *, clock: Callable[[], float] = time.time) -> None:
        self._journal = journal
        self._clock = clock

    def perform(self, request: ActionRequest) -> ActionOutcome:
        rid = request.request_id
        if request.kind is ActionKind.NOTE:
            return ActionOutcome(request_id=rid, status=OutcomeStatus.DONE, message="note recorded")
        fingerprint = request.incident.fingerprint
        now = self._clock()
        if request.kind is ActionKind.ACK:
            def change(old: Mapping[str, Any] | None) -> dict[str, Any] | None:
                _require_open(old, fingerprint)
                assert old is not None
                if old.get("ack_request_id") == rid:
                    return None  # this very request was applied before (a replay)
                if old.get("acked_by"):
                    raise BackendRejected(f"already acknowledged by {old['acked_by']}")
                return {**old, "acked_by": request.operator.name, "acked_at": now, "ack_request_id": rid}
            _update(self._journal, fingerprint, now, change)
            return ActionOutcome(request_id=rid, status=OutcomeStatus.DONE,
                                 message="acknowledged in the state database", backend_ref=fingerprint)
        if request.kind is ActionKind.UNACK:
            def take_back(old: Mapping[str, Any] | None) -> dict[str, Any] | None:
                _require_open(old, fingerprint)
                assert old is not None
                if not old.get("acked_by"):
                    return None  # nothing to take back: already done
                return {**old, "acked_by": "", "acked_at": None, "ack_request_id": ""}
            _update(self._journal, fingerprint, now, take_back)
            return ActionOutcome(request_id=rid, status=OutcomeStatus.DONE, message="acknowledgement taken back",
                                 backend_ref=fingerprint)
        raise InvalidRequest(f"raised incidents take no {request.kind.value}")

    def close(self) -> None:
        """The journal belongs to the caller."""


def raised_alerts(journal: Journal, *, include_resolved: bool = False) -> tuple[Alert, ...]:
    """The raised incidents as Alerts of RAISED_SOURCE_ID (acknowledged ones say by whom)."""
    alerts = []
    for row in journal.raised_all():
        body = row.body
        resolved = body.get("resolved_at") is not None
        if resolved and not include_resolved:
            continue
        try:
            severity = Severity(str(body.get("severity", "unknown")))
        except ValueError:
            severity = Severity.UNKNOWN
        acked_by = str(body.get("acked_by") or "")
        state = AlertState.RESOLVED if resolved else AlertState.ACKNOWLEDGED if acked_by else AlertState.FIRING
        alerts.append(Alert(
            fingerprint=row.fingerprint, source_id=RAISED_SOURCE_ID, name=str(body.get("name", "")),
            severity=severity, state=state, summary=str(body.get("summary", "")),
            description=str(body.get("description", "")), labels=dict(body.get("labels") or {}),
            starts_at=float(body.get("starts_at") or 0.0),
            ends_at=float(body["resolved_at"]) if resolved else None, acknowledged_by=acked_by,
        ))
    return tuple(alerts)


def _require_open(old: Mapping[str, Any] | None, fingerprint: str) -> None:
    if old is None:
        raise BackendRejected(f"no raised incident {fingerprint}")
    if old.get("resolved_at") is not None:
        raise BackendRejected("the incident is resolved")


def _update(
    journal: Journal, fingerprint: str, now: float,
    change: Callable[[Mapping[str, Any] | None], Mapping[str, Any] | None],
) -> None:
    """Read, change, write over the version read; again when another writer came first. None: no write."""
    for _ in range(MAX_CONFLICTS):
        row = journal.raised_get(fingerprint)
        body = change(row.body if row is not None else None)
        if body is None or journal.raised_put(fingerprint, body, version=row.version if row else 0, now=now):
            return
    raise Retryable(f"raised incident {fingerprint}: {MAX_CONFLICTS} concurrent writes; trying again later")
