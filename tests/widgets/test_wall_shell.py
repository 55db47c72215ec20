"""The wall shell: grid layout, text sizes for the room, playlist rotation, keys, DEMO banner."""

from __future__ import annotations

import dataclasses

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QLabel
from wall_testkit import T0, FakeClock, alert, app_config, dashboard, panel, snapshot, store_with

from noc_app.config.schema import PANEL_KINDS, Mode
from noc_app.model import AlertState, Severity
from noc_app.themes import load_theme
from noc_app.widgets.dashboard_view import DashboardView, grid_rect
from noc_app.widgets.panel_factory import BODY_CLASSES, body_class
from noc_app.widgets.scale import text_scale
from noc_app.widgets.theme_qss import apply_theme, build_qss
from noc_app.widgets.wall_window import WallWindow

THEME = load_theme("dark")


def _two_dashboards():
    first = dashboard(
        panel("inc", "incidents", x=0, y=0, w=12, h=7),
        panel("logs", "logs", x=12, y=0, w=12, h=7),
        panel("notes", "text", source=None, text="# Runbook\nCall **ops**", x=0, y=7, w=6, h=5),
        did="one", title="First",
    )
    second = dashboard(panel("inc2", "incidents", x=0, y=0, w=24, h=12), did="two", title="Second")
    return first, second


def _shown(qtbot, window):
    with qtbot.waitActive(window):  # shortcuts go to the active window
        window.show()
        window.activateWindow()
    return window


def _window(qtbot, *, mode=Mode.WALL, interval_s=None, size=(1920, 1080), clock=None):
    dashes = _two_dashboards()
    store = store_with(("src", "alertmanager"), ("host", "localhost"))
    window = WallWindow(
        app_config(*dashes, mode=mode), dashes, store, THEME, mode=mode,
        playlist_interval_s=interval_s, clock=clock or FakeClock(),
    )
    qtbot.addWidget(window)
    window.resize(*size)
    return store, window


def test_text_sizes_follow_the_window_height():
    wall = text_scale(2160)
    assert 36 <= wall.title_px <= 44
    assert wall.base_px == 36
    assert wall.small_px >= 24
    small = text_scale(1080)
    assert small.title_px == pytest.approx(wall.title_px / 2, abs=1)
    assert text_scale(300).base_px == 12  # never unreadably small


def test_frames_are_placed_by_grid_position(qtbot):
    store = store_with(("src", "alertmanager"))
    dash = dashboard(
        panel("a", "incidents", x=0, y=0, w=9, h=4),
        panel("b", "incidents", x=9, y=0, w=15, h=4),
        panel("c", "logs", x=0, y=4, w=24, h=8),
    )
    view = DashboardView(dash, store, THEME, clock=FakeClock())
    qtbot.addWidget(view)
    view.resize(2400, 1200)
    with qtbot.waitExposed(view):
        view.show()
    gap = text_scale(1200).gap_px
    a, b, c = (view.frame(p).geometry() for p in "abc")
    assert a.x() == pytest.approx(gap / 2, abs=1)
    assert a.width() == pytest.approx(2400 * 9 / 24 - gap, abs=1)
    assert b.x() == pytest.approx(2400 * 9 / 24 + gap / 2, abs=1)
    assert b.width() == pytest.approx(2400 * 15 / 24 - gap, abs=1)
    assert a.height() == pytest.approx(1200 * 4 / 12 - gap, abs=1)
    assert c.y() == pytest.approx(1200 * 4 / 12 + gap / 2, abs=1)
    assert c.width() == pytest.approx(2400 - gap, abs=1)
    assert not a.intersects(b) and not a.intersects(c)
    view.resize(1200, 600)  # recomputed on resize
    qtbot.waitUntil(lambda: view.frame("c").width() == pytest.approx(1200 - text_scale(600).gap_px, abs=1))


