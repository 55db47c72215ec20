"""Grafana dashboard JSON -> DashboardConfig (pure; no file or network access).

Handles both panel generations: legacy `rows[].panels[]` (graph, singlestat,
sized by `span` or not at all) and modern `panels[]` with `gridPos` and row
panels that may hold their children nested when collapsed.  Panel types this
app cannot show (table, heatmap, ...) are skipped, not errors.
"""

from __future__ import annotations

import colorsys
import re
from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import Any

from noc_app.config.grafana_layout import WIDTH as _WIDTH
from noc_app.config.grafana_layout import JsonMap, Kept, finite_number, layout
from noc_app.config.limits import MAX_DECIMALS
from noc_app.config.schema import (
    METRIC_PANEL_KINDS,
    DashboardConfig,
    PanelConfig,
    PanelKind,
    QueryConfig,
    Threshold,
)
from noc_app.config.thresholds import parse_threshold_list, thresholds_from_numbers
from noc_app.model import Severity

KIND_BY_TYPE = {
    "graph": PanelKind.TIMESERIES, "timeseries": PanelKind.TIMESERIES, "singlestat": PanelKind.STAT,
    "stat": PanelKind.STAT, "gauge": PanelKind.GAUGE, "bargauge": PanelKind.GAUGE, "logs": PanelKind.LOGS,
    "alertlist": PanelKind.INCIDENTS, "text": PanelKind.TEXT,
}
UNIT_BY_GRAFANA_UNIT = {
    "percent": "%", "s": "s", "ms": "ms", "reqps": "req/s", "bytes": "B", "decbytes": "B",
    "Bps": "B/s", "binBps": "B/s", "short": "", "none": "",
}
_NEEDS_QUERIES = (*METRIC_PANEL_KINDS, PanelKind.LOGS)
_LEGACY_SINGLESTAT_COLORS = ("#299c46", "rgba(237, 129, 40, 0.89)", "#d44a3a")  # Grafana's defaults
MAX_IMPORTED_PANELS = 1_000  # layout pushes overlapping panels down: bound the work it may do
_OK = None  # a colour that means "fine": no threshold is crossed into it
_BADNESS = {None: 0, Severity.INFO: 1, Severity.WARNING: 2, Severity.HIGH: 3, Severity.CRITICAL: 4}
_NAMED_COLORS = {
    "green": _OK, "text": _OK, "transparent": _OK, "blue": Severity.INFO, "purple": Severity.INFO,
    "yellow": Severity.WARNING, "orange": Severity.WARNING, "red": Severity.CRITICAL,
}


_Band = Severity | None | bool  # a colour's severity; False when it cannot be read


class GrafanaImportError(ValueError):
    """JSON that is not a Grafana dashboard, or has nothing this app can show."""


def grafana_to_dashboard(data: object, *, dashboard_id: str, source_id: str, origin: str,
                         log_source_id: str | None = None) -> DashboardConfig:
    """Convert a Grafana dashboard (bare or wrapped in {"dashboard": ...}) to our config."""
    board = _unwrap(data)
    kept, skipped = _classify(board)
    if not kept:
        listed = ", ".join(f"{kind} '{title}'" for title, kind in skipped) or "none found"
        raise GrafanaImportError(f"no panels this app can show (skipped: {listed})")
    positions = layout(kept)
    used_ids: set[str] = set()
    panels = []
    for (panel, kind, _section), grid in zip(kept, positions, strict=True):
        title = str(panel.get("title") or "").strip() or kind
        panel_id = _unique_id(title, used_ids)
        uses_logs = log_source_id is not None and (kind == PanelKind.LOGS or _queries_log_backend(panel))
        source = log_source_id if uses_logs else source_id
        panels.append(PanelConfig(
            id=panel_id, kind=kind, title=title, source=source,
            sources=(source,) if kind == PanelKind.INCIDENTS and source is not None else (),
            queries=_queries(panel), unit=_unit(panel), decimals=_decimals(panel),
            min=_bound(panel, "min"), max=_bound(panel, "max"), thresholds=_thresholds(panel),
            grid=grid, text=_text(panel) if kind == PanelKind.TEXT else "",
            origin=f"{origin}: panel '{title}'",
        ))
    return DashboardConfig(
        id=dashboard_id,
        title=str(board.get("title") or dashboard_id),
        panels=tuple(panels),
        columns=_WIDTH,
        rows=max(grid.y + grid.h for grid in positions),
        variables=MappingProxyType(_variables(board)),
    )


