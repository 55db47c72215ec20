"""Pure parsing of Opsgenie Alert API payloads (GET /v2/alerts, request status, notes).

Mapping of one alert onto model.Alert:

- fingerprint = the alert id; name = message; dedup_key = alias (the key that names
  the same problem elsewhere); oncall = the alert's owner.
- severity from priority: P1 critical, P2 high, P3 warning, P4 and P5 info
  (Opsgenie's own words: P1 Critical, P2 High, P3 Moderate, P4 Low, P5 Informational);
  anything else unknown.
- state: closed -> RESOLVED; acknowledged -> ACKNOWLEDGED (by report.acknowledgedBy,
  else owner); snoozed -> SILENCED ("snoozed until ..."); otherwise FIRING.
- labels: alias, priority, source, owner, tiny_id, integration, teams (ids, joined),
  and tags joined into ONE label `tags` ("db,prod", sorted).  Tags are free text
  (spaces, colons, any case) and unbounded in number; label names are neither, and
  an action request carries at most 64 labels, so one joined label it is.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from noc_app.model import Alert, AlertState, Severity, freeze_labels
from noc_app.sources.base import BadAnswer
from noc_app.sources.prometheus_parse import parse_rfc3339

PRIORITY_SEVERITY: Mapping[str, Severity] = {
    "P1": Severity.CRITICAL,
    "P2": Severity.HIGH,
    "P3": Severity.WARNING,
    "P4": Severity.INFO,
    "P5": Severity.INFO,
}
MAX_LABEL_CHARS = 1000  # an action request refuses labels over 1024 characters
REQUEST_TAG = re.compile(r"\[noc-app request ([0-9a-f]{32})\]")


@dataclass(frozen=True, slots=True)
class Page:
    """One page of GET /v2/alerts: the alerts read, and whether Opsgenie says there is more."""

    alerts: tuple[Alert, ...]
    size: int  # records on the page, usable or not (the next offset moves by this)
    has_next: bool


@dataclass(frozen=True, kw_only=True, slots=True)
class RequestStatus:
    """GET /v2/alerts/requests/{id}: whether Opsgenie carried the action out, in its words."""

    is_success: bool
    status: str
    action: str = ""
    alert_id: str = ""


@dataclass(frozen=True, kw_only=True, slots=True)
class AlertStatus:
    """The few fields of one alert an action backend checks before acting."""

    id: str
    status: str  # open | closed
    acknowledged: bool
    acknowledged_by: str


def parse_alert_page(payload: object, *, source_id: str, what: str, dropped: list[str]) -> Page:
    """One list page -> its usable Alerts; unusable records are left out with their reason in `dropped`."""
    if not isinstance(payload, dict) or not isinstance(payload.get("data"), list):
        raise BadAnswer(f"{what}: expected an object with a 'data' list, got {_shape_of(payload)}")
    alerts: list[Alert] = []
    for item in payload["data"]:
        try:
            alerts.append(to_alert(item, source_id=source_id))
        except (BadAnswer, TypeError, ValueError, AttributeError) as exc:
            dropped.append(str(exc))
    paging = payload.get("paging")
    has_next = isinstance(paging, dict) and isinstance(paging.get("next"), str) and bool(paging["next"])
    return Page(alerts=tuple(alerts), size=len(payload["data"]), has_next=has_next)


def to_alert(item: object, *, source_id: str) -> Alert:
    """One alert object of the list -> Alert; raises BadAnswer naming what is unusable."""
    if not isinstance(item, dict):
        raise BadAnswer(f"alert is {_shape_of(item)}")
    alert_id = item.get("id")
    if not isinstance(alert_id, str) or not alert_id.strip():
        raise BadAnswer("no id" if alert_id is None else f"id is {_shape_of(alert_id)}")
    message = _text(item, "message")
    status = _text(item, "status").lower()
    acknowledged = item.get("acknowledged") is True
    snoozed = item.get("snoozed") is True
    raw_report = item.get("report")
    report: dict[str, object] = raw_report if isinstance(raw_report, dict) else {}
    owner = _text(item, "owner")
    acked_by = _text(report, "acknowledgedBy") or owner
    created = parse_rfc3339(item.get("createdAt")) or 0.0
    if status == "closed":
        state = AlertState.RESOLVED
    elif acknowledged:
        state = AlertState.ACKNOWLEDGED
    elif snoozed:
        state = AlertState.SILENCED
    else:
        state = AlertState.FIRING
    priority = _text(item, "priority").upper()
    alias = _text(item, "alias")
    labels = {
        "alias": alias,
        "priority": priority,
        "source": _text(item, "source"),
        "owner": owner,
        "tiny_id": _text(item, "tinyId"),
        "integration": _text(item.get("integration") or {}, "name"),
        "teams": _joined(_names(_list(item, "teams"))),
        "tags": _joined(sorted(str(t) for t in _list(item, "tags") if str(t).strip())),
    }
    annotations = {
        "count": str(item["count"]) if isinstance(item.get("count"), int) else "",
        "last_occurred_at": _text(item, "lastOccurredAt"),
    }
    return Alert(
        fingerprint=alert_id,
        source_id=source_id,
        name=message or f"alert {_text(item, 'tinyId') or alert_id}",
        severity=PRIORITY_SEVERITY.get(priority, Severity.UNKNOWN),
        state=state,
        labels=freeze_labels({k: v for k, v in labels.items() if v}),
        annotations=freeze_labels({k: v for k, v in annotations.items() if v}),
        starts_at=created,
        ends_at=_closed_at(created, report) if state is AlertState.RESOLVED else None,
        mute_reason=_snooze_text(item) if snoozed and state is not AlertState.RESOLVED else "",
        acknowledged_by=acked_by if state is AlertState.ACKNOWLEDGED else "",
        oncall=owner,
        dedup_key=alias,
    )


def parse_request_status(payload: object) -> RequestStatus:
    """GET /v2/alerts/requests/{id} -> RequestStatus (isSuccess and Opsgenie's status text)."""
    if not isinstance(payload, dict) or not isinstance(payload.get("data"), dict):
        raise BadAnswer(f"request status: expected an object with a 'data' object, got {_shape_of(payload)}")
    data = payload["data"]
    success = data.get("isSuccess", data.get("success"))
    if not isinstance(success, bool):
        raise BadAnswer("request status: isSuccess is missing or not true/false")
    return RequestStatus(
        is_success=success,
        status=_text(data, "status") or ("done" if success else "failed"),
        action=_text(data, "action"),
        alert_id=_text(data, "alertId"),
    )


def parse_accepted(payload: object) -> str:
    """The requestId of a 202 "Request will be processed" answer."""
    request_id = payload.get("requestId") if isinstance(payload, dict) else None
    if not isinstance(request_id, str) or not request_id.strip():
        raise BadAnswer(f"accepted request: no requestId in {_shape_of(payload)}")
    return request_id.strip()


def parse_alert_status(payload: object) -> AlertStatus:
    """GET /v2/alerts/{id} -> the state an action backend checks (open/closed, acked by whom)."""
    if not isinstance(payload, dict) or not isinstance(payload.get("data"), dict):
        raise BadAnswer(f"alert: expected an object with a 'data' object, got {_shape_of(payload)}")
    data = payload["data"]
    report = data.get("report") if isinstance(data.get("report"), dict) else {}
    return AlertStatus(
        id=_text(data, "id"),
        status=_text(data, "status").lower(),
        acknowledged=data.get("acknowledged") is True,
        acknowledged_by=_text(report, "acknowledgedBy") or _text(data, "owner"),
    )


def note_request_ids(payload: object) -> frozenset[str]:
    """GET /v2/alerts/{id}/notes -> the noc-app request ids tagged in its notes."""
    if not isinstance(payload, dict) or not isinstance(payload.get("data"), list):
        raise BadAnswer(f"notes: expected an object with a 'data' list, got {_shape_of(payload)}")
    found: set[str] = set()
    for note in payload["data"]:
        if isinstance(note, dict) and isinstance(note.get("note"), str):
            found.update(REQUEST_TAG.findall(note["note"]))
    return frozenset(found)


def request_tag(request_id: str) -> str:
    """The tag every noc-app action carries in its Opsgenie note: how a replay finds its delivery."""
    return f"[noc-app request {request_id}]"


def _closed_at(created: float, report: Mapping[str, object]) -> float | None:
    close_ms = report.get("closeTime")  # milliseconds from creation to close
    if created and isinstance(close_ms, int) and not isinstance(close_ms, bool) and close_ms >= 0:
        return created + close_ms / 1000.0
    return None


def _snooze_text(item: Mapping[str, object]) -> str:
    until = parse_rfc3339(item.get("snoozedUntil"))
    if until is None:
        return "snoozed"
    return "snoozed until " + dt.datetime.fromtimestamp(until, tz=dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def _list(mapping: Mapping[str, object], key: str) -> list[object]:
    value = mapping.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise BadAnswer(f"{key} is {_shape_of(value)}")
    return value


def _names(value: list[object]) -> list[str]:
    """Team (or responder) names when Opsgenie gives them, else their ids."""
    names: list[str] = []
    for entry in value:
        if isinstance(entry, dict):
            name = _text(entry, "name") or _text(entry, "id")
            if name:
                names.append(name)
    return names


def _joined(values: Sequence[str]) -> str:
    text = ",".join(dict.fromkeys(v.strip() for v in values))
    return text if len(text) <= MAX_LABEL_CHARS else text[: MAX_LABEL_CHARS - 1] + "…"


def _text(mapping: object, key: str) -> str:
    value = mapping.get(key) if isinstance(mapping, dict) else None
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        raise BadAnswer(f"{key} is {_shape_of(value)}")
    return str(value).strip()


def _shape_of(value: object) -> str:
    if isinstance(value, dict):
        return "an object with keys [" + ", ".join(sorted(map(str, value))[:6]) + "]"
    if isinstance(value, list):
        return f"a list of {len(value)}"
    if value is None:
        return "null"
    return f"a {type(value).__name__}"