def test_panel_below_the_grid_is_not_clipped():
    assert grid_rect(panel("x", "text").grid, 2400, 1200, 24, 12, 0).height() == 600


def test_wall_window_at_4k_uses_room_sized_text(qtbot):
    _, window = _window(qtbot, size=(3840, 2160))
    _shown(qtbot, window)
    frame = window.panel_frames("one")[0]
    title_px = frame._fonts[0].pixelSize()
    assert 36 <= title_px <= 44
    assert window.header.clock.font().pixelSize() >= 40
    assert frame.body._px == 36


def test_playlist_rotates_and_space_pauses(qtbot):
    _, window = _window(qtbot, interval_s=0.05)
    _shown(qtbot, window)
    assert window.current_index == 0
    assert window.position_text == "1/2"
    qtbot.waitUntil(lambda: window.current_index == 1, timeout=3000)
    assert window.position_text == "2/2"
    assert window.header.dashboard.full_text.endswith("Second")
    qtbot.waitUntil(lambda: window.current_index == 0, timeout=3000)  # wraps around
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert window.paused
    assert not window._rotation.isActive()
    assert not window.header.paused.isHidden()
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert not window.paused and window._rotation.isActive()


def test_operator_steps_with_arrow_keys(qtbot):
    _, window = _window(qtbot, mode=Mode.OPERATOR, interval_s=3600)
    _shown(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_Right)
    assert window.current_index == 1
    qtbot.keyClick(window, Qt.Key.Key_Left)
    assert window.current_index == 0
    qtbot.keyClick(window, Qt.Key.Key_Left)
    assert window.current_index == 1


def test_wall_mode_ignores_arrows(qtbot):
    _, window = _window(qtbot, mode=Mode.WALL, interval_s=3600)
    _shown(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_Right)
    assert window.current_index == 0


def test_kiosk_is_locked(qtbot):
    _, window = _window(qtbot, mode=Mode.KIOSK, interval_s=3600)
    _shown(qtbot, window)
    assert window.cursor().shape() is Qt.CursorShape.BlankCursor
    log_body = window.panel_frames("one")[1].body
    assert log_body.contextMenuPolicy() is Qt.ContextMenuPolicy.NoContextMenu
    assert log_body.viewport().cursor().shape() is Qt.CursorShape.BlankCursor
    qtbot.keyClick(window, Qt.Key.Key_Space)
    qtbot.keyClick(window, Qt.Key.Key_Right)
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert not window.paused and window.current_index == 0 and window.isVisible()
    assert window.header.mode.text() == "KIOSK"


def test_ctrl_alt_q_quits_at_once_outside_a_kiosk(qtbot):
    _, window = _window(qtbot, mode=Mode.WALL)
    _shown(qtbot, window)
    with qtbot.waitSignal(window.quit_requested):
        qtbot.keyClick(window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: not window.isVisible())


def test_hidden_dashboard_catches_up_when_shown(qtbot):
    store, window = _window(qtbot, interval_s=3600)
    _shown(qtbot, window)
    hidden = window.panel_frames("two")[0]
    before = hidden.body_refresh_count
    store.apply("src", snapshot(alerts=(alert("A", Severity.CRITICAL),)), T0, 5.0)
    visible = window.panel_frames("one")[0]
    qtbot.waitUntil(lambda: [r.name for r in visible.body.visible_rows] == ["A"])
    assert hidden.body_refresh_count == before  # nobody sees it: no work
    window.show_next()
    assert [r.name for r in hidden.body.visible_rows] == ["A"]


def test_demo_banner_and_clock(qtbot):
    clock = FakeClock(T0)
    store, window = _window(qtbot, clock=clock)
    _shown(qtbot, window)
    assert not window.demo_banner_shown
    assert len(window.clock_text) == 8 and window.clock_text.count(":") == 2
    store.apply("src", snapshot(alerts=(), info={"badge": "DEMO"}), T0, 5.0)
    assert window.demo_banner_shown
    assert "src" in window.header.demo_banner.full_text
    store.apply("src", snapshot(alerts=(alert("A", Severity.INFO, state=AlertState.FIRING),)), T0 + 2, 5.0)
    assert not window.demo_banner_shown


