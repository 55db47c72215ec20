"""How a panel shows its data, beyond what it queries: per-kind display options.

    thresholds_style: line | band          (timeseries; default line: dashed levels, no shading)
    wrap: true | false                     (logs; default true: long lines wrap, else end in '…')
    legend: {sort: last|max|mean|name, order: desc|asc,
             colors: [{match: REGEX, color: '#rrggbb'}]}   (timeseries)
    mappings: [{value: 1, text: UP}, ...]  (stat)
    color_mode: value | background          (stat; background: the whole tile takes the colour)
    no_data_text: TEXT                      (stat)
    stacked: true | false                   (timeseries; series stacked in legend order, per axis)
    annotations: [{query: PROMQL, source: ID, title: TEXT} | {alert: NAME, source: ID, title: TEXT}]
                                            (timeseries; vertical markers: samples > 0, or an alert's start)
    sparkline: true | false                 (stat; asks for a range and draws it under the value)
  and per query (timeseries): axis: left | right, unit: UNIT (right axis only; the left uses the panel's)
"""

from __future__ import annotations

from dataclasses import dataclass

THRESHOLD_STYLES = ("line", "band")
LEGEND_SORTS = ("last", "max", "mean", "name")
LEGEND_ORDERS = ("desc", "asc")
COLOR_MODES = ("value", "background")
MAX_MAPPINGS = 64
MAX_COLOR_RULES = 64
MAX_TEXT = 60  # a mapped value or no-data text is a word or two on a tile

AXES = ("left", "right")
MAX_ANNOTATIONS = 16

DISPLAY_KEYS = (
    "thresholds_style", "wrap", "legend", "mappings", "color_mode", "no_data_text",
    "stacked", "annotations", "sparkline",
)


@dataclass(frozen=True, kw_only=True, slots=True)
class Annotation:
    """Vertical markers on a timeseries: where `query` has a sample > 0, or where alert `alert` started."""

    source: str
    title: str
    query: str = ""  # PromQL on a metrics source (e.g. changes(deploy_timestamp[1m]) > 0)
    alert: str = ""  # an alert name on an alert source (Alertmanager): a marker at its startsAt


@dataclass(frozen=True, kw_only=True, slots=True)
class ValueMapping:
    """Show `text` instead of the number when the value equals `value`."""

    value: float
    text: str


@dataclass(frozen=True, kw_only=True, slots=True)
class SeriesColor:
    """Series whose legend name matches `pattern` (re.search) take `color`."""

    pattern: str
    color: str


@dataclass(frozen=True, kw_only=True, slots=True)
class PanelDisplay:
    thresholds_style: str = "line"
    wrap: bool = True
    legend_sort: str = "last"
    legend_order: str = "desc"
    series_colors: tuple[SeriesColor, ...] = ()
    mappings: tuple[ValueMapping, ...] = ()
    color_mode: str = "value"
    no_data_text: str = ""
    stacked: bool = False
    annotations: tuple[Annotation, ...] = ()
    sparkline: bool = False


DEFAULT_DISPLAY = PanelDisplay()


def mapped_text(value: float, mappings: tuple[ValueMapping, ...]) -> str | None:
    """The text a value maps to (exact match, the first rule wins), or None."""
    for mapping in mappings:
        if value == mapping.value:
            return mapping.text
    return None
