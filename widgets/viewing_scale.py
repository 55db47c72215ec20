"""The window's text sizes with its monitor's viewing-distance floors (the Qt side of noc_app.viewing).

The wall window carries its screen's `display:` config as `display_config`; every widget
that sizes text asks `window_text_scale(self)`, so panels, header and feed strip agree.
"""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from noc_app.config.display_schema import DisplayConfig
from noc_app.viewing import NO_FLOORS, TextFloors, physical_size, text_floors
from noc_app.widgets.scale import TextScale, text_scale


def screen_floors(window: QWidget, display: DisplayConfig) -> TextFloors:
    """Text floors for the window's monitor: its pixels and physical size (or the configured diagonal).

    A window larger than its screen (an offscreen render, a screenshot) is taken as the screen
    itself, and the platform's millimetres, which describe another screen, are ignored.
    """
    if display.viewing_distance_mm is None:
        return NO_FLOORS
    width_px, height_px = window.width(), window.height()
    reported: tuple[float, float] | None = None
    screen = window.screen()
    if screen is not None:
        geometry = screen.geometry()
        if width_px <= geometry.width() and height_px <= geometry.height():
            width_px, height_px = geometry.width(), geometry.height()
            mm = screen.physicalSize()
            reported = (mm.width(), mm.height())
    size = physical_size(width_px, height_px, reported, display.diagonal_mm)
    return text_floors(display.viewing_distance_mm, size, height_px)


def window_text_scale(widget: QWidget) -> TextScale:
    """The text sizes of the window `widget` is in."""
    window = widget.window()
    display = getattr(window, "display_config", None)
    floors = screen_floors(window, display) if isinstance(display, DisplayConfig) else NO_FLOORS
    return text_scale(window.height(), floors)
