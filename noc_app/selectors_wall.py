"""The per-dashboard fan-out (pure): every panel's data from the sources it reads.

The wall's views and `noc-app snapshot` (wall_state) both select through here,
so a panel shows on the wall exactly what the snapshot says it shows.  A panel
naming a source the store does not know (yet) is LOADING, never a crash.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from noc_app.config.schema import DashboardConfig, PanelConfig
from noc_app.model import Alert, Snapshot, SourceStatus
from noc_app.panel_keys import panel_sources
from noc_app.selectors import PanelData, select_panel_data
from noc_app.selectors_incidents import AlertsMemo
from noc_app.store_view import SourceReader


@dataclass(frozen=True, kw_only=True, slots=True)
class PanelSelection:
    """One panel's selected data, plus the slowest poll interval of its sources."""

    panel: PanelConfig
    data: PanelData
    interval_s: float | None  # None for a panel without sources (text)


def read_sources(
    reader: SourceReader, source_ids: Iterable[str]
) -> tuple[dict[str, Snapshot | None], dict[str, SourceStatus]]:
    """Snapshots and statuses of these sources; unknown ones have none and a LOADING status."""
    known = set(reader.source_ids())
    snapshots: dict[str, Snapshot | None] = {}
    statuses: dict[str, SourceStatus] = {}
    for sid in source_ids:
        if sid in known:
            snapshots[sid] = reader.snapshot(sid)
            statuses[sid] = reader.status(sid)
    return snapshots, statuses


def select_panels(
    panels: Iterable[PanelConfig],
    dashboard_id: str,
    snapshots: Mapping[str, Snapshot | None],
    statuses: Mapping[str, SourceStatus],
    now: float,
    stale_after: float,
    memo: AlertsMemo | None = None,
) -> tuple[PanelSelection, ...]:
    """Select each panel of one dashboard, in the order given."""
    out: list[PanelSelection] = []
    for panel in panels:
        sources = panel_sources(panel)
        panel_snapshots = {sid: snapshots.get(sid) for sid in sources}
        # not registered (yet): shown as LOADING, never as a crash
        panel_statuses = {sid: statuses.get(sid) or SourceStatus(source_id=sid, kind="?") for sid in sources}
        data = select_panel_data(panel, dashboard_id, panel_snapshots, panel_statuses, now, stale_after, memo)
        interval = max((s.interval_s for s in panel_statuses.values()), default=None)
        out.append(PanelSelection(panel=panel, data=data, interval_s=interval))
    return tuple(out)


def select_dashboard(
    dashboard: DashboardConfig,
    snapshots: Mapping[str, Snapshot | None],
    statuses: Mapping[str, SourceStatus],
    now: float,
    stale_after: float,
    memo: AlertsMemo | None = None,
) -> tuple[PanelSelection, ...]:
    """Every panel of a dashboard, in config order."""
    return select_panels(dashboard.panels, dashboard.id, snapshots, statuses, now, stale_after, memo)


def wall_incidents(selections: Iterable[PanelSelection]) -> tuple[Alert, ...]:
    """The incidents the boards show, each once (first board's order), across dashboards."""
    seen: dict[str, Alert] = {}
    for selection in selections:
        for alert in selection.data.board.alerts:
            seen.setdefault(f"{alert.source_id}:{alert.fingerprint}", alert)
    return tuple(seen.values())
