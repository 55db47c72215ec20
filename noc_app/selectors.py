"""Pure selectors: from store contents to what one panel should show.

Widgets call these with the snapshots and statuses of their sources and the
current time; the data state decision (OK, STALE, QUERY ERROR, ...) lives
here, once, so every panel kind and the `snapshot` command agree on it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np

from noc_app.annotations import Marker, annotation_problems, select_markers
from noc_app.anomaly_tracks import PanelAnomaly, panel_anomaly
from noc_app.config.schema import QUERY_PANEL_KINDS, PanelConfig, PanelKind, Threshold
from noc_app.config.thresholds import threshold_severity as judged_severity
from noc_app.kpi_kind import as_data_panel
from noc_app.model import (
    Alert,
    DataState,
    LogLine,
    QueryResult,
    Severity,
    Snapshot,
    SourceHealth,
    SourceStatus,
    Target,
)
from noc_app.panel_keys import panel_sources, query_key
from noc_app.selectors_incidents import (
    NO_BOARD,
    AlertsMemo,
    IncidentBoard,
    alert_sort_key,
    group_alerts,
    panel_alerts,
    select_incident_board,
)
from noc_app.units import format_age

# Re-exported: the incident selection lives in noc_app.selectors_incidents.
__all__ = [
    "AlertsMemo",
    "IncidentBoard",
    "PanelData",
    "PanelView",
    "alert_sort_key",
    "combined_view",
    "group_alerts",
    "metric_panel_view",
    "metric_results",
    "panel_alerts",
    "panel_log_lines",
    "select_panel_data",
    "source_state",
    "threshold_severity",
    "with_section_problems",
    "worst",
]

# Worst first: the state a multi-source panel shows is the worst of its sources'.
_STATE_ORDER = (
    DataState.AUTH_FAILED,
    DataState.UNREACHABLE,
    DataState.STALE,
    DataState.QUERY_ERROR,
    DataState.DEGRADED,
    DataState.LOADING,
    DataState.NO_DATA,
    DataState.OK,
)


@dataclass(frozen=True, kw_only=True, slots=True)
class PanelView:
    """Everything a panel frame needs besides its body's data."""

    state: DataState
    message: str = ""
    age_s: float | None = None  # seconds since the newest data was fetched
    badge: str = ""  # e.g. DEMO: comes from the source, not the widget
    warnings: tuple[str, ...] = ()


def source_state(status: SourceStatus, snapshot: Snapshot | None, now: float, stale_after: float) -> PanelView:
    """The data state a source imposes on every panel that reads it."""
    age = None if status.last_success_at is None else max(0.0, now - status.last_success_at)
    badge = snapshot.info.get("badge", "") if snapshot is not None else ""
    error = status.last_error or ""
    if status.health is SourceHealth.UNUSED:  # not polled: grey, never green (no evidence either way)
        return PanelView(
            state=DataState.NO_DATA, message=f"{status.source_id} is unused: no panel reads it, not polled"
        )
    if status.health is SourceHealth.AUTH_FAILED:
        return PanelView(state=DataState.AUTH_FAILED, message=error, age_s=age, badge=badge)
    if snapshot is None:
        if status.health is SourceHealth.LOADING:
            return PanelView(state=DataState.LOADING, message=f"waiting for {status.source_id}")
        return PanelView(state=DataState.UNREACHABLE, message=error, badge=badge)
    if status.health is SourceHealth.STALE:
        return PanelView(
            state=DataState.STALE,
            message=f"data {format_age(age or 0)} old — {error}",
            age_s=age,
            badge=badge,
        )
    # A poll that never finishes (a slow drip, a hung worker) must not leave old data
    # looking current: past the staleness limit the data is STALE even without an error.
    limit = stale_after * status.interval_s + 5.0
    if age is not None and age > limit:
        return PanelView(
            state=DataState.STALE,
            message=f"data {format_age(age)} old — no successful poll since",
            age_s=age,
            badge=badge,
        )
    if status.health is SourceHealth.DEGRADED:
        return PanelView(
            state=DataState.DEGRADED, message="; ".join(status.degraded), age_s=age, badge=badge
        )
    return PanelView(state=DataState.OK, age_s=age, badge=badge)


def worst(views: list[PanelView]) -> PanelView:
    """The most alarming of several views (ties: the first)."""
    return min(views, key=lambda v: _STATE_ORDER.index(v.state))


def metric_results(panel: PanelConfig, dashboard_id: str, snapshot: Snapshot | None) -> tuple[QueryResult | None, ...]:
    """The panel's query results in query order; None where not yet answered."""
    if snapshot is None:
        return tuple(None for _ in panel.queries)
    return tuple(
        snapshot.metrics.get(query_key(dashboard_id, panel.id, i)) for i in range(len(panel.queries))
    )


