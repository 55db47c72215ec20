"""Incident timing, defined once: MTTD, MTTA, MTTR and the share handled within the seed's targets.

    mttd_s(breach_at, visible_at)             -> seconds from the first breach to the first visible sign
    first_breach(xs, ys, threshold, above)    -> the first breaching sample of a panel threshold
    first_visible(panel_at, pending_at, incident_at) -> the earliest sign the wall showed
    incident_times(row, time_zone)            -> one history row's ack and resolve times and deadlines
    summarize(rows, key=...)                  -> MTTA / MTTR / shares per priority or per service

The first breach of an alerting rule is its activeAt as Prometheus reports it (when the
expression first became true, before `for:`); for a panel threshold it is the first
sample beyond the threshold.  The first visible sign is a panel crossing its threshold,
a pending alert or the incident on the wall, whichever came first.

Targets come from the config's severity_policy when it has one (targets_from), else the seed's.
Response (ack) targets: P0 5 min, P1 15 min, P2 1 h, P3 the next business day (its end,
Monday to Friday, in the report's time zone).  Resolution targets: 1 h, 4 h, 24 h, 1 week.
Times run from first_seen_at (the backend's start) when known, else from shown_at.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
import zoneinfo
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from noc_app.config.schema import SeverityLevel
from noc_app.model import Severity
from noc_app.state.records import IncidentHistory

PRIORITIES = ("P0", "P1", "P2", "P3", "P?")
NEXT_BUSINESS_DAY = -1.0  # the P3 response target
RESPONSE_TARGET_S = {"P0": 300.0, "P1": 900.0, "P2": 3600.0, "P3": NEXT_BUSINESS_DAY}
RESOLUTION_TARGET_S = {"P0": 3600.0, "P1": 4 * 3600.0, "P2": 24 * 3600.0, "P3": 7 * 86400.0}


@dataclass(frozen=True, kw_only=True, slots=True)
class Targets:
    """Per priority: seconds to acknowledge (NEXT_BUSINESS_DAY for the end of the next business day) and resolve."""

    response_s: Mapping[str, float] = field(default_factory=lambda: dict(RESPONSE_TARGET_S))
    resolution_s: Mapping[str, float] = field(default_factory=lambda: dict(RESOLUTION_TARGET_S))


SEED_TARGETS = Targets()


def targets_from(levels: Sequence[SeverityLevel]) -> Targets:
    """The config's severity_policy as targets (by the P0-P3 of each level's severity); the seed's without one."""
    if not levels:
        return SEED_TARGETS
    response: dict[str, float] = {}
    resolution: dict[str, float] = {}
    for level in levels:
        # A row that matches labels rather than a severity is known by its id when that is P0..P3.
        priority = level.severity.priority if level.severity is not None else level.id.upper()
        if priority not in ("P0", "P1", "P2", "P3"):
            continue
        response[priority] = NEXT_BUSINESS_DAY if level.response_time_s is None else level.response_time_s
        if level.resolution_target_s is not None:
            resolution[priority] = level.resolution_target_s
    return Targets(response_s=response, resolution_s=resolution)


def mttd_s(breach_at: float | None, visible_at: float | None) -> float | None:
    """Seconds from the first breach to the first visible sign (never negative); None if either is unknown."""
    if breach_at is None or visible_at is None:
        return None
    return max(0.0, visible_at - breach_at)


def first_visible(*signs: float | None) -> float | None:
    """The earliest of the signs the wall showed (panel crossing, pending alert, incident); None if none."""
    known = [s for s in signs if s is not None]
    return min(known) if known else None


def first_breach(xs: Sequence[float], ys: Sequence[float], threshold: float, *, above: bool = True) -> float | None:
    """The time of the first sample beyond the threshold (NaN samples never breach); None if none does."""
    for x, y in zip(xs, ys, strict=True):
        if not math.isnan(y) and (y > threshold if above else y < threshold):
            return x
    return None


def priority_of(severity: str) -> str:
    """P0-P3 from a recorded severity (critical, high, warning, info, or their aliases); P? when unknown."""
    return Severity.parse(severity).priority


def next_business_day_end(when: float, time_zone: str = "UTC") -> float:
    """The end (next midnight) of the first Monday-Friday day after `when`'s day, in the time zone."""
    zone = zoneinfo.ZoneInfo(time_zone)
    day = dt.datetime.fromtimestamp(when, zone).date() + dt.timedelta(days=1)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    end = day + dt.timedelta(days=1)
    return dt.datetime(end.year, end.month, end.day, tzinfo=zone).timestamp()


