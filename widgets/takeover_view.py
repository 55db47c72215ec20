"""The takeover view: one incident, readable from across the room, with its linked panels and log lines.

It draws what noc_app.takeover decided (`show_decision`); it decides nothing.  The banner carries the
severity three ways (its colour, the words "P0 CRITICAL", its marker shape), the incident's name in the
largest type of the wall, how long it has been firing, and how many more wait ("2 more P0").  Linked
panels are the dashboards' own panels (same query keys, so the data the poller already has), one small
view each; the log lines come from the injected runner.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from noc_app.config.schema import DashboardConfig, GridPos, SeverityLevel, SourceConfig
from noc_app.display_text import visible
from noc_app.incident_detail import IncidentLogs, incident_detail
from noc_app.incident_links import LinkedPanel
from noc_app.model import DataState
from noc_app.selectors import PanelView
from noc_app.selectors_incidents import AlertsMemo
from noc_app.store_view import StoreView
from noc_app.takeover import TakeoverDecision
from noc_app.themes import Theme
from noc_app.widgets.dashboard_view import DashboardView
from noc_app.widgets.incident_parts import IncidentLogPanel
from noc_app.widgets.plain_text import plain_label
from noc_app.widgets.state_style import severity_glyph, state_words

MAX_PANELS = 4
LogRunner = Callable[[str, str, Callable[[IncidentLogs], None]], None]


class _Banner(QWidget):
    """The severity-coloured band behind the priority and the name."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.color = QColor("#f85149")

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), self.color)
        painter.end()


