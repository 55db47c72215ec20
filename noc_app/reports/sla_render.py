"""The monthly SLA report as a document: summary per service, daily table and chart, incidents, credits."""

from __future__ import annotations

import datetime as dt
import math
import zoneinfo
from collections.abc import Sequence

import pandas as pd

from noc_app.reports import charts
from noc_app.reports.document import Document
from noc_app.reports.sla_report import ServiceMonth, SlaReport
from noc_app.reports.timing import (
    SEED_TARGETS,
    IncidentTimes,
    Targets,
    TimingSummary,
    format_duration,
)


def pct(value: float | None, digits: int = 3) -> str:
    return "–" if value is None or math.isnan(value) else f"{value:.{digits}f} %"


def seconds_text(value: float | None) -> str:
    if value is None or math.isnan(value):
        return "–"
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def when(epoch: float | None, zone: str) -> str:
    if epoch is None:
        return "–"
    return dt.datetime.fromtimestamp(epoch, zoneinfo.ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")


def target_text(priority: str, targets: Targets = SEED_TARGETS) -> str:
    response = targets.response_s.get(priority)
    resolution = targets.resolution_s.get(priority)
    if response is None or resolution is None:
        return "no target"
    ack = "next business day" if response < 0 else format_duration(response)
    return f"ack {ack}, resolve {format_duration(resolution)}"


def _service(doc: Document, month: ServiceMonth, report: SlaReport, index: int) -> None:
    service, result = month.service, month.result
    doc.heading(f"{service.title} ({service.id})")
    if month.error:
        doc.para(f"Figures unavailable: {month.error}", "miss")
        return
    doc.verdict("Uptime", result.met, (
        f"{pct(result.uptime_pct)} against {result.target_pct:g} %; downtime {result.downtime_min:.0f} min "
        f"of {result.allowance_min:.2f} min allowed"))
    credit = result.credit
    if result.uptime_pct is None:
        credit_text = "no data: no verdict"
    elif credit is None:
        credit_text = "none owed"
    else:
        floor = f"{credit.at_least:g} %" if credit.at_least is not None else "0 %"
        credit_text = f"{credit.credit_pct:g} % (tier [{floor}, {credit.below:g} %))"
    doc.para(f"Service credit: {credit_text}", "miss" if credit is not None else "")
    if service.latency is not None:
        doc.verdict("Latency", month.latency_met, (
            f"{pct(month.latency_share_pct, 2)} of requests under {service.latency_threshold_s:g} s "
            f"(commitment: {service.latency_share_pct:g} %)"))
    error_ok = None
    if service.error_rate_target_pct is not None and month.error_rate_pct is not None:
        error_ok = month.error_rate_pct < service.error_rate_target_pct
    target = f" (target < {service.error_rate_target_pct:g} %)" if service.error_rate_target_pct is not None else ""
    doc.verdict("Error rate", error_ok, f"{pct(month.error_rate_pct)}{target}; request availability "
                f"{pct(month.availability_pct)}")
    coverage = f"Data covers {result.coverage * 100:.1f} % of the period"
    if result.gap_min:
        rule = {"exclude": "left out of the uptime", "up": "counted as up", "down": "counted as down"}
        coverage += f"; {result.gap_min:.0f} min without data, {rule[report_gaps(report)]}"
    doc.para(coverage + f". P95: median {seconds_text(month.p95_median_s)}, worst {seconds_text(month.p95_worst_s)}.",
             "meta")
    daily = month.daily
    if len(daily):
        labels = [pd.Timestamp(day).strftime("%d") for day in daily.index]
        floor_value = min(99.0, float(daily["uptime_pct"].min())) if daily["uptime_pct"].notna().any() else None
        doc.image(f"uptime-{index}", charts.bars(
            [None if math.isnan(v) else float(v) for v in daily["uptime_pct"]], labels,
            title=f"{service.title}: uptime per day", target=result.target_pct, unit="%", floor=floor_value))
        doc.table(
            ("Day", "Uptime", "Down (min)", "Availability", "Error rate", "Under threshold", "Worst P95"),
            [(pd.Timestamp(day).strftime("%Y-%m-%d"), pct(r.uptime_pct), f"{r.downtime_min:.0f}",
              pct(r.availability_pct), pct(r.error_rate_pct), pct(r.latency_share_pct, 2), seconds_text(r.p95_worst_s))
             for day, r in zip(daily.index, daily.itertuples(), strict=True)],
            marks=["miss" if r.downtime_min > 0 else "" for r in daily.itertuples()],
        )
        doc.csv(f"daily-{service.id}", daily)


def report_gaps(report: SlaReport) -> str:
    return report.gaps


def _timing_rows(summaries: Sequence[TimingSummary], with_target: bool, targets: Targets = SEED_TARGETS
                 ) -> list[tuple[str, ...]]:
    return [
        (s.key, str(s.count), str(s.open), format_duration(s.mtta_s), format_duration(s.mttr_s),
         pct(s.acked_within_pct, 1), pct(s.resolved_within_pct, 1),
         *((target_text(s.key, targets),) if with_target else ()))
        for s in summaries
    ]


def _incident_frame(times: Sequence[IncidentTimes], zone: str) -> pd.DataFrame:
    return pd.DataFrame([{
        "source": t.source_id, "fingerprint": t.fingerprint, "name": t.name, "service": t.service,
        "priority": t.priority, "started": when(t.start, zone), "ack_s": t.ack_s, "resolve_s": t.resolve_s,
        "acked_in_time": t.acked_in_time, "resolved_in_time": t.resolved_in_time, "open": t.open,
    } for t in times], columns=["source", "fingerprint", "name", "service", "priority", "started", "ack_s",
                                "resolve_s", "acked_in_time", "resolved_in_time", "open"])


def render_sla(report: SlaReport) -> Document:
    doc = Document(report.title)
    doc.para(f"Period: {report.period.label} — {when(report.period.start, report.time_zone)} to "
             f"{when(report.period.end, report.time_zone)} ({report.time_zone}). Generated "
             f"{when(report.generated_at, report.time_zone)}.", "meta")
    for note in report.notes:
        doc.para(note, "meta")
    doc.heading("Summary")
    rows = []
    for m in report.services:
        credit = m.result.credit
        rows.append((m.service.title, pct(m.result.uptime_pct), f"{m.service.uptime_target_pct:g} %",
                     f"{m.result.downtime_min:.0f} / {m.result.allowance_min:.2f}",
                     "–" if m.result.met is None else ("met" if m.result.met else "missed"),
                     "–" if credit is None else f"{credit.credit_pct:g} %"))
    doc.table(("Service", "Uptime", "Target", "Down / allowed (min)", "SLA", "Credit"), rows,
              marks=["miss" if m.result.met is False else "" for m in report.services])
    summary = pd.DataFrame([{
        "service": m.service.id, "uptime_pct": m.result.uptime_pct, "target_pct": m.result.target_pct,
        "downtime_min": m.result.downtime_min, "allowance_min": m.result.allowance_min, "met": m.result.met,
        "credit_pct": m.result.credit.credit_pct if m.result.credit else 0.0, "coverage": m.result.coverage,
        "availability_pct": m.availability_pct, "error_rate_pct": m.error_rate_pct,
        "latency_share_pct": m.latency_share_pct, "p95_median_s": m.p95_median_s, "error": m.error,
    } for m in report.services])
    doc.csv("summary", summary.set_index("service") if len(summary) else summary)
    for index, month in enumerate(report.services):
        _service(doc, month, report, index)
    doc.heading("Incidents")
    overall = report.overall
    doc.para(f"{overall.count} incidents started in the period ({overall.open} still open). MTTA "
             f"{format_duration(overall.mtta_s)}, MTTR {format_duration(overall.mttr_s)}; resolved within target: "
             f"{pct(overall.resolved_within_pct, 1)}; acknowledged within target: {pct(overall.acked_within_pct, 1)}.")
    if report.by_priority:
        doc.heading("By priority", 3)
        doc.table(("Priority", "Count", "Open", "MTTA", "MTTR", "Acked in time", "Resolved in time", "Targets"),
                  _timing_rows(report.by_priority, True, report.targets))
        doc.heading("By service", 3)
        doc.table(("Service", "Count", "Open", "MTTA", "MTTR", "Acked in time", "Resolved in time"),
                  _timing_rows(report.by_service, False))
    doc.csv("incidents", _incident_frame(report.incidents, report.time_zone))
    doc.para(f"Computed in {report.compute_s:.2f} s.", "meta")
    return doc
