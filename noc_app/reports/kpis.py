"""The executive KPIs as plain data (pure): what the kiosk, the snapshot and `noc-app report kpis` show.

    kpis = compute_kpis(config.slos, slo_figures, active_alerts, histories, now=now, time_zone="UTC")

Every figure carries its target, whether it is met, and how much of its window the data covers:
  availability, error rate, latency   the `slos:` entries whose id or name says so (see slo_role);
                                      met when the SLO's attainment reaches its target (>=)
  error budget                        the lowest budget left among the SLOs; met while >= 20 % is
                                      left (the seed's "error-budget burn <= 80 %")
  MTTR this month                     mean time to resolve of the incidents resolved this calendar month
                                      (history database); met when >= 99 % were resolved within their
                                      priority's resolution target (the seed's success measure)
  active incidents                    firing or acknowledged incidents per priority (no target)
Without an SLO for a figure it says "no SLO configured" and has no target: nothing is invented.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from noc_app.config.schema import SloConfig
from noc_app.model import Alert, AlertState, QueryResult
from noc_app.reports.sla import month_of, month_period
from noc_app.reports.timing import PRIORITIES, SEED_TARGETS, Targets, format_duration, incident_times, total_summary
from noc_app.slo.budget import SloStatus, format_span
from noc_app.slo.panel_queries import SloDataError, status_from_results
from noc_app.state.records import IncidentHistory

BUDGET_LEFT_TARGET = 0.2  # the seed: error-budget burn <= 80 %
RESOLVED_WITHIN_TARGET = 0.99  # the seed: 99 % of incidents resolved within their SLA
NO_SLO = "no SLO configured"
ACTIVE_STATES = (AlertState.FIRING, AlertState.ACKNOWLEDGED)
# Attainments are sums over hundreds of buckets: 990 of 1000 comes out as 0.98999999999998.
# A figure within this of its target is on the target, and on the target is met.
TOLERANCE = 1e-9

# Which SLO a headline figure reads, from its id or name; checked in this order.
_ROLES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("availability", re.compile(r"availab|uptime", re.IGNORECASE)),
    ("latency", re.compile(r"latenc|p9\d|duration|response.?time", re.IGNORECASE)),
    ("error_rate", re.compile(r"error", re.IGNORECASE)),
)

SloFigures = Mapping[str, SloStatus | str]  # SLO id -> its figures, or why there are none (plain text)


@dataclass(frozen=True, kw_only=True, slots=True)
class Kpi:
    """One figure: value and target in the same unit; met is None when it cannot be judged."""

    name: str  # availability | error_rate | latency | error_budget | mttr_month
    label: str
    value: float | None
    unit: str  # ratio | seconds
    target: float | None
    comparison: str  # ">=" (value must reach the target) | "<=" | "" (no target)
    met: bool | None
    covered_s: float | None  # how much of the window the data covers
    window_s: float | None
    slo_id: str = ""  # the `slos:` entry it comes from
    note: str = ""  # why there is no value or verdict ("no SLO configured", "no traffic", an error)
    target_text: str = ""

    @property
    def coverage(self) -> float | None:
        if self.covered_s is None or not self.window_s:
            return None
        return min(1.0, self.covered_s / self.window_s)


@dataclass(frozen=True, kw_only=True, slots=True)
class SloKpi:
    """One `slos:` entry's figures as the KPIs read them."""

    id: str
    name: str
    role: str  # availability | latency | error_rate | "" (not a headline figure)
    target: float
    attainment: float | None
    met: bool | None
    budget_remaining: float | None  # share, 1.0 untouched, negative overspent
    budget_remaining_min: float | None
    covered_s: float | None
    window_s: float | None
    note: str = ""


@dataclass(frozen=True, kw_only=True, slots=True)
class Kpis:
    availability: Kpi
    error_rate: Kpi
    latency: Kpi
    error_budget: Kpi
    mttr_month: Kpi
    active_incidents: Mapping[str, int]  # P0..P3, P? -> count
    active_incidents_note: str  # "" or why the count may be short (a source failed)
    slos: tuple[SloKpi, ...]
    generated_at: float


def reaches(value: float, target: float) -> bool:
    """value >= target, up to the float noise of summed buckets."""
    return value >= target - TOLERANCE


def slo_role(slo: SloConfig) -> str:
    """'availability', 'latency', 'error_rate' or '' from the SLO's id and name."""
    text = f"{slo.id} {slo.name}"
    for role, pattern in _ROLES:
        if pattern.search(text):
            return role
    return ""


