"""The words of the incident board's rows (pure: no painting).

Each row spells its severity three ways (colour, marker shape, "P0 CRITICAL");
muted rows say who muted them and why.  Backend text has its controls and bidi
overrides made visible here, once, for the rows that fit.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from noc_app.display_text import visible
from noc_app.model import Alert, AlertState, DataState, Severity
from noc_app.units import format_age
from noc_app.widgets.state_style import severity_words

KEY_LABELS = ("service", "instance", "job", "namespace")
MUTED_TAGS = {
    AlertState.SILENCED: "SILENCED",
    AlertState.ACKNOWLEDGED: "ACKED",
    AlertState.INHIBITED: "INHIBITED",
}
CALM_EMPTY_STATES = (DataState.OK, DataState.NO_DATA, DataState.STALE)


@dataclass(frozen=True, kw_only=True, slots=True)
class BoardRow:
    """The words of one painted row."""

    severity: Severity
    severity_text: str  # "P0 CRITICAL"
    name: str
    detail: str  # summary and key labels (muted rows: lineage first)
    age_text: str  # "for 12m"
    state_tag: str  # "" | SILENCED | ACKED | INHIBITED
    lineage: str  # who muted it and why; empty for active alerts
    count: int = 1  # alerts folded into this row (same name, severity, state)
    key: tuple[str, str] = ("", "")  # (source id, fingerprint) of the row's first alert: its identity
    marker: str = ""  # an action in flight or its result: "ACK PENDING", "ACK QUEUED", "ACK FAILED: ..."

    @property
    def title(self) -> str:
        return f"{self.name} ×{self.count}" if self.count > 1 else self.name

    @property
    def muted(self) -> bool:
        return bool(self.state_tag)


def firing_for(starts_at: float, now: float) -> str:
    """'for 42s', 'for 12m', 'for 3h05m': minutes are precise enough past one."""
    if starts_at <= 0:
        return ""
    seconds = max(0.0, now - starts_at)
    if 60 <= seconds < 3600:
        return f"for {int(seconds // 60)}m"
    return f"for {format_age(seconds)}"


def lineage_text(alert: Alert) -> str:
    """Who muted an alert and why, in one line."""
    if alert.mute_reason:
        return alert.mute_reason
    if alert.state is AlertState.SILENCED and alert.silenced_by:
        return "silenced by " + ", ".join(alert.silenced_by)
    if alert.state is AlertState.INHIBITED and alert.inhibited_by:
        return "inhibited by " + ", ".join(alert.inhibited_by)
    if alert.state is AlertState.ACKNOWLEDGED and alert.acknowledged_by:
        return "acked by " + alert.acknowledged_by
    return ""


def row_key(group: tuple[Alert, ...]) -> tuple[str, str]:
    """A row's identity across refreshes: its first alert's source and fingerprint."""
    return (group[0].source_id, group[0].fingerprint)


def board_row(group: tuple[Alert, ...], now: float, marker: str = "") -> BoardRow:
    """The words painted for one alert, or for a group of alike alerts."""
    alert = group[0]
    tag = MUTED_TAGS.get(alert.state, "")
    lineage = lineage_text(alert) if tag else ""
    # Only labels every member shares describe the row; the rest is "varies".
    shared = [k for k in KEY_LABELS if alert.labels.get(k) and all(a.labels.get(k) == alert.labels[k] for a in group)]
    labels = " · ".join(f"{k}={alert.labels[k]}" for k in shared)
    if len(group) > 1:
        varying = sorted({k for a in group for k, v in a.labels.items() if alert.labels.get(k) != v})
        folded = f"{len(group)} alerts, by {', '.join(varying[:3])}" if varying else f"{len(group)} alerts"
        labels = " · ".join(p for p in (labels, folded) if p)
    detail = " — ".join(part for part in (lineage, alert.summary, labels) if part)
    return BoardRow(  # backend text: controls and bidi overrides made visible (only rows that fit are built)
        severity=alert.severity,
        severity_text=severity_words(alert.severity),
        name=visible(alert.name),
        detail=visible(detail),
        age_text=firing_for(earliest_start(group), now),
        state_tag=tag,
        lineage=visible(lineage),
        count=len(group),
        key=row_key(group),
        marker=visible(marker),
    )


def earliest_start(group: tuple[Alert, ...]) -> float:
    starts = [a.starts_at for a in group if a.starts_at > 0]
    return min(starts) if starts else 0.0


def counts_text(alerts: tuple[Alert, ...]) -> tuple[tuple[str, Severity | None], ...]:
    """Header segments: ('2 P0', CRITICAL), ('1 P1', HIGH), ..., ('3 muted', None)."""
    muted_states = tuple(MUTED_TAGS)  # identity checks on a tuple: no enum hashing per alert
    by_value = Counter(a.severity._value_ for a in alerts if a.state not in muted_states)
    muted = sum(1 for a in alerts if a.state in muted_states)
    active = {Severity(value): n for value, n in by_value.items()}
    parts: list[tuple[str, Severity | None]] = [
        (f"{active[sev]} {sev.priority}", sev) for sev in sorted(active, key=lambda s: s.rank)
    ]
    if not parts:
        parts.append(("0 active", None))
    if muted:
        parts.append((f"{muted} muted", None))
    return tuple(parts)
