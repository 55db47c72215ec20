"""Text sizes for the room: derived from the window height, never fixed points.

A wall is read from about 5 m.  On a 3840x2160 screen the base text is 36 px and
panel titles about 40 px; the same proportions still fit a 1920x1080 window.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True, slots=True)
class TextScale:
    """Pixel sizes of the wall's text roles for one window height."""

    base_px: int  # body text: incident rows, log lines, tiles
    title_px: int  # panel titles
    pill_px: int  # state pills and badges in panel title bars
    small_px: int  # secondary lines: summaries, lineage, ages
    header_px: int  # the wall window's header bar

    @property
    def gap_px(self) -> int:
        """Space between panels."""
        return max(4, round(self.base_px * 0.25))


def text_scale(window_height: int) -> TextScale:
    """The text sizes for a window of this height (pixels)."""
    h = max(1, int(window_height))
    base = max(12, round(h / 60))
    title = max(13, round(h / 54))
    return TextScale(
        base_px=base,
        title_px=title,
        pill_px=max(11, round(title * 0.78)),
        small_px=max(10, round(base * 0.72)),
        header_px=max(14, round(h / 50)),
    )


def clamp_px(px: int, available_px: int, fraction: float, floor: int = 9) -> int:
    """Shrink a text size so it takes at most `fraction` of the available pixels."""
    return max(floor, min(px, int(available_px * fraction)))
