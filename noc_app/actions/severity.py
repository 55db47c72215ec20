"""The P0-P3 severity policy as pure functions: which level an alert is, when its ack and fix are due,
and whether it must be escalated now.  No Qt, no network; `now` is always passed in.

    priority_of(alert, policy)                -> the first matching SeverityLevel (None: no row matches)
    response_deadline(level, started, hours)  -> when the ack is due (epoch seconds)
    resolution_deadline(level, started, hours)
    escalation_due(alert, history, policy, now, hours) -> Escalation | None

"next business day" (a level without response_time) is the end of business hours on the first
business day after the incident started, in the configured time zone (default Mon-Fri 09:00-18:00,
the machine's local time; `automation.business_hours` in the config).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from zoneinfo import ZoneInfo

from noc_app.config.schema import BusinessHours, SeverityLevel
from noc_app.model import Alert, AlertState, Severity
from noc_app.state.records import IncidentHistory

HOUR_S = 3600.0
OFFICE_HOURS = BusinessHours()  # Mon-Fri 09:00-18:00, local time
DAY_S = 24 * HOUR_S


def _m(**labels: tuple[str, ...]) -> Mapping[str, tuple[str, ...]]:
    return MappingProxyType(dict(labels))


# The seed's incident classification.  PagerDuty and Opsgenie incidents are matched on their
# `priority` (P1..P5) and `urgency` labels; Prometheus/Alertmanager alerts on `severity`.
DEFAULT_POLICY: tuple[SeverityLevel, ...] = (
    SeverityLevel(id="P0", name="Critical", match=(_m(severity=("critical",)), _m(priority=("P1",))),
                  response_time_s=300.0, resolution_target_s=HOUR_S,
                  escalation=("CTO", "VP Engineering"), channels=("pagerduty",)),
    SeverityLevel(id="P1", name="High",
                  match=(_m(severity=("high",)), _m(priority=("P2",)), _m(urgency=("high",))),
                  response_time_s=900.0, resolution_target_s=4 * HOUR_S,
                  escalation=("Engineering Manager",), channels=("slack", "pagerduty")),
    SeverityLevel(id="P2", name="Medium", match=(_m(severity=("warning",)), _m(priority=("P3",))),
                  response_time_s=HOUR_S, resolution_target_s=DAY_S,
                  escalation=("Team Lead",), channels=("slack",)),
    SeverityLevel(id="P3", name="Low",
                  match=(_m(severity=("info",)), _m(priority=("P4", "P5")), _m(urgency=("low",))),
                  response_time_s=None, resolution_target_s=7 * DAY_S, escalation=(), channels=("email",)),
)

# States in which nobody needs to respond: someone took it, or it is muted on purpose.
_ANSWERED = frozenset({AlertState.ACKNOWLEDGED, AlertState.SILENCED, AlertState.INHIBITED, AlertState.RESOLVED})


def effective_policy(levels: Sequence[SeverityLevel]) -> tuple[SeverityLevel, ...]:
    """The config's rows, or the seed's defaults when it says nothing."""
    return tuple(levels) if levels else DEFAULT_POLICY


def level_matchers(level: SeverityLevel) -> tuple[Mapping[str, tuple[str, ...]], ...]:
    if level.match:
        return level.match
    if level.severity is not None:
        return (MappingProxyType({"severity": (level.severity.value,)}),)
    return ()


def priority_of(alert: Alert, policy: Sequence[SeverityLevel]) -> SeverityLevel | None:
    """The first level with a matcher the alert satisfies."""
    for level in policy:
        if any(_matches(alert, matcher) for matcher in level_matchers(level)):
            return level
    return None


def _matches(alert: Alert, matcher: Mapping[str, tuple[str, ...]]) -> bool:
    return bool(matcher) and all(_label_matches(alert, name, wanted) for name, wanted in matcher.items())


def _label_matches(alert: Alert, name: str, wanted: tuple[str, ...]) -> bool:
    folded = {w.strip().lower() for w in wanted}
    # severity: the alert's normalised severity, whatever spelling its backend used
    if name == "severity" and alert.severity is not Severity.UNKNOWN and (
        alert.severity.value in folded or any(Severity.parse(w) is alert.severity for w in folded)
    ):
        return True
    value = alert.labels.get(name)
    return value is not None and value.strip().lower() in folded


def started_at(alert: Alert, history: IncidentHistory | None) -> float | None:
    """When the response clock started: the backend's start, else when the room first saw it."""
    if alert.starts_at > 0:
        return alert.starts_at
    if history is not None and history.first_seen_at is not None:
        return history.first_seen_at
    return None


