"""Leaving a kiosk with a PIN: the chord opens the prompt, the right PIN quits, wrong ones wait longer."""

from __future__ import annotations

import dataclasses
import logging

from PySide6.QtCore import Qt

from noc_app.config.schema import KioskConfig, Mode
from noc_app.kiosk_pin import hash_pin
from noc_app.themes import load_theme
from noc_app.widgets.wall_window import WallWindow

from wall_testkit import FakeClock, app_config, dashboard, panel, store_with

THEME = load_theme("dark")
CTRL_ALT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
PIN = "80733"
PIN_HASH = hash_pin(PIN, n=2**4, r=1, p=1)


def _kiosk(qtbot, clock: FakeClock, *, pin_hash: str | None = PIN_HASH, chord: str = "Ctrl+Alt+Q"):
    dash = dashboard(panel("inc", "incidents", x=0, y=0, w=24, h=12))
    config = dataclasses.replace(app_config(dash, mode=Mode.KIOSK),
                                 kiosk=KioskConfig(exit_chord=chord, pin_hash=pin_hash))
    window = WallWindow(config, (dash,), store_with(("src", "alertmanager")), THEME, mode=Mode.KIOSK,
                        clock=FakeClock(), quit_clock=clock)
    qtbot.addWidget(window)
    window.resize(1280, 720)
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()
    quits: list[int] = []
    window.quit_requested.connect(lambda: quits.append(1))
    return window, quits


def _type_pin(qtbot, window: WallWindow, pin: str) -> None:
    field = window._pin_prompt.field
    qtbot.keyClicks(field, pin)
    qtbot.keyClick(field, Qt.Key.Key_Return)


def test_chord_alone_does_not_exit_when_a_pin_is_configured(qtbot) -> None:
    clock = FakeClock(100.0)
    window, quits = _kiosk(qtbot, clock)
    for _ in range(3):
        qtbot.keyClick(window, Qt.Key.Key_Q, CTRL_ALT)
        clock.now += 0.5
    assert quits == [] and window.isVisible()
    assert window.pin_prompt_shown
    assert window._pin_prompt.field.echoMode() is window._pin_prompt.field.EchoMode.Password


def test_right_pin_quits(qtbot, caplog) -> None:
    clock = FakeClock(100.0)
    window, quits = _kiosk(qtbot, clock)
    caplog.set_level(logging.DEBUG)
    qtbot.keyClick(window, Qt.Key.Key_Q, CTRL_ALT)
    _type_pin(qtbot, window, PIN)
    assert quits == [1]
    assert PIN not in caplog.text


def test_wrong_pins_wait_longer_each_time(qtbot, caplog) -> None:
    clock = FakeClock(100.0)
    window, quits = _kiosk(qtbot, clock)
    caplog.set_level(logging.DEBUG)
    prompt = window._pin_prompt
    qtbot.keyClick(window, Qt.Key.Key_Q, CTRL_ALT)
    _type_pin(qtbot, window, "0000")
    assert prompt.waiting and prompt.message.text() == "Wrong PIN. Try again in 1 s"
    assert prompt.field.text() == ""
    clock.now += 1.0
    prompt._enable()  # what the re-open timer does once the delay has passed
    _type_pin(qtbot, window, "1111")
    assert prompt.message.text() == "Wrong PIN. Try again in 2 s"
    clock.now += 2.0
    prompt._enable()
    _type_pin(qtbot, window, "2222")
    assert prompt.message.text() == "Wrong PIN. Try again in 4 s"
    assert quits == []
    clock.now += 1.0  # too soon: even the right PIN is not checked
    prompt._enable()
    _type_pin(qtbot, window, PIN)
    assert quits == [] and prompt.waiting
    clock.now += 3.0
    prompt._enable()
    _type_pin(qtbot, window, PIN)
    assert quits == [1]
    assert "0000" not in caplog.text and PIN not in caplog.text


def test_esc_cancels_the_prompt(qtbot) -> None:
    window, quits = _kiosk(qtbot, FakeClock(100.0))
    qtbot.keyClick(window, Qt.Key.Key_Q, CTRL_ALT)
    qtbot.keyClicks(window._pin_prompt.field, "12")
    qtbot.keyClick(window._pin_prompt.field, Qt.Key.Key_Escape)
    assert not window.pin_prompt_shown and quits == []
    assert window._pin_prompt.field.text() == ""


def test_no_pin_keeps_the_chord_twice(qtbot) -> None:
    clock = FakeClock(100.0)
    window, quits = _kiosk(qtbot, clock, pin_hash=None)
    qtbot.keyClick(window, Qt.Key.Key_Q, CTRL_ALT)
    assert quits == [] and window.quit_hint_shown and not window.pin_prompt_shown
    clock.now += 1.0
    qtbot.keyClick(window, Qt.Key.Key_Q, CTRL_ALT)
    assert quits == [1]


def test_configured_chord(qtbot) -> None:
    window, quits = _kiosk(qtbot, FakeClock(100.0), chord="Ctrl+Shift+F12")
    qtbot.keyClick(window, Qt.Key.Key_Q, CTRL_ALT)
    assert not window.pin_prompt_shown
    qtbot.keyClick(window, Qt.Key.Key_F12, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert window.pin_prompt_shown and quits == []