def test_first_paint_signal_and_frames(qtbot):
    _, window = _window(qtbot)
    with qtbot.waitSignal(window.first_paint_done, timeout=5000):
        window.show()
    assert {f.panel.id for f in window.panel_frames()} == {"inc", "logs", "notes", "inc2"}
    assert [f.panel.id for f in window.panel_frames("two")] == ["inc2"]
    assert window.panel_frames("one")[2].body.text().startswith("# Runbook")


def test_theme_palette_and_qss_come_from_the_theme(qtbot):
    _, window = _window(qtbot)
    apply_theme(window, load_theme("high-contrast"))
    assert window.palette().color(QPalette.ColorRole.Window).name() == "#000000"
    qss = build_qss(THEME)
    assert THEME.color("demo_badge") in qss and THEME.color("background") in qss


def test_every_panel_kind_has_a_body():
    assert set(BODY_CLASSES) == set(PANEL_KINDS)
    with pytest.raises(ValueError, match="no panel body for kind 'sankey'"):
        body_class("sankey")


def test_header_names_the_dashboard_once(qtbot):
    _, window = _window(qtbot, interval_s=3600)
    assert (window.header.title.full_text, window.header.dashboard.full_text) == ("Test wall", "·  First")
    dash = dashboard(panel("inc", "incidents"), did="ops", title="Test wall")  # e.g. an imported Grafana board
    same = WallWindow(app_config(dash), (dash,), store_with(("src", "alertmanager")), THEME, mode=Mode.WALL, clock=FakeClock())
    qtbot.addWidget(same)
    assert same.header.title.full_text == "Test wall"
    assert same.header.dashboard.full_text == "" and same.header.dashboard.isHidden()
    demo = dashboard(panel("inc", "incidents"), did="shop", title="Shop API")
    config = dataclasses.replace(app_config(demo), title="Shop API (demo)")
    shop = WallWindow(config, (demo,), store_with(("src", "alertmanager")), THEME, mode=Mode.WALL, clock=FakeClock())
    qtbot.addWidget(shop)
    assert (shop.header.title.full_text, shop.header.dashboard.full_text) == ("Shop API (demo)", "")


def test_a_long_title_is_elided_and_never_widens_the_window(qtbot):
    long_title = "Payments platform — EU-West production, tier 1 " * 12
    dash = dashboard(panel("inc", "incidents"), did="ops", title="Checkout " * 40)
    config = dataclasses.replace(app_config(dash), title=long_title)
    window = WallWindow(config, (dash,), store_with(("src", "alertmanager")), THEME, mode=Mode.WALL, clock=FakeClock())
    qtbot.addWidget(window)
    window.resize(1280, 720)
    _shown(qtbot, window)
    assert window.width() == 1280
    assert window.minimumSizeHint().width() < 1280
    title = window.header.title
    assert title.full_text == long_title
    assert title.text().endswith("…") and len(title.text()) < len(long_title)
    assert window.header.clock.isVisible() and window.header.clock.geometry().right() <= window.width()


def test_a_title_that_fits_is_shown_whole_once_laid_out(qtbot):
    _, window = _window(qtbot, interval_s=3600)
    _shown(qtbot, window)
    window.show_next()  # "Second" is longer than "First": the label grows in the next layout pass
    qtbot.waitUntil(lambda: window.header.dashboard.text() == "·  Second")


def test_header_labels_are_plain_text(qtbot):
    _, window = _window(qtbot)
    labels = window.header.findChildren(QLabel)
    assert len(labels) >= 8
    assert all(label.textFormat() is Qt.TextFormat.PlainText for label in labels)