def skipped_grafana_panels(data: object) -> list[tuple[str, str]]:
    """(title, type) of the panels grafana_to_dashboard leaves out."""
    return _classify(_unwrap(data))[1]


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
    for panel in _list(board.get("panels")):
        if not isinstance(panel, Mapping):
            continue
        if panel.get("type") == "row":
            section += 1
            for child in _list(panel.get("panels")):  # a collapsed row holds its children
                if isinstance(child, Mapping):
                    yield section, panel, child
        else:
            yield section, {}, panel
    for row in _list(board.get("rows")):
        section += 1
        for panel in _list(row.get("panels")) if isinstance(row, Mapping) else []:
            if isinstance(panel, Mapping):
                yield section, row, panel


def _classify(board: JsonMap) -> tuple[list[Kept], list[tuple[str, str]]]:
    kept, skipped = [], []
    for count, (section, row, panel) in enumerate(_sections(board), start=1):
        if count > MAX_IMPORTED_PANELS:
            raise GrafanaImportError(f"more than {MAX_IMPORTED_PANELS} panels; split the dashboard")
        grafana_type = str(panel.get("type") or "")
        kind = KIND_BY_TYPE.get(grafana_type)
        if kind == PanelKind.STAT and isinstance(panel.get("gauge"), Mapping) and panel["gauge"].get("show"):
            kind = PanelKind.GAUGE  # a legacy singlestat drawn as a gauge
        if kind is None or (kind in _NEEDS_QUERIES and not _queries(panel)):
            skipped.append((str(panel.get("title") or ""), grafana_type or "unknown"))
        else:
            kept.append((panel, kind, (section, row)))
    return kept, skipped


def _queries(panel: JsonMap) -> tuple[QueryConfig, ...]:
    """Visible targets that carry an expression (PromQL or LogQL)."""
    queries = []
    for target in _list(panel.get("targets")):
        if not isinstance(target, Mapping) or target.get("hide") is True:
            continue
        expr = target.get("expr")
        if isinstance(expr, str) and expr.strip():
            instant = target.get("instant")
            legend = str(target.get("legendFormat") or "")
            queries.append(QueryConfig(expr=expr, legend="" if legend == "__auto" else legend,
                                       instant=instant if isinstance(instant, bool) else None))
    return tuple(queries)


def _queries_log_backend(panel: JsonMap) -> bool:
    datasource = panel.get("datasource")
    if isinstance(datasource, Mapping):
        return datasource.get("type") in ("loki", "elasticsearch")
    return isinstance(datasource, str) and ("loki" in datasource.lower() or "elastic" in datasource.lower())


def _defaults(panel: JsonMap) -> JsonMap:
    field_config = panel.get("fieldConfig")
    defaults = field_config.get("defaults") if isinstance(field_config, Mapping) else None
    return defaults if isinstance(defaults, Mapping) else {}


def _first_axis(panel: JsonMap) -> JsonMap:
    axes = panel.get("yaxes") or panel.get("yAxes") or []
    return axes[0] if isinstance(axes, list) and axes and isinstance(axes[0], Mapping) else {}


def _unit(panel: JsonMap) -> str:
    unit = _defaults(panel).get("unit") or panel.get("format") or _first_axis(panel).get("format") or ""
    return UNIT_BY_GRAFANA_UNIT.get(str(unit), str(unit))


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


def _thresholds(panel: JsonMap) -> tuple[Threshold, ...]:
    legacy = panel.get("thresholds")
    if isinstance(legacy, str):  # singlestat: "85,95" plus colors[] for below/between/above
        try:
            values = parse_threshold_list(legacy)
        except ValueError:
            return ()
        colors = _list(panel.get("colors")) or list(_LEGACY_SINGLESTAT_COLORS)
        return _from_steps([None, *values], colors)
    if isinstance(legacy, list):  # graph: [{value, colorMode, op}]
        return tuple(t for t in (_graph_threshold(item) for item in legacy) if t is not None)
    steps = _defaults(panel).get("thresholds")
    if not isinstance(steps, Mapping) or steps.get("mode", "absolute") != "absolute":
        return ()  # percentage thresholds depend on the data's min/max: not imported
    pairs = [(s.get("value"), s.get("color")) for s in _list(steps.get("steps")) if isinstance(s, Mapping)]
    base = [color for value, color in pairs if value is None][:1] or ["green"]
    numbered = ((finite_number(v), c) for v, c in pairs)
    rest = sorted(((v, c) for v, c in numbered if v is not None), key=lambda pair: pair[0])
    return _from_steps([None, *(v for v, _ in rest)], [base[0], *(c for _, c in rest)])