def metric_panel_view(
    panel: PanelConfig,
    dashboard_id: str,
    snapshot: Snapshot | None,
    status: SourceStatus,
    now: float,
    stale_after: float,
) -> PanelView:
    """Data state of a timeseries/stat/gauge panel."""
    base = source_state(status, snapshot, now, stale_after)
    if snapshot is None or base.state in (DataState.AUTH_FAILED, DataState.STALE, DataState.LOADING):
        return base
    results = metric_results(panel, dashboard_id, snapshot)
    warnings = tuple(
        w for r in results if r is not None for w in (*r.warnings, *([r.truncated] if r.truncated else []))
    )
    if any(r is None for r in results):
        return PanelView(state=DataState.LOADING, message="query not answered yet", age_s=base.age_s, badge=base.badge)
    errors = [r.error for r in results if r is not None and r.error]
    if errors:
        return PanelView(
            state=DataState.QUERY_ERROR, message=errors[0], age_s=base.age_s, badge=base.badge, warnings=warnings
        )
    has_data = any(
        s.y.size and bool(_any_finite(s.y)) for r in results if r is not None for s in r.series
    )
    if base.state is DataState.DEGRADED:
        return PanelView(
            state=DataState.DEGRADED, message=base.message, age_s=base.age_s, badge=base.badge, warnings=warnings
        )
    if not has_data:
        return PanelView(
            state=DataState.NO_DATA,
            message="query returned no data",
            age_s=base.age_s,
            badge=base.badge,
            warnings=warnings,
        )
    return PanelView(state=DataState.OK, age_s=base.age_s, badge=base.badge, warnings=warnings)


def _any_finite(y: np.ndarray) -> bool:
    return bool(np.isfinite(y).any())


def combined_view(
    panel: PanelConfig,
    snapshots: Mapping[str, Snapshot | None],
    statuses: Mapping[str, SourceStatus],
    now: float,
    stale_after: float,
) -> PanelView:
    """Data state of a panel fed by one or more sources (incidents, logs)."""
    views = [
        source_state(statuses[sid], snapshots.get(sid), now, stale_after) for sid in panel_sources(panel)
    ]
    view = worst(views)
    badges = sorted({v.badge for v in views if v.badge})
    if badges and not view.badge:
        view = PanelView(state=view.state, message=view.message, age_s=view.age_s, badge=" ".join(badges))
    return view


def panel_log_lines(panel: PanelConfig, dashboard_id: str, snapshot: Snapshot | None) -> tuple[LogLine, ...]:
    """Log lines for a log panel, oldest first, at most panel.limit."""
    if snapshot is None or snapshot.logs is None:
        return ()
    keys = {query_key(dashboard_id, panel.id, i) for i in range(max(1, len(panel.queries)))}
    lines = [ln for ln in snapshot.logs if ln.labels.get("__query__", next(iter(keys))) in keys]
    return tuple(lines[-panel.limit:])


def threshold_severity(value: float | None, thresholds: tuple[Threshold, ...]) -> Severity | None:
    """The severity of the threshold the value is judged by (noc_app.config.thresholds), or None."""
    return judged_severity(value, thresholds)


# dimmed, result fingerprints, alert content keys, (newest log cursor, log count), targets, markers, anomaly key
PanelContentKey = tuple[
    bool, tuple[str | None, ...], tuple[str, ...], tuple[str | int, ...], tuple[Target, ...], tuple[Marker, ...],
    tuple[object, ...],
    str | None,
]


@dataclass(frozen=True, kw_only=True, slots=True)
class PanelData:
    """What a panel body draws: its state plus the slice of data that is its own."""

    view: PanelView
    now: float
    results: tuple[QueryResult | None, ...] = ()  # metric panels, in query order
    alerts: tuple[Alert, ...] = ()  # incident boards
    board: IncidentBoard = NO_BOARD  # incident boards: rows, counts, empty-claim
    logs: tuple[LogLine, ...] = ()  # log panels
    targets: tuple[Target, ...] = ()  # target grids
    markers: tuple[Marker, ...] = ()  # timeseries annotations (deploys, alert starts), oldest first
    anomaly: PanelAnomaly | None = None  # `anomaly:` panels: expected band, anomalous points (anomaly_tracks)

    @property
    def dimmed(self) -> bool:
        """True when the data shown is not current: draw it greyed, never in live colours."""
        return self.view.state in (DataState.STALE, DataState.AUTH_FAILED, DataState.UNREACHABLE)

    @property
    def content_key(self) -> PanelContentKey:
        """Changes whenever anything the body draws changes (state and age excluded)."""
        return (
            self.dimmed,
            tuple(r.fingerprint if r is not None else None for r in self.results),
            tuple(a.content_key for a in self.alerts),
            (*(ln.cursor for ln in self.logs[-1:]), len(self.logs)),
            self.targets,
            self.markers,
            self.board.noise.signature,
            self.anomaly.key if self.anomaly is not None else None,
        )


