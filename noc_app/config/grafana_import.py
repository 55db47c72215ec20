"""Grafana dashboard JSON -> DashboardConfig plus an import report (pure; no file or network access).

Handles both panel generations: legacy `rows[].panels[]` (graph, singlestat,
sized by `span` or not at all) and modern `panels[]` with `gridPos` and row
panels that may hold their children nested when collapsed.  Every panel ends up
in the report: converted (to which kind) or dropped (with the reason), and so
does every option that does not carry over.  The datasource named in the JSON
decides where a panel's queries go: Loki and Elasticsearch to the log source.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

from noc_app.config.grafana_layout import WIDTH as _WIDTH
from noc_app.config.grafana_layout import JsonMap, Kept, finite_number, layout
from noc_app.config.grafana_legacy_names import RESCALED, is_legacy, modern_name, modernised
from noc_app.config.grafana_mappings import grafana_mappings
from noc_app.config.grafana_overrides import Target, grafana_series
from noc_app.config.grafana_thresholds import grafana_thresholds, percentage_thresholds
from noc_app.config.grafana_variables import datasource_variables, grafana_variables
from noc_app.config.limits import MAX_DECIMALS
from noc_app.config.panel_display import DEFAULT_DISPLAY, PanelDisplay
from noc_app.config.schema import DashboardConfig, PanelConfig, PanelKind, QueryConfig
from noc_app.variables import variable_values

KIND_BY_TYPE = {
    "graph": PanelKind.TIMESERIES, "timeseries": PanelKind.TIMESERIES, "singlestat": PanelKind.STAT,
    "stat": PanelKind.STAT, "gauge": PanelKind.GAUGE, "bargauge": PanelKind.BARGAUGE, "logs": PanelKind.LOGS,
    "alertlist": PanelKind.INCIDENTS, "text": PanelKind.TEXT, "table": PanelKind.TABLE,
    "table-old": PanelKind.TABLE, "heatmap": PanelKind.HEATMAP, "state-timeline": PanelKind.STATUS,
    "status-history": PanelKind.STATUS,
}
UNIT_BY_GRAFANA_UNIT = {
    "percent": "%", "s": "s", "ms": "ms", "reqps": "req/s", "bytes": "B", "decbytes": "B",
    "Bps": "B/s", "binBps": "B/s", "short": "", "none": "", "bps": "bit/s", "pps": "packets/s",
    "iops": "IO/s", "ops": "ops/s", "hertz": "Hz", "celsius": "°C", "dtdurations": "s", "percentunit": "percentunit",
    "bool": "bool", "bool_yes_no": "bool_yes_no", "bool_on_off": "bool_on_off",
}
UNIT_BY_AXIS_LABEL = {
    "seconds": "s", "second": "s", "s": "s", "milliseconds": "ms", "ms": "ms", "bytes": "B", "percent": "%",
    "%": "%", "requests/sec": "req/s", "requests/s": "req/s", "req/s": "req/s", "rps": "req/s",
}
LOG_DATASOURCES = ("loki", "elasticsearch")
_NEEDS_QUERIES = (PanelKind.TIMESERIES, PanelKind.STAT, PanelKind.GAUGE, PanelKind.BARGAUGE, PanelKind.TABLE,
                  PanelKind.HEATMAP, PanelKind.STATUS, PanelKind.LOGS)
_PERCENT_UNITS = ("percent", "percentunit")
MAX_IMPORTED_PANELS = 1_000  # layout pushes overlapping panels down: bound the work it may do
_KIND_OPTIONS_NOT_IMPORTED: dict[str, str] = {
    PanelKind.HEATMAP: "heatmap options (buckets, colour scheme, y axis): this app's defaults are used",
    PanelKind.TABLE: "table options (columns, transformations, cell display): labels become columns",
    PanelKind.STATUS: "state-timeline drawn as a status grid (one tile per series, latest value)",
}


class GrafanaImportError(ValueError):
    """JSON that is not a Grafana dashboard, or has nothing this app can show."""


@dataclass(frozen=True, kw_only=True, slots=True)
class ImportResult:
    dashboard: DashboardConfig
    report: tuple[str, ...]  # one line per panel converted or dropped, per option dropped, per variable note
    sections: tuple[int, ...] = ()  # the Grafana row of each panel of the dashboard, in order
    section_titles: Mapping[int, str] = field(default_factory=dict)


def import_grafana(data: object, *, dashboard_id: str, source_id: str, origin: str,
                   log_source_id: str | None = None) -> ImportResult:
    """Convert a Grafana dashboard (bare or wrapped in {"dashboard": ...}) and say what was lost."""
    board = _unwrap(data)
    notes: list[str] = []
    if is_legacy(board):
        renamed: set[str] = set()
        board = modernised(board, renamed)
        notes.append(_legacy_note(renamed))
    defs = grafana_variables(board, notes)
    values = variable_values(defs)
    kept, lines = _classify(board, log_source_id)
    if not kept:
        listed = "; ".join(lines) or "none found"
        raise GrafanaImportError(f"no panels this app can show ({listed})")
    positions = layout(kept)
    used_ids: set[str] = set()
    panels = []
    for (panel, kind, _section), grid in zip(kept, positions, strict=True):
        title = str(panel.get("title") or "").strip() or kind
        panel_id = _unique_id(title, used_ids)
        source = log_source_id if _uses_logs(panel, board, kind) else source_id
        low, high = _bound(panel, "min"), _bound(panel, "max")
        display, queries = _display(panel, kind, board)
        panels.append(PanelConfig(
            id=panel_id, kind=kind, title=title, source=source,
            sources=(source,) if kind == PanelKind.INCIDENTS and source is not None else (),
            queries=queries, unit=_unit(panel), decimals=_decimals(panel), min=low, max=high,
            thresholds=grafana_thresholds(panel, low, high) if _thresholds_shown(panel) else (),
            display=display,
            grid=grid, text=_text(panel) if kind == PanelKind.TEXT else "",
            origin=f"{origin}: panel '{title}'",
        ))
    dashboard = DashboardConfig(
        id=dashboard_id,
        title=str(board.get("title") or dashboard_id),
        panels=tuple(panels),
        columns=_WIDTH,
        rows=max(grid.y + grid.h for grid in positions),
        variables=MappingProxyType(values),
        variable_defs=defs,
    )
    titles = {section: str(row.get("title") or "") for _, _, (section, row) in kept}
    return ImportResult(dashboard=dashboard, report=(*lines, *notes),
                        sections=tuple(section for _, _, (section, _) in kept),
                        section_titles=MappingProxyType(titles))


def grafana_to_dashboard(data: object, *, dashboard_id: str, source_id: str, origin: str,
                         log_source_id: str | None = None) -> DashboardConfig:
    """The dashboard part of import_grafana."""
    return import_grafana(data, dashboard_id=dashboard_id, source_id=source_id, origin=origin,
                          log_source_id=log_source_id).dashboard


def skipped_grafana_panels(data: object, log_source_id: str | None = None) -> list[tuple[str, str]]:
    """(title, type) of the panels import_grafana leaves out."""
    board = _unwrap(data)
    kept_ids = {id(panel) for panel, _, _ in _classify(board, log_source_id)[0]}
    return [(str(p.get("title") or ""), str(p.get("type") or "unknown"))
            for _, _, p in _sections(board) if id(p) not in kept_ids]


def log_datasource_kind(data: object) -> str | None:
    """'loki' or 'elasticsearch' when some panel of the dashboard queries one; None otherwise."""
    board = _unwrap(data)
    for _, _, panel in _sections(board):
        kind = KIND_BY_TYPE.get(str(panel.get("type") or ""))
        if kind is not None and _uses_logs(panel, board, kind):
            return _log_type(panel, board)
    return None


def _legacy_note(renamed: set[str]) -> str:
    shown = ", ".join(f"{old} -> {modern_name(old)}" for old in sorted(renamed)[:3])
    rescaled = sorted(set(RESCALED) & renamed)
    note = (f"queries use node_exporter < 0.16 metric names: {len(renamed)} renamed to today's "
            f"({shown}, ...)")
    if rescaled:
        note += f"; {', '.join(rescaled)} changed unit (ms -> s, sectors -> bytes): those panels' scale differs"
    return note


def _list(value: object) -> list[Any]:
    """A JSON array, or [] for anything else (hand-edited exports get this wrong)."""
    return value if isinstance(value, list) else []


def _unwrap(data: object) -> JsonMap:
    if not isinstance(data, Mapping):
        raise GrafanaImportError(f"expected a JSON object (a Grafana dashboard), got {type(data).__name__}")
    board = data.get("dashboard", data)
    if not isinstance(board, Mapping) or not (
        isinstance(board.get("panels"), list) or isinstance(board.get("rows"), list)
    ):
        raise GrafanaImportError("not a Grafana dashboard: it has no 'panels' or 'rows' list")
    return board


def _sections(board: JsonMap) -> Iterator[tuple[int, JsonMap, JsonMap]]:
    """(section number, row or {}, panel) in order; a section is one Grafana row."""
    section = 0
    current_row: JsonMap = {}
    for panel in _list(board.get("panels")):
        if not isinstance(panel, Mapping):
            continue
        if panel.get("type") == "row":
            section += 1
            current_row = panel  # an open row's panels follow it at the top level
            for child in _list(panel.get("panels")):  # a collapsed row holds its children
                if isinstance(child, Mapping):
                    yield section, panel, child
        else:
            yield section, current_row, panel
    for row in _list(board.get("rows")):
        section += 1
        for panel in _list(row.get("panels")) if isinstance(row, Mapping) else []:
            if isinstance(panel, Mapping):
                yield section, row, panel


def _classify(board: JsonMap, log_source_id: str | None) -> tuple[list[Kept], list[str]]:
    """Panels kept with their kind, and the report lines in dashboard order."""
    kept: list[Kept] = []
    lines: list[str] = []
    for count, (section, row, panel) in enumerate(_sections(board), start=1):
        if count > MAX_IMPORTED_PANELS:
            raise GrafanaImportError(f"more than {MAX_IMPORTED_PANELS} panels; split the dashboard")
        grafana_type = str(panel.get("type") or "") or "unknown"
        title = str(panel.get("title") or "").strip()
        named = f"panel '{title}' ({grafana_type})"
        kind = KIND_BY_TYPE.get(grafana_type)
        if kind == PanelKind.STAT and isinstance(panel.get("gauge"), Mapping) and panel["gauge"].get("show"):
            kind = PanelKind.GAUGE  # a legacy singlestat drawn as a gauge
        if kind is None:
            lines.append(f"dropped {named}: panel type '{grafana_type}' has no equivalent here")
            continue
        if kind in _NEEDS_QUERIES and not _queries(panel, board):
            lines.append(f"dropped {named}: no query with an expression")
            continue
        uses_logs = _uses_logs(panel, board, kind)
        if uses_logs and log_source_id is None:
            lines.append(f"dropped {named}: queries a {_log_type(panel, board)} datasource and no log source "
                         "is given (--log-source ID / log_source:)")
            continue
        kept.append((panel, kind, (section, row)))
        target = f" on log source '{log_source_id}'" if uses_logs else ""
        lines.append(f"converted {named} -> {kind}{target}")
        lines.extend(f"  dropped option on '{title}': {what}" for what in _dropped_options(panel, kind, board))
    return kept, lines


def _dropped_options(panel: JsonMap, kind: str, board: JsonMap) -> list[str]:
    dropped = []
    hidden = [t for t in _list(panel.get("targets")) if isinstance(t, Mapping) and t.get("hide") is True]
    if hidden:
        dropped.append(f"{len(hidden)} hidden quer{'y' if len(hidden) == 1 else 'ies'} left out")
    low, high = _bound(panel, "min"), _bound(panel, "max")
    if percentage_thresholds(panel) and _thresholds_shown(panel) and not (
            low is not None and high is not None and low < high):
        dropped.append("percentage thresholds not imported: they need the panel's min and max (not both set)")
    dropped.extend(grafana_mappings(panel, kind).dropped)
    dropped.extend(grafana_series(panel, kind, _targets(panel, board), _convert_unit).dropped)
    options = panel.get("options")
    reduce = options.get("reduceOptions") if isinstance(options, Mapping) else None
    fields = reduce.get("fields") if isinstance(reduce, Mapping) else None
    if isinstance(fields, str) and fields and fields != "/^Value$/":
        dropped.append(f"shows field {fields} (a label as text) in Grafana: shown here as the number")
    if isinstance(options, Mapping) and options.get("textMode") == "name":
        dropped.append("textMode 'name' (the series name instead of its value) is not imported: shown as the number")
    if _list(panel.get("transformations")):
        dropped.append("transformations are not imported")
    if isinstance(panel.get("repeat"), str) and panel["repeat"]:
        dropped.append(f"repeat by ${panel['repeat']} is not supported: shown once, for the current value")
    raw_unit = str(_defaults(panel).get("unit") or panel.get("format") or _first_axis(panel).get("format") or "")
    if raw_unit and raw_unit not in UNIT_BY_GRAFANA_UNIT:
        dropped.append(f"unit '{raw_unit}' has no conversion here: shown as the label '{raw_unit}'")
    if kind in _KIND_OPTIONS_NOT_IMPORTED:
        dropped.append(_KIND_OPTIONS_NOT_IMPORTED[kind])
    return dropped


def _datasource_type(value: object, board: JsonMap) -> str | None:
    """'loki', 'prometheus', ... for a datasource reference; None when it names no type."""
    if isinstance(value, Mapping):
        kind = value.get("type")
        if isinstance(kind, str) and kind:
            return kind
        value = value.get("uid")
    if not isinstance(value, str) or not value:
        return None
    name = re.sub(r"^\$\{?(\w+)\}?$", r"\1", value)
    if name != value:
        return datasource_variables(board).get(name) or None
    lowered = value.lower()
    return next((t for t in LOG_DATASOURCES if t[:4] in lowered), None)


def _log_type(panel: JsonMap, board: JsonMap) -> str:
    types = [_datasource_type(panel.get("datasource"), board)]
    types += [_datasource_type(t.get("datasource"), board)
              for t in _list(panel.get("targets")) if isinstance(t, Mapping)]
    return next((t for t in types if t in LOG_DATASOURCES), "loki")


def _uses_logs(panel: JsonMap, board: JsonMap, kind: str) -> bool:
    """The JSON's datasource (panel or target) is Loki or Elasticsearch; a logs panel always is."""
    if kind == PanelKind.LOGS:
        return True
    types = [_datasource_type(panel.get("datasource"), board)]
    types += [_datasource_type(t.get("datasource"), board)
              for t in _list(panel.get("targets")) if isinstance(t, Mapping)]
    return any(t in LOG_DATASOURCES for t in types)