def _graph_threshold(item: object) -> Threshold | None:
    value = finite_number(item.get("value")) if isinstance(item, Mapping) else None
    if not isinstance(item, Mapping) or value is None:
        return None
    mode = str(item.get("colorMode"))
    severity: _Band = {"critical": Severity.CRITICAL, "warning": Severity.WARNING, "ok": _OK}.get(
        mode, Severity.WARNING
    )
    if mode == "custom":
        severity = _color_severity(item.get("lineColor") or item.get("fillColor") or "")
    if not isinstance(severity, Severity):  # fine (None) or unreadable (False): nothing to cross
        return None
    op = str(item["op"]) if item.get("op") in ("gt", "lt") else "gt"
    return Threshold(value=value, severity=severity, op=op)


def _from_steps(values: list[float | None], colors: list[object]) -> tuple[Threshold, ...]:
    """Thresholds from colour bands: crossing into a worse colour is a threshold.

    values[0] is the base band (None); values[i] starts band i.  If a band's
    colour cannot be read, fall back to the positional rule for bare numbers.
    """
    bounds = [v for v in values[1:] if v is not None]
    severities = [_color_severity(c) for c in colors[: len(values)]]
    if len(severities) != len(values) or any(s is False for s in severities):
        return thresholds_from_numbers(bounds)
    bands = [s for s in severities if not isinstance(s, bool)]  # all readable, checked above
    result = []
    for index, value in enumerate(bounds, start=1):
        below, above = bands[index - 1], bands[index]
        if above is not None and _BADNESS[above] > _BADNESS[below]:
            result.append(Threshold(value=value, severity=above, op="gt"))
        elif below is not None and _BADNESS[below] > _BADNESS[above]:
            result.append(Threshold(value=value, severity=below, op="lt"))
    # A bad band between two fine ones (green | red from 0 | green from 1) has no gt/lt
    # form; keep its upper edge as "lt" so e.g. a 0/1 health value still reads right.
    lows = [t.value for t in result if t.op == "lt"]
    return tuple(t for t in result if t.op == "lt" or not lows or t.value >= max(lows))


def _color_severity(color: object) -> _Band:
    """Severity a Grafana colour stands for; None for fine (green); False if unreadable."""
    text = str(color).strip().lower()
    name = re.sub(r"^(dark|semi-dark|light|super-light)-", "", text)
    if name in _NAMED_COLORS:
        return _NAMED_COLORS[name]
    rgb = _parse_rgb(text)
    if rgb is None:
        return False
    hue, _lightness, saturation = colorsys.rgb_to_hls(*rgb)
    degrees = hue * 360
    if saturation < 0.15:
        return _OK  # grey: neutral
    if degrees < 18 or degrees >= 300:
        return Severity.CRITICAL
    if degrees < 70:
        return Severity.WARNING
    if degrees < 170:
        return _OK
    return Severity.INFO


def _parse_rgb(text: str) -> tuple[float, float, float] | None:
    hex_match = re.fullmatch(r"#([0-9a-f]{6})(?:[0-9a-f]{2})?", text)
    if hex_match:
        raw = hex_match.group(1)
        return int(raw[0:2], 16) / 255, int(raw[2:4], 16) / 255, int(raw[4:6], 16) / 255
    rgb_match = re.fullmatch(r"rgba?\(\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*(?:,[^)]*)?\)", text)
    if rgb_match:
        red, green, blue = (min(255, int(part[:4])) / 255 for part in rgb_match.groups())  # [:4]: no 5000-digit int()
        return red, green, blue
    return None


def _unique_id(title: str, used: set[str]) -> str:
    base = re.sub(r"[^a-z0-9]+", "_", title.lower()).strip("_") or "panel"
    candidate, counter = base, 2
    while candidate in used:
        candidate, counter = f"{base}_{counter}", counter + 1
    used.add(candidate)
    return candidate


def _variables(board: JsonMap) -> dict[str, str]:
    """Template variables with their saved value ('.*' for 'All'); datasource pickers left out."""
    templating = board.get("templating")
    found: dict[str, str] = {}
    for var in _list(templating.get("list")) if isinstance(templating, Mapping) else []:
        if not isinstance(var, Mapping) or not var.get("name") or var.get("type") == "datasource":
            continue
        current = var.get("current")
        value = current.get("value") if isinstance(current, Mapping) else None
        if isinstance(value, list):
            value = value[0] if len(value) == 1 else None
        if isinstance(value, str) and value and value != "$__all":
            found[str(var["name"])] = value
        elif var.get("type") == "constant" and isinstance(var.get("query"), str):
            found[str(var["name"])] = var["query"]
        else:
            found[str(var["name"])] = ".*" if var.get("includeAll") or var.get("multi") else ""
    return found
