"""Kiosk mode: Ctrl+Alt+Q twice to quit, full screen re-asserted, stays on top, no tooltips."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from noc_app.config.schema import Mode
from noc_app.model import Severity
from noc_app.sources.base import Unreachable
from noc_app.themes import load_theme
from noc_app.widgets.wall_header import QUIT_HINT
from noc_app.widgets.wall_window import WallWindow

from wall_testkit import T0, FakeClock, alert, app_config, dashboard, panel, snapshot, store_with

THEME = load_theme("dark")
CTRL_ALT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
SECRET_DETAIL = "transport error: Illegal header value b'Bearer s3cr3t\\n'"


def _window(qtbot, mode: Mode, quit_clock: FakeClock | None = None):
    dash = dashboard(panel("inc", "incidents", x=0, y=0, w=12, h=12), panel("logs", "logs", x=12, y=0, w=12, h=12))
    store = store_with(("src", "alertmanager"))
    window = WallWindow(
        app_config(dash, mode=mode), (dash,), store, THEME, mode=mode, clock=FakeClock(),
        quit_clock=quit_clock or FakeClock(),
    )
    qtbot.addWidget(window)
    window.resize(1280, 720)
    return store, window


def _active(qtbot, window):
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()


def _quit_count(window) -> list[int]:
    quits: list[int] = []
    window.quit_requested.connect(lambda: quits.append(1))
    return quits


def test_first_ctrl_alt_q_only_says_how_to_quit(qtbot):
    clock = FakeClock(100.0)
    _, window = _window(qtbot, Mode.KIOSK, clock)
    _active(qtbot, window)
    quits = _quit_count(window)
    assert not window.quit_hint_shown
    qtbot.keyClick(window, Qt.Key.Key_Q, CTRL_ALT)
    assert quits == [] and window.isVisible()
    assert window.quit_hint_shown
    assert window.header.quit_hint.text() == QUIT_HINT == "Press Ctrl+Alt+Q again to quit"
    assert window.header.quit_hint.textFormat() is Qt.TextFormat.PlainText
    clock.now += 2.5
    qtbot.keyClick(window, Qt.Key.Key_Q, CTRL_ALT)
    assert quits == [1]
    qtbot.waitUntil(lambda: not window.isVisible())


def test_a_second_press_after_three_seconds_only_arms_again(qtbot):
    clock = FakeClock(100.0)
    _, window = _window(qtbot, Mode.KIOSK, clock)
    _active(qtbot, window)
    quits = _quit_count(window)
    qtbot.keyClick(window, Qt.Key.Key_Q, CTRL_ALT)
    clock.now += 3.5
    qtbot.keyClick(window, Qt.Key.Key_Q, CTRL_ALT)
    assert quits == [] and window.isVisible() and window.quit_hint_shown
    clock.now += 1.0
    qtbot.keyClick(window, Qt.Key.Key_Q, CTRL_ALT)
    assert quits == [1]


def test_kiosk_reasserts_full_screen(qtbot):
    _, window = _window(qtbot, Mode.KIOSK)
    window.showFullScreen()
    qtbot.waitUntil(window.isFullScreen)
    window.showNormal()
    qtbot.waitUntil(window.isFullScreen)
    window.showMinimized()
    qtbot.waitUntil(lambda: window.isFullScreen() and not window.isMinimized())


def test_wall_mode_lets_full_screen_go(qtbot):
    _, window = _window(qtbot, Mode.WALL)
    window.showFullScreen()
    qtbot.waitUntil(window.isFullScreen)
    window.showNormal()
    QApplication.processEvents()  # a queued re-assert would run here
    QApplication.processEvents()
    assert not window.isFullScreen()


def test_kiosk_stays_on_top_and_a_wall_does_not(qtbot):
    _, kiosk = _window(qtbot, Mode.KIOSK)
    _, wall = _window(qtbot, Mode.WALL)
    assert kiosk.windowFlags() & Qt.WindowType.WindowStaysOnTopHint
    assert not wall.windowFlags() & Qt.WindowType.WindowStaysOnTopHint


def _all_tooltips(window) -> list[str]:
    from PySide6.QtWidgets import QWidget

    return [w.toolTip() for w in (window, *window.findChildren(QWidget)) if w.toolTip()]


def _fail_and_degrade(qtbot, store, window):
    degraded = ("peer am-2 " + SECRET_DETAIL,)
    store.apply("src", snapshot(alerts=(alert("A", Severity.CRITICAL),), degraded=degraded), T0, 5.0)
    store.mark_failed("src", Unreachable(SECRET_DETAIL), T0 + 30, 5.0)
    window.current_view().tick()
    window.feed_strip.tick()


def test_kiosk_shows_no_tooltips_at_all(qtbot):
    store, kiosk = _window(qtbot, Mode.KIOSK)
    kiosk.show()
    _fail_and_degrade(qtbot, store, kiosk)
    assert kiosk.feed_strip.chips(), "the chip exists"
    assert kiosk.panel_frames()[0].message_text  # the message is on the panel, not in a tooltip
    assert _all_tooltips(kiosk) == []


def test_the_same_failure_gives_tooltips_outside_a_kiosk(qtbot):
    """Control for the test above: the input does produce tooltips where they are allowed."""
    store, wall = _window(qtbot, Mode.WALL)
    wall.show()
    _fail_and_degrade(qtbot, store, wall)
    tips = _all_tooltips(wall)
    assert tips and any("Illegal header value" in tip for tip in tips)
