"""Night dimming and burn-in pixel shift: pure policies over an injected time.

Dimming darkens the whole window by one factor (an overlay), so every colour keeps its
hue and their order of brightness: amber stays amber next to red, and the level is capped
(MAX_DIM_LEVEL) so the darkest severity colour still stands out from the background.
The pixel shift walks the content over a (2*max+1)^2 grid of offsets, one pixel per step
(a serpentine path), inside a margin of `max` pixels on every side, so nothing is cut off.
"""

from __future__ import annotations

from noc_app.config.display_schema import NightDimConfig, PixelShiftConfig

MINUTES_PER_DAY = 24 * 60
# Dimmer than this and the severity colours of the dark theme come within ~30 (sum of RGB
# channel differences) of each other: amber next to red is no longer obvious across a room.
MAX_DIM_LEVEL = 0.7


def in_night(night: NightDimConfig, local_minute: int) -> bool:
    """True when this minute of the local day lies in [start, end), which may wrap midnight."""
    minute = local_minute % MINUTES_PER_DAY
    if night.start_min < night.end_min:
        return night.start_min <= minute < night.end_min
    return minute >= night.start_min or minute < night.end_min


def dim_level(night: NightDimConfig | None, local_minute: int) -> float:
    """How much brightness to take away now: 0 outside the night range (or with no night configured)."""
    if night is None or not in_night(night, local_minute):
        return 0.0
    return max(0.0, min(MAX_DIM_LEVEL, night.level))


def shift_path(max_px: int) -> tuple[tuple[int, int], ...]:
    """Every offset within +-max_px, row by row in alternating directions: neighbours are 1 px apart."""
    span = range(-max_px, max_px + 1)
    return tuple((dx if row % 2 == 0 else -dx, dy) for row, dy in enumerate(span) for dx in span)


def pixel_offset(shift: PixelShiftConfig | None, now_s: float) -> tuple[int, int]:
    """Where the content sits now, (dx, dy) pixels from the centre; (0, 0) with no shift configured."""
    if shift is None or shift.max_px <= 0:
        return (0, 0)
    path = shift_path(shift.max_px)
    step = int(now_s // shift.every_s) % len(path)
    return path[step]


def shifted_margins(shift: PixelShiftConfig | None, offset: tuple[int, int]) -> tuple[int, int, int, int]:
    """Left, top, right, bottom margins that place the content at `offset` inside a `max_px` border."""
    if shift is None:
        return (0, 0, 0, 0)
    m, (dx, dy) = shift.max_px, offset
    return (m + dx, m + dy, m - dx, m - dy)
