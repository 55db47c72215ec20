"""Pure parsing of PagerDuty REST API v2 payloads (incidents, notes, on-calls, errors).

Severity: an incident's priority decides when it has one, else its urgency.
PagerDuty's default priorities run P1 (highest) to P5; the wall's P0-P3 scale
starts one step higher, so

    priority P1 -> critical, P2 -> high, P3 -> warning, P4/P5 -> info
    (another priority name: the usual spellings, e.g. "SEV-1" stays unknown)
    no priority: urgency high -> high, low -> warning

State: triggered -> FIRING, acknowledged -> ACKNOWLEDGED (acknowledged_by from
acknowledgements[].acknowledger.summary), resolved -> RESOLVED.

A record we cannot use is dropped with its reason (see base.dropped_note); the
list around it is kept.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from noc_app.model import Alert, AlertState, Severity, freeze_labels
from noc_app.sources.base import BadAnswer
from noc_app.sources.prometheus_parse import parse_rfc3339

_STATES = {
    "triggered": AlertState.FIRING,
    "acknowledged": AlertState.ACKNOWLEDGED,
    "resolved": AlertState.RESOLVED,
}
_PRIORITY_SEVERITY = {
    "p1": Severity.CRITICAL,
    "p2": Severity.HIGH,
    "p3": Severity.WARNING,
    "p4": Severity.INFO,
    "p5": Severity.INFO,
}
_URGENCY_SEVERITY = {"high": Severity.HIGH, "low": Severity.WARNING}
REQUEST_TAG = "[noc-app request {}]"
_TAG = re.compile(r"\[noc-app request ([0-9a-f]{32})\]")
_ESCALATE_TO = re.compile(r"escalat(?:e|ed|ing) to level (\d{1,2})\b")


@dataclass(frozen=True, kw_only=True, slots=True)
class Page:
    """One page of a classic (offset) PagerDuty list."""

    items: tuple[object, ...]
    more: bool
    offset: int
    limit: int


@dataclass(frozen=True, kw_only=True, slots=True)
class OnCall:
    """Who is on call at one level of one escalation policy."""

    policy_id: str
    level: int
    user_id: str
    user: str


@dataclass(frozen=True, kw_only=True, slots=True)
class Note:
    id: str
    content: str
    user: str


def parse_page(payload: object, key: str, *, what: str) -> Page:
    """{"<key>": [...], "limit", "offset", "more"}: the list and whether more follows."""
    if not isinstance(payload, dict) or not isinstance(payload.get(key), list):
        raise BadAnswer(f"{what}: expected an object with a '{key}' list, got {_shape_of(payload)}")
    more = payload.get("more", False)
    return Page(
        items=tuple(payload[key]),
        more=more is True,
        offset=_int(payload.get("offset"), 0),
        limit=_int(payload.get("limit"), len(payload[key])),
    )


def severity_of(priority: object, urgency: object) -> Severity:
    """The mapping in this module's docstring."""
    name = _summary(priority).strip().lower()
    if name:
        return _PRIORITY_SEVERITY.get(name, Severity.parse(name))
    return _URGENCY_SEVERITY.get(str(urgency or "").lower(), Severity.UNKNOWN)


def to_alert(item: object, *, source_id: str, oncall: Mapping[str, str] | None = None) -> Alert | str:
    """One incident object -> Alert, or the reason it is unusable."""
    if not isinstance(item, dict):
        return f"incident is {_shape_of(item)}"
    incident_id = item.get("id")
    if not isinstance(incident_id, str) or not incident_id.strip():
        return "incident without an id"
    state = _STATES.get(str(item.get("status")))
    if state is None:
        return f"unknown status {str(item.get('status'))[:40]!r}"
    title = str(item.get("title") or item.get("summary") or incident_id)
    service = _object(item.get("service"))
    policy = _object(item.get("escalation_policy"))
    labels = {
        "service": _summary(service),
        "service_id": str(service.get("id") or ""),
        "urgency": str(item.get("urgency") or ""),
        "priority": _summary(item.get("priority")),
        "incident_number": str(item.get("incident_number") or ""),
        "escalation_policy": _summary(policy),
        "escalation_policy_id": str(policy.get("id") or ""),
    }
    teams = [_summary(t) for t in item.get("teams") or () if isinstance(t, dict)]
    if any(teams):
        labels["team"] = ", ".join(t for t in teams if t)
    resolved_at = parse_rfc3339(item.get("resolved_at")) if state is AlertState.RESOLVED else None
    return Alert(
        fingerprint=incident_id,
        source_id=source_id,
        name=title,
        severity=severity_of(item.get("priority"), item.get("urgency")),
        state=state,
        summary=str(item.get("summary") or ""),
        description=str(item.get("description") or ""),
        labels=freeze_labels({k: v for k, v in labels.items() if v}),
        starts_at=parse_rfc3339(item.get("created_at")) or 0.0,
        ends_at=resolved_at,
        url=str(item.get("html_url") or ""),
        acknowledged_by=acknowledgers(item) if state is AlertState.ACKNOWLEDGED else "",
        oncall=(oncall or {}).get(labels["escalation_policy_id"], ""),
        dedup_key=str(item.get("incident_key") or ""),
    )


def to_alerts(
    items: Iterable[object], *, source_id: str, oncall: Mapping[str, str] | None, dropped: list[str]
) -> tuple[Alert, ...]:
    """Every usable incident, de-duplicated by id (a list shifting between pages repeats some)."""
    alerts: dict[str, Alert] = {}
    for item in items:
        alert = to_alert(item, source_id=source_id, oncall=oncall)
        if isinstance(alert, str):
            dropped.append(alert)
        else:
            alerts.setdefault(alert.fingerprint, alert)
    return tuple(alerts.values())


