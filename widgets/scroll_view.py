"""A tall dashboard in operator mode scrolls instead of squeezing its panels (Grafana's own row height)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QScrollArea, QWidget

from noc_app.config.schema import DashboardConfig, Mode
from noc_app.themes import Theme

GRID_ROW_PX = 30  # Grafana's grid unit
SCROLL_AFTER_ROWS = 36  # about one 1080p screen of Grafana rows: shorter dashboards fill the screen


def needs_scroll(dashboard: DashboardConfig, mode: Mode) -> bool:
    """Only an operator (who can scroll) gets a scrolling view, and only for a dashboard taller than a screen."""
    rows = max([dashboard.rows, *(p.grid.y + p.grid.h for p in dashboard.panels)])
    return mode is Mode.OPERATOR and rows > SCROLL_AFTER_ROWS


def scrolling(view: QWidget, dashboard: DashboardConfig, theme: Theme) -> QScrollArea:
    """The view inside a vertical scroll area, GRID_ROW_PX per grid row."""
    rows = max([dashboard.rows, *(p.grid.y + p.grid.h for p in dashboard.panels)])
    view.setMinimumHeight(rows * GRID_ROW_PX)
    area = QScrollArea()
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidgetResizable(True)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setWidget(view)
    # The scroll area paints with its own (light) palette: give it the theme's background, by
    # selectors that match only the area, its viewport and the view, not the panels inside.
    background = theme.color("background")
    area.setStyleSheet(f"QScrollArea, QWidget#qt_scrollarea_viewport, DashboardView {{ background: {background}; }}")
    return area