def _status_note(figure: SloStatus | str | None) -> str:
    if figure is None:
        return "no data yet"
    if isinstance(figure, str):
        return figure
    if figure.coverage_s <= 0:
        return "no data"
    return "no traffic" if figure.attainment is None else ""


def slo_kpi(slo: SloConfig, figure: SloStatus | str | None) -> SloKpi:
    note = _status_note(figure)
    status = figure if isinstance(figure, SloStatus) else None
    attained = status.attainment if status is not None and not note else None
    return SloKpi(
        id=slo.id, name=slo.name, role=slo_role(slo), target=slo.target, attainment=attained,
        met=None if attained is None else reaches(attained, slo.target),
        budget_remaining=status.budget_remaining if status is not None and status.coverage_s > 0 else None,
        budget_remaining_min=status.budget_remaining_min if status is not None and status.coverage_s > 0 else None,
        covered_s=status.coverage_s if status is not None else None,
        window_s=status.window_s if status is not None else None, note=note,
    )


_LABELS = {"availability": "Availability", "latency": "Latency", "error_rate": "Error rate"}


def _role_kpi(role: str, slos: Sequence[SloKpi]) -> Kpi:
    found = next((s for s in slos if s.role == role), None)
    if found is None:
        return Kpi(name=role, label=_LABELS[role], value=None, unit="ratio", target=None, comparison="",
                   met=None, covered_s=None, window_s=None, note=NO_SLO)
    if role == "error_rate":  # shown as the share of errors against the allowed share
        value = None if found.attainment is None else 1.0 - found.attainment
        target, comparison = 1.0 - found.target, "<="
        text = f"errors below {target * 100:g} %"
    else:
        value, target, comparison = found.attainment, found.target, ">="
        text = f"{target * 100:g} % " + ("available" if role == "availability" else "under the latency threshold")
    return Kpi(name=role, label=f"{_LABELS[role]} ({found.name})", value=value, unit="ratio", target=target,
               comparison=comparison, met=found.met, covered_s=found.covered_s, window_s=found.window_s,
               slo_id=found.id, note=found.note, target_text=text)


def _budget_kpi(slos: Sequence[SloKpi]) -> Kpi:
    known = [s for s in slos if s.budget_remaining is not None]
    base = Kpi(name="error_budget", label="Error budget left", value=None, unit="ratio", target=BUDGET_LEFT_TARGET,
               comparison=">=", met=None, covered_s=None, window_s=None,
               target_text=f"at least {BUDGET_LEFT_TARGET * 100:g} % left")
    if not slos:
        return replace(base, target=None, comparison="", target_text="", note=NO_SLO)
    if not known:
        return replace(base, note=slos[0].note or "no data")
    lowest = min(known, key=lambda s: s.budget_remaining if s.budget_remaining is not None else 1.0)
    left = lowest.budget_remaining if lowest.budget_remaining is not None else 1.0
    return replace(base, label=f"Error budget left ({lowest.name})", value=left, met=reaches(left, BUDGET_LEFT_TARGET),
                   covered_s=lowest.covered_s, window_s=lowest.window_s, slo_id=lowest.id)


def _mttr_kpi(histories: Sequence[IncidentHistory] | None, *, now: float, time_zone: str,
              targets: Targets) -> Kpi:
    period = month_period(*month_of(now, time_zone), time_zone)
    base = Kpi(name="mttr_month", label=f"MTTR this month ({period.label})", value=None, unit="seconds",
               target=RESOLVED_WITHIN_TARGET, comparison=">=", met=None, covered_s=max(0.0, now - period.start),
               window_s=period.end - period.start,
               target_text=f"{RESOLVED_WITHIN_TARGET * 100:g} % resolved within their priority's target")
    if histories is None:
        return replace(base, note="no state database")
    resolved = [incident_times(r, time_zone=time_zone, now=now, targets=targets) for r in histories
                if r.resolved_at is not None and period.start <= r.resolved_at <= now]
    summary = total_summary(resolved)
    if summary.mttr_s is None:
        return replace(base, note="no incident resolved this month")
    share = summary.resolved_within_pct
    if share is None:
        return replace(base, value=summary.mttr_s, note="no resolution targets")
    return replace(base, value=summary.mttr_s, met=reaches(share / 100.0, RESOLVED_WITHIN_TARGET))


def active_by_priority(alerts: Iterable[Alert]) -> dict[str, int]:
    counts = dict.fromkeys(PRIORITIES, 0)
    for alert in alerts:
        if alert.state in ACTIVE_STATES:
            counts[alert.severity.priority if alert.severity.priority in counts else "P?"] += 1
    return counts


