"""DashboardView: one dashboard's panel frames on a 24-column grid, kept current.

Frames are placed by their GridPos in proportion to the view (x, w of
`dashboard.columns`; y, h of `dashboard.rows`).  When the store reports a
source changed, only the frames reading that source are re-selected; a 1 s
tick re-selects the visible frames so ages advance and time-based staleness
(no success for `stale_after_intervals` intervals) shows up without any poll.
An inactive view (a playlist page not on screen) only remembers what changed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from PySide6.QtCore import QRect, QTimer
from PySide6.QtGui import QResizeEvent, QShowEvent
from PySide6.QtWidgets import QWidget

from noc_app.config.schema import DashboardConfig, GridPos
from noc_app.panel_keys import panel_sources
from noc_app.selectors_incidents import AlertsMemo
from noc_app.selectors_wall import read_sources, select_panels
from noc_app.store_view import StoreView
from noc_app.themes import Theme
from noc_app.widgets.panel_frame import PanelFrame
from noc_app.widgets.scale import TextScale
from noc_app.widgets.viewing_scale import window_text_scale

TICK_MS = 1000


def grid_rect(pos: GridPos, width: int, height: int, columns: int, rows: int, gap: int) -> QRect:
    """The pixel rectangle of a grid position, with half a gap on every side."""
    left = round(width * pos.x / columns)
    right = round(width * (pos.x + pos.w) / columns)
    top = round(height * pos.y / rows)
    bottom = round(height * (pos.y + pos.h) / rows)
    half = gap // 2
    return QRect(left + half, top + half, max(0, right - left - gap), max(0, bottom - top - gap))


class DashboardView(QWidget):
    """The frames of one dashboard, laid out on the grid and refreshed from the store."""

    def __init__(
        self,
        dashboard: DashboardConfig,
        store: StoreView,
        theme: Theme,
        *,
        stale_after_intervals: float = 3.0,
        memo: AlertsMemo | None = None,
        clock: Callable[[], float] = time.time,
        tooltips: bool = True,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.dashboard = dashboard
        self._store = store
        self._memo = memo if memo is not None else AlertsMemo()  # the window shares one across its views
        self._theme = theme
        self._stale_after = stale_after_intervals
        self._clock = clock
        self._active = True
        self._dirty: set[str] = set()
        self._scale: TextScale | None = None
        self._frames: dict[str, PanelFrame] = {}
        self._by_source: dict[str, list[PanelFrame]] = {}
        for panel in dashboard.panels:
            frame = PanelFrame(panel, theme, tooltips=tooltips, parent=self)
            self._frames[panel.id] = frame
            for sid in panel_sources(panel):
                self._by_source.setdefault(sid, []).append(frame)
        # Rows grow to hold a panel placed below the configured grid rather than clip it.
        self._rows = max([dashboard.rows, *(p.grid.y + p.grid.h for p in dashboard.panels)])
        self._columns = max([dashboard.columns, *(p.grid.x + p.grid.w for p in dashboard.panels)])
        self._flush_timer = QTimer(self, singleShot=True, interval=0)
        self._flush_timer.timeout.connect(self._flush)
        self._tick_timer = QTimer(self, interval=TICK_MS)
        self._tick_timer.timeout.connect(self.tick)
        self._tick_timer.start()
        store.changed.connect(self._on_source)
        store.status_changed.connect(self._on_source)
        self.refresh_frames(self._frames.values())

    # -- public --------------------------------------------------------------------

    def frames(self) -> tuple[PanelFrame, ...]:
        return tuple(self._frames.values())

    def frame(self, panel_id: str) -> PanelFrame:
        return self._frames[panel_id]

    def set_active(self, active: bool) -> None:
        """Active views follow the store; inactive ones catch up when activated."""
        self._active = active
        if active:
            self.tick()

    def tick(self) -> None:
        """Re-select every frame: ages advance, time-based staleness appears."""
        if self._active:
            self._dirty.clear()
            self.refresh_frames(self._frames.values())

    def refresh_frames(self, frames: Iterable[PanelFrame]) -> None:
        """Select and show the current data of these frames."""
        frames = tuple(frames)
        sources = {sid for frame in frames for sid in panel_sources(frame.panel)}
        snapshots, statuses = read_sources(self._store, sources)
        selections = select_panels(
            (f.panel for f in frames), self.dashboard.id, snapshots, statuses, self._clock(), self._stale_after,
            self._memo,
        )
        for frame, selection in zip(frames, selections, strict=True):
            frame.set_interval_s(selection.interval_s)
            frame.refresh(selection.data)

    # -- store signals -----------------------------------------------------------

    def _on_source(self, source_id: str) -> None:
        if source_id in self._by_source:
            self._dirty.add(source_id)
            if self._active and not self._flush_timer.isActive():
                self._flush_timer.start()  # coalesce status_changed + changed of one poll

    def _flush(self) -> None:
        if not self._active or not self._dirty:
            return
        frames: dict[str, PanelFrame] = {}
        for sid in self._dirty:
            for frame in self._by_source.get(sid, ()):
                frames[frame.panel.id] = frame
        self._dirty.clear()
        self.refresh_frames(frames.values())

    # -- layout --------------------------------------------------------------------

    def _relayout(self) -> None:
        scale = window_text_scale(self)
        w, h = self.width(), self.height()
        for frame in self._frames.values():
            frame.set_scale(scale)
            frame.setGeometry(grid_rect(frame.panel.grid, w, h, self._columns, self._rows, scale.gap_px))
        self._scale = scale

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._relayout()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._relayout()
