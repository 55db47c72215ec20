"""How a panel shows its data, beyond what it queries: per-kind display options.

    thresholds_style: line | band          (timeseries; default line: dashed levels, no shading)
    wrap: true | false                     (logs; default true: long lines wrap, else end in '…')
    legend: {sort: last|max|mean|name, order: desc|asc,
             colors: [{match: REGEX, color: '#rrggbb'}]}   (timeseries)
    mappings: [{value: 1, text: UP}, ...]  (stat)
    color_mode: value | background          (stat; background: the whole tile takes the colour)
    no_data_text: TEXT                      (stat)
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

DISPLAY_KEYS = ("thresholds_style", "wrap", "legend", "mappings", "color_mode", "no_data_text")


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


DEFAULT_DISPLAY = PanelDisplay()


def mapped_text(value: float, mappings: tuple[ValueMapping, ...]) -> str | None:
    """The text a value maps to (exact match, the first rule wins), or None."""
    for mapping in mappings:
        if value == mapping.value:
            return mapping.text
    return None
