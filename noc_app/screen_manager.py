"""Keeps the wall windows on the monitors present, as monitors come and go.

The seam: `update(screens)` takes the current monitor list (QScreen objects, Qt's
order) and applies noc_app.screen_plan to it: each window is moved to its monitor;
windows sharing a monitor (their own is missing) take turns there, except that a
window holding its screen (`hold`: a P0 takeover) stays in front until it lets go,
so a takeover is never rotated away because its own monitor is missing.  `follow_qt()`
feeds it QGuiApplication's list on screenAdded/screenRemoved; tests feed it lists
directly.  Windows are never destroyed, so their dashboards keep their data.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QGuiApplication, QScreen
from PySide6.QtWidgets import QWidget

from noc_app.screen_plan import ScreenPlan, ScreenRequest, plan_screens

log = logging.getLogger(__name__)

DEFAULT_SHARE_INTERVAL_S = 60.0  # a monitor hosting a missing one's window switches this often


class ScreenManager(QObject):
    def __init__(
        self,
        windows: Mapping[str, QWidget],
        requests: Sequence[ScreenRequest],
        *,
        fullscreen: bool,
        share_interval_s: float = DEFAULT_SHARE_INTERVAL_S,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.windows = dict(windows)
        self.requests = tuple(requests)
        self.fullscreen = fullscreen
        self.plan = ScreenPlan(placements=())
        self._screens: tuple[QScreen, ...] = ()
        self._turn: dict[int, int] = {}  # monitor -> which of its windows shows now
        self._held: set[str] = set()  # windows that keep the front of their monitor (a takeover)
        self._share = QTimer(self, interval=max(1, round(share_interval_s * 1000)))
        self._share.timeout.connect(self.next_turn)

    def follow_qt(self) -> None:
        """Re-plan whenever Qt reports a monitor added or removed (queued: Qt finishes its own moves first)."""
        app = QGuiApplication.instance()
        assert isinstance(app, QGuiApplication)
        app.screenAdded.connect(lambda _screen: QTimer.singleShot(0, self, self._update_from_qt))
        app.screenRemoved.connect(lambda gone: QTimer.singleShot(0, self, lambda: self._update_from_qt(gone)))
        self._update_from_qt()

    def _update_from_qt(self, gone: QScreen | None = None) -> None:
        self.update([s for s in QGuiApplication.screens() if s is not gone])

    def update(self, screens: Sequence[QScreen]) -> ScreenPlan:
        """Apply the plan for these monitors; returns it (the tests' and the log's view)."""
        self._screens = tuple(screens)
        plan = plan_screens(self.requests, tuple(s.name() for s in self._screens))
        for problem in plan.problems:
            log.warning("%s", problem)
        self.plan = plan
        self._turn = {}
        placed = {p.window_id for p in plan.placements}
        for window_id, window in self.windows.items():
            if window_id not in placed:
                window.hide()
        for index, screen in enumerate(self._screens):
            for window_id in plan.on_screen(index):
                window = self.windows[window_id]
                window.setScreen(screen)
                window.setGeometry(screen.availableGeometry())
        self._show_turns()
        if any(len(plan.on_screen(i)) > 1 for i in range(len(self._screens))):
            self._share.start()
        else:
            self._share.stop()
        return plan

    def showing(self, screen: int) -> str | None:
        """The window a monitor shows now: one holding it, else whose turn it is."""
        ids = self.plan.on_screen(screen)
        held = [window_id for window_id in ids if window_id in self._held]
        if held:
            return held[0]
        return ids[self._turn.get(screen, 0) % len(ids)] if ids else None

    def hold(self, window_id: str, holding: bool) -> None:
        """A window takes (a P0 takeover) or gives back the front of the monitor it shares."""
        if holding == (window_id in self._held):
            return
        if holding:
            self._held.add(window_id)
        else:
            self._held.discard(window_id)
        self._show_turns()

    def next_turn(self) -> None:
        """The next window on every shared monitor."""
        for index in range(len(self._screens)):
            if len(self.plan.on_screen(index)) > 1:
                self._turn[index] = self._turn.get(index, 0) + 1
        self._show_turns()

    def _show_turns(self) -> None:
        for index in range(len(self._screens)):
            front = self.showing(index)
            for window_id in self.plan.on_screen(index):
                window = self.windows[window_id]
                if window_id != front:
                    window.hide()
                elif self.fullscreen:
                    window.showFullScreen()
                else:
                    window.show()  # the others on this monitor are hidden: no raise needed
