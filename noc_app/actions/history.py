"""Incident history from what the app sees and does: pure functions to `IncidentMark`s.

    observe(seen, snapshot, now=...)   -> marks for incidents new on the wall (first seen = the backend's
                                          startsAt, which for Prometheus-fed alerts is the rule's activeAt;
                                          shown = now), newly acknowledged, or resolved; and the new `seen`
    outcome_mark(request, outcome, now) -> the ack of a confirmed ACK request (who, when)
    timeline(journal, incident)         -> the history row and the audit lines, for the operator's History view

`seen` (source's fingerprint -> who holds its ack, "" for nobody) is the caller's
memory between polls, so a steady wall writes nothing: only changes are marked.
An incident missing from a list that is known to be whole has resolved; a list
that may be partial resolves nothing (its missing incidents stay in `seen`).
"""

from __future__ import annotations

from collections.abc import Mapping

from noc_app.actions.model import (
    ActionKind,
    ActionOutcome,
    ActionRequest,
    IncidentKey,
    IncidentTimeline,
    OutcomeStatus,
    TimelineEntry,
)
from noc_app.actions.upkeep import complete_alert_labels
from noc_app.model import AlertState, Snapshot
from noc_app.redaction import redact
from noc_app.state.journal import Journal
from noc_app.state.records import IncidentMark

Seen = Mapping[str, str]  # fingerprint -> acknowledged_by ("" when nobody)


def observe(
    seen: Seen | None, snapshot: Snapshot, *, now: float, hides_alerts: bool = False
) -> tuple[list[IncidentMark], dict[str, str]]:
    """Marks for what changed since `seen` (None: the first poll of this source), and the new memory."""
    if snapshot.alerts is None:
        return [], dict(seen or {})
    source = snapshot.source_id
    previous = dict(seen or {})
    marks: list[IncidentMark] = []
    current: dict[str, str] = {}
    resolved_here: set[str] = set()
    for alert in snapshot.alerts:
        fp = alert.fingerprint
        if alert.state is AlertState.RESOLVED:
            resolved_here.add(fp)
            if seen is None or fp in previous:
                marks.append(IncidentMark(source_id=source, fingerprint=fp, name=alert.name,
                                          resolved_at=alert.ends_at or now))
            continue
        holder = alert.acknowledged_by
        current[fp] = holder
        ack = {"acked_at": now, "acked_by": holder} if holder else {}
        if fp not in previous:
            marks.append(IncidentMark(
                source_id=source, fingerprint=fp, name=alert.name, first_seen_at=alert.starts_at or None,
                shown_at=now, reopened=True, severity=alert.severity.value,
                service=alert.labels.get("service") or alert.labels.get("job", ""), **ack,  # type: ignore[arg-type]
            ))
        elif holder and not previous[fp]:
            marks.append(IncidentMark(source_id=source, fingerprint=fp, acked_at=now, acked_by=holder))
    whole = complete_alert_labels(snapshot, hides_alerts=hides_alerts) is not None
    for fp in previous.keys() - current.keys() - resolved_here:
        if whole:
            marks.append(IncidentMark(source_id=source, fingerprint=fp, resolved_at=now))
        else:
            current[fp] = previous[fp]  # not in this (partial) list: not known to be resolved
    return marks, current


def outcome_mark(request: ActionRequest, outcome: ActionOutcome, *, now: float) -> IncidentMark | None:
    """A confirmed acknowledgement, for the incident's history; None for anything else."""
    if request.kind is not ActionKind.ACK or outcome.status is not OutcomeStatus.DONE:
        return None
    return IncidentMark(source_id=request.incident.source_id, fingerprint=request.incident.fingerprint,
                        acked_at=now, acked_by=request.operator.name)


MAX_TIMELINE_AUDIT = 200


def timeline(journal: Journal, incident: IncidentKey) -> IncidentTimeline:
    """The incident's history row and audit lines as one timeline, oldest first (blocking: call off the GUI thread).

    Never raises: a database that cannot be read gives a timeline with `error` (secrets redacted).
    """
    try:
        row = journal.incident_history(incident.source_id, incident.fingerprint)
        audit = journal.audit(subject=incident.text, limit=MAX_TIMELINE_AUDIT)
        comments: dict[str, str] = {}
        for line in audit:
            if line.request_id and line.request_id not in comments:
                action = journal.get(line.request_id)
                comment = action.payload.get("comment", "") if action is not None else ""
                comments[line.request_id] = comment if isinstance(comment, str) else ""
    except Exception as exc:  # the database is down or unreadable: say so in the dialog
        return IncidentTimeline(incident=incident, error=redact(f"{type(exc).__name__}: {exc}"))
    entries: list[TimelineEntry] = []
    if row is not None:
        entries += [TimelineEntry(at=at, text=text) for at, text in (
            (row.first_seen_at, "first seen (the backend's start)"),
            (row.shown_at, "first shown on the wall"),
            (row.acked_at, f"acknowledged by {row.acked_by}" if row.acked_by else "acknowledged"),
            (row.resolved_at, "resolved"),
        ) if at is not None]
    shown_comment: set[str] = set()
    for line in audit:
        text = f"{line.action} by {line.actor}"
        if line.outcome and line.outcome not in line.action:
            text += f": {line.outcome}"
        if line.detail:
            text += f" — {line.detail}"
        comment = comments.get(line.request_id, "")
        if comment and line.request_id not in shown_comment:
            shown_comment.add(line.request_id)
            text += f'\n"{comment}"'
        entries.append(TimelineEntry(at=line.at, text=text))
    entries.sort(key=lambda e: e.at)
    return IncidentTimeline(incident=incident, entries=tuple(entries))
