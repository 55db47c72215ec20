"""An imported Grafana dashboard written out as a wall config (YAML text that check-config accepts)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from noc_app.config.grafana_import import ImportResult
from noc_app.config.grafana_pages import Page, split_pages
from noc_app.config.panel_display import PanelDisplay
from noc_app.config.schema import ALL_VALUE, DashboardConfig, PanelConfig, PanelKind, QueryConfig, VariableConfig

PLAYLIST_INTERVAL = "30s"


@dataclass(frozen=True, kw_only=True, slots=True)
class SourcePlan:
    """The sources the written config declares."""

    source_id: str
    url: str
    log_source_id: str | None = None
    log_kind: str = "loki"  # or elasticsearch
    log_url: str = "http://localhost:3100"


def wall_pages(result: ImportResult, fit: str) -> tuple[Page, ...]:
    """The pages a `fit` gives: split by row for `screen`, one dashboard for `scroll`."""
    if fit == "screen":
        return split_pages(result.dashboard, result.sections, dict(result.section_titles))
    return (Page(dashboard=result.dashboard, smallest_px=0),)


def config_yaml(result: ImportResult, sources: SourcePlan, *, fit: str, origin_name: str) -> str:
    """The whole config: sources (placeholder URLs), the pages, a playlist when there are several."""
    pages = wall_pages(result, fit)
    dashboards = [_dashboard(page.dashboard) for page in pages]
    doc: dict[str, Any] = {
        "title": result.dashboard.title,
        "mode": "wall" if fit == "screen" else "operator",
        "sources": _sources(sources),
    }
    if result.dashboard.variable_defs:  # once for every page
        doc["variables"] = {var.name: _variable(var) for var in result.dashboard.variable_defs}
    doc["dashboards"] = dashboards
    if len(pages) > 1:
        playlist_id = result.dashboard.id
        doc["playlists"] = [{"id": playlist_id, "dashboards": [p.dashboard.id for p in pages],
                             "interval": PLAYLIST_INTERVAL}]
        doc["screens"] = [{"id": "main", "playlist": playlist_id}]
    header = (f"# Imported from {origin_name} by `noc-app import-grafana` (fit: {fit}).\n"
              f"# Set the source URLs below; the import report lists what was converted and what was dropped.\n")
    return header + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=120)


def _sources(plan: SourcePlan) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = [{"id": plan.source_id, "kind": "prometheus", "url": plan.url}]
    if plan.log_source_id is not None and plan.log_source_id != plan.source_id:
        found.append({"id": plan.log_source_id, "kind": plan.log_kind, "url": plan.log_url})
    return found


def _dashboard(dash: DashboardConfig) -> dict[str, Any]:
    entry: dict[str, Any] = {"id": dash.id, "title": dash.title, "columns": dash.columns, "rows": dash.rows}
    entry["panels"] = [_panel(panel) for panel in dash.panels]
    return entry


def _variable(var: VariableConfig) -> object:
    if var.kind == "constant":
        return var.current[0] if var.current else ""
    entry: dict[str, Any] = {}
    if var.query:
        entry["query"] = var.query
    if var.regex:
        entry["regex"] = var.regex
    if var.options:
        entry["values"] = list(var.options)
    if var.current:
        entry["current"] = "All" if var.current == (ALL_VALUE,) else \
            var.current[0] if len(var.current) == 1 else list(var.current)
    if var.include_all:
        entry["include_all"] = True
    if var.all_value is not None:
        entry["all_value"] = var.all_value
    if var.multi:
        entry["multi"] = True
    if not entry:
        entry["current"] = ""
    return entry


def _panel(panel: PanelConfig) -> dict[str, Any]:
    entry: dict[str, Any] = {"id": panel.id, "kind": str(panel.kind), "title": panel.title}
    if panel.kind == PanelKind.INCIDENTS:
        entry["sources"] = list(panel.sources)
    elif panel.source is not None and panel.kind != PanelKind.TEXT:
        entry["source"] = panel.source
    if panel.queries:
        entry["queries"] = [_query(q) for q in panel.queries]
    if panel.unit:
        entry["unit"] = panel.unit
    if panel.decimals is not None:
        entry["decimals"] = panel.decimals
    if panel.min is not None and (panel.max is None or panel.min < panel.max):
        entry["min"] = panel.min
    if panel.max is not None and (panel.min is None or panel.min < panel.max):
        entry["max"] = panel.max
    if panel.thresholds:
        entry["thresholds"] = [{"value": t.value, "severity": t.severity.value, "op": t.op}
                               for t in panel.thresholds]
    if panel.kind == PanelKind.TEXT:
        entry["text"] = panel.text
    entry.update(_display(panel.display))
    entry["grid"] = {"x": panel.grid.x, "y": panel.grid.y, "w": panel.grid.w, "h": panel.grid.h}
    return entry


def _display(display: PanelDisplay) -> dict[str, Any]:
    """The display keys an import sets (mappings, no-data text, series colours, stacking)."""
    entry: dict[str, Any] = {}
    if display.mappings:
        entry["mappings"] = [{"value": m.value, "text": m.text} for m in display.mappings]
    if display.no_data_text:
        entry["no_data_text"] = display.no_data_text
    if display.series_colors:
        entry["legend"] = {"colors": [{"match": c.pattern, "color": c.color} for c in display.series_colors]}
    if display.stacked:
        entry["stacked"] = True
    return entry


def _query(query: QueryConfig) -> object:
    if not query.legend and query.instant is None and query.axis == "left" and query.stack:
        return query.expr
    entry: dict[str, Any] = {"expr": query.expr}
    if query.legend:
        entry["legend"] = query.legend
    if query.instant is not None:
        entry["instant"] = query.instant
    if query.axis == "right":
        entry["axis"] = "right"
        if query.unit:
            entry["unit"] = query.unit
    if not query.stack:
        entry["stack"] = False
    return entry
