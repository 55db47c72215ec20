"""The shift handover: what fired in the last N hours, what is still open, who acked, actions and notes.

    doc = handover_document(journal, since=now - 8 * 3600, now=now, title=..., time_zone="UTC")

Everything comes from the state database: incident history rows (first seen, acked, resolved,
priority) and the audit (every action an operator or the app asked for, with its outcome),
with the notes' texts from the action records.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pandas as pd

from noc_app.reports.document import Document
from noc_app.reports.timing import SEED_TARGETS, Targets, format_duration, incident_times
from noc_app.state.journal import Journal
from noc_app.state.records import AuditEntry, IncidentHistory

MAX_ROWS = 100_000  # the audit has no `since` filter: read up to this many lines and keep the window's


def when(epoch: float | None, zone: str) -> str:
    """Short times: a shift spans a day or two, and narrow columns must not break names apart."""
    if epoch is None:
        return "–"
    return dt.datetime.fromtimestamp(epoch, zoneinfo.ZoneInfo(zone)).strftime("%m-%d %H:%M")


def _incident_rows(rows: list[IncidentHistory], zone: str, now: float, targets: Targets) -> list[tuple[str, ...]]:
    out: list[tuple[str, ...]] = []
    for row in rows:
        t = incident_times(row, time_zone=zone, now=now, targets=targets)
        late = " (late)" if t.acked_in_time is False or t.resolved_in_time is False else ""
        out.append((t.priority + late, row.name or row.fingerprint, t.service, when(t.start, zone),
                    row.acked_by or "–", when(row.acked_at, zone),
                    "open" if row.resolved_at is None else when(row.resolved_at, zone)))
    return out


def _notes(journal: Journal, lines: list[AuditEntry], names: dict[str, str]) -> list[tuple[str, str, str, str]]:
    found: list[tuple[str, str, str, str]] = []
    seen: set[str] = set()
    for line in lines:
        if not line.request_id or line.request_id in seen:
            continue
        seen.add(line.request_id)
        record = journal.get(line.request_id)
        if record is None or record.kind != "note":
            continue
        comment = record.payload.get("comment", "")
        found.append((line.actor, names.get(line.subject, line.subject), str(comment), str(line.at)))
    return found


def handover_document(journal: Journal, *, since: float, now: float, title: str, time_zone: str = "UTC",
                      targets: Targets = SEED_TARGETS) -> Document:
    hours = (now - since) / 3600
    histories = list(journal.incident_histories(since=since, limit=MAX_ROWS))
    fired = sorted((r for r in histories if (r.first_seen_at or r.shown_at or 0.0) >= since),
                   key=lambda r: r.first_seen_at or r.shown_at or 0.0)
    still_open = sorted((r for r in journal.incident_histories(limit=MAX_ROWS) if r.resolved_at is None),
                        key=lambda r: (incident_times(r).priority, r.first_seen_at or 0.0))
    audit = [a for a in journal.audit(limit=MAX_ROWS) if since <= a.at <= now]
    names = {f"{r.source_id}/{r.fingerprint}": r.name for r in histories if r.name}
    doc = Document(f"Shift handover — {title}")
    zone = zoneinfo.ZoneInfo(time_zone)
    span = " to ".join(dt.datetime.fromtimestamp(t, zone).strftime("%Y-%m-%d %H:%M") for t in (since, now))
    doc.para(f"The last {hours:g} h: {span} ({time_zone}). Times below are month-day hour:minute.", "meta")
    doc.para(f"{len(fired)} fired in the shift, {len(still_open)} still open, "
             f"{sum(1 for r in histories if r.acked_at is not None and r.acked_at >= since)} acknowledged, "
             f"{len(audit)} audit lines.")
    header = ("Priority", "Incident", "Service", "Started", "Acked by", "Acked", "Resolved")
    doc.heading("Still open")
    if still_open:
        doc.table(header, _incident_rows(still_open, time_zone, now, targets),
                  marks=["miss" if incident_times(r, now=now).priority in ("P0", "P1") else "" for r in still_open])
    else:
        doc.para("Nothing is open.")
    doc.heading("What fired in the shift")
    doc.table(header, _incident_rows(fired, time_zone, now, targets)) if fired else doc.para("Nothing fired.")
    acked = sorted((r for r in histories if r.acked_at is not None and r.acked_at >= since),
                   key=lambda r: r.acked_at or 0.0)
    doc.heading("Who acknowledged")
    if acked:
        doc.table(("Incident", "Acked by", "At", "Time to ack"), [
            (r.name or r.fingerprint, r.acked_by or "–", when(r.acked_at, time_zone),
             format_duration(incident_times(r).ack_s)) for r in acked])
    else:
        doc.para("No acknowledgements in the shift.")
    doc.heading("Actions and runbooks")
    if audit:
        doc.table(("At", "Who", "Action", "Incident", "Outcome", "Detail"), [
            (when(a.at, time_zone), a.actor, a.action, names.get(a.subject, a.subject), a.outcome, a.detail)
            for a in audit],
            marks=["miss" if a.outcome in ("failed", "rejected") else "" for a in audit])
    else:
        doc.para("No actions in the shift.")
    notes = _notes(journal, audit, names)
    doc.heading("Notes")
    if notes:
        doc.table(("Who", "Incident", "Note", "At"),
                  [(who, subject, text, when(float(at), time_zone)) for who, subject, text, at in notes])
    else:
        doc.para("No notes in the shift.")
    doc.csv("incidents", pd.DataFrame(_incident_rows(fired, time_zone, now, targets), columns=list(header)))
    doc.csv("open", pd.DataFrame(_incident_rows(still_open, time_zone, now, targets), columns=list(header)))
    doc.csv("audit", pd.DataFrame([{"at": when(a.at, time_zone), "actor": a.actor, "os_user": a.os_user,
                                     "host": a.host, "action": a.action, "subject": a.subject,
                                     "outcome": a.outcome, "detail": a.detail} for a in audit],
                                   columns=["at", "actor", "os_user", "host", "action", "subject", "outcome",
                                            "detail"]))
    return doc