def _display(panel: JsonMap, kind: str, board: JsonMap) -> tuple[PanelDisplay, tuple[QueryConfig, ...]]:
    """Mappings, series colours, stacking and the right-hand axis that carry over (see grafana_overrides)."""
    mapped = grafana_mappings(panel, kind)
    series = grafana_series(panel, kind, _targets(panel, board), _convert_unit)
    display = replace(DEFAULT_DISPLAY, mappings=mapped.mappings, no_data_text=mapped.no_data_text,
                      series_colors=series.series_colors, stacked=series.stacked)
    return display, series.queries


def _queries(panel: JsonMap, board: JsonMap) -> tuple[QueryConfig, ...]:
    """Visible targets that carry an expression (PromQL, LogQL, or Elasticsearch's `query`)."""
    return tuple(query for _, query in _targets(panel, board))


def _targets(panel: JsonMap, board: JsonMap) -> list[Target]:
    """(refId, query) for each visible target with an expression."""
    queries: list[Target] = []
    for target in _list(panel.get("targets")):
        if not isinstance(target, Mapping) or target.get("hide") is True:
            continue
        expr = target.get("expr")
        if not isinstance(expr, str) and _datasource_type(target.get("datasource") or panel.get("datasource"),
                                                          board) == "elasticsearch":
            expr = target.get("query")
        if isinstance(expr, str) and expr.strip():
            instant = target.get("instant")
            legend = str(target.get("legendFormat") or "")
            queries.append((str(target.get("refId") or ""), QueryConfig(
                expr=expr, legend="" if legend == "__auto" else legend,
                instant=instant if isinstance(instant, bool) else None)))
    return queries


