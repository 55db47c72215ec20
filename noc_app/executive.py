"""The kiosk's default dashboard: the executive KPIs as six big tiles, generated from the config (pure).

    config = kiosk_config(config)     # in kiosk mode: the kiosk dashboard on every screen

Without `kiosk: {dashboard: ...}` a kiosk shows the spec's executive layer, built from what the
config already has: its `slos:` (availability, error rate and latency against their targets, the
error budget left), the sources its incident boards read (active incidents by priority) and the
incident history of the state database (MTTR this month, polled by noc_app.history_source).

Each tile is a panel of kind `kpi` (generated only: a config cannot write one) whose data is
polled and selected exactly as the panel it stands for: an SLO tile as the `slo` panel of its
SLO, the incidents tile as an incidents board, the MTTR tile as a stat on the history source.
So every tile carries its feed's data state (STALE, UNREACHABLE, NO DATA) like any other panel.
"""

from __future__ import annotations

from dataclasses import replace

from noc_app.config.schema import (
    AppConfig,
    DashboardConfig,
    GridPos,
    Mode,
    PanelConfig,
    PanelKind,
    QueryConfig,
    ScreenConfig,
    SloConfig,
)
from noc_app.kpi_kind import KPI_KIND
from noc_app.reports.kpis import slo_role
from noc_app.slo.panel_queries import slo_queries

EXECUTIVE_ID = "executive"
HISTORY_SOURCE_ID = "incident-history"
MTTR_EXPR = "mttr_month"

# (figure, tile title when no SLO names it) in reading order: the SLOs first, then the incidents.
TILES: tuple[tuple[str, str], ...] = (
    ("availability", "Availability"),
    ("error_rate", "Error rate"),
    ("latency", "Latency (P95)"),
    ("error_budget", "Error budget left"),
    ("incidents", "Active incidents"),
    ("mttr_month", "MTTR this month"),
)
SLO_FIGURES = ("availability", "error_rate", "latency", "error_budget")
_COLUMNS, _ROWS = 3, 2


def _slo_for(figure: str, slos: tuple[SloConfig, ...]) -> SloConfig | None:
    """The SLO a figure reads; the error budget is the availability SLO's (else the first SLO's)."""
    role = "availability" if figure == "error_budget" else figure
    found = next((s for s in slos if slo_role(s) == role), None)
    if found is None and figure == "error_budget" and slos:
        return slos[0]
    return found


def incident_sources(config: AppConfig) -> tuple[str, ...]:
    """The sources the configured incident boards read, in config order, each once."""
    seen: dict[str, None] = {}
    for dash in config.dashboards:
        for panel in dash.panels:
            if panel.kind == PanelKind.INCIDENTS:
                for sid in panel.sources or ((panel.source,) if panel.source else ()):
                    seen.setdefault(sid)
    return tuple(seen)


def _tile(figure: str, title: str, index: int, config: AppConfig) -> PanelConfig:
    w, h = 24 // _COLUMNS, 12 // _ROWS
    grid = GridPos(x=(index % _COLUMNS) * w, y=(index // _COLUMNS) * h, w=w, h=h)
    base = PanelConfig(id=figure, kind=KPI_KIND, title=title, grid=grid, kpi=figure)
    if figure in SLO_FIGURES:
        slo = _slo_for(figure, config.slos)
        if slo is None:
            return base
        queries = tuple(QueryConfig(expr=q.expr, instant=q.instant) for q in slo_queries(slo))
        name = title if figure == "error_budget" else slo.name
        title = f"{title} · {slo.name}" if figure == "error_budget" else name
        return replace(base, title=title, source=slo.source, slo_id=slo.id, slo=slo, queries=queries)
    if figure == "incidents":
        sources = incident_sources(config)
        return replace(base, sources=sources, source=sources[0] if len(sources) == 1 else None)
    return replace(base, source=HISTORY_SOURCE_ID, queries=(QueryConfig(expr=MTTR_EXPR, instant=True),))


def executive_dashboard(config: AppConfig, dashboard_id: str = EXECUTIVE_ID) -> DashboardConfig:
    """Six tiles on a 3 x 2 grid, from the config's SLOs, incident boards and state database."""
    panels = tuple(_tile(figure, title, i, config) for i, (figure, title) in enumerate(TILES))
    return DashboardConfig(id=dashboard_id, title="Service health", panels=panels, columns=24, rows=12)


def _free_id(config: AppConfig) -> str:
    taken = {d.id for d in config.dashboards}
    candidate, n = EXECUTIVE_ID, 1
    while candidate in taken:
        n += 1
        candidate = f"{EXECUTIVE_ID}-{n}"
    return candidate


def kiosk_config(config: AppConfig) -> AppConfig:
    """In kiosk mode: every screen shows the kiosk dashboard (`kiosk.dashboard`, else the executive one)."""
    if config.mode is not Mode.KIOSK:
        return config
    dashboards = config.dashboards
    dashboard_id = config.kiosk.dashboard
    if dashboard_id is None:
        dashboard_id = _free_id(config)
        dashboards = (*dashboards, executive_dashboard(config, dashboard_id))
    screens = config.screens or (ScreenConfig(id="main", screen=0),)
    return replace(config, dashboards=dashboards,
                   screens=tuple(replace(s, dashboard=dashboard_id, playlist=None) for s in screens))


def wants_history(config: AppConfig) -> bool:
    """Whether a dashboard shows the MTTR tile (then the history source is polled)."""
    return any(p.kind == KPI_KIND and p.kpi == "mttr_month" for d in config.dashboards for p in d.panels)
