"""Reading a panel's display options (see noc_app.config.panel_display) from YAML nodes."""

from __future__ import annotations

import re

from yaml.nodes import MappingNode, Node

from noc_app.config.panel_display import (
    COLOR_MODES,
    LEGEND_ORDERS,
    LEGEND_SORTS,
    MAX_COLOR_RULES,
    MAX_MAPPINGS,
    MAX_TEXT,
    THRESHOLD_STYLES,
    PanelDisplay,
    SeriesColor,
    ValueMapping,
)
from noc_app.config.yaml_nodes import MapReader, Walk, describe

_HEX_COLOR = re.compile(r"#[0-9a-fA-F]{6}")

_KINDS_FOR = {
    "thresholds_style": ("timeseries",),
    "wrap": ("logs",),
    "legend": ("timeseries",),
    "mappings": ("stat",),
    "color_mode": ("stat",),
    "no_data_text": ("stat",),
}


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
    )


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
