"""The `display:` section's data: viewing distance, screen size, night dimming, pixel shift.

Read by config/display_section.py; a `screens:` entry may carry its own `display:` whose
keys override the top-level ones for that monitor.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True, slots=True)
class NightDimConfig:
    """Dim the whole window between two local times (minutes after midnight; may wrap midnight)."""

    start_min: int
    end_min: int
    level: float = 0.5  # fraction of brightness taken away: 0 none, 0.8 at most


@dataclass(frozen=True, kw_only=True, slots=True)
class PixelShiftConfig:
    """Move the content by a few pixels every `every_s` seconds against burn-in."""

    every_s: float = 600.0
    max_px: int = 4


@dataclass(frozen=True, kw_only=True, slots=True)
class DisplayConfig:
    viewing_distance_mm: float | None = None  # None: text sizes follow the window height only (today's look)
    diagonal_mm: float | None = None  # None: the platform's size if plausible, else 55"
    night: NightDimConfig | None = None
    pixel_shift: PixelShiftConfig | None = None
    inhibit_blanking: bool = True  # wall and kiosk modes keep the screen on where the platform allows

