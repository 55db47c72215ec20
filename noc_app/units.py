"""Value and duration formatting for the wall (pure)."""

from __future__ import annotations

import math

_BYTE_STEPS = ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k"))
# Durations are written in the largest unit they fill (Node Exporter Full's uptime: days, not 1,234,567 s).
_DURATION_STEPS = ((86400.0, "d"), (3600.0, "h"), (60.0, "min"))
PERCENT_OF_ONE = "percentunit"  # values are ratios 0-1, shown x100 with %
# Grafana's boolean units: 0 is the second word, any other value the first (a collector up or down).
BOOL_WORDS = {"bool": ("true", "false"), "bool_yes_no": ("yes", "no"), "bool_on_off": ("on", "off")}


def format_value(value: float, unit: str = "", decimals: int | None = None, *, scale_by: float | None = None) -> str:
    """Human text for a value in a unit: '83 ms', '1.2 MB/s', '0.42 %', '512 req/s', '3.5 h'.

    scale_by picks a duration's unit (min, h, d) from another magnitude than the value's
    own: an axis passes its tick step, so every tick of one axis is in the same unit.
    """
    if value is None or not math.isfinite(value):
        if value is not None and math.isinf(value):
            return "+Inf" if value > 0 else "-Inf"
        return "–"
    if unit in BOOL_WORDS:
        return BOOL_WORDS[unit][1 if value == 0 else 0]
    if unit in ("s", "ms"):
        return format_duration(value, unit, decimals, scale_by=scale_by)
    if unit in ("B", "B/s", "bytes", "Bps"):
        suffix = "/s" if unit in ("B/s", "Bps") else ""
        for scale, prefix in _BYTE_STEPS:
            if abs(value) >= scale:
                return f"{_num(value / scale, decimals)} {prefix}B{suffix}"
        return f"{_num(value, decimals)} B{suffix}"
    if unit == "%":
        return f"{_num(value, decimals)} %"
    if unit == PERCENT_OF_ONE:  # a 0-1 ratio shown as a percentage (Grafana's unit of the same name)
        return f"{_num(value * 100.0, decimals)} %"
    text = _num(value, decimals)
    return f"{text} {unit}" if unit else text


def format_duration(
    value: float, unit: str = "s", decimals: int | None = None, *, scale_by: float | None = None
) -> str:
    """A duration in s or ms, in the largest unit it fills: '83 ms', '42 s', '1.50 s', '12.5 min',
    '3.50 h', '14.2 d'.  With `decimals`, below a minute the configured unit stays (1,500 ms)."""
    to_seconds = 0.001 if unit == "ms" else 1.0
    seconds = value * to_seconds
    magnitude = abs(seconds if scale_by is None else scale_by * to_seconds)
    for size, name in _DURATION_STEPS:
        if magnitude >= size:
            return f"{_num(seconds / size, decimals)} {name}"
    if decimals is not None or magnitude == 0:
        return f"{_num(value, decimals)} {unit}"
    if magnitude < 1:
        return f"{_num(seconds * 1000, None)} ms"
    return f"{_num(seconds, None)} s"


def _num(value: float, decimals: int | None) -> str:
    if decimals is not None:
        return f"{value:,.{decimals}f}"
    magnitude = abs(value)
    if magnitude >= 100 or value == int(value):
        return f"{value:,.0f}"
    if magnitude >= 10:
        return f"{value:.1f}"
    if magnitude >= 1:
        return f"{value:.2f}"
    return f"{value:.3g}"


def format_age(seconds: float) -> str:
    """Compact age: '42s', '4m12s', '3h05m', '2d04h'."""
    s = max(0, int(seconds))
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s"
    if s < 86400:
        return f"{s // 3600}h{(s % 3600) // 60:02d}m"
    return f"{s // 86400}d{(s % 86400) // 3600:02d}h"