def _thresholds_shown(panel: JsonMap) -> bool:
    """Whether Grafana shows the panel's threshold steps at all.

    Every modern panel carries default steps (green, red at 80); a time series shows them
    only with a thresholdsStyle other than "off", a stat (or legacy singlestat) only when it
    colours something.
    """
    panel_type = panel.get("type")
    if panel_type == "timeseries":
        custom = _defaults(panel).get("custom")
        style = custom.get("thresholdsStyle") if isinstance(custom, Mapping) else None
        return isinstance(style, Mapping) and style.get("mode") not in (None, "off")
    if panel_type == "singlestat" and ("colorValue" in panel or "colorBackground" in panel):
        return panel.get("colorValue") is True or panel.get("colorBackground") is True
    options = panel.get("options")
    if panel_type == "stat" and isinstance(options, Mapping):
        return options.get("colorMode") != "none"
    return True


def _defaults(panel: JsonMap) -> JsonMap:
    field_config = panel.get("fieldConfig")
    defaults = field_config.get("defaults") if isinstance(field_config, Mapping) else None
    return defaults if isinstance(defaults, Mapping) else {}


def _first_axis(panel: JsonMap) -> JsonMap:
    axes = panel.get("yaxes") or panel.get("yAxes") or []
    return axes[0] if isinstance(axes, list) and axes and isinstance(axes[0], Mapping) else {}


