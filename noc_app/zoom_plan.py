"""What a panel opened large asks for (pure): its range, step and range queries.

Operator mode opens a metric panel over the dashboard with a time-range picker.
The zoomed panel is drawn as a chart over the chosen range (a stat or gauge shows
its history); its queries are range queries whose step comes from a fixed ladder,
so points land on the same timestamps poll after poll and a week is ~340 points,
not 40,000.  The query keys keep the dashboard's id, so query variables resolve as
they do on the wall (noc_app.sources.variable_resolver).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from noc_app.config.schema import DashboardConfig, GridPos, PanelConfig, PanelKind
from noc_app.panel_keys import query_key
from noc_app.sources.base import MetricQuery, PollPlan


@dataclass(frozen=True, kw_only=True, slots=True)
class ZoomRange:
    label: str  # the picker's button: "6 h"
    seconds: float
    step_s: float  # the range query's step

    @property
    def max_points(self) -> int:
        """Points per series that make the source's step choice (noc_app.sources.step) land on step_s."""
        return math.ceil(self.seconds / self.step_s)


ZOOM_RANGES = (
    ZoomRange(label="1 h", seconds=3600.0, step_s=15.0),
    ZoomRange(label="6 h", seconds=6 * 3600.0, step_s=60.0),
    ZoomRange(label="24 h", seconds=86400.0, step_s=300.0),
    ZoomRange(label="7 d", seconds=7 * 86400.0, step_s=1800.0),
)
# Kinds that open large: drawn from metric queries over time (stat and gauge show their history).
ZOOM_KINDS = frozenset({PanelKind.TIMESERIES, PanelKind.STAT, PanelKind.GAUGE, PanelKind.HEATMAP})


def zoomable(panel: PanelConfig) -> bool:
    return panel.kind in ZOOM_KINDS and bool(panel.queries) and panel.source is not None


def default_range(panel: PanelConfig) -> ZoomRange:
    """The first range at least as long as the panel's own window (the zoom starts where the wall was)."""
    return next((r for r in ZOOM_RANGES if r.seconds >= panel.window_s), ZOOM_RANGES[-1])


def range_by_label(label: str) -> ZoomRange:
    for zoom_range in ZOOM_RANGES:
        if zoom_range.label == label:
            return zoom_range
    raise ValueError(f"unknown range {label!r}; expected one of {', '.join(r.label for r in ZOOM_RANGES)}")


def zoom_panel(panel: PanelConfig, zoom_range: ZoomRange) -> PanelConfig:
    """The panel as drawn large: a chart (heatmaps stay heatmaps) over the range, filling its grid."""
    kind = PanelKind.HEATMAP if panel.kind == PanelKind.HEATMAP else PanelKind.TIMESERIES
    queries = tuple(replace(q, instant=False) for q in panel.queries)
    # Annotations are left out: their queries (often on another source) are not part of the zoom's feed.
    display = replace(panel.display, annotations=())
    return replace(panel, kind=kind, queries=queries, window_s=zoom_range.seconds, display=display,
                   grid=GridPos(x=0, y=0, w=1, h=1))


def zoom_dashboard(dashboard: DashboardConfig, panel: PanelConfig, zoom_range: ZoomRange) -> DashboardConfig:
    """A one-panel dashboard holding the zoomed panel (same id: its query keys and variables stay)."""
    return replace(dashboard, panels=(zoom_panel(panel, zoom_range),), columns=1, rows=1)


def zoom_queries(dashboard: DashboardConfig, panel: PanelConfig, zoom_range: ZoomRange) -> tuple[MetricQuery, ...]:
    return tuple(
        MetricQuery(
            key=query_key(dashboard.id, panel.id, i), expr=q.expr, legend=q.legend, instant=False,
            window_s=zoom_range.seconds, max_points=zoom_range.max_points, variables=dict(dashboard.variables),
        )
        for i, q in enumerate(panel.queries)
    )


def zoom_plan(dashboard: DashboardConfig, panel: PanelConfig, zoom_range: ZoomRange) -> PollPlan:
    """The one source's poll plan for the zoomed panel."""
    return PollPlan(metrics=zoom_queries(dashboard, panel, zoom_range))


def zoom_interval_s(source_interval_s: float, zoom_range: ZoomRange) -> float:
    """How often the zoom re-polls: the source's interval, but no faster than a step (a week moves slowly)."""
    return max(source_interval_s, zoom_range.step_s)