def response_deadline(priority: str, start: float, time_zone: str = "UTC", targets: Targets = SEED_TARGETS
                      ) -> float | None:
    target = targets.response_s.get(priority)
    if target is None:
        return None
    return next_business_day_end(start, time_zone) if target == NEXT_BUSINESS_DAY else start + target


def resolution_deadline(priority: str, start: float, targets: Targets = SEED_TARGETS) -> float | None:
    target = targets.resolution_s.get(priority)
    return None if target is None else start + target


@dataclass(frozen=True, kw_only=True, slots=True)
class IncidentTimes:
    """One incident's timing; None where it did not happen (yet) or cannot be known."""

    source_id: str
    fingerprint: str
    name: str
    service: str
    priority: str
    start: float | None
    ack_s: float | None
    resolve_s: float | None
    acked_in_time: bool | None  # None: not acked (and not late yet), or no target for the priority
    resolved_in_time: bool | None  # None: still open (and not late yet), or no target
    open: bool


def _in_time(done_at: float | None, deadline: float | None, now: float | None) -> bool | None:
    """Done by the deadline; an undone one is late once `now` is past its deadline, else undecided."""
    if deadline is None:
        return None
    if done_at is not None:
        return done_at <= deadline
    return False if now is not None and now > deadline else None


def incident_times(
    row: IncidentHistory, *, time_zone: str = "UTC", now: float | None = None, targets: Targets = SEED_TARGETS
) -> IncidentTimes:
    """With `now`, an incident still unacked (unresolved) past its deadline already missed it."""
    start = row.first_seen_at if row.first_seen_at is not None else row.shown_at
    priority = priority_of(row.severity)
    ack_s = resolve_s = None
    acked_ok = resolved_ok = None
    if start is not None:
        if row.acked_at is not None:
            ack_s = max(0.0, row.acked_at - start)
        if row.resolved_at is not None:
            resolve_s = max(0.0, row.resolved_at - start)
        acked_ok = _in_time(row.acked_at, response_deadline(priority, start, time_zone, targets), now)
        resolved_ok = _in_time(row.resolved_at, resolution_deadline(priority, start, targets), now)
    return IncidentTimes(
        source_id=row.source_id, fingerprint=row.fingerprint, name=row.name, service=row.service or row.source_id,
        priority=priority, start=start, ack_s=ack_s, resolve_s=resolve_s, acked_in_time=acked_ok,
        resolved_in_time=resolved_ok, open=row.resolved_at is None,
    )


@dataclass(frozen=True, kw_only=True, slots=True)
class TimingSummary:
    """MTTA/MTTR over a group (means in seconds; None without data) and the shares within target."""

    key: str
    count: int
    open: int
    mtta_s: float | None
    mttr_s: float | None
    acked_within_pct: float | None
    resolved_within_pct: float | None  # of the incidents decided (resolved, or open past the target)


def _mean(values: Iterable[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return statistics.fmean(known) if known else None


def _share(flags: Iterable[bool | None]) -> float | None:
    known = [f for f in flags if f is not None]
    return sum(known) / len(known) * 100.0 if known else None


def summarize(times: Sequence[IncidentTimes], *, key: Callable[[IncidentTimes], str] | None = None) -> list[
        TimingSummary]:
    """One summary per group (default: per priority, in P0..P? order), plus none for empty groups."""
    group_of = key or (lambda t: t.priority)
    groups: dict[str, list[IncidentTimes]] = {}
    for t in times:
        groups.setdefault(group_of(t), []).append(t)
    order = sorted(groups, key=lambda g: (PRIORITIES.index(g) if g in PRIORITIES else len(PRIORITIES), g))
    return [total_summary(groups[g], key=g) for g in order]


def total_summary(times: Sequence[IncidentTimes], *, key: str = "all") -> TimingSummary:
    return TimingSummary(
        key=key, count=len(times), open=sum(t.open for t in times),
        mtta_s=_mean(t.ack_s for t in times), mttr_s=_mean(t.resolve_s for t in times),
        acked_within_pct=_share(t.acked_in_time for t in times),
        resolved_within_pct=_share(t.resolved_in_time for t in times),
    )


def format_duration(seconds: float | None) -> str:
    """'4 min 10 s', '2 h 05 min', '3 d 4 h'; '–' for None."""
    if seconds is None:
        return "–"
    s = round(seconds)
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60:02d} s"
    if s < 86400:
        return f"{s // 3600} h {s % 3600 // 60:02d} min"
    return f"{s // 86400} d {s % 86400 // 3600} h"
