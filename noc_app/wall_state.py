"""The wall's state as plain data: what `noc-app snapshot` prints (pure).

Built from the same selectors the widgets use, so the JSON says exactly what
the wall would show: panel data states, latest values, thresholds crossed,
incidents with severity and ack state, and every source's status.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from noc_app import __version__
from noc_app.anomaly_tracks import anomaly_entry
from noc_app.config.schema import AppConfig, PanelConfig, PanelKind
from noc_app.config.thresholds import crossed_threshold
from noc_app.model import Alert, AlertState, Snapshot, SourceStatus
from noc_app.reports.kpis import compute_kpis, kpis_json, slo_figures_from_panels
from noc_app.reports.timing import targets_from
from noc_app.selectors import PanelData, source_state
from noc_app.selectors_dedup import also_in
from noc_app.selectors_incidents import AlertsMemo
from noc_app.selectors_noise import memo_for
from noc_app.selectors_wall import PanelSelection, select_dashboard, wall_incidents
from noc_app.state.records import IncidentHistory
from noc_app.wall_state_kinds import kind_entry
from noc_app.wall_state_noise import board_noise_entry
from noc_app.wall_state_takeover import takeover_entry

SCHEMA_VERSION = 1


def _iso(ts: float | None) -> str | None:
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, tz=UTC).isoformat(timespec="seconds")


def _num(value: float | None) -> float | str | None:
    """JSON has no NaN/Inf: keep them as strings the way Prometheus writes them."""
    if value is None:
        return None
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return round(value, 6)


def _panel_entry(panel: PanelConfig, data: PanelData) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": panel.id,
        "title": panel.title,
        "kind": panel.kind,
        "state": data.view.state.value,
        "message": data.view.message,
        "age_s": None if data.view.age_s is None else round(data.view.age_s, 1),
        "badge": data.view.badge,
        "warnings": list(data.view.warnings),
        "series": [],
        "thresholds_crossed": [],
    }
    for result in data.results:
        if result is None:
            continue
        for series in result.series:
            value = series.last_value
            last_time = _iso(series.last_time) if math.isfinite(series.last_time) else None
            entry["series"].append(
                {"name": series.name, "labels": dict(series.labels), "last_value": _num(value),
                 "last_time": last_time, "points": int(series.x.size)}
            )
            crossed = crossed_threshold(value, panel.thresholds)  # the rule the wall's widgets use too
            if crossed is not None:
                entry["thresholds_crossed"].append(
                    {"series": series.name, "value": _num(value), "severity": crossed.severity.value,
                     "threshold": crossed.value, "op": crossed.op}
                )
    if data.anomaly is not None:  # `anomaly:` panels: the detector's newest verdict per series
        entry["anomaly"] = anomaly_entry(data.anomaly)
    if panel.kind == PanelKind.INCIDENTS:
        entry["incident_count"] = len(data.alerts)
        entry.update(board_noise_entry(data.board))  # folded counts, flapping, maintenance, problems
    if panel.kind == PanelKind.LOGS:
        entry["log_lines"] = len(data.logs)
    entry.update(kind_entry(panel, data))  # heatmap, apdex, status: judged on what they show
    return entry


def incident_entry(alert: Alert, also: Iterable[Alert] = ()) -> dict[str, Any]:
    """One incident; `also`: the same problem in other backends (config `incidents.dedup_key`)."""
    return {
        "source": alert.source_id,
        "fingerprint": alert.fingerprint,
        "name": alert.name,
        "severity": alert.severity.value,
        "priority": alert.severity.priority,
        "state": alert.state.value,
        # Only an acknowledgement is one (an app ack, or the backend's own); a maintenance silence is not.
        "acknowledged": alert.state is AlertState.ACKNOWLEDGED,
        "silenced": alert.state is AlertState.SILENCED,
        "acknowledged_by": alert.acknowledged_by,
        "summary": alert.summary,
        "starts_at": _iso(alert.starts_at) if alert.starts_at else None,
        "labels": dict(alert.labels),
        "mute_reason": alert.mute_reason,
        "oncall": alert.oncall,
        "dedup_key": alert.dedup_key,
        "also_in": [{"source": a.source_id, "fingerprint": a.fingerprint} for a in also],
    }


def source_entry(status: SourceStatus, snapshot: Snapshot | None, now: float, stale_after: float) -> dict[str, Any]:
    view = source_state(status, snapshot, now, stale_after)
    return {
        "id": status.source_id,
        "kind": status.kind,
        "state": view.state.value,
        "health": status.health.value,
        "last_success_at": _iso(status.last_success_at),
        "age_s": None if view.age_s is None else round(view.age_s, 1),
        "latency_ms": None if status.latency_ms is None else round(status.latency_ms, 1),
        "last_error": status.last_error,
        "degraded": list(status.degraded),
        "consecutive_failures": status.consecutive_failures,
        "badge": view.badge,
    }


def wall_state(
    config: AppConfig,
    snapshots: Mapping[str, Snapshot | None],
    statuses: Mapping[str, SourceStatus],
    now: float,
    memo: AlertsMemo | None = None,
    histories: Sequence[IncidentHistory] | None = None,
) -> dict[str, Any]:
    """The documented JSON shape of `noc-app snapshot` (see README).

    `memo`: an owned incidents memo, for a caller that builds this repeatedly.
    `histories`: this month's incident history rows (for the `kpis` MTTR); None: no state database.
    """
    stale_after = config.stale_after_intervals
    if memo is None:
        memo = memo_for(config, clock=lambda: now)
    dashboards = []
    selected: list[PanelSelection] = []
    for dash in config.dashboards:
        selections = select_dashboard(dash, snapshots, statuses, now, stale_after, memo)
        selected.extend(selections)
        panels = [_panel_entry(s.panel, s.data) for s in selections]
        entry: dict[str, object] = {"id": dash.id, "title": dash.title, "panels": panels}
        if dash.variant_of is not None:  # a playlist item's variable values over another dashboard
            entry["variant_of"], entry["variables"] = dash.variant_of, dict(dash.variables)
        dashboards.append(entry)
    members: dict[tuple[str, str], tuple[Alert, ...]] = {}
    for selection in selected:
        members.update(selection.data.board.members)
    # A board of one backend alone lists a copy another board merged: the problem is listed once.
    copies = {(m.source_id, m.fingerprint) for group in members.values() for m in group[1:]}
    listed = [alert for alert in wall_incidents(selected) if (alert.source_id, alert.fingerprint) not in copies]
    incidents = [incident_entry(alert, also_in(members, alert)) for alert in listed]
    figures = slo_figures_from_panels(
        ((s.panel.slo, s.data.results) for s in selected if s.panel.kind == PanelKind.SLO and s.panel.slo is not None),
        now)
    kpis = compute_kpis(config.slos, figures, listed, histories, now=now, time_zone=config.sla.time_zone,
                        targets=targets_from(config.severity_levels))
    return {
        "schema": SCHEMA_VERSION,
        "app_version": __version__,
        "generated_at": _iso(now),
        "config": config.path,
        "title": config.title,
        "sources": [
            source_entry(statuses[sc.id], snapshots.get(sc.id), now, stale_after) for sc in config.sources
        ],
        "dashboards": dashboards,
        "incidents": incidents,
        "kpis": kpis_json(kpis),
        "takeover": takeover_entry(config, snapshots, now),
    }
