"""Reading a panel's display options (see noc_app.config.panel_display) from YAML nodes."""

from __future__ import annotations

import re

from yaml.nodes import MappingNode, Node

from noc_app.config.panel_display import (
    AXES,
    COLOR_MODES,
    LEGEND_ORDERS,
    LEGEND_SORTS,
    MAX_ANNOTATIONS,
    MAX_COLOR_RULES,
    MAX_MAPPINGS,
    MAX_TEXT,
    THRESHOLD_STYLES,
    Annotation,
    PanelDisplay,
    SeriesColor,
    ValueMapping,
)
from noc_app.config.schema import QueryConfig
from noc_app.config.yaml_nodes import MapReader, Walk, describe

_HEX_COLOR = re.compile(r"#[0-9a-fA-F]{6}")

_KINDS_FOR = {
    "thresholds_style": ("timeseries",),
    "wrap": ("logs",),
    "legend": ("timeseries",),
    "mappings": ("stat",),
    "color_mode": ("stat",),
    "no_data_text": ("stat",),
    "stacked": ("timeseries",),
    "annotations": ("timeseries",),
    "sparkline": ("stat",),
}
QUERY_DISPLAY_KEYS = ("axis", "unit", "stack")  # per-query display keys (timeseries)


def read_display(walk: Walk, panel: MapReader, kind: str | None) -> PanelDisplay:
    """The display options of one panel; each is refused on a kind it does not apply to."""
    if kind is not None:
        for key, kinds in _KINDS_FOR.items():
            if kind not in kinds:
                panel.not_for(key, "kind " + " and ".join(kinds))
    sort, order, colors = _read_legend(walk, panel)
    return PanelDisplay(
        thresholds_style=panel.choice("thresholds_style", THRESHOLD_STYLES, "line") or "line",
        wrap=panel.boolean("wrap", True),
        legend_sort=sort,
        legend_order=order,
        series_colors=colors,
        mappings=_read_mappings(walk, panel),
        color_mode=panel.choice("color_mode", COLOR_MODES, "value") or "value",
        no_data_text=_short_text(walk, panel, "no_data_text"),
        stacked=panel.boolean("stacked", False),
        annotations=_read_annotations(walk, panel),
        sparkline=panel.boolean("sparkline", False),
    )


def read_query_axis(walk: Walk, query: MapReader, kind: str | None) -> tuple[str, str]:
    """A query's `axis` and `unit` (timeseries); `unit` only on the right axis."""
    if kind is not None and kind != "timeseries":
        for key in QUERY_DISPLAY_KEYS:
            query.not_for(key, "kind timeseries")
    axis = query.choice("axis", AXES, "left") or "left"
    unit = query.text("unit", "") or ""
    if query.has("unit") and axis != "right":
        walk.error(query.key_nodes["unit"], query.sub("unit"),
                   "key 'unit' only applies to a query with axis: right (the left axis uses the panel's unit)")
    return axis, unit


def check_query_stacking(walk: Walk, queries: list[tuple[QueryConfig, Node, str]], display: PanelDisplay,
                         kind: str | None) -> None:
    """`stack: false` takes a query's series out of a stacked panel's stack: it needs `stacked: true`."""
    if display.stacked or kind != "timeseries":
        return  # other kinds: refused as a key of kind timeseries
    for query, node, path in queries:
        if not query.stack:
            walk.error(node, f"{path}.stack", "key 'stack' only applies in a panel with stacked: true "
                                              "(it draws this query's series over the stack, e.g. a total)")


def check_right_axis(walk: Walk, queries: list[tuple[QueryConfig, Node, str]]) -> None:
    """One right axis, one unit: every right-axis query must say the same unit as the first."""
    right = [(q, node, path) for q, node, path in queries if q.axis == "right"]
    for q, node, path in right[1:]:
        first = right[0][0].unit
        if q.unit != first:
            walk.error(node, path, f"expected the right axis' unit '{first}' (as in {right[0][2]}), "
                                   f"got '{q.unit}': a panel has one right axis")