def response_deadline(level: SeverityLevel, started: float, hours: BusinessHours = OFFICE_HOURS) -> float:
    if level.response_time_s is None:
        return next_business_day_end(started, hours)
    return started + level.response_time_s


def resolution_deadline(level: SeverityLevel, started: float, hours: BusinessHours = OFFICE_HOURS) -> float | None:
    if level.resolution_target_s is None:
        return None
    return started + level.resolution_target_s


def next_business_day_end(at: float, hours: BusinessHours = OFFICE_HOURS) -> float:
    """The end of business hours on the first business day after `at`'s day."""
    zone = ZoneInfo(hours.timezone) if hours.timezone else None
    local = dt.datetime.fromtimestamp(at, tz=zone) if zone else dt.datetime.fromtimestamp(at).astimezone()
    day = local.date()
    days = set(hours.days) or {0, 1, 2, 3, 4}
    for _ in range(8):
        day += dt.timedelta(days=1)
        if day.weekday() in days:
            break
    end = dt.datetime.combine(day, dt.time(hours.end_min // 60 % 24, hours.end_min % 60))
    if zone is not None:
        return end.replace(tzinfo=zone).timestamp()
    return end.timestamp()  # naive: the machine's local time (DST-correct through mktime)


def is_answered(alert: Alert, history: IncidentHistory | None) -> bool:
    """Someone acknowledged it (here or at its backend), or it is muted or resolved."""
    if alert.state in _ANSWERED or alert.acknowledged_by:
        return True
    return history is not None and history.acked_at is not None


@dataclass(frozen=True, kw_only=True, slots=True)
class Escalation:
    """An escalation that is due: to whom, why, and the step (1: ack overdue, 2: resolution overdue)."""

    level: SeverityLevel
    step: int
    targets: tuple[str, ...]
    reason: str
    due_at: float


def escalation_due(
    alert: Alert, history: IncidentHistory | None, policy: Sequence[SeverityLevel], now: float,
    hours: BusinessHours = OFFICE_HOURS,
) -> Escalation | None:
    """The escalation an alert needs at `now`, or None.

    Step 1: not acknowledged within the level's response time.  Step 2: acknowledged or not,
    still firing past the resolution target.  A level without escalation targets never escalates.
    The caller makes each step happen once (its request id is derived from the incident and step).
    """
    if alert.state is AlertState.RESOLVED:
        return None
    level = priority_of(alert, policy)
    started = started_at(alert, history)
    if level is None or started is None or not level.escalation:
        return None
    resolve_by = resolution_deadline(level, started, hours)
    if resolve_by is not None and now >= resolve_by and alert.state not in (AlertState.SILENCED, AlertState.INHIBITED):
        return Escalation(level=level, step=2, targets=level.escalation, due_at=resolve_by,
                          reason=f"{level.id} not resolved within {duration_words(resolve_by - started)}")
    ack_by = response_deadline(level, started, hours)
    if now >= ack_by and not is_answered(alert, history):
        return Escalation(level=level, step=1, targets=level.escalation, due_at=ack_by,
                          reason=f"{level.id} not acknowledged within {duration_words(ack_by - started)}")
    return None


def countdown_text(alert: Alert, history: IncidentHistory | None, level: SeverityLevel | None, now: float,
                   hours: BusinessHours = OFFICE_HOURS) -> str:
    """'ack due in 3 min', 'ack overdue 2 min'; '' when answered or nothing is due."""
    if level is None or is_answered(alert, history):
        return ""
    started = started_at(alert, history)
    if started is None:
        return ""
    left = response_deadline(level, started, hours) - now
    if left >= 0:
        return f"ack due in {duration_words(left, ceil=True)}"
    return f"ack overdue {duration_words(-left)}"


def duration_words(seconds: float, *, ceil: bool = False) -> str:
    """'45 s', '3 min', '2 h 05 min', '3 d' for a countdown."""
    seconds = max(0.0, seconds)
    if seconds < 60:
        return f"{int(seconds)} s"
    minutes = int(-(-seconds // 60)) if ceil else int(seconds // 60)
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 48 * 60:
        hours_, rest = divmod(minutes, 60)
        return f"{hours_} h" if rest == 0 else f"{hours_} h {rest:02d} min"
    return f"{minutes // (24 * 60)} d"
