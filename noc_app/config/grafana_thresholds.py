"""Grafana thresholds and colours -> our Threshold levels (pure).

Legacy singlestat "85,95" strings with colors[], graph thresholds [{value, colorMode, op}]
and modern fieldConfig steps; a colour stands for a severity (green fine, orange warning, red critical).
"""

from __future__ import annotations

import colorsys
import re
from collections.abc import Mapping
from typing import Any

from noc_app.config.grafana_layout import JsonMap, finite_number
from noc_app.config.schema import Threshold
from noc_app.config.thresholds import parse_threshold_list, thresholds_from_numbers
from noc_app.model import Severity

_LEGACY_SINGLESTAT_COLORS = ("#299c46", "rgba(237, 129, 40, 0.89)", "#d44a3a")  # Grafana's defaults
_OK = None  # a colour that means "fine": no threshold is crossed into it
_BADNESS = {None: 0, Severity.INFO: 1, Severity.WARNING: 2, Severity.HIGH: 3, Severity.CRITICAL: 4}
_NAMED_COLORS = {
    "green": _OK, "text": _OK, "transparent": _OK, "blue": Severity.INFO, "purple": Severity.INFO,
    "yellow": Severity.WARNING, "orange": Severity.WARNING, "red": Severity.CRITICAL,
}

_Band = Severity | None | bool  # a colour's severity; False when it cannot be read


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _defaults(panel: JsonMap) -> JsonMap:
    field_config = panel.get("fieldConfig")
    defaults = field_config.get("defaults") if isinstance(field_config, Mapping) else None
    return defaults if isinstance(defaults, Mapping) else {}


def percentage_thresholds(panel: JsonMap) -> bool:
    """True when the panel's steps are relative to min/max (imported only when both are set)."""
    steps = _defaults(panel).get("thresholds")
    return isinstance(steps, Mapping) and steps.get("mode", "absolute") != "absolute"


def grafana_thresholds(panel: JsonMap, low: float | None = None,
                       high: float | None = None) -> tuple[Threshold, ...]:
    """Our levels; percentage steps become absolute (low + pct% of high - low) when both bounds are known."""
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
    if not isinstance(steps, Mapping):
        return ()
    mode = steps.get("mode", "absolute")
    known = low is not None and high is not None and low < high
    if mode != "absolute" and not (mode == "percentage" and known):
        return ()  # relative to the data's own min/max: not imported
    pairs = [(s.get("value"), s.get("color")) for s in _list(steps.get("steps")) if isinstance(s, Mapping)]
    if mode == "percentage" and low is not None and high is not None:
        pairs = [(_absolute(v, low, high), c) for v, c in pairs]
    base = [color for value, color in pairs if value is None][:1] or ["green"]
    numbered = ((finite_number(v), c) for v, c in pairs)
    rest = sorted(((v, c) for v, c in numbered if v is not None), key=lambda pair: pair[0])
    return _from_steps([None, *(v for v, _ in rest)], [base[0], *(c for _, c in rest)])


def _absolute(percent: object, low: float, high: float) -> float | None:
    value = finite_number(percent)
    if value is None:
        return None
    return float(f"{low + value / 100 * (high - low):.12g}")  # 0.7, not 0.7000000000000001


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
