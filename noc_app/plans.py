"""Turn a config's panels into one PollPlan per source (pure)."""

from __future__ import annotations

from collections import defaultdict

from noc_app.annotations import alert_sources, annotation_queries
from noc_app.config.schema import QUERY_PANEL_KINDS, AppConfig, DashboardConfig, PanelConfig, PanelKind
from noc_app.kpi_kind import as_data_panel
from noc_app.panel_keys import panel_sources, query_key
from noc_app.slo.panel_queries import slo_queries
from noc_app.sources.base import LogQuery, MetricQuery, PollPlan

# Kinds that show the newest value only; the heatmap (and a timeseries) need the range.
INSTANT_KINDS = (
    PanelKind.STAT, PanelKind.GAUGE, PanelKind.BARGAUGE, PanelKind.TABLE, PanelKind.STATUS, PanelKind.APDEX,
)


def wants_range(panel: PanelConfig) -> bool:
    """Whether a panel's queries default to a range over its window (else the newest value only).

    A stat with `sparkline: true` shows the newest value *and* the window's shape: it needs the range.
    """
    if panel.kind == PanelKind.STAT and panel.display.sparkline:
        return True
    return panel.kind not in INSTANT_KINDS


def _metric_queries(dash: DashboardConfig, panel: PanelConfig) -> list[MetricQuery]:
    out = []
    for i, q in enumerate(panel.queries):
        instant = q.instant if q.instant is not None else not wants_range(panel)
        out.append(
            MetricQuery(
                key=query_key(dash.id, panel.id, i),
                expr=q.expr,
                legend=q.legend,
                instant=instant,
                window_s=panel.window_s,
                variables=dict(dash.variables),
            )
        )
    return out


# --- SLO panels (noc_app.slo) ----------------------------------------------------------


def _slo_panel_queries(dash: DashboardConfig, panel: PanelConfig) -> list[MetricQuery]:
    """An SLO panel's bucketed range queries and current-burn instant queries, on its SLO's source."""
    if panel.slo is None:
        return []
    return [
        MetricQuery(key=query_key(dash.id, panel.id, i), expr=q.expr, instant=q.instant,
                    window_s=q.window_s, max_points=q.max_points)
        for i, q in enumerate(slo_queries(panel.slo))
    ]


# ------------------------------------------------------------------------------------------


# Sources an operator action writes to: polled even when no panel reads them (actions and ack upkeep
# read their snapshots).
ACTION_TARGET_KINDS = frozenset({"alertmanager", "pagerduty", "opsgenie"})


def plan_is_empty(plan: PollPlan) -> bool:
    """Whether a poll with this plan would ask the backend nothing (so proves nothing about it)."""
    return not (plan.metrics or plan.logs or plan.alerts or plan.targets)


def unused_sources(config: AppConfig, plans: dict[str, PollPlan]) -> frozenset[str]:
    """Sources no panel reads and no action writes to: not polled, shown as UNUSED (never green).

    Polling them would prove nothing for most kinds (a Loki or Elasticsearch poll with no
    query contacts nobody and "succeeds"), so a dead one would look OK.
    """
    return frozenset(
        sc.id
        for sc in config.sources
        if plan_is_empty(plans[sc.id]) and not (sc.kind in ACTION_TARGET_KINDS and not sc.read_only)
    )


def build_plans(config: AppConfig) -> dict[str, PollPlan]:
    """Collect what every panel of every dashboard asks of each source."""
    metrics: dict[str, list[MetricQuery]] = defaultdict(list)
    logs: dict[str, list[LogQuery]] = defaultdict(list)
    alerts: set[str] = set()
    targets: set[str] = set()
    groupings: dict[str, dict[tuple[str, ...], None]] = defaultdict(dict)  # ordered sets
    for dash in config.dashboards:
        for shown in dash.panels:
            panel = as_data_panel(shown)  # an executive tile asks what the panel it stands for asks
            sources = panel_sources(panel)
            if panel.kind in QUERY_PANEL_KINDS:
                metrics[sources[0]].extend(_metric_queries(dash, panel))
                for source_id, query in annotation_queries(dash.id, panel, dash.variables):
                    metrics[source_id].append(query)
                alerts.update(alert_sources(panel))
            elif panel.kind == PanelKind.SLO:
                metrics[sources[0]].extend(_slo_panel_queries(dash, panel))
            elif panel.kind == PanelKind.LOGS:
                queries = panel.queries or ()
                exprs = [q.expr for q in queries] or [""]
                for i, expr in enumerate(exprs):
                    logs[sources[0]].append(
                        LogQuery(key=query_key(dash.id, panel.id, i), expr=expr, limit=panel.limit)
                    )
            elif panel.kind == PanelKind.INCIDENTS:
                alerts.update(sources)
                if len(sources) == 1:  # a board of several sources merges them on the GUI side
                    groupings[sources[0]][panel.group_by] = None
            elif panel.kind == PanelKind.TARGETS:
                targets.update(sources)
    return {
        src.id: PollPlan(
            metrics=tuple(metrics.get(src.id, ())),
            logs=tuple(logs.get(src.id, ())),
            alerts=src.id in alerts,
            targets=src.id in targets,
            alert_groupings=tuple(groupings.get(src.id, ())),
        )
        for src in config.sources
    }
