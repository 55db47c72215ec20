"""Leaving a kiosk: its exit chord, then the PIN when `kiosk.pin_hash` is set (widgets/kiosk_pin_prompt.py),
else the chord pressed twice within 3 s (the first press says so in the header)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QWidget

from noc_app.config.schema import KioskConfig
from noc_app.kiosk_pin import PinGate
from noc_app.themes import Theme
from noc_app.widgets.kiosk_pin_prompt import KioskPinPrompt
from noc_app.widgets.wall_header import WallHeader

KIOSK_QUIT_WINDOW_S = 3.0  # the second press of the chord must follow the first within this


class KioskExit(QObject):
    """The gate a locked window's quit chord goes through; `leave` fires when it opens."""

    leave = Signal()

    def __init__(self, kiosk: KioskConfig, header: WallHeader, theme: Theme, host: QWidget, *,
                 clock: Callable[[], float]) -> None:
        super().__init__(host)
        self._header = header
        self._clock = clock
        self._armed_at: float | None = None
        self.pin_prompt: KioskPinPrompt | None = None
        if kiosk.pin_hash:
            self.pin_prompt = KioskPinPrompt(PinGate(kiosk.pin_hash), theme, host, clock=clock)
            self.pin_prompt.accepted.connect(self.leave.emit)
        header.quit_hint.setText(f"Press {kiosk.exit_chord} again to quit")
        self._hint_timer = QTimer(self, singleShot=True, interval=round(KIOSK_QUIT_WINDOW_S * 1000))
        self._hint_timer.timeout.connect(header.quit_hint.hide)

    def chord_pressed(self) -> None:
        """The exit chord: open the PIN prompt, or arm (first press) / leave (second press within 3 s)."""
        if self.pin_prompt is not None:
            self.pin_prompt.open()
            return
        now = self._clock()
        armed = self._armed_at
        if armed is None or not 0 <= now - armed <= KIOSK_QUIT_WINDOW_S:
            self._armed_at = now
            self._header.quit_hint.show()
            self._hint_timer.start()
            return
        self._armed_at = None
        self._header.quit_hint.hide()
        self.leave.emit()
