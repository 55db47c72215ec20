"""The monthly SLA report's figures, computed with pandas from range queries and the history database.

    report = build_sla_report(config, period, fetch=reader_for, journal=journal, now=time.time())

Per service: uptime (downtime minutes against the allowance), the credit tier, the request
availability and error rate, the share of requests under the latency threshold and the P95
series; per day the same figures for the table and chart.  Incidents whose start falls in
the period: MTTA/MTTR per priority and per service, and the share handled within target.
Nothing here draws; render.py turns a report into PDF, HTML and CSV.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from noc_app.config.schema import AppConfig, SlaServiceConfig
from noc_app.redaction import redact
from noc_app.reports.data import RangeReader
from noc_app.reports.sla import Period, SlaResult, compliance, downtime, ratio_pct
from noc_app.reports.timing import (
    SEED_TARGETS,
    IncidentTimes,
    Targets,
    TimingSummary,
    incident_times,
    summarize,
    targets_from,
    total_summary,
)
from noc_app.state.journal import Journal

MAX_HISTORY_ROWS = 100_000
ReaderFor = Callable[[str], RangeReader]  # source id -> a reader (the caller closes them)


@dataclass(frozen=True, kw_only=True)
class ServiceMonth:
    service: SlaServiceConfig
    result: SlaResult
    availability_pct: float | None  # good / total requests over the period
    error_rate_pct: float | None
    latency_share_pct: float | None  # share of requests under the latency threshold
    latency_met: bool | None
    p95_median_s: float | None
    p95_worst_s: float | None
    daily: pd.DataFrame  # index: day (local date); columns below
    minutes: pd.DataFrame  # index: minute end (UTC); good, total, sli_pct, down
    error: str = ""  # why figures are missing (the query failed), secrets redacted


DAILY_COLUMNS = ("uptime_pct", "downtime_min", "availability_pct", "error_rate_pct", "latency_share_pct",
                 "p95_worst_s")


@dataclass(frozen=True, kw_only=True)
class SlaReport:
    title: str
    period: Period
    time_zone: str
    generated_at: float
    services: tuple[ServiceMonth, ...]
    incidents: tuple[IncidentTimes, ...]
    by_priority: tuple[TimingSummary, ...]
    by_service: tuple[TimingSummary, ...]
    overall: TimingSummary
    notes: tuple[str, ...] = field(default_factory=tuple)
    compute_s: float = 0.0
    gaps: str = "exclude"  # how minutes without data were counted
    targets: Targets = SEED_TARGETS


def _local_days(index: pd.Index, time_zone: str) -> pd.Index:
    # A minute's sample at t covers (t - step, t]: it belongs to the day of its start.
    stamps = pd.to_datetime(np.asarray(index, dtype=np.float64) - 1.0, unit="s", utc=True)
    return stamps.tz_convert(time_zone).date


def _service_month(service: SlaServiceConfig, config: AppConfig, period: Period, reader: RangeReader) -> ServiceMonth:
    sla = config.sla
    step = sla.step_s
    start, end = period.start + step, period.end
    good = reader.series(service.availability.good, start, end, step)
    total = reader.series(service.availability.total, start, end, step)
    minutes = pd.DataFrame({"good": good, "total": total})
    minutes["sli_pct"] = (minutes["good"].clip(upper=minutes["total"]) / minutes["total"] * 100.0).where(
        minutes["total"] > 0, 100.0).where(minutes["total"].notna() & minutes["good"].notna())
    minutes["down"] = minutes["sli_pct"] < service.down_below_pct
    if service.latency is not None:
        minutes["fast"] = reader.series(service.latency.good, start, end, step)
        minutes["timed"] = reader.series(service.latency.total, start, end, step)
    if service.p95_query:
        minutes["p95_s"] = reader.series(service.p95_query, start, end, step)
    classified = downtime(minutes["good"].to_numpy(), minutes["total"].to_numpy(),
                          down_below_pct=service.down_below_pct)
    result = compliance(classified, period=period, target_pct=service.uptime_target_pct, tiers=sla.tiers,
                        gaps=sla.gaps, step_s=step)
    availability = ratio_pct(minutes["good"].to_numpy(), minutes["total"].to_numpy())
    latency_share = None
    if service.latency is not None:
        latency_share = ratio_pct(minutes["fast"].to_numpy(), minutes["timed"].to_numpy())
    p95 = minutes["p95_s"].dropna() if "p95_s" in minutes else pd.Series(dtype="float64")
    return ServiceMonth(
        service=service, result=result, availability_pct=availability,
        error_rate_pct=None if availability is None else 100.0 - availability,
        latency_share_pct=latency_share,
        latency_met=None if latency_share is None else latency_share >= service.latency_share_pct,
        p95_median_s=float(p95.median()) if len(p95) else None, p95_worst_s=float(p95.max()) if len(p95) else None,
        daily=_daily(minutes, sla.time_zone, step), minutes=minutes,
    )


def _daily(minutes: pd.DataFrame, time_zone: str, step: float) -> pd.DataFrame:
    frame = minutes.copy()
    frame["day"] = _local_days(frame.index, time_zone)
    frame["has_data"] = frame["sli_pct"].notna()
    frame["good_c"] = frame["good"].clip(upper=frame["total"])
    groups = frame.groupby("day")
    daily = pd.DataFrame({
        "counted": groups["has_data"].sum(),
        "down": groups["down"].sum(),
        "good": groups["good_c"].sum(min_count=1),
        "total": groups["total"].sum(min_count=1),
    })
    daily["uptime_pct"] = ((daily["counted"] - daily["down"]) / daily["counted"] * 100.0).where(daily["counted"] > 0)
    daily["downtime_min"] = daily["down"] * step / 60.0
    daily["availability_pct"] = (daily["good"] / daily["total"] * 100.0).where(daily["total"] > 0)
    daily["error_rate_pct"] = 100.0 - daily["availability_pct"]
    if "fast" in frame:
        frame["fast_c"] = frame["fast"].clip(upper=frame["timed"])
        fast = frame.groupby("day")["fast_c"].sum(min_count=1)
        timed = frame.groupby("day")["timed"].sum(min_count=1)
        daily["latency_share_pct"] = (fast / timed * 100.0).where(timed > 0)
    else:
        daily["latency_share_pct"] = np.nan
    daily["p95_worst_s"] = frame.groupby("day")["p95_s"].max() if "p95_s" in frame else np.nan
    return daily[list(DAILY_COLUMNS)]


def _failed_month(service: SlaServiceConfig, config: AppConfig, period: Period, error: str) -> ServiceMonth:
    empty = downtime([], [], down_below_pct=service.down_below_pct)
    result = compliance(empty, period=period, target_pct=service.uptime_target_pct, tiers=config.sla.tiers,
                        gaps="exclude", step_s=config.sla.step_s)
    return ServiceMonth(service=service, result=result, availability_pct=None, error_rate_pct=None,
                        latency_share_pct=None, latency_met=None, p95_median_s=None, p95_worst_s=None,
                        daily=pd.DataFrame(columns=list(DAILY_COLUMNS)), minutes=pd.DataFrame(), error=error)


def incidents_in(journal: Journal | None, period: Period, *, time_zone: str, now: float,
                 targets: Targets = SEED_TARGETS) -> list[IncidentTimes]:
    """History rows whose incident started in the period (a row updated before the period cannot have)."""
    if journal is None:
        return []
    rows = journal.incident_histories(since=period.start, limit=MAX_HISTORY_ROWS)
    times = [incident_times(r, time_zone=time_zone, now=min(now, period.end), targets=targets) for r in rows]
    return sorted((t for t in times if t.start is not None and period.start <= t.start < period.end),
                  key=lambda t: t.start or 0.0)


def build_sla_report(
    config: AppConfig, period: Period, *, reader_for: ReaderFor, journal: Journal | None,
    now: float | None = None, services: Sequence[str] = (),
) -> SlaReport:
    """The report for the period (clipped to `now` when it is still running); never raises for one bad query."""
    began = time.perf_counter()
    now = time.time() if now is None else now
    notes: list[str] = []
    if period.end > now:
        period = dataclasses.replace(period, end=max(period.start + config.sla.step_s, now // 60 * 60),
                                     label=f"{period.label}, to date")
        notes.append("The period is still running: figures cover it to date; the allowance is that of the part "
                     "elapsed.")
    chosen = [s for s in config.sla.services if not services or s.id in services]
    months: list[ServiceMonth] = []
    for service in chosen:
        try:
            months.append(_service_month(service, config, period, reader_for(service.source)))
        except Exception as exc:  # one service's failed query must not sink the others' report
            months.append(_failed_month(service, config, period, redact(f"{type(exc).__name__}: {exc}")))
    targets = targets_from(config.severity_levels)
    times = incidents_in(journal, period, time_zone=config.sla.time_zone, now=now, targets=targets)
    return SlaReport(
        title=f"Monthly SLA report — {config.title}", period=period, time_zone=config.sla.time_zone,
        generated_at=now, services=tuple(months), incidents=tuple(times),
        by_priority=tuple(summarize(times)), by_service=tuple(summarize(times, key=lambda t: t.service)),
        overall=total_summary(times), notes=tuple(notes), compute_s=time.perf_counter() - began, gaps=config.sla.gaps,
        targets=targets,
    )
