"""The ScreenManager seam in-process (one offscreen monitor): all monitors gone, then back."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QLabel

from noc_app.screen_manager import ScreenManager
from noc_app.screen_plan import ScreenRequest


def test_no_monitor_hides_then_one_monitor_shares(qtbot) -> None:
    windows = {wid: QLabel(wid) for wid in ("a", "b")}
    for window in windows.values():
        qtbot.addWidget(window)
    manager = ScreenManager(windows, (ScreenRequest(window_id="a"), ScreenRequest(window_id="b", index=1)),
                            fullscreen=False)
    plan = manager.update([])
    assert plan.placements == () and plan.problems
    assert not any(w.isVisible() for w in windows.values())
    screen = QApplication.primaryScreen()
    manager.update([screen])
    assert manager.showing(0) == "a"
    assert windows["a"].isVisible() and not windows["b"].isVisible()
    manager.next_turn()
    assert manager.showing(0) == "b"
    assert windows["b"].isVisible() and not windows["a"].isVisible()
    assert windows["b"].screen() is screen


def test_a_window_holding_its_screen_stays_in_front_of_a_shared_monitor(qtbot) -> None:
    # The takeover's own monitor is missing: its window is hosted on the one present, and a
    # P0 takeover there must not be rotated away every minute.
    windows = {wid: QLabel(wid) for wid in ("a", "b")}
    for window in windows.values():
        qtbot.addWidget(window)
    manager = ScreenManager(windows, (ScreenRequest(window_id="a"), ScreenRequest(window_id="b", index=1)),
                            fullscreen=False)
    manager.update([QApplication.primaryScreen()])
    assert manager.showing(0) == "a"
    manager.hold("b", True)
    assert manager.showing(0) == "b" and windows["b"].isVisible() and not windows["a"].isVisible()
    manager.next_turn()
    manager.next_turn()
    assert manager.showing(0) == "b"  # the turns go on underneath, the held window stays in front
    manager.hold("b", False)
    assert manager.showing(0) in ("a", "b")
    manager.next_turn()
    shown = manager.showing(0)
    manager.next_turn()
    assert manager.showing(0) != shown  # rotating again
