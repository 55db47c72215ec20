"""A tall imported dashboard scrolls in operator mode (Grafana's 30 px rows) and fills the screen on a wall."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QScrollArea

from noc_app.config.schema import Mode
from noc_app.themes import load_theme
from noc_app.widgets.dashboard_view import DashboardView
from noc_app.widgets.wall_window import WallWindow
from wall_testkit import FakeClock, app_config, dashboard, panel, store_with

THEME = load_theme("dark")


def _window(qtbot, mode: Mode, rows: int):
    dash = dashboard(*(panel(f"p{i}", "text", source=None, x=0, y=i * 8, w=24, h=8, text="x")
                       for i in range(rows // 8)), rows=rows)
    window = WallWindow(app_config(dash, mode=mode), (dash,), store_with(("src", "prometheus")), THEME,
                        mode=mode, clock=FakeClock(), quit_clock=FakeClock())
    qtbot.addWidget(window)
    window.resize(1920, 1080)
    window.show()
    return window


def test_a_tall_dashboard_scrolls_for_an_operator(qtbot) -> None:
    window = _window(qtbot, Mode.OPERATOR, rows=96)
    area = window.stack.currentWidget()
    assert isinstance(area, QScrollArea)
    view = area.widget()
    assert isinstance(view, DashboardView) and view.minimumHeight() == 96 * 30
    assert area.verticalScrollBar().maximum() > 0
    frame = view.frames()[0]
    assert frame.height() >= 8 * 30 - 20  # Grafana's row height, not squeezed into one screen


@pytest.mark.parametrize(("mode", "rows"), [(Mode.WALL, 96), (Mode.OPERATOR, 24)])
def test_walls_and_short_dashboards_fill_the_screen(qtbot, mode, rows) -> None:
    window = _window(qtbot, mode, rows=rows)
    assert isinstance(window.stack.currentWidget(), DashboardView)
