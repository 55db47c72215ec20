"""The `display:` section: readable at distance, night dimming, pixel shift, blanking.

    display:
      viewing_distance: 4m     # text sizes from the distance and the screen's size
      diagonal: 65in           # overrides what the platform reports (default: its size if plausible, else 55")
      night: {from: "22:00", to: "06:00", level: 0.5}
      pixel_shift: {every: 10m, max: 4}
      inhibit_blanking: true   # wall and kiosk modes keep the screen on (default)

A `screens:` entry may carry its own `display:`; the keys it gives override these for that monitor.
"""

from __future__ import annotations

import re

from yaml.nodes import Node

from noc_app.config.display_schema import DisplayConfig, NightDimConfig, PixelShiftConfig
from noc_app.config.lengths import LengthError, parse_length_mm
from noc_app.config.yaml_nodes import MapReader, Walk
from noc_app.display_policy import MAX_DIM_LEVEL

DISPLAY_KEYS = ("viewing_distance", "diagonal", "night", "pixel_shift", "inhibit_blanking")
_NIGHT_KEYS = ("from", "to", "level")
_SHIFT_KEYS = ("every", "max")
_CLOCK = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")
MAX_SHIFT_PX = 16
DISTANCE_RANGE_MM = (300.0, 50_000.0)  # a desk to the back of a large hall
DIAGONAL_RANGE_MM = (254.0, 3810.0)  # 10" to 150"


def read_display(walk: Walk, top: MapReader, base: DisplayConfig | None = None) -> DisplayConfig:
    """The `display:` mapping of `top` (a file's top level or one screen); absent keys keep `base`'s values."""
    base = base or DisplayConfig()
    node = top.sub_mapping("display")
    if node is None:
        return base
    item = MapReader(walk, node, top.sub("display"), DISPLAY_KEYS)
    return DisplayConfig(
        viewing_distance_mm=_length(walk, item, "viewing_distance", "m", DISTANCE_RANGE_MM, base.viewing_distance_mm),
        diagonal_mm=_length(walk, item, "diagonal", "in", DIAGONAL_RANGE_MM, base.diagonal_mm),
        night=_night(walk, item) if item.has("night") else base.night,
        pixel_shift=_pixel_shift(walk, item) if item.has("pixel_shift") else base.pixel_shift,
        inhibit_blanking=item.boolean("inhibit_blanking", base.inhibit_blanking),
    )


def _length(walk: Walk, item: MapReader, key: str, unit: str, bounds: tuple[float, float],
            default: float | None) -> float | None:
    node = item.get(key)
    if node is None:
        return default
    value = walk.text(node, item.sub(key))
    if value is None:
        return default
    try:
        mm = parse_length_mm(value, unit)
    except LengthError as exc:
        walk.error(node, item.sub(key), str(exc))
        return default
    low, high = bounds
    if not low <= mm <= high:
        shown = f"{low / 1000:g}m to {high / 1000:g}m" if unit == "m" else f"{low / 25.4:g}in to {high / 25.4:g}in"
        walk.error(node, item.sub(key), f"expected {shown}, got {value!r}")
        return default
    return mm


def _clock_minutes(walk: Walk, node: Node | None, path: str) -> int | None:
    text = None if node is None else walk.text(node, path)
    match = _CLOCK.fullmatch(text.strip()) if text is not None else None
    if match is None:
        if text is not None:
            walk.error(node, path, f"expected a local time like 22:00, got {text!r}")
        return None
    return int(match.group(1)) * 60 + int(match.group(2))


def _night(walk: Walk, item: MapReader) -> NightDimConfig | None:
    node = item.sub_mapping("night")
    if node is None:
        return None
    night = MapReader(walk, node, item.sub("night"), _NIGHT_KEYS)
    start = _clock_minutes(walk, night.require("from"), night.sub("from"))
    end = _clock_minutes(walk, night.require("to"), night.sub("to"))
    level = night.number("level", 0.5, minimum=0.0, maximum=MAX_DIM_LEVEL)
    if start is None or end is None:
        return None
    if start == end:
        walk.error(night.nodes["to"], night.sub("to"), "'from' and 'to' are the same time; the range would be empty")
        return None
    return NightDimConfig(start_min=start, end_min=end, level=0.5 if level is None else level)


def _pixel_shift(walk: Walk, item: MapReader) -> PixelShiftConfig | None:
    node = item.sub_mapping("pixel_shift")
    if node is None:
        return None
    shift = MapReader(walk, node, item.sub("pixel_shift"), _SHIFT_KEYS)
    every = shift.duration("every", 600.0, minimum=10.0, maximum=86400.0)
    most = shift.integer("max", 4, minimum=1, maximum=MAX_SHIFT_PX)
    return PixelShiftConfig(every_s=600.0 if every is None else every, max_px=4 if most is None else most)