def _read_annotations(walk: Walk, panel: MapReader) -> tuple[Annotation, ...]:
    items = panel.items("annotations", noun="annotation")
    if len(items) > MAX_ANNOTATIONS:
        walk.error(panel.nodes["annotations"], panel.sub("annotations"),
                   f"expected at most {MAX_ANNOTATIONS} annotations, got {len(items)}")
        return ()
    found = (_read_annotation(walk, node, path) for node, path in items)
    return tuple(a for a in found if a is not None)


def _read_annotation(walk: Walk, node: Node, path: str) -> Annotation | None:
    mapping = walk.mapping(node, path)
    if mapping is None:
        return None
    item = MapReader(walk, mapping, path, ("query", "alert", "source", "title"))
    if item.exclusive("query", "alert"):
        return None
    if not item.has("query") and not item.has("alert"):
        item.missing("query", "alert")
        return None
    source = item.text("source", required=True)
    if source is not None:
        walk.refer("source", source, item.nodes["source"], item.sub("source"))
    query = item.text("query", "") or ""
    alert = item.text("alert", "") or ""
    for key, value in (("query", query), ("alert", alert)):
        if item.has(key) and not value.strip():
            walk.error(item.nodes[key], item.sub(key), f"expected a non-empty {key}, got an empty string")
            return None
    title = _short_text(walk, item, "title") or alert or "event"
    if source is None:
        return None
    return Annotation(source=source, title=title, query=query, alert=alert)


def _short_text(walk: Walk, reader: MapReader, key: str) -> str:
    text = reader.text(key, "") or ""
    if len(text) > MAX_TEXT:
        walk.error(reader.nodes[key], reader.sub(key), f"expected at most {MAX_TEXT} characters, got {len(text)}")
        return ""
    return text


def _read_legend(walk: Walk, panel: MapReader) -> tuple[str, str, tuple[SeriesColor, ...]]:
    node = panel.sub_mapping("legend")
    if node is None:
        return "last", "desc", ()
    legend = MapReader(walk, node, panel.sub("legend"), ("sort", "order", "colors"))
    sort = legend.choice("sort", LEGEND_SORTS, "last") or "last"
    order = legend.choice("order", LEGEND_ORDERS, "asc" if sort == "name" else "desc") or "desc"
    items = legend.items("colors", noun="colour rule")
    if len(items) > MAX_COLOR_RULES:
        walk.error(legend.nodes["colors"], legend.sub("colors"),
                   f"expected at most {MAX_COLOR_RULES} colour rules, got {len(items)}")
        items = []
    colors = [_read_color_rule(walk, item, path) for item, path in items]
    return sort, order, tuple(c for c in colors if c is not None)


def _read_color_rule(walk: Walk, node: Node, path: str) -> SeriesColor | None:
    mapping = walk.mapping(node, path)
    if mapping is None:
        return None
    rule = MapReader(walk, mapping, path, ("match", "color"))
    pattern = rule.text("match", required=True)
    color = rule.text("color", required=True)
    if pattern is not None:
        try:
            re.compile(pattern)
        except re.error as exc:
            walk.error(rule.nodes["match"], rule.sub("match"), f"expected a regular expression: {exc}")
            pattern = None
    if color is not None and not _HEX_COLOR.fullmatch(color):
        shown = describe(rule.nodes["color"])
        walk.error(rule.nodes["color"], rule.sub("color"), f"expected a colour like '#d55e00', got {shown}")
        color = None
    if pattern is None or color is None:
        return None
    return SeriesColor(pattern=pattern, color=color.lower())


def _read_mappings(walk: Walk, panel: MapReader) -> tuple[ValueMapping, ...]:
    items = panel.items("mappings", noun="mapping")
    if len(items) > MAX_MAPPINGS:
        walk.error(panel.nodes["mappings"], panel.sub("mappings"),
                   f"expected at most {MAX_MAPPINGS} mappings, got {len(items)}")
        return ()
    found: list[ValueMapping] = []
    for node, path in items:
        mapping = walk.mapping(node, path)
        if not isinstance(mapping, MappingNode):
            continue
        item = MapReader(walk, mapping, path, ("value", "text"))
        value_node = item.require("value")
        value = walk.number(value_node, item.sub("value")) if value_node is not None else None
        text = _short_text(walk, item, "text") if item.has("text") else None
        if not item.has("text"):
            item.missing("text")
        if value is not None and text:
            found.append(ValueMapping(value=value, text=text))
    return tuple(found)