class TakeoverView(QWidget):
    def __init__(self, store: StoreView, theme: Theme, *, dashboards: Sequence[DashboardConfig] = (),
                 sources: Sequence[SourceConfig] = (), levels: tuple[SeverityLevel, ...] = (),
                 log_runner: LogRunner | None = None,
                 clock: Callable[[], float] = time.time, stale_after_intervals: float = 3.0,
                 memo: AlertsMemo | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("takeover")
        self._store, self._theme, self._clock = store, theme, clock
        self._dashboards = {d.id: d for d in dashboards}
        self._dashboard_list = tuple(dashboards)
        self._sources, self._levels = tuple(sources), levels
        self._log_runner = log_runner
        self._stale_after = stale_after_intervals
        self._memo = memo if memo is not None else AlertsMemo()
        self.decision: TakeoverDecision | None = None
        self.panel_views: list[DashboardView] = []
        self.linked: tuple[LinkedPanel, ...] = ()

        self.banner = _Banner()
        self.priority = plain_label("")
        self.name = plain_label("")
        self.name.setWordWrap(True)
        self.state = plain_label("")
        self.since = plain_label("")
        self.more = plain_label("")
        band = QGridLayout(self.banner)
        band.addWidget(self.priority, 0, 0)
        band.addWidget(self.state, 0, 1, Qt.AlignmentFlag.AlignRight)
        band.addWidget(self.name, 1, 0, 1, 2)
        band.addWidget(self.since, 2, 0)
        band.addWidget(self.more, 2, 1, Qt.AlignmentFlag.AlignRight)
        self.feed = plain_label("")  # the incident's source is not current: said in words, banner greyed
        self.feed.setWordWrap(True)
        self.feed.hide()
        self._feed_view: PanelView | None = None
        self.summary = plain_label("")
        self.summary.setWordWrap(True)
        self.labels = plain_label("")
        self.labels.setWordWrap(True)
        self.panels_row = QHBoxLayout()
        self.no_panels = plain_label("No panel of the loaded dashboards queries its labels")
        self.panels_row.addWidget(self.no_panels)
        self.log_panel = IncidentLogPanel(theme)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.banner)
        column.addWidget(self.feed)
        column.addWidget(self.summary)
        column.addWidget(self.labels)
        column.addLayout(self.panels_row, 5)
        column.addWidget(self.log_panel, 4)
        self._fonts()

    # -- drawing what was decided ---------------------------------------------------

    def show_decision(self, decision: TakeoverDecision) -> None:
        """Show the decided incident (a new one rebuilds the panels and re-reads the logs)."""
        alert = decision.alert
        if alert is None:
            return
        changed = self.decision is None or self.decision.incident != decision.incident
        self.decision = decision
        detail = incident_detail((alert,), self._clock(), levels=self._levels,
                                 dashboards=self._dashboard_list, sources=self._sources)
        self.banner.color = QColor(self._theme.color(alert.severity.value if self._feed_current() else "stale"))
        self.priority.setText(f"{severity_glyph(alert.severity)} {detail.priority}")
        self.name.setText(visible(detail.title))
        self.state.setText("NOT ACKNOWLEDGED")
        self.summary.setText(visible(detail.summary))
        self.summary.setVisible(bool(detail.summary))
        self.labels.setText(visible("   ".join(f"{k}={v}" for k, v in detail.labels if k != "alertname")))
        self.tick()
        if changed:
            self._show_panels(detail.panels[:MAX_PANELS])
            self._run_logs([(q.source_id, q.kind, q.query) for q in detail.log_queries])
        self.banner.update()

    def set_feed(self, view: PanelView | None) -> None:
        """The state of the incident's source: anything but current greys the banner and says why."""
        self._feed_view = view
        current = self._feed_current()
        self.feed.setVisible(not current)
        if not current and view is not None:
            words = state_words(view)
            self.feed.setText(visible(f"{words}: {view.message} — this incident may have changed" if view.message
                                      else f"{words}: this incident may have changed"))
        if self.decision is not None and self.decision.alert is not None:
            key = self.decision.alert.severity.value if current else "stale"
            self.banner.color = QColor(self._theme.color(key))
            self.banner.update()

    def _feed_current(self) -> bool:
        return self._feed_view is None or self._feed_view.state in (DataState.OK, DataState.DEGRADED)

    def tick(self) -> None:
        """Advance 'for 12 min' (the clock is the window's)."""
        if self.decision is not None:
            self.since.setText(visible(f"firing {self.decision.for_text(self._clock())}"))
            self.more.setText(self.decision.more_text())

    def _show_panels(self, linked: Sequence[LinkedPanel]) -> None:
        for view in self.panel_views:
            self.panels_row.removeWidget(view)
            view.deleteLater()
        self.panel_views = []
        self.linked = tuple(linked)
        for item in linked:
            dash = self._dashboards.get(item.dashboard_id)
            panel = next((p for p in dash.panels if p.id == item.panel_id), None) if dash else None
            if dash is None or panel is None:
                continue
            # The panel's own dashboard id: its query keys, so the poller's data for it.
            alone = replace(dash, panels=(replace(panel, grid=GridPos(x=0, y=0, w=24, h=12)),), columns=24, rows=12)
            view = DashboardView(alone, self._store, self._theme, stale_after_intervals=self._stale_after,
                                 memo=self._memo, clock=self._clock, tooltips=False)
            self.panel_views.append(view)
            self.panels_row.addWidget(view, 1)
        self.no_panels.setVisible(not self.panel_views)

    def _run_logs(self, queries: list[tuple[str, str, str]]) -> None:
        self.log_panel.set_queries(queries)
        self.log_panel.lines.setVisible(bool(queries))  # no query: one line says why, no empty box
        if self._log_runner is None:
            return
        for source_id, _kind, query in queries:
            self._log_runner(source_id, query, self._logs_arrived)

    def refresh_logs(self) -> None:
        """Read the log lines again (the controller calls this now and then while it lasts)."""
        if self.decision is not None and self.decision.alert is not None and self._log_runner is not None:
            detail = incident_detail((self.decision.alert,), self._clock(), sources=self._sources)
            for q in detail.log_queries:
                self._log_runner(q.source_id, q.query, self._logs_arrived)

    def _logs_arrived(self, logs: IncidentLogs) -> None:
        if self.decision is not None and self.decision.alert is not None:
            self.log_panel.show_logs(logs)

    # -- sizes for the room ---------------------------------------------------------

    def _fonts(self) -> None:
        h = max(600, self.window().height() if self.window() is not None else self.height())
        on_banner = "#0b0f14"  # near-black on every severity colour: the strongest contrast
        text, dim = self._theme.color("text"), self._theme.color("text_dim")
        margin = h // 60
        for label in (self.summary, self.labels, self.no_panels, self.feed):
            label.setContentsMargins(margin, h // 200, margin, 0)
        self.banner.setContentsMargins(h // 60, h // 120, h // 60, h // 120)
        for label, px, bold, color in (
            (self.priority, h // 13, True, on_banner), (self.state, h // 22, True, on_banner),
            (self.name, h // 11, True, on_banner), (self.since, h // 22, False, on_banner),
            (self.more, h // 22, True, on_banner), (self.summary, h // 26, False, text),
            (self.labels, h // 34, False, dim), (self.no_panels, h // 34, False, dim),
            (self.feed, h // 26, True, self._theme.color("stale")),
        ):
            _style(label, px, bold, color)
        self.log_panel.set_text_px(max(12, h // 40))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fonts()


def _style(label: QLabel, px: int, bold: bool, color: str | None) -> None:
    font = label.font()
    font.setPixelSize(max(12, px))
    font.setWeight(QFont.Weight.Bold if bold else QFont.Weight.Normal)
    label.setFont(font)
    label.setStyleSheet(f"color: {color}; background: transparent;" if color else "")
