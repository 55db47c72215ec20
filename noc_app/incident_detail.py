"""What an incident's detail view shows, decided here (pure); widgets/incident_detail_view.py only draws it.

    incident_detail(group, now, levels=..., dashboards=..., sources=...) -> IncidentDetail

The priority is the severity policy's, spelled the way the board spells it ("P0 CRITICAL").  Every
label and annotation is kept as it came (the view shows it as plain text, controls made visible);
links are only http/https URLs; linked panels and log queries come from incident_links and
incident_logquery.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from noc_app.config.schema import DashboardConfig, SeverityLevel, SourceConfig
from noc_app.incident_links import LinkedPanel, incident_urls, linked_panels
from noc_app.incident_logquery import incident_log_queries
from noc_app.model import Alert, AlertState, LogLine
from noc_app.selectors_board_rows import BoardPolicy, firing_for, lineage_text, policy_level, severity_words

STATE_WORDS = {
    AlertState.FIRING: "FIRING", AlertState.ACKNOWLEDGED: "ACKNOWLEDGED", AlertState.SILENCED: "SILENCED",
    AlertState.INHIBITED: "INHIBITED", AlertState.RESOLVED: "RESOLVED", AlertState.PENDING: "DEVELOPING",
}


@dataclass(frozen=True, kw_only=True, slots=True)
class IncidentLogs:
    """What one incident log query answered (noc_app.incident_log_fetch runs it)."""

    source_id: str
    query: str
    lines: tuple[LogLine, ...] = ()
    error: str = ""  # the backend's or the network's message (redacted); "" when it answered


@dataclass(frozen=True, kw_only=True, slots=True)
class LogQueryText:
    source_id: str
    kind: str
    query: str


@dataclass(frozen=True, kw_only=True, slots=True)
class IncidentDetail:
    alert: Alert  # the row's first alert (the others are counted)
    title: str
    priority: str  # "P0 CRITICAL"
    state: str  # "FIRING", "ACKNOWLEDGED by ana", ...
    times: tuple[str, ...]  # "Started 2026-12-02 17:03:10 (for 12m)", "Silenced by ... : comment"
    summary: str
    labels: tuple[tuple[str, str], ...]
    annotations: tuple[tuple[str, str], ...]
    links: tuple[tuple[str, str], ...]  # (name, http/https URL)
    panels: tuple[LinkedPanel, ...]
    log_queries: tuple[LogQueryText, ...]
    alerts_in_row: int = 1


def clock_text(at: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(at))


def state_text(alert: Alert) -> str:
    words = STATE_WORDS.get(alert.state, alert.state.value.upper())
    if alert.acknowledged_by:
        return f"{words} by {alert.acknowledged_by}"
    return words


def time_lines(alert: Alert, now: float) -> tuple[str, ...]:
    lines = []
    if alert.starts_at > 0:
        lines.append(f"Started {clock_text(alert.starts_at)} ({firing_for(alert.starts_at, now)})")
    if alert.ends_at and alert.state is AlertState.RESOLVED:
        lines.append(f"Resolved {clock_text(alert.ends_at)}")
    if alert.acknowledged_by:
        lines.append(f"Acknowledged by {alert.acknowledged_by}")
    lineage = lineage_text(alert)
    if lineage:
        lines.append(f"Muted: {lineage}")
    if alert.oncall:
        lines.append(f"On call: {alert.oncall}")
    return tuple(lines)


def incident_detail(
    group: Sequence[Alert],
    now: float,
    *,
    levels: tuple[SeverityLevel, ...] = (),
    dashboards: Sequence[DashboardConfig] = (),
    sources: Sequence[SourceConfig] = (),
) -> IncidentDetail:
    """The detail of a board row (its alerts; the first one speaks for the row)."""
    if not group:
        raise ValueError("an incident detail needs at least one alert")
    alert = group[0]
    level = policy_level(alert, BoardPolicy(levels=levels))
    labels = tuple(sorted(alert.labels.items()))
    annotations = tuple(sorted(alert.annotations.items()))
    return IncidentDetail(
        alert=alert,
        title=alert.name,
        priority=severity_words(alert.severity, level),
        state=state_text(alert),
        times=time_lines(alert, now),
        summary=alert.summary or alert.annotations.get("summary", ""),
        labels=labels,
        annotations=annotations,
        links=incident_urls(alert),
        panels=linked_panels(alert.labels, dashboards),
        log_queries=tuple(LogQueryText(source_id=sid, kind=kind, query=query)
                          for sid, kind, query in incident_log_queries(alert.labels, sources)),
        alerts_in_row=len(group),
    )
