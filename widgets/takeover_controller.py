"""Applies the P0 takeover policy (noc_app.takeover) to one wall window, every second and on new data.

It reads the alerts every source holds, asks `decide_takeover` with the window's clock, and swaps the
window to a TakeoverView (WallWindow.take_over) or back to its playlist (give_back).  It decides
nothing itself; the view draws.  `suppressed(alert)` leaves incidents out (e.g. flapping ones).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from PySide6.QtCore import QObject, QTimer

from noc_app.config.schema import AppConfig, DashboardConfig
from noc_app.model import Alert
from noc_app.selectors import PanelView, source_state
from noc_app.store_view import StoreView
from noc_app.takeover import (
    NO_TAKEOVER,
    IncidentId,
    PriorityMemo,
    TakeoverDecision,
    decide_takeover,
    incident_id,
    never_suppressed,
    snapshot_alerts,
)
from noc_app.themes import Theme
from noc_app.widgets.takeover_view import LogRunner, TakeoverView
from noc_app.widgets.wall_window import WallWindow

TICK_MS = 1000
LOG_REFRESH_S = 30.0


def store_alerts(store: StoreView) -> tuple[Alert, ...]:
    """Every alert the store holds now, across its sources (the policy de-duplicates)."""
    return snapshot_alerts(store.snapshot(source_id) for source_id in store.source_ids())


class TakeoverController(QObject):
    def __init__(self, window: WallWindow, store: StoreView, config: AppConfig, theme: Theme, *,
                 dashboards: Sequence[DashboardConfig] | None = None, log_runner: LogRunner | None = None,
                 suppressed: Callable[[Alert], bool] = never_suppressed,
                 clock: Callable[[], float] = time.time, parent: QObject | None = None) -> None:
        super().__init__(parent if parent is not None else window)
        self.window = window
        self.store = store
        self.config = config
        self.suppressed = suppressed
        self.clock = clock
        self.decision: TakeoverDecision = NO_TAKEOVER
        self._first_seen: dict[IncidentId, float] = {}
        self._levels = PriorityMemo(config.severity_levels)
        self._decided_on: tuple[tuple[str, str | None], ...] | None = None  # the snapshots last decided on
        self._logs_read_at = 0.0
        self.view = TakeoverView(
            store, theme, dashboards=dashboards if dashboards is not None else config.dashboards,
            sources=config.sources, levels=config.severity_levels, log_runner=log_runner, clock=clock,
            stale_after_intervals=config.stale_after_intervals, memo=window.alerts_memo,
        )
        self.view.hide()
        self._timer = QTimer(self, interval=TICK_MS)
        self._timer.timeout.connect(self.tick)
        self._timer.start()
        store.changed.connect(lambda _sid: self.tick())

    def _feed(self, decision: TakeoverDecision, now: float) -> PanelView | None:
        """The data state of the incident's source (STALE with its age when the feed died)."""
        if decision.alert is None:
            return None
        sid = decision.alert.source_id
        if sid not in self.store.source_ids():
            return None
        return source_state(self.store.status(sid), self.store.snapshot(sid), now, self.config.stale_after_intervals)

    @property
    def taken_over(self) -> bool:
        return self.window.takeover_widget is self.view

    def tick(self) -> TakeoverDecision:
        """Decide now (again only when a snapshot changed: 5,000 alerts cost tens of ms), and show it."""
        now = self.clock()
        key = tuple((sid, snap.fingerprint if (snap := self.store.snapshot(sid)) is not None else None)
                    for sid in self.store.source_ids())
        if key != self._decided_on:
            self._decided_on = key
            self.decision = self._decide(now)
        decision = self.decision
        if decision.active:
            new = self.view.decision is None or self.view.decision.incident != decision.incident
            self.view.show_decision(decision)
            self.view.set_feed(self._feed(decision, now))
            if new:
                self._logs_read_at = now
            elif now - self._logs_read_at >= LOG_REFRESH_S:
                self._logs_read_at = now
                self.view.refresh_logs()
            if not self.taken_over:
                self.window.take_over(self.view, title=f"{decision.level.id if decision.level else ''} INCIDENT")
        elif self.taken_over:
            self.view.decision = None
            self.window.give_back()
        return decision

    def _decide(self, now: float) -> TakeoverDecision:
        alerts = store_alerts(self.store)
        present = {incident_id(a) for a in alerts}
        for key in present:
            self._first_seen.setdefault(key, now)
        for key in [k for k in self._first_seen if k not in present]:
            del self._first_seen[key]
        return decide_takeover(alerts, self.config.takeover, self.window.mode, now,
                               levels=self.config.severity_levels, suppressed=self.suppressed,
                               first_seen=self._first_seen, level_of=self._levels)
