"""Incidents the app raises itself (SLO burn, detection), as Alertmanager alerts.

When an Alertmanager is configured, a raised incident is posted to every peer's
/api/v2/alerts (peers do not gossip alerts; Prometheus also sends to each), with
`generator="noc-app"` among its labels, and re-posted well before its endsAt
while it holds; so it is grouped, silenced, acknowledged and shared like any
alert.  Stopping the re-posts lets it resolve at endsAt; `resolved_payload`
resolves it at once.  The pure half is here; `backends.alertmanager_alerts`
posts it.  Without an Alertmanager they live in the state database, under the
source id RAISED_SOURCE_ID, and are acknowledged there (`backends.state_raised`;
`actions.wiring.raised_sink` picks the one a config calls for).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Protocol

from noc_app.actions.errors import InvalidRequest
from noc_app.sources.silences import iso_time

GENERATOR_LABEL = "generator"
GENERATOR = "noc-app"
RAISED_SOURCE_ID = "noc-app"  # the source id of raised incidents kept in the state database
RAISED_TTL_S = 300.0  # endsAt = last post + this; re-posted every third of it
_LABEL_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
MAX_LABELS = 32
MAX_VALUE_CHARS = 1024


@dataclass(frozen=True, kw_only=True, slots=True)
class RaisedIncident:
    name: str  # becomes alertname
    severity: str  # critical | high | warning | info (the seed's P0-P3 map onto these)
    labels: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    summary: str = ""
    description: str = ""
    starts_at: float = 0.0  # epoch seconds when the condition began

    def __post_init__(self) -> None:
        object.__setattr__(self, "labels", MappingProxyType(dict(self.labels)))
        _validate(self)

    @property
    def all_labels(self) -> dict[str, str]:
        """The alert's labels: its own, then alertname, severity and generator (which always win)."""
        return {**self.labels, "alertname": self.name, "severity": self.severity, GENERATOR_LABEL: GENERATOR}


class IncidentSink(Protocol):
    def publish(self, firing: Sequence[RaisedIncident], resolved: Sequence[RaisedIncident] = ()) -> None:
        """Post (or re-post) the firing incidents and resolve the others; blocking, raises ActionError."""
        ...


def alert_payload(incident: RaisedIncident, *, now: float, ttl_s: float = RAISED_TTL_S) -> dict[str, Any]:
    """The postableAlert for a firing incident, ending ttl_s from now unless re-posted."""
    return _payload(incident, ends_at=now + max(60.0, ttl_s))


def resolved_payload(incident: RaisedIncident, *, now: float) -> dict[str, Any]:
    """The same alert with endsAt now: Alertmanager resolves it (startsAt must come before endsAt)."""
    body = _payload(incident, ends_at=now)
    if not 0 < incident.starts_at < now:
        body["startsAt"] = iso_time(now - 1.0)
    return body


def refresh_due(last_posted_at: float | None, *, now: float, ttl_s: float = RAISED_TTL_S) -> bool:
    """Re-post after a third of the TTL, so two missed posts still leave it firing."""
    return last_posted_at is None or now - last_posted_at >= ttl_s / 3


def _payload(incident: RaisedIncident, *, ends_at: float) -> dict[str, Any]:
    annotations = {k: v for k, v in (("summary", incident.summary), ("description", incident.description)) if v}
    body: dict[str, Any] = {"labels": incident.all_labels, "annotations": annotations, "endsAt": iso_time(ends_at)}
    if incident.starts_at > 0:
        body["startsAt"] = iso_time(incident.starts_at)
    return body


def _validate(incident: RaisedIncident) -> None:
    if not incident.name.strip():
        raise InvalidRequest("a raised incident needs a name")
    if len(incident.labels) > MAX_LABELS:
        raise InvalidRequest(f"{len(incident.labels)} labels; at most {MAX_LABELS}")
    for name, value in incident.all_labels.items():
        if not _LABEL_NAME.fullmatch(name):
            raise InvalidRequest(f"label name {name[:40]!r} is not a Prometheus label name")
        if not isinstance(value, str) or len(value) > MAX_VALUE_CHARS:
            raise InvalidRequest(f"label {name} must be text of at most {MAX_VALUE_CHARS} characters")