def acknowledgers(item: Mapping[str, Any]) -> str:
    """Who acknowledged an incident: acknowledgements[].acknowledger.summary, unique, in order."""
    names = [
        _summary(ack.get("acknowledger"))
        for ack in item.get("acknowledgements") or ()
        if isinstance(ack, dict)
    ]
    return ", ".join(dict.fromkeys(n for n in names if n))


def assignee_ids(item: Mapping[str, Any]) -> frozenset[str]:
    """User ids the incident is assigned to now."""
    ids = set()
    for assignment in item.get("assignments") or ():
        assignee = assignment.get("assignee") if isinstance(assignment, dict) else None
        if isinstance(assignee, dict) and isinstance(assignee.get("id"), str):
            ids.add(assignee["id"])
    return frozenset(ids)


def parse_incident(payload: object, *, what: str) -> dict[str, Any]:
    """{"incident": {...}} of GET/PUT /incidents/{id}: the incident object."""
    incident = payload.get("incident") if isinstance(payload, dict) else None
    if not isinstance(incident, dict) or not isinstance(incident.get("id"), str):
        raise BadAnswer(f"{what}: expected {{\"incident\": {{\"id\": ...}}}}, got {_shape_of(payload)}")
    return incident


def parse_oncalls(items: Iterable[object], dropped: list[str] | None = None) -> tuple[OnCall, ...]:
    """On-call entries from GET /oncalls pages."""
    found = []
    for item in items:
        if not isinstance(item, dict):
            continue
        policy, user = item.get("escalation_policy"), item.get("user")
        level = item.get("escalation_level")
        if not isinstance(policy, dict) or not isinstance(user, dict) or isinstance(level, bool) or not isinstance(
            level, int
        ):
            if dropped is not None:
                dropped.append("on-call entry without policy, user or level")
            continue
        found.append(OnCall(
            policy_id=str(policy.get("id") or ""), level=level, user_id=str(user.get("id") or ""),
            user=_summary(user) or str(user.get("id") or "?"),
        ))
    return tuple(found)


def oncall_text(oncalls: Iterable[OnCall]) -> dict[str, str]:
    """Escalation policy id -> who is on call at its first level: "Alice (level 1)", several joined."""
    by_policy: dict[str, list[OnCall]] = {}
    for entry in oncalls:
        by_policy.setdefault(entry.policy_id, []).append(entry)
    texts = {}
    for policy_id, entries in by_policy.items():
        first = min(e.level for e in entries)
        names = dict.fromkeys(e.user for e in entries if e.level == first)
        texts[policy_id] = ", ".join(f"{name} (level {first})" for name in names)
    return texts


def current_level(incident: Mapping[str, Any], oncalls: Iterable[OnCall]) -> int | None:
    """The escalation level an open incident sits at: the highest level of the policy held by an assignee.

    The incident object does not carry its level; its assignees are the on-call users
    of the level it reached.  None when no assignee is on call in the policy.
    """
    policy = incident.get("escalation_policy")
    policy_id = policy.get("id") if isinstance(policy, dict) else None
    assigned = assignee_ids(incident)
    levels = [e.level for e in oncalls if e.policy_id == policy_id and e.user_id in assigned]
    return max(levels) if levels else None


def parse_notes(payload: object, *, what: str) -> tuple[Note, ...]:
    """GET /incidents/{id}/notes (not paginated)."""
    if not isinstance(payload, dict) or not isinstance(payload.get("notes"), list):
        raise BadAnswer(f"{what}: expected an object with a 'notes' list, got {_shape_of(payload)}")
    return tuple(
        Note(id=str(n.get("id") or ""), content=str(n.get("content") or ""), user=_summary(n.get("user")))
        for n in payload["notes"]
        if isinstance(n, dict)
    )


def request_tag(request_id: str) -> str:
    return REQUEST_TAG.format(request_id)


def tagged_note(notes: Iterable[Note], request_id: str) -> Note | None:
    """The note an earlier delivery of this request left, if any."""
    return next((n for n in notes if request_id in _TAG.findall(n.content)), None)


def escalation_target(note: Note) -> int | None:
    """The level an escalate note names ("escalating to level 3"), None when it names none."""
    match = _ESCALATE_TO.search(note.content)
    return int(match.group(1)) if match else None


def error_message(body: bytes) -> str | None:
    """PagerDuty's own words from an error body, or None when the body is not its error object.

    The spec's shape is {"error": {"message", "code", "errors": [...]}}; some endpoints
    answer {"error": "text"} instead (seen with account-level tokens).
    """
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    error = payload.get("error") if isinstance(payload, dict) else None
    if isinstance(error, str) and error.strip():
        return _clip(error)
    if not isinstance(error, dict):
        return None
    message = str(error.get("message") or "").strip() or "error"
    code = error.get("code")
    details = [str(e) for e in error.get("errors") or () if str(e).strip()]
    text = message + (f" (code {code})" if isinstance(code, int) else "")
    if details:
        text += ": " + "; ".join(details[:5])
    return _clip(text)


def _clip(text: str, limit: int = 300) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _object(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _summary(ref: object) -> str:
    if isinstance(ref, dict):
        return str(ref.get("summary") or ref.get("name") or "")
    return ""


def _int(value: object, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def _shape_of(value: object) -> str:
    if isinstance(value, dict):
        return f"an object with keys [{', '.join(sorted(map(str, value))[:6])}]"
    if isinstance(value, list):
        return f"a list of {len(value)}"
    return "null" if value is None else f"a {type(value).__name__}"
