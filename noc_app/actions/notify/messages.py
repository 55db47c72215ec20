"""What a notification says, and the request that carries it (pure: no network, no clock).

Each message is one NOTIFY ActionRequest whose request id is a uuid5 of the incident, its
occurrence (when it started), the event and the channel: the same message can be journalled
only once (journal.record answers False for a known id), by any process, however often asked.
Messages are plain text built from the alert's own words; no secret goes into them.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from noc_app.actions.model import ActionKind, ActionRequest, IncidentKey, Operator
from noc_app.config.schema import SeverityLevel
from noc_app.display_text import visible
from noc_app.model import Alert

NOTIFY_SOURCE_ID = "notify"  # the outbox routes NOTIFY rows to the notification backend by this id
AUTOMATION_OPERATOR = Operator(name="noc-app automation")
EVENTS = ("new", "escalated", "resolved")
_NAMESPACE = uuid.UUID("6f0c4c1e-2b7a-5b8e-9d41-6e6f632d6170")  # fixed: ids must agree across processes
MAX_TEXT = 1800  # under the request's comment bound (2000)


def occurrence_of(alert: Alert) -> str:
    """One firing of an incident: a fingerprint that fires again later is a new occurrence."""
    return f"{alert.starts_at:.0f}" if alert.starts_at > 0 else "0"


def notify_request_id(incident: IncidentKey, occurrence: str, event: str, channel_id: str) -> str:
    name = "\x1f".join(("notify", incident.source_id, incident.fingerprint, occurrence, event, channel_id))
    return uuid.uuid5(_NAMESPACE, name).hex


def runbook_request_id(incident: IncidentKey, occurrence: str, runbook_id: str) -> str:
    """The automation's run of an `auto: true` runbook for one occurrence: one id in every process."""
    name = "\x1f".join(("runbook", incident.source_id, incident.fingerprint, occurrence, runbook_id))
    return uuid.uuid5(_NAMESPACE, name).hex


def escalate_request_id(incident: IncidentKey, occurrence: str, step: int) -> str:
    name = "\x1f".join(("escalate", incident.source_id, incident.fingerprint, occurrence, str(step)))
    return uuid.uuid5(_NAMESPACE, name).hex


@dataclass(frozen=True, kw_only=True, slots=True)
class Notice:
    subject: str
    text: str


def notice(event: str, alert: Alert, level: SeverityLevel, *, reason: str = "", targets: tuple[str, ...] = (),
           now: float) -> Notice:
    """The subject and body of one message (plain text; the alert's words with controls made visible)."""
    name = visible(alert.name)[:200]
    head = {"new": "NEW", "escalated": "ESCALATED", "resolved": "RESOLVED"}.get(event, event.upper())
    subject = f"[{level.id} {head}] {name}"
    lines = [subject]
    if alert.summary:
        lines.append(visible(alert.summary)[:500])
    if event == "escalated":
        lines.append(f"Escalated to {', '.join(targets) or 'the next level'}: {reason}")
    keys = [f"{k}={visible(v)[:100]}" for k, v in sorted(alert.labels.items())
            if k in ("service", "instance", "job", "severity", "priority", "team", "env")]
    if keys:
        lines.append("Labels: " + " ".join(keys))
    if alert.starts_at > 0:
        lines.append(f"Started: {_utc(alert.starts_at)}")
    if event == "resolved":
        lines.append(f"Resolved: {_utc(now)}")
    lines.append(f"Incident: {alert.source_id}/{alert.fingerprint}")
    text = "\n".join(lines)
    return Notice(subject=subject, text=text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…")


def notify_request(alert: Alert, event: str, channel_id: str, message: Notice, *, now: float) -> ActionRequest:
    """The NOTIFY request for one message to one channel (journalled under the notify pseudo-source)."""
    incident = IncidentKey(source_id=alert.source_id, fingerprint=alert.fingerprint)
    return ActionRequest(
        kind=ActionKind.NOTIFY,
        incident=IncidentKey(source_id=NOTIFY_SOURCE_ID, fingerprint=incident.text),
        operator=AUTOMATION_OPERATOR, comment=message.text, requested_at=now, automatic=True,
        request_id=notify_request_id(incident, occurrence_of(alert), event, channel_id),
        params={"channel": channel_id, "event": event, "subject": message.subject},
    )


def _utc(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, tz=dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
