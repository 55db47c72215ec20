"""The `options:` of the bar gauge, table, heatmap, status, apdex and clock panels.

Called once per panel by `panel_section.read_panel` with the panel already read;
returns it with its kind's options (and, for heatmap and apdex, the bucket query
built from `histogram`).  Problems are reported with file:line and key path.
"""

from __future__ import annotations

import dataclasses
import re
import zoneinfo

from yaml.nodes import MappingNode, Node, ScalarNode

from noc_app.config.limits import MAX_ROW_LIMIT
from noc_app.config.schema import (
    BarGaugeOptions,
    ClockOptions,
    ClockZone,
    HistogramOptions,
    PanelConfig,
    PanelKind,
    QueryConfig,
    StatusOptions,
    TableColumn,
    TableOptions,
    Threshold,
)
from noc_app.config.yaml_nodes import NULL_TAG, MapReader, Walk, describe
from noc_app.histogram import bucket_query
from noc_app.model import Severity

OPTION_KEYS: dict[str, tuple[str, ...]] = {
    PanelKind.BARGAUGE: ("limit", "sort", "show_unfilled"),
    PanelKind.TABLE: ("columns", "value_title", "sort_by", "sort_desc", "limit"),
    PanelKind.HEATMAP: ("histogram", "selector", "rate_window", "y_axis", "quantile"),
    PanelKind.APDEX: ("histogram", "selector", "rate_window", "t"),
    PanelKind.STATUS: ("name_label", "detail_label"),
    PanelKind.CLOCK: ("zones", "local", "hour_format", "show_seconds", "show_date"),
}
NEEDS_SOURCE = (PanelKind.BARGAUGE, PanelKind.TABLE, PanelKind.HEATMAP, PanelKind.STATUS, PanelKind.APDEX)
DEFAULT_STATUS_QUERY = "up"
# Apdex ratings: 0.94 and up is excellent, below 0.85 users notice.
DEFAULT_APDEX_THRESHOLDS = (
    Threshold(value=0.94, severity=Severity.WARNING, op="lt"),
    Threshold(value=0.85, severity=Severity.CRITICAL, op="lt"),
)
MAX_CLOCK_ZONES = 12
_METRIC_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
_LABEL_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")


def read_kind_options(walk: Walk, panel: MapReader, config: PanelConfig) -> PanelConfig:
    """The panel with its kind's options; `options:` on another kind is an error."""
    keys = OPTION_KEYS.get(config.kind)
    node = panel.get("options")
    if keys is None:
        if node is not None:
            panel.not_for("options", ", ".join(OPTION_KEYS))
        return config
    if config.kind in NEEDS_SOURCE and config.source is None and not panel.has("source"):
        panel.missing("source")
    if config.kind == PanelKind.CLOCK:
        panel.not_for("source", "panels with data; a clock needs none")
    mapping = node if isinstance(node, MappingNode) else None
    if node is not None and mapping is None and not _is_null(node):
        walk.error(node, panel.sub("options"), f"expected a mapping of options, got {describe(node)}")
    if mapping is None:
        reader = None
    else:
        reader = MapReader(walk, mapping, panel.sub("options"), keys)
    if config.kind == PanelKind.BARGAUGE:
        return _bargauge(walk, panel, reader, config)
    if config.kind == PanelKind.TABLE:
        return _table(walk, panel, reader, config)
    if config.kind in (PanelKind.HEATMAP, PanelKind.APDEX):
        return _histogram(walk, panel, reader, config)
    if config.kind == PanelKind.STATUS:
        return _status(walk, reader, config)
    return _clock(walk, reader, config)