def select_panel_data(
    panel: PanelConfig,
    dashboard_id: str,
    snapshots: Mapping[str, Snapshot | None],
    statuses: Mapping[str, SourceStatus],
    now: float,
    stale_after: float,
    memo: AlertsMemo | None = None,
) -> PanelData:
    """Everything one panel needs, from the store's contents.

    `memo` (owned by the caller, e.g. the wall window) spares re-sorting an incident
    board's alerts while its snapshots are unchanged.
    """
    panel = as_data_panel(panel)  # an executive tile is selected as the panel it stands for
    sources = panel_sources(panel)
    if not sources:  # text panels
        return PanelData(view=PanelView(state=DataState.OK), now=now)
    first = sources[0]
    if panel.kind in QUERY_PANEL_KINDS or panel.kind == PanelKind.SLO:  # SLO panels: queries bound by the loader
        snap = snapshots.get(first)
        view = metric_panel_view(panel, dashboard_id, snap, statuses[first], now, stale_after)
        markers: tuple[Marker, ...] = ()
        if panel.display.annotations:
            markers = select_markers(panel, dashboard_id, snapshots, now)
            problems = annotation_problems(panel, dashboard_id, snapshots)
            if problems:
                view = replace(view, warnings=(*view.warnings, *problems))
        anomaly = panel_anomaly(snap, f"{dashboard_id}/{panel.id}") if panel.anomaly.enabled else None
        return PanelData(view=view, now=now, results=metric_results(panel, dashboard_id, snap), markers=markers,
                         anomaly=anomaly)
    view = combined_view(panel, snapshots, statuses, now, stale_after)
    if panel.kind in (PanelKind.INCIDENTS, PanelKind.TARGETS):
        section = "alerts" if panel.kind == PanelKind.INCIDENTS else "targets"
        view = with_section_problems(view, section, sources, snapshots)
    if panel.kind == PanelKind.INCIDENTS:
        board = select_incident_board(panel, snapshots, view.state, memo)
        # Nothing firing on a healthy feed is the good state, not missing data: stay OK.
        return PanelData(view=view, now=now, alerts=board.alerts, board=board)
    if panel.kind == PanelKind.LOGS:
        snap = snapshots.get(first)
        errors = [
            r.error
            for i in range(max(1, len(panel.queries)))
            if snap is not None and (r := snap.metrics.get(query_key(dashboard_id, panel.id, i))) and r.error
        ]
        if errors and view.state is DataState.OK:
            view = PanelView(state=DataState.QUERY_ERROR, message=errors[0], age_s=view.age_s, badge=view.badge)
        lines = panel_log_lines(panel, dashboard_id, snap)
        no_lines = not lines and view.state is DataState.OK
        return PanelData(view=_no_data_if(view, no_lines, "no log lines in range"), now=now, logs=lines)
    if panel.kind == PanelKind.TARGETS:
        snap = snapshots.get(first)
        targets = tuple(snap.targets or ()) if snap is not None else ()
        return PanelData(view=view, now=now, targets=targets)
    return PanelData(view=view, now=now)


def with_section_problems(
    view: PanelView, section: str, sources: tuple[str, ...], snapshots: Mapping[str, Snapshot | None]
) -> PanelView:
    """A section's unusable answer is QUERY ERROR on a panel that would otherwise look fine;
    records dropped from an answer are warnings."""
    errors: list[str] = []
    notes: list[str] = []
    for sid in sources:
        snap = snapshots.get(sid)
        if snap is None:
            continue
        if section in snap.errors:
            errors.append(snap.errors[section] if len(sources) == 1 else f"{sid}: {snap.errors[section]}")
        notes.extend(snap.notes.get(section, ()))
    if not errors and not notes:
        return view
    state, message = view.state, view.message
    if errors and state in (DataState.OK, DataState.NO_DATA, DataState.DEGRADED):
        state, message = DataState.QUERY_ERROR, "; ".join(errors)
    return PanelView(
        state=state, message=message, age_s=view.age_s, badge=view.badge, warnings=(*view.warnings, *notes)
    )


def _no_data_if(view: PanelView, condition: bool, message: str) -> PanelView:
    if not condition:
        return view
    return PanelView(state=DataState.NO_DATA, message=message, age_s=view.age_s, badge=view.badge)
