"""The benchmark's standard walls, built as AppConfig objects in code (no YAML needed).

* `timeseries_wall`: N time-series panels x 3 series (P50/P95/P99), the grid the
  peer benchmark draws (6 x 4 for 24 panels).
* `mixed_wall`: a realistic wall: stats, gauges, time series, an incident board
  and a log panel, fed by three simulated backends.
* `soak_wall`: both dashboards in a rotating playlist.
"""

from __future__ import annotations

import math

from noc_app.bench.synthetic_data import LANE_NAMES
from noc_app.bench.synthetic_source import latency_expr
from noc_app.config.schema import (
    AppConfig,
    DashboardConfig,
    GridPos,
    Mode,
    PanelConfig,
    PlaylistConfig,
    QueryConfig,
    ScreenConfig,
    SourceConfig,
    Threshold,
)
from noc_app.model import Severity

METRICS_SOURCE = "bench-metrics"
ALERTS_SOURCE = "bench-alerts"
LOGS_SOURCE = "bench-logs"
TITLE = "noc-app bench"


def grid_shape(panels: int) -> tuple[int, int]:
    """(columns, rows) of the peer benchmark's grid: 6 x 4 for 24 panels."""
    cols = max(1, math.ceil(math.sqrt(panels * 1.5)))
    return cols, math.ceil(panels / cols)


def _latency_panel(index: int, grid: GridPos, *, window_s: float, with_threshold: bool = False) -> PanelConfig:
    return PanelConfig(
        id=f"svc{index + 1:02d}",
        kind="timeseries",
        title=f"svc-{index + 1:02d} request latency",
        source=METRICS_SOURCE,
        queries=tuple(QueryConfig(expr=latency_expr(index, lane), legend=name) for lane, name in enumerate(LANE_NAMES)),
        unit="ms",
        window_s=window_s,
        thresholds=(Threshold(value=400.0, severity=Severity.WARNING),) if with_threshold else (),
        grid=grid,
    )


def _source(source_id: str, kind: str, interval_s: float) -> SourceConfig:
    # The url is never contacted: the benchmark's source factory builds a SyntheticSource.
    return SourceConfig(id=source_id, kind=kind, url="http://bench.invalid", interval_s=interval_s, timeout_s=10.0)


def timeseries_dashboard(panels: int, *, window_s: float, dashboard_id: str = "wall") -> DashboardConfig:
    cols, rows = grid_shape(panels)
    return DashboardConfig(
        id=dashboard_id,
        title=f"{panels} latency panels",
        columns=cols,
        rows=rows,
        panels=tuple(
            _latency_panel(p, GridPos(x=p % cols, y=p // cols, w=1, h=1), window_s=window_s) for p in range(panels)
        ),
    )


def timeseries_wall(*, panels: int, points: int, hz: float) -> AppConfig:
    """The wall-24 wall: `panels` time-series panels of 3 series x `points` points."""
    interval = 1.0 / hz
    return AppConfig(
        path="<bench wall-24>",
        title=TITLE,
        mode=Mode.WALL,
        theme="dark",
        sources=(_source(METRICS_SOURCE, "prometheus", interval),),
        dashboards=(timeseries_dashboard(panels, window_s=points * interval),),
    )


def _stat(index: int, kind: str, grid: GridPos) -> PanelConfig:
    lane = index % 3
    return PanelConfig(
        id=f"{kind}{index}",
        kind=kind,
        title=f"svc-{index + 1:02d} {('P50', 'P95', 'P99')[lane]}",
        source=METRICS_SOURCE,
        queries=(QueryConfig(expr=latency_expr(index, lane), legend="latency"),),
        unit="ms",
        decimals=1,
        min=0.0,
        max=300.0,
        thresholds=(
            Threshold(value=120.0, severity=Severity.WARNING), Threshold(value=200.0, severity=Severity.CRITICAL),
        ),
        grid=grid,
    )


def mixed_dashboard(*, points: int, interval_s: float, dashboard_id: str = "mixed") -> DashboardConfig:
    """6 stats, 6 gauges, 8 time series, an incident board and a log panel on a 24 x 12 grid."""
    panels: list[PanelConfig] = []
    panels += [_stat(i, "stat", GridPos(x=2 * i, y=0, w=2, h=2)) for i in range(6)]
    panels += [_stat(6 + i, "gauge", GridPos(x=12 + 2 * i, y=0, w=2, h=2)) for i in range(6)]
    panels += [
        _latency_panel(
            i, GridPos(x=6 * (i % 4), y=2 + 3 * (i // 4), w=6, h=3), window_s=points * interval_s, with_threshold=True
        )
        for i in range(8)
    ]
    panels.append(
        PanelConfig(
            id="incidents",
            kind="incidents",
            title="Incidents",
            sources=(ALERTS_SOURCE,),
            limit=200,
            grid=GridPos(x=0, y=8, w=12, h=4),
        )
    )
    panels.append(
        PanelConfig(
            id="logs",
            kind="logs",
            title="Application logs",
            source=LOGS_SOURCE,
            queries=(QueryConfig(expr='{job="bench"}'),),
            limit=200,
            grid=GridPos(x=12, y=8, w=12, h=4),
        )
    )
    return DashboardConfig(id=dashboard_id, title="Mixed NOC wall", columns=24, rows=12, panels=tuple(panels))


def _mixed_sources(interval_s: float) -> tuple[SourceConfig, ...]:
    return (
        _source(METRICS_SOURCE, "prometheus", interval_s),
        _source(ALERTS_SOURCE, "alertmanager", interval_s),
        _source(LOGS_SOURCE, "loki", interval_s),
    )


def mixed_wall(*, points: int, hz: float) -> AppConfig:
    """A realistic mixed wall: every panel kind a NOC uses, three backends."""
    interval = 1.0 / hz
    return AppConfig(
        path="<bench wall-mixed>",
        title=TITLE,
        mode=Mode.WALL,
        theme="dark",
        sources=_mixed_sources(interval),
        dashboards=(mixed_dashboard(points=points, interval_s=interval),),
    )


def soak_wall(*, panels: int, points: int, interval_s: float, step_s: float, playlist_s: float) -> AppConfig:
    """Both standard dashboards rotating in a playlist, every source polled every interval_s.

    step_s is the data time between points (larger than interval_s on an accelerated clock).
    """
    dashboards = (
        mixed_dashboard(points=points, interval_s=step_s),
        timeseries_dashboard(panels, window_s=points * step_s),
    )
    return AppConfig(
        path="<bench soak>",
        title=TITLE,
        mode=Mode.WALL,
        theme="dark",
        sources=_mixed_sources(interval_s),
        dashboards=dashboards,
        playlists=(PlaylistConfig(id="rotation", dashboards=tuple(d.id for d in dashboards), interval_s=playlist_s),),
        screens=(ScreenConfig(id="main", playlist="rotation"),),
    )
