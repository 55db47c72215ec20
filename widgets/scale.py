"""Text sizes for the room: derived from the window height, never fixed points.

A wall is read from about 5 m.  On a 3840x2160 screen the base text is 36 px and
panel titles about 40 px; the same proportions still fit a 1920x1080 window.  With a
viewing distance configured (`display:`, noc_app.viewing) every role is also held at or
above the floor its arc-minute target gives: `major_px` for titles, big numbers, incident
names and priorities, `minor_px` for axis labels, legends, log lines and summaries.
"""

from __future__ import annotations

from dataclasses import dataclass

from noc_app.viewing import NO_FLOORS, TextFloors


@dataclass(frozen=True, kw_only=True, slots=True)
class TextScale:
    """Pixel sizes of the wall's text roles for one window height."""

    base_px: int  # body text: incident rows, log lines, tiles
    title_px: int  # panel titles
    pill_px: int  # state pills and badges in panel title bars
    small_px: int  # secondary lines: summaries, lineage, ages
    header_px: int  # the wall window's header bar
    major_px: int = 0  # floor of titles, big numbers, incident names, priorities (0: no viewing distance)
    minor_px: int = 0  # floor of axis labels, legends, log lines, summaries, the feed strip

    @property
    def gap_px(self) -> int:
        """Space between panels."""
        return max(4, round(self.base_px * 0.25))


def text_scale(window_height: int, floors: TextFloors = NO_FLOORS) -> TextScale:
    """The text sizes for a window of this height (pixels), none below the distance's floors."""
    h = max(1, int(window_height))
    base = max(12, round(h / 60), floors.minor_px)
    title = max(13, round(h / 54), floors.major_px)
    return TextScale(
        base_px=base,
        title_px=title,
        pill_px=max(11, round(title * 0.78), floors.minor_px),
        small_px=max(10, round(base * 0.72), floors.minor_px),
        header_px=max(14, round(h / 50), floors.minor_px),  # the header is secondary: the panels carry the wall
        major_px=floors.major_px,
        minor_px=floors.minor_px,
    )


def clamp_px(px: int, available_px: int, fraction: float, floor: int = 9) -> int:
    """Shrink a text size so it takes at most `fraction` of the available pixels."""
    return max(floor, min(px, int(available_px * fraction)))
