"""The severity policy (`severity_policy:`, P0-P3) and the business hours its targets and the room's
automation count in."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from noc_app.model import Severity


@dataclass(frozen=True, kw_only=True, slots=True)
class SeverityLevel:
    """One row of the P0-P3 policy: which alerts it takes (first matching row wins) and its targets."""

    id: str  # P0..P3
    name: str
    severity: Severity | None = None  # shorthand for match [{severity: ...}]
    # Any one matcher matches; within one, every label must have one of the listed values (case-insensitive).
    match: tuple[Mapping[str, tuple[str, ...]], ...] = ()
    response_time_s: float | None = None  # None: next business day
    resolution_target_s: float | None = None
    escalation: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True, slots=True)
class BusinessHours:
    """When 'next business day' counts: weekdays 0=Mon..6=Sun, minutes after midnight, an IANA zone."""

    days: tuple[int, ...] = (0, 1, 2, 3, 4)
    start_min: int = 9 * 60
    end_min: int = 18 * 60
    timezone: str | None = None  # None: the machine's local time


@dataclass(frozen=True, kw_only=True, slots=True)
class AutomationConfig:
    """The room's automation (escalation timers, notifications, outbox): run by whoever holds the lease."""

    enabled: bool = False
    business_hours: BusinessHours = field(default_factory=BusinessHours)
    interval_s: float = 30.0  # how often the holder checks the timers
    lease_retry_s: float = 15.0  # how often the others try to take the lease
