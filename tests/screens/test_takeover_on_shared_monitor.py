"""A P0 takeover on a window whose own monitor is missing keeps the front of the monitor that hosts it
(noc_app.app.place_and_show wires WallWindow.takeover_changed to the ScreenManager)."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

from noc_app.app import place_and_show
from noc_app.themes import load_theme
from noc_app.widgets.wall_window import WallWindow
from tests.widgets.wall_testkit import FakeClock, app_config, dashboard, panel, store_with


def _window(qtbot, screen_id: str, index: int) -> WallWindow:
    dash = dashboard(panel("t", "text", source=None, text="hello"), did=f"d_{screen_id}")
    window = WallWindow(app_config(dash), (dash,), store_with(("src", "prometheus")), load_theme("dark"),
                        mode=app_config(dash).mode, clock=FakeClock(), quit_clock=FakeClock())
    window.setProperty("noc_screen_id", screen_id)
    window.setProperty("noc_screen_index", index)
    window.setProperty("noc_screen_name", "")
    qtbot.addWidget(window)
    return window


def test_the_taken_over_window_stays_in_front_of_the_monitor_it_shares(qtbot):
    main, side = _window(qtbot, "main", 0), _window(qtbot, "side", 1)  # one offscreen monitor: side is hosted
    manager = place_and_show([main, side], fullscreen=False)
    manager.setParent(main)
    assert manager.showing(0) == "main" and main.isVisible() and not side.isVisible()
    side.take_over(QLabel("P0 INCIDENT"))
    assert manager.showing(0) == "side" and side.isVisible() and not main.isVisible()
    manager.next_turn()
    assert manager.showing(0) == "side"  # the share timer does not rotate a takeover away
    side.give_back()
    manager.next_turn()
    first = manager.showing(0)
    manager.next_turn()
    assert manager.showing(0) != first  # sharing again