def _unit(panel: JsonMap) -> str:
    unit = _defaults(panel).get("unit") or panel.get("format") or _first_axis(panel).get("format") or ""
    if not unit:  # a legacy graph often names its unit only in the axis label ("Seconds")
        return UNIT_BY_AXIS_LABEL.get(str(_first_axis(panel).get("label") or "").strip().lower(), "")
    return _convert_unit(str(unit))


def _convert_unit(unit: str) -> str:
    return UNIT_BY_GRAFANA_UNIT.get(unit, unit)


def _decimals(panel: JsonMap) -> int | None:
    value = _defaults(panel).get("decimals", panel.get("decimals"))
    valid = isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_DECIMALS
    return value if valid else None


def _bound(panel: JsonMap, which: str) -> float | None:
    found = finite_number(_defaults(panel).get(which))
    if found is None:
        found = finite_number(_first_axis(panel).get(which))
    gauge = panel.get("gauge")
    if found is None and isinstance(gauge, Mapping) and gauge.get("show"):
        found = finite_number(gauge.get("minValue" if which == "min" else "maxValue"))
    return found


def _text(panel: JsonMap) -> str:
    options = panel.get("options")
    content = options.get("content") if isinstance(options, Mapping) else None
    return str(content or panel.get("content") or "")


def _unique_id(title: str, used: set[str]) -> str:
    base = re.sub(r"[^a-z0-9]+", "_", title.lower()).strip("_") or "panel"
    candidate, counter = base, 2
    while candidate in used:
        candidate, counter = f"{base}_{counter}", counter + 1
    used.add(candidate)
    return candidate
