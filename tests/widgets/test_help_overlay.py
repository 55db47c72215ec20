"""The keyboard help overlay: F1 or ?, lists exactly the window's key table, never in a kiosk."""

from __future__ import annotations

import dataclasses

import pytest
from PySide6.QtCore import Qt

from noc_app.config.schema import Mode
from noc_app.modes import capabilities, window_keys
from noc_app.themes import load_theme
from noc_app.widgets.help_overlay import board_lines, help_lines, key_text
from noc_app.widgets.wall_window import SHIFTED_TWINS, WallWindow

from wall_testkit import FakeClock, app_config, dashboard, panel, store_with

THEME = load_theme("dark")


def _window(qtbot, mode: Mode, *, dashboards: int = 2) -> WallWindow:
    dashes = tuple(
        dashboard(panel("inc", "incidents", x=0, y=0, w=24, h=12), did=f"d{i}", title=f"D{i}")
        for i in range(dashboards)
    )
    window = WallWindow(app_config(*dashes, mode=mode), dashes, store_with(("src", "alertmanager")), THEME,
                        mode=mode, clock=FakeClock(), quit_clock=FakeClock())
    qtbot.addWidget(window)
    window.resize(1280, 720)
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()
    return window


@pytest.mark.parametrize("mode", [Mode.WALL, Mode.OPERATOR])
def test_f1_shows_the_key_table_and_esc_closes_it(qtbot, mode: Mode) -> None:
    window = _window(qtbot, mode)
    assert not window.help_shown
    qtbot.keyClick(window, Qt.Key.Key_F1)
    assert window.help_shown
    assert window.help_overlay is not None
    rows = window.help_overlay.text_rows()
    assert rows == help_lines(window.key_bindings(), board=mode is Mode.OPERATOR)
    described = {words for _, words in rows}
    for binding in window.key_bindings():  # every installed shortcut is listed, with its keys
        assert binding.description in described
        assert any(key_text(binding.keys[0]) in keys for keys, _ in rows)
    assert all(label.textFormat() is Qt.TextFormat.PlainText for label in window.help_overlay.findChildren(
        type(window.header.clock)))
    qtbot.keyClick(window.help_overlay, Qt.Key.Key_Escape)
    assert not window.help_shown
    qtbot.keyClick(window, Qt.Key.Key_Question)
    assert window.help_shown
    qtbot.keyClick(window, Qt.Key.Key_F1)
    assert not window.help_shown


def test_the_table_is_what_the_window_installs(qtbot) -> None:
    window = _window(qtbot, Mode.OPERATOR)
    from PySide6.QtGui import QShortcut

    installed = sorted(s.key().toString() for s in window.findChildren(QShortcut))
    listed = sorted(key_text(k) for b in window.key_bindings() for k in b.keys)
    twins = sorted(key_text(t) for b in window.key_bindings() for k in b.keys for t in SHIFTED_TWINS.get(k, ()))
    assert installed == sorted(listed + twins)
    actions = [b.action for b in window.key_bindings()]
    assert actions == ["quit", "refresh", "pause", "next", "previous", "filter", "mute", "help"]


def test_operator_help_lists_the_board_keys() -> None:
    keys = {k for k, _ in board_lines()}
    assert {"A", "U", "N", "E", "R", "H", "Up / Down"} <= keys


def test_wall_mode_lists_no_navigation() -> None:
    actions = [b.action for b in window_keys(capabilities(Mode.WALL))]
    assert actions == ["quit", "refresh", "pause", "help"]


def test_absent_in_kiosk(qtbot) -> None:
    window = _window(qtbot, Mode.KIOSK)
    assert window.help_overlay is None
    qtbot.keyClick(window, Qt.Key.Key_F1)
    assert not window.help_shown
    assert "help" not in [b.action for b in window.key_bindings()]


def test_a_key_missing_from_the_table_is_noticed() -> None:
    """Negative control: help_lines follows the table, so a dropped binding drops its line."""
    caps = capabilities(Mode.OPERATOR)
    full = help_lines(window_keys(caps), board=False)
    fewer = help_lines(window_keys(dataclasses.replace(caps, navigate=False)), board=False)
    assert len(fewer) == len(full) - 2


def test_shift_question_mark_opens_it(qtbot) -> None:
    """On most layouts ? is typed with Shift: that press opens the help too."""
    window = _window(qtbot, Mode.WALL)
    qtbot.keyClick(window, Qt.Key.Key_Question, Qt.KeyboardModifier.ShiftModifier)
    assert window.help_shown