def _is_null(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.tag == NULL_TAG


def _needs_queries(panel: MapReader, config: PanelConfig) -> None:
    if not config.queries and not panel.has("queries"):
        panel.missing("queries")


def _bargauge(walk: Walk, panel: MapReader, reader: MapReader | None, config: PanelConfig) -> PanelConfig:
    _needs_queries(panel, config)
    if reader is None:
        return config
    options = BarGaugeOptions(
        limit=reader.integer("limit", 20, minimum=1, maximum=MAX_ROW_LIMIT) or 20,
        sort=reader.choice("sort", ("none", "asc", "desc"), "none") or "none",
        show_unfilled=reader.boolean("show_unfilled", True),
    )
    return dataclasses.replace(config, bargauge=options)


def _table(walk: Walk, panel: MapReader, reader: MapReader | None, config: PanelConfig) -> PanelConfig:
    _needs_queries(panel, config)
    if reader is None:
        return config
    columns = []
    for node, path in reader.items("columns", noun="column"):
        column = _table_column(walk, node, path)
        if column is not None:
            columns.append(column)
    names = [c.label for c in columns]
    sort_by = reader.text("sort_by", "value") or "value"
    if columns and sort_by != "value" and sort_by not in names and reader.has("sort_by"):
        walk.error(reader.nodes["sort_by"], reader.sub("sort_by"),
                   f"expected 'value' or one of the columns ({', '.join(names)}), got '{sort_by}'")
    options = TableOptions(
        columns=tuple(columns),
        value_title=reader.text("value_title", "Value") or "Value",
        sort_by=sort_by,
        sort_desc=reader.boolean("sort_desc", True),
        limit=reader.integer("limit", 50, minimum=1, maximum=MAX_ROW_LIMIT) or 50,
    )
    return dataclasses.replace(config, table=options)


def _table_column(walk: Walk, node: Node, path: str) -> TableColumn | None:
    if isinstance(node, MappingNode):
        item = MapReader(walk, node, path, ("label", "title"))
        label = item.text("label", required=True)
        title = item.text("title", "") or ""
    else:
        label, title = walk.text(node, path), ""
    if label is None:
        return None
    if not _LABEL_NAME.fullmatch(label):
        walk.error(node, path, f"expected a label name like 'instance', got '{label}'")
        return None
    return TableColumn(label=label, title=title)


def _histogram(walk: Walk, panel: MapReader, reader: MapReader | None, config: PanelConfig) -> PanelConfig:
    name = reader.text("histogram") if reader is not None else None
    if name is None and not config.queries:
        if reader is None or not reader.has("histogram"):
            walk.error(panel.node, panel.path, "missing required key 'options.histogram' (or 'queries' returning "
                       "le-labelled bucket series)")
        return config
    if name is not None and config.queries:
        walk.error(panel.key_nodes["queries"], panel.sub("queries"),
                   "give either 'options.histogram' or 'queries', not both")
    if name is not None:
        name = name.removesuffix("_bucket")
        if not _METRIC_NAME.fullmatch(name):
            assert reader is not None  # the name came from it
            walk.error(reader.nodes["histogram"], reader.sub("histogram"),
                       f"expected a metric name like http_request_duration_seconds, got '{name}'")
            name = None
    options = HistogramOptions()
    if reader is not None:
        selector = (reader.text("selector", "") or "").strip()
        if selector and not (selector.startswith("{") and selector.endswith("}")):
            walk.error(reader.nodes["selector"], reader.sub("selector"),
                       f"expected label matchers in braces like '{{job=\"api\"}}', got '{selector}'")
            selector = ""
        t_s = reader.duration("t", 0.5, minimum=0.0, exclusive=True, maximum=3600.0)
        quantile: float | None = 0.95
        q_node = reader.get("quantile")
        if q_node is not None:
            quantile = None if _is_null(q_node) else reader.number("quantile", 0.95, minimum=0.0, maximum=1.0)
        options = HistogramOptions(
            histogram=name or "",
            selector=selector,
            rate_window_s=reader.duration("rate_window", 300.0, minimum=1.0, maximum=86400.0) or 300.0,
            y_axis=reader.choice("y_axis", ("log", "linear"), "log") or "log",
            quantile=quantile,
            t_s=t_s if t_s is not None else 0.5,
        )
    changes: dict[str, object] = {"histogram": options}
    if options.histogram:
        changes["queries"] = (QueryConfig(
            expr=bucket_query(options.histogram, options.selector, options.rate_window_s), legend="{{le}}",
        ),)
    if config.kind == PanelKind.APDEX and not config.thresholds and not panel.has("thresholds"):
        changes["thresholds"] = DEFAULT_APDEX_THRESHOLDS
    return dataclasses.replace(config, **changes)  # type: ignore[arg-type]


def _status(walk: Walk, reader: MapReader | None, config: PanelConfig) -> PanelConfig:
    changes: dict[str, object] = {}
    if not config.queries:
        changes["queries"] = (QueryConfig(expr=DEFAULT_STATUS_QUERY),)
    if reader is not None:
        labels = {}
        for key in ("name_label", "detail_label"):
            value = reader.text(key, "") or ""
            if value and not _LABEL_NAME.fullmatch(value):
                walk.error(reader.nodes[key], reader.sub(key), f"expected a label name like 'instance', got '{value}'")
                value = ""
            labels[key] = value
        changes["status"] = StatusOptions(**labels)
    return dataclasses.replace(config, **changes)  # type: ignore[arg-type]


def _clock(walk: Walk, reader: MapReader | None, config: PanelConfig) -> PanelConfig:
    if reader is None:
        return config
    zones = []
    items = reader.items("zones", noun="zone")
    if len(items) > MAX_CLOCK_ZONES:
        walk.error(reader.nodes["zones"], reader.sub("zones"),
                   f"expected at most {MAX_CLOCK_ZONES} zones, got {len(items)}")
        items = items[:MAX_CLOCK_ZONES]
    for node, path in items:
        zone = _clock_zone(walk, node, path)
        if zone is not None:
            zones.append(zone)
    hour_format = reader.integer("hour_format", 24)
    if hour_format not in (12, 24, None):
        walk.error(reader.nodes["hour_format"], reader.sub("hour_format"), f"expected 12 or 24, got {hour_format}")
    return dataclasses.replace(config, clock=ClockOptions(
        zones=tuple(zones),
        local=reader.boolean("local", True),
        hour_format=hour_format if hour_format in (12, 24) else 24,
        show_seconds=reader.boolean("show_seconds", True),
        show_date=reader.boolean("show_date", True),
    ))


def _clock_zone(walk: Walk, node: Node, path: str) -> ClockZone | None:
    mapping = walk.mapping(node, path)
    if mapping is None:
        return None
    item = MapReader(walk, mapping, path, ("name", "tz"))
    tz = item.text("tz", required=True)
    name = item.text("name", None)
    if tz is None:
        return None
    try:
        zoneinfo.ZoneInfo(tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        walk.error(item.nodes["tz"], item.sub("tz"),
                   f"expected a time zone name like Asia/Seoul or Europe/Berlin, got '{tz}'")
        return None
    return ClockZone(name=name or tz.rsplit("/", 1)[-1].replace("_", " "), tz=tz)
