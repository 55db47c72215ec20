"""P0 takeover as a pure policy: which incident takes a screen over, and when the screen returns.

    decide_takeover(alerts, config, mode, now, ...) -> TakeoverDecision

An incident takes over while it fires at or above the configured priority (severity policy order:
the first level is the highest) and nobody answered it: not acknowledged, silenced, inhibited or
resolved (then the screen returns).  Several at once: the highest priority, then the oldest; the
others are counted ("2 more P0").  Never in a mode whose capabilities say no (a kiosk).
`suppressed(alert)` lets a caller leave incidents out (flapping ones); `now` comes from the caller's
clock, and an alert without a start time counts from when the caller first saw it (`first_seen`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from noc_app.actions.severity import duration_words, effective_policy, priority_of
from noc_app.config.schema import Mode, SeverityLevel, TakeoverConfig
from noc_app.model import Alert, AlertState, Snapshot
from noc_app.modes import capabilities

IncidentId = tuple[str, str]  # (source id, fingerprint)


def never_suppressed(_alert: Alert) -> bool:
    return False


def incident_id(alert: Alert) -> IncidentId:
    return (alert.source_id, alert.fingerprint)


@dataclass(frozen=True, kw_only=True, slots=True)
class TakeoverDecision:
    """What the designated screen shows: `alert` taking it over, or None (its playlist)."""

    alert: Alert | None = None
    level: SeverityLevel | None = None
    started_at: float | None = None
    waiting: tuple[tuple[str, int], ...] = ()  # (level id, count) of the others, highest level first

    @property
    def active(self) -> bool:
        return self.alert is not None

    @property
    def incident(self) -> IncidentId | None:
        return incident_id(self.alert) if self.alert is not None else None

    def more_text(self) -> str:
        """'2 more P0', '1 more P0 · 3 more P1'; '' when it is alone."""
        return " · ".join(f"{count} more {level}" for level, count in self.waiting)

    def for_text(self, now: float) -> str:
        return f"for {duration_words(now - self.started_at)}" if self.started_at is not None else ""


NO_TAKEOVER = TakeoverDecision()
MAX_MEMO = 50_000


class PriorityMemo:
    """priority_of, remembered per alert content (its `content_key`): a wall re-decides every poll."""

    def __init__(self, levels: Sequence[SeverityLevel] = ()) -> None:
        self.policy = effective_policy(levels)
        self._memo: dict[tuple[str, str], SeverityLevel | None] = {}

    def __call__(self, alert: Alert) -> SeverityLevel | None:
        key = (alert.source_id, alert.content_key)
        if key not in self._memo:
            if len(self._memo) >= MAX_MEMO:
                self._memo.clear()
            self._memo[key] = priority_of(alert, self.policy)
        return self._memo[key]


def snapshot_alerts(snapshots: Iterable[Snapshot | None]) -> tuple[Alert, ...]:
    """Every alert these snapshots hold, across their sources (decide_takeover de-duplicates)."""
    return tuple(alert for snapshot in snapshots if snapshot is not None for alert in snapshot.alerts or ())


def needs_answer(alert: Alert) -> bool:
    """Firing and nobody took it: the states that keep a screen taken over."""
    return alert.state is AlertState.FIRING and not alert.acknowledged_by


def decide_takeover(
    alerts: Iterable[Alert],
    config: TakeoverConfig,
    mode: Mode,
    now: float,
    *,
    levels: Sequence[SeverityLevel] = (),
    suppressed: Callable[[Alert], bool] = never_suppressed,
    first_seen: Mapping[IncidentId, float] | None = None,
    level_of: Callable[[Alert], SeverityLevel | None] | None = None,
) -> TakeoverDecision:
    """The incident that takes the screen over at `now`, or NO_TAKEOVER (the screen shows its playlist).

    level_of: the alert's level in `levels` (default priority_of; a PriorityMemo of the same levels).
    """
    if not config.enabled or not capabilities(mode).takeover:
        return NO_TAKEOVER
    policy = effective_policy(levels)
    ranks = {level.id: rank for rank, level in enumerate(policy)}
    threshold = ranks.get(config.priority)
    if threshold is None:
        return NO_TAKEOVER
    seen = first_seen or {}
    candidates: list[tuple[int, float, IncidentId, Alert, SeverityLevel]] = []
    unique: set[IncidentId] = set()
    for alert in alerts:
        key = incident_id(alert)
        if key in unique or not needs_answer(alert):
            continue
        level = level_of(alert) if level_of is not None else priority_of(alert, policy)
        if level is None or ranks[level.id] > threshold or suppressed(alert):
            continue
        unique.add(key)
        started = alert.starts_at if alert.starts_at > 0 else seen.get(key, now)
        candidates.append((ranks[level.id], started, key, alert, level))
    if not candidates:
        return NO_TAKEOVER
    candidates.sort(key=lambda c: (c[0], c[1], c[2]))
    _, started, _, alert, level = candidates[0]
    counts = Counter(c[4].id for c in candidates[1:])
    waiting = tuple((lvl.id, counts[lvl.id]) for lvl in policy if counts[lvl.id])
    return TakeoverDecision(alert=alert, level=level, started_at=started, waiting=waiting)
