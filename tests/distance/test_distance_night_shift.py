"""Night dimming and pixel shift: the pure policies over an injected clock, and the window applying them."""

from __future__ import annotations

import dataclasses
import itertools
import time

import pytest
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication

from noc_app.config.display_schema import DisplayConfig, NightDimConfig, PixelShiftConfig
from noc_app.display_policy import MAX_DIM_LEVEL, dim_level, in_night, pixel_offset, shift_path, shifted_margins
from noc_app.themes import load_theme
from noc_app.widgets.wall_window import WallWindow
from tests.distance.distance_glyphs import pixels
from tests.widgets.wall_testkit import FakeClock, app_config, dashboard, panel, store_with

NIGHT = NightDimConfig(start_min=22 * 60, end_min=6 * 60, level=0.5)
DAYTIME = NightDimConfig(start_min=9 * 60, end_min=17 * 60, level=0.3)


@pytest.mark.parametrize(("minute", "inside"), [
    (21 * 60 + 59, False), (22 * 60, True), (23 * 60 + 59, True), (0, True), (5 * 60 + 59, True), (6 * 60, False),
    (12 * 60, False),
])
def test_a_night_range_wraps_midnight(minute, inside):
    assert in_night(NIGHT, minute) is inside
    assert dim_level(NIGHT, minute) == (0.5 if inside else 0.0)


def test_a_day_range_does_not_wrap_and_no_night_means_no_dimming():
    assert in_night(DAYTIME, 9 * 60) and not in_night(DAYTIME, 17 * 60) and not in_night(DAYTIME, 3 * 60)
    assert dim_level(None, 23 * 60) == 0.0
    assert dim_level(dataclasses.replace(NIGHT, level=0.99), 23 * 60) == MAX_DIM_LEVEL


@pytest.mark.parametrize("theme", ["dark", "light", "high-contrast"])
def test_at_the_deepest_dimming_severity_colours_stay_apart(theme):
    colors = {k: QColor(load_theme(theme).color(k)) for k in ("critical", "warning", "ok", "unknown", "panel")}
    keep = 1 - MAX_DIM_LEVEL
    dimmed = {k: (c.red() * keep, c.green() * keep, c.blue() * keep) for k, c in colors.items()}
    for a, b in itertools.combinations(dimmed, 2):
        assert sum(abs(x - y) for x, y in zip(dimmed[a], dimmed[b], strict=True)) >= 30, (a, b)


def test_the_shift_visits_every_offset_one_pixel_at_a_time_and_stays_inside_its_margin():
    path = shift_path(2)
    assert len(set(path)) == 25 and all(abs(dx) <= 2 and abs(dy) <= 2 for dx, dy in path)
    for (ax, ay), (bx, by) in itertools.pairwise(path):
        assert abs(ax - bx) + abs(ay - by) == 1
    shift = PixelShiftConfig(every_s=600.0, max_px=2)
    assert pixel_offset(shift, 0.0) == path[0] and pixel_offset(shift, 599.0) == path[0]
    assert pixel_offset(shift, 600.0) == path[1] and pixel_offset(shift, 600.0 * 25) == path[0]
    assert pixel_offset(None, 1e9) == (0, 0)
    for offset in path:
        margins = shifted_margins(shift, offset)
        assert min(margins) >= 0 and margins[0] + margins[2] == 4 and margins[1] + margins[3] == 4
    assert shifted_margins(None, (0, 0)) == (0, 0, 0, 0)


def _local_epoch(hour: int, minute: int = 0) -> float:
    """An epoch whose local time (the machine's zone) is hour:minute today."""
    now = time.localtime()
    return time.mktime((now.tm_year, now.tm_mon, now.tm_mday, hour, minute, 0, 0, 0, -1))


def _window(qtbot, display: DisplayConfig, clock: FakeClock) -> WallWindow:
    dash = dashboard(panel("notes", "text", source=None, text="NOTES", x=0, y=0, w=24, h=12))
    config = dataclasses.replace(app_config(dash), display=display)
    window = WallWindow(config, (dash,), store_with(), load_theme("dark"), mode=config.mode, clock=clock)
    qtbot.addWidget(window)
    window.resize(640, 360)
    with qtbot.waitExposed(window):
        window.show()
    return window


def _mean_brightness(window) -> float:
    QApplication.processEvents()
    return float(pixels(window.grab().toImage()).mean())


def test_the_window_dims_at_night_and_brightens_in_the_morning(qtbot):
    clock = FakeClock(_local_epoch(23))
    window = _window(qtbot, DisplayConfig(night=NIGHT), clock)
    effects = window.display_effects
    assert effects.overlay.isVisible() and effects.overlay.level == 0.5
    assert effects.overlay.geometry() == window.rect()
    dimmed = _mean_brightness(window)
    clock.now = _local_epoch(7)
    effects.apply()
    assert not effects.overlay.isVisible()
    assert _mean_brightness(window) > dimmed * 1.5


def test_the_content_moves_inside_the_margins(qtbot):
    shift = PixelShiftConfig(every_s=60.0, max_px=3)
    clock = FakeClock(0.0)
    window = _window(qtbot, DisplayConfig(pixel_shift=shift), clock)
    effects = window.display_effects
    central = window.centralWidget()
    first = central.layout().contentsMargins()
    assert (first.left(), first.top()) == (0, 0)  # path[0] is (-3, -3): the top-left corner of the orbit
    clock.now = 60.0
    effects.apply()
    QApplication.processEvents()
    moved = central.layout().contentsMargins()
    assert (moved.left(), moved.top(), moved.right(), moved.bottom()) == (1, 0, 5, 6)
    header = window.header.geometry()
    assert header.left() == 1 and header.right() <= central.width() - 1


def test_no_display_config_changes_nothing(qtbot):
    window = _window(qtbot, DisplayConfig(), FakeClock())
    margins = window.centralWidget().layout().contentsMargins()
    assert not window.display_effects.overlay.isVisible()
    assert (margins.left(), margins.top(), margins.right(), margins.bottom()) == (0, 0, 0, 0)
