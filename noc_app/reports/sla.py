"""SLA maths as pure functions: periods, allowances, downtime minutes, credit tiers.

    month_period(2026, 1, "Europe/Berlin")       -> Period(start, end) in epoch seconds (local midnights)
    allowance_minutes(period, 99.9)              -> 44.64 for a 31-day month, 43.2 for 30 days
    credit_for(99.5, SEED_CREDIT_TIERS)          -> the 10 % tier ([99.5, 99.9) -> 10 %)
    downtime(good, total, down_below_pct=99.9)   -> minutes down / up / without data
    compliance(...)                              -> SlaResult: uptime, met, credit

A minute is down when its availability SLI (good / total) is below `down_below_pct`.
A minute with no traffic (total == 0) failed no request: it counts as up.  A minute
without data (NaN: Prometheus had no sample) is a gap: excluded from the uptime by
default and reported as coverage, or counted as up or down when configured.
"""

from __future__ import annotations

import datetime as dt
import math
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass

from noc_app.config.schema import CreditTier


@dataclass(frozen=True, kw_only=True, slots=True)
class Period:
    """[start, end) in epoch seconds; `label` names it (e.g. "2026-01 (UTC)")."""

    start: float
    end: float
    label: str = ""

    @property
    def minutes(self) -> float:
        return (self.end - self.start) / 60.0


def month_period(year: int, month: int, time_zone: str = "UTC") -> Period:
    """The calendar month in the time zone: local midnight of the 1st to local midnight of the next 1st."""
    zone = zoneinfo.ZoneInfo(time_zone)
    start = dt.datetime(year, month, 1, tzinfo=zone)
    following = dt.datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=zone)
    return Period(start=start.timestamp(), end=following.timestamp(), label=f"{year:04d}-{month:02d} ({time_zone})")


def month_of(when: float, time_zone: str = "UTC") -> tuple[int, int]:
    """(year, month) of an instant in the time zone."""
    local = dt.datetime.fromtimestamp(when, zoneinfo.ZoneInfo(time_zone))
    return local.year, local.month


def previous_month(when: float, time_zone: str = "UTC") -> tuple[int, int]:
    year, month = month_of(when, time_zone)
    return (year - 1, 12) if month == 1 else (year, month - 1)


def allowance_minutes(period: Period, target_pct: float) -> float:
    """Downtime the target allows in the period: 99.9 % of 30 days -> 43.2 min, of 31 days -> 44.64 min."""
    return period.minutes * (100.0 - target_pct) / 100.0


def credit_for(attainment_pct: float, tiers: Sequence[CreditTier]) -> CreditTier | None:
    """The tier whose [at_least, below) holds the attainment; None when no credit is owed.

    Boundaries are explicit: 99.5 exactly is in [99.5, 99.9) (10 %), 99.0 exactly in [99.0, 99.5) (25 %).
    When tiers overlap, the largest credit wins (the customer's reading).
    """
    matching = [t for t in tiers if attainment_pct < t.below and (t.at_least is None or attainment_pct >= t.at_least)]
    return max(matching, key=lambda t: t.credit_pct) if matching else None


@dataclass(frozen=True, kw_only=True, slots=True)
class Downtime:
    down: int  # minutes (steps) whose SLI was below the threshold
    up: int  # minutes at or above it, including minutes without traffic
    gaps: int  # minutes without data
    no_traffic: int  # of `up`: minutes with total == 0

    @property
    def steps(self) -> int:
        return self.down + self.up + self.gaps


def downtime(good: Sequence[float], total: Sequence[float], *, down_below_pct: float) -> Downtime:
    """Classify each step by its availability SLI (good / total); NaN in either is a gap."""
    if len(good) != len(total):
        raise ValueError(f"good has {len(good)} steps, total {len(total)}")
    down = up = gaps = idle = 0
    for g, t in zip(good, total, strict=True):
        if math.isnan(g) or math.isnan(t):
            gaps += 1
        elif t <= 0:
            up += 1
            idle += 1
        elif min(g, t) / t * 100.0 < down_below_pct:
            down += 1
        else:
            up += 1
    return Downtime(down=down, up=up, gaps=gaps, no_traffic=idle)


@dataclass(frozen=True, kw_only=True, slots=True)
class SlaResult:
    """One service's month against its SLA.

    uptime_pct: None when no minute has data.  coverage: share of the period's steps with data.
    """

    uptime_pct: float | None
    target_pct: float
    met: bool | None
    downtime_min: float
    allowance_min: float
    credit: CreditTier | None
    coverage: float
    gap_min: float
    step_s: float


def compliance(
    minutes: Downtime, *, period: Period, target_pct: float, tiers: Sequence[CreditTier],
    gaps: str = "exclude", step_s: float = 60.0,
) -> SlaResult:
    """Uptime over the period from classified steps; gaps: 'exclude' (default), 'up' or 'down'."""
    if gaps not in ("exclude", "up", "down"):
        raise ValueError(f"gaps must be exclude, up or down, got {gaps!r}")
    step_min = step_s / 60.0
    expected = max(1, round(period.minutes / step_min))
    missing = max(minutes.gaps, expected - minutes.down - minutes.up)  # steps the server never answered
    down = minutes.down + (missing if gaps == "down" else 0)
    up = minutes.up + (missing if gaps == "up" else 0)
    counted = down + up
    uptime = None if counted == 0 else up / counted * 100.0
    return SlaResult(
        uptime_pct=uptime,
        target_pct=target_pct,
        met=None if uptime is None else uptime >= target_pct,
        downtime_min=down * step_min,
        allowance_min=allowance_minutes(period, target_pct),
        credit=None if uptime is None else credit_for(uptime, tiers),
        coverage=min(1.0, (minutes.down + minutes.up) / expected),
        gap_min=missing * step_min,
        step_s=step_s,
    )


def ratio_pct(good: Sequence[float], total: Sequence[float]) -> float | None:
    """Sum(good) / sum(total) in percent over the steps that have both; None without traffic."""
    g_sum = t_sum = 0.0
    for g, t in zip(good, total, strict=True):
        if not (math.isnan(g) or math.isnan(t)):
            g_sum += min(g, t)
            t_sum += t
    return None if t_sum <= 0 else g_sum / t_sum * 100.0
