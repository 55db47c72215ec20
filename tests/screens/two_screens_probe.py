"""Run in a subprocess with Qt's offscreen plugin configured with two monitors (see test_two_screens.py).

Builds three plain windows asking for screen 0, screen "right" and screen 5, then feeds
the ScreenManager seam a changing monitor list (right unplugged, right back) and prints
what it saw as JSON.
"""

from __future__ import annotations

import json
import sys

from PySide6.QtWidgets import QApplication, QLabel

from noc_app.screen_manager import ScreenManager
from noc_app.screen_plan import ScreenRequest


def main() -> int:
    app = QApplication(sys.argv[:1])
    screens = app.screens()
    windows = {wid: QLabel(f"content of {wid}") for wid in ("a", "b", "c")}
    requests = (
        ScreenRequest(window_id="a", index=0),
        ScreenRequest(window_id="b", name="right"),
        ScreenRequest(window_id="c", index=5),
    )
    manager = ScreenManager(windows, requests, fullscreen=False)
    ids = {wid: id(w) for wid, w in windows.items()}

    def state() -> dict[str, object]:
        app.processEvents()
        return {
            "showing": [manager.showing(i) for i in range(len(manager.plan.on_screen(0)) and 2)],
            "on": {wid: (w.screen().name() if w.isVisible() else None) for wid, w in windows.items()},
            "x": {wid: w.geometry().x() for wid, w in windows.items() if w.isVisible()},
            "problems": list(manager.plan.problems),
        }

    steps: dict[str, object] = {"screens": [s.name() for s in screens]}
    manager.follow_qt()
    steps["start"] = state()
    manager.next_turn()
    steps["turn"] = state()
    manager.update([s for s in screens if s.name() != "right"])  # unplugged
    steps["unplugged"] = state()
    manager.update(screens)  # plugged back
    steps["replugged"] = state()
    steps["same_objects"] = all(id(w) == ids[wid] for wid, w in manager.windows.items())
    steps["texts"] = {wid: w.text() for wid, w in manager.windows.items()}
    print(json.dumps(steps))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
