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
