"""The words of the incident board's rows: severity words, age, lineage, countdown, grouped and noisy rows.

Pure, like the incidents selector (noc_app/selectors_incidents.py) whose board it words; split from it for size.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from noc_app.actions.severity import OFFICE_HOURS, countdown_text, effective_policy, priority_of
from noc_app.config.schema import BusinessHours, SeverityLevel
from noc_app.display_text import visible
from noc_app.model import Alert, AlertState, Severity
from noc_app.noise.shown import BoardNoise
from noc_app.selectors_dedup import sources_text
from noc_app.selectors_incidents import (
    DEFAULT_GROUP_BY,
    DEVELOPING_TAG,
    MUTED_STATES,
    MUTED_TAGS,
    PENDING_STATE,
    AlertGroup,
    GroupBy,
    GroupFacts,
    IncidentBoard,
    group_facts,
    group_title,
)
from noc_app.units import format_age


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
    countdown: str = ""  # the severity policy's response clock: "ack due in 3 min", "ack overdue 2 min"

    @property
    def title(self) -> str:
        return f"{self.name} ×{self.count}" if self.count > 1 else self.name

    @property
    def muted(self) -> bool:
        return bool(self.state_tag)


def severity_words(severity: Severity, level: SeverityLevel | None = None) -> str:
    """'P0 CRITICAL', 'P2 WARNING', ...: the policy level's id when one matched, else the severity's own."""
    return f"{level.id if level is not None else severity.priority} {severity.value.upper()}"


@dataclass(frozen=True, kw_only=True, slots=True)
class BoardPolicy:
    """The severity policy a board shows priorities and response clocks from (config rows; () = defaults)."""

    levels: tuple[SeverityLevel, ...] = ()
    hours: BusinessHours = OFFICE_HOURS


def policy_level(alert: Alert, policy: BoardPolicy | None) -> SeverityLevel | None:
    if policy is None:
        return None
    return priority_of(alert, effective_policy(policy.levels))


def row_countdown(alert: Alert, now: float, policy: BoardPolicy | None) -> str:
    """The ack countdown of a row's first alert; "" without a policy, for muted rows and unmatched alerts."""
    if policy is None or alert.state in MUTED_STATES:
        return ""
    return countdown_text(alert, None, policy_level(alert, policy), now, policy.hours)


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


def row_key(group: AlertGroup) -> tuple[str, str]:
    """A row's identity across refreshes: its first alert's source and fingerprint."""
    return (group[0].source_id, group[0].fingerprint)


def board_row(
    group: AlertGroup, now: float, marker: str = "", policy: BoardPolicy | None = None, *,
    facts: GroupFacts | None = None,
) -> BoardRow:
    """The words painted for one alert, or for a group of alike alerts.

    With a policy, the priority is the policy's level (first matching row) and the row carries its
    response countdown; without one (or when no row matches), the severity's own P0-P3.
    `facts`: the group's labels text and earliest start, when already computed (by the
    worker that prepared the board): a group can hold thousands of alerts.
    """
    alert = group[0]
    tag = MUTED_TAGS.get(alert.state, "")
    lineage = lineage_text(alert) if tag else ""
    facts = facts if facts is not None else group_facts(group)
    labels = facts.labels_text
    detail = " — ".join(part for part in (lineage, alert.summary, labels) if part)
    return BoardRow(  # backend text: controls and bidi overrides made visible (only rows that fit are built)
        severity=alert.severity,
        severity_text=severity_words(alert.severity, policy_level(alert, policy)),
        name=visible(alert.name),
        detail=visible(detail),
        age_text=firing_for(facts.started, now),
        state_tag=tag,
        lineage=visible(lineage),
        count=len(group),
        key=row_key(group),
        marker=visible(marker),
        countdown=row_countdown(alert, now, policy),
    )


def board_rows(
    board: IncidentBoard, now: float, fit: int, markers: Mapping[tuple[str, str], str],
    policy: BoardPolicy | None = None,
) -> tuple[BoardRow, ...]:
    """The rows that fit (the first `fit` groups), with any action markers the view holds.

    A problem merged across backends names them first in its detail ("am + pagerduty — ...").
    """
    facts = [board.facts_of(i) for i in range(min(fit, len(board.groups)))]
    rows = tuple(
        _as_grouped(board_row(g, now, markers.get(row_key(g), ""), policy, facts=f), g, board.group_by, f)
        for g, f in zip(board.groups[:fit], facts, strict=True)
    )
    if board.noise.tags or board.noise.notes:
        rows = tuple(_with_noise(row, board.noise) for row in rows)
    if not board.members:
        return rows
    return tuple(_with_sources(row, board.members.get(row.key)) for row in rows)


def _as_grouped(row: BoardRow, group: AlertGroup, group_by: GroupBy, facts: GroupFacts) -> BoardRow:
    """A row as its board groups it: developing (pending) rows tagged; label-grouped rows named by their
    labels, their detail saying which alerts they hold."""
    if group[0].state is PENDING_STATE and PENDING_STATE is not None:
        row = replace(row, state_tag=DEVELOPING_TAG)
    if group_by != DEFAULT_GROUP_BY:
        row = replace(row, name=visible(group_title(group, group_by)))
    if facts.names_text:
        lineage = row.lineage
        rest = " — ".join(p for p in (lineage, facts.names_text, facts.labels_text) if p)
        row = replace(row, detail=visible(rest))
    return row


def _with_noise(row: BoardRow, noise: BoardNoise) -> BoardRow:
    """A flapping or maintenance row: its tag instead of the state's (calm, dimmed), its note first."""
    tag, note = noise.tags.get(row.key, ""), noise.notes.get(row.key, "")
    if tag:
        row = replace(row, state_tag=tag, countdown="")
    if note:
        row = replace(row, detail=visible(" — ".join(p for p in (note, row.detail) if p)))
    return row


def _with_sources(row: BoardRow, members: tuple[Alert, ...] | None) -> BoardRow:
    if members is None:
        return row
    return replace(row, detail=" — ".join(p for p in (visible(sources_text(members)), row.detail) if p))


def row_ages(board: IncidentBoard, now: float, fit: int, policy: BoardPolicy | None = None) -> tuple[str, ...]:
    """The "for 12m" texts (and ack countdowns) of the rows that fit: the view repaints only when one changed."""
    shown = min(fit, len(board.groups))
    ages = tuple(firing_for(board.facts_of(i).started, now) for i in range(shown))
    if policy is None:
        return ages
    tags = board.noise.tags
    return ages + tuple("" if row_key(g) in tags else row_countdown(g[0], now, policy) for g in board.groups[:shown])