def compute_kpis(
    slos: Sequence[SloConfig], figures: SloFigures, alerts: Iterable[Alert],
    histories: Sequence[IncidentHistory] | None, *, now: float, time_zone: str = "UTC",
    targets: Targets = SEED_TARGETS, incidents_note: str = "",
) -> Kpis:
    """The KPIs from what the app has; `figures` lacks an SLO the wall has not computed yet."""
    per_slo = tuple(slo_kpi(slo, figures.get(slo.id)) for slo in slos)
    return Kpis(
        availability=_role_kpi("availability", per_slo), error_rate=_role_kpi("error_rate", per_slo),
        latency=_role_kpi("latency", per_slo), error_budget=_budget_kpi(per_slo),
        mttr_month=_mttr_kpi(histories, now=now, time_zone=time_zone, targets=targets),
        active_incidents=active_by_priority(alerts), active_incidents_note=incidents_note,
        slos=per_slo, generated_at=now,
    )


def _number(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


def kpi_json(kpi: Kpi) -> dict[str, Any]:
    return {
        "name": kpi.name, "label": kpi.label, "value": _number(kpi.value), "unit": kpi.unit,
        "target": _number(kpi.target), "comparison": kpi.comparison, "target_text": kpi.target_text,
        "met": kpi.met, "covered_s": _number(kpi.covered_s), "window_s": _number(kpi.window_s),
        "coverage": _number(kpi.coverage), "slo": kpi.slo_id or None, "note": kpi.note,
    }


def kpis_json(kpis: Kpis) -> dict[str, Any]:
    """The snapshot's `kpis` object (documented in the README; fields are only ever added)."""
    return {
        "availability": kpi_json(kpis.availability),
        "error_rate": kpi_json(kpis.error_rate),
        "latency": kpi_json(kpis.latency),
        "error_budget": kpi_json(kpis.error_budget),
        "mttr_month": kpi_json(kpis.mttr_month),
        "active_incidents": dict(kpis.active_incidents),
        "active_incidents_note": kpis.active_incidents_note,
        "slos": [
            {"id": s.id, "name": s.name, "role": s.role or None, "target": _number(s.target),
             "attainment": _number(s.attainment), "met": s.met, "budget_remaining": _number(s.budget_remaining),
             "budget_remaining_min": _number(s.budget_remaining_min), "covered_s": _number(s.covered_s),
             "window_s": _number(s.window_s), "note": s.note}
            for s in kpis.slos
        ],
    }


def slo_figures_from_panels(panels: Iterable[tuple[SloConfig, Sequence[QueryResult | None]]], now: float
                            ) -> dict[str, SloStatus | str]:
    """The SLO figures the wall's SLO panels polled (each SLO once, the first panel showing it)."""
    out: dict[str, SloStatus | str] = {}
    for slo, results in panels:
        if slo.id in out:
            continue
        try:
            out[slo.id] = status_from_results(slo, results, now)[0]
        except SloDataError as exc:
            out[slo.id] = str(exc)
    return out


def _value_text(kpi: Kpi) -> str:
    if kpi.value is None:
        return kpi.note or "no data"
    if kpi.unit == "seconds":
        return format_duration(kpi.value)
    return f"{kpi.value * 100:.3f} %"


def _target_value_text(kpi: Kpi) -> str:
    if kpi.target is None:
        return "no target"
    return kpi.target_text or f"{kpi.comparison} {kpi.target * 100:g} %"


def kpi_line(kpi: Kpi) -> str:
    """'Availability (Availability): 99.956 % — target 99.9 % available — met — based on 29 d 23 h of 30 d'."""
    verdict = "not judged" if kpi.met is None else ("met" if kpi.met else "NOT MET")
    parts = [f"{kpi.label}: {_value_text(kpi)}", f"target {_target_value_text(kpi)}", verdict]
    if kpi.covered_s is not None and kpi.window_s:
        parts.append(f"based on {format_span(kpi.covered_s)} of {format_span(kpi.window_s)}")
    if kpi.value is not None and kpi.note:
        parts.append(kpi.note)
    return " — ".join(parts)


def kpi_lines(kpis: Kpis) -> list[str]:
    """The KPIs as plain-text lines (`noc-app report kpis`)."""
    lines = [kpi_line(k) for k in (kpis.availability, kpis.error_rate, kpis.latency, kpis.error_budget,
                                   kpis.mttr_month)]
    counts = ", ".join(f"{p} {n}" for p, n in kpis.active_incidents.items() if n or p != "P?")
    lines.append(f"Active incidents: {counts}" + (f" ({kpis.active_incidents_note})"
                                                  if kpis.active_incidents_note else ""))
    return lines
