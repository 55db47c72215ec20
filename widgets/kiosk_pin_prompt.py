"""The kiosk's exit PIN prompt: shown after the exit chord when the config holds a pin_hash.

The PIN is checked against its scrypt hash by noc_app.kiosk_pin.PinGate; after a
wrong PIN the field is disabled for a growing delay (1 s, 2 s, 4 s ... 5 min).  The
PIN is never logged, never kept after a check, and the field echoes only dots.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QKeyEvent
from PySide6.QtWidgets import QFrame, QLineEdit, QVBoxLayout, QWidget

from noc_app.kiosk_pin import PinGate
from noc_app.themes import Theme
from noc_app.widgets.plain_text import plain_label
from noc_app.widgets.scale import text_scale

PROMPT = "Enter the PIN to leave the kiosk"
HINT = "Enter confirms · Esc cancels"
IDLE_CLOSE_S = 60.0  # a prompt nobody finishes does not stay on an executive screen


def wrong_text(wait_s: float) -> str:
    return f"Wrong PIN. Try again in {math.ceil(wait_s)} s" if wait_s > 0 else "Wrong PIN"


class KioskPinPrompt(QFrame):
    accepted = Signal()  # the right PIN: the window quits

    def __init__(
        self, gate: PinGate, theme: Theme, parent: QWidget, *, clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(parent)
        self._host = parent  # covered while shown
        self.setObjectName("kioskPinPrompt")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        c = theme.color
        self.setStyleSheet(
            f"#kioskPinPrompt {{ background: {c('background')}; }}"
            f"#kioskPinPrompt QLabel {{ color: {c('text')}; background: transparent; }}"
            f"#kioskPinPrompt QLabel[role=\"wrong\"] {{ color: {c('critical')}; }}"
            f"#kioskPinPrompt QLabel[role=\"dim\"] {{ color: {c('text_dim')}; }}"
            f"#kioskPinPrompt QLineEdit {{ background: {c('panel')}; color: {c('text')};"
            f" border: 3px solid {c('panel_border')}; padding: 0.2em; }}"
        )
        self._gate = gate
        self._clock = clock
        self.prompt = plain_label(PROMPT, self)
        self.field = QLineEdit(self)
        self.field.setEchoMode(QLineEdit.EchoMode.Password)
        self.field.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.field.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        self.field.returnPressed.connect(self.submit)
        self.field.installEventFilter(self)
        self.message = plain_label("", self)
        self.message.setProperty("role", "wrong")
        self.hint = plain_label(HINT, self)
        self.hint.setProperty("role", "dim")
        self._column = column = QVBoxLayout(self)
        column.addStretch(1)
        for widget in (self.prompt, self.field, self.message, self.hint):
            column.addWidget(widget, 0, Qt.AlignmentFlag.AlignHCenter)
        column.addStretch(1)
        self._reopen = QTimer(self, singleShot=True)
        self._reopen.timeout.connect(self._enable)
        self._countdown = QTimer(self, interval=1000)
        self._countdown.timeout.connect(self._show_wait)
        self._idle = QTimer(self, singleShot=True, interval=round(IDLE_CLOSE_S * 1000))
        self._idle.timeout.connect(self.cancel)
        self.field.textEdited.connect(lambda _text: self._idle.start())
        self.hide()
        parent.installEventFilter(self)

    def open(self) -> None:
        self.setGeometry(self._host.rect())
        self._size_text()
        self.field.clear()
        self.show()
        self.raise_()
        self._idle.start()
        if self._gate.wait_s(self._clock()) > 0:
            self._hold()
        else:
            self.message.setText("")
            self._enable()

    def cancel(self) -> None:
        self.field.clear()
        self._idle.stop()
        self.hide()

    def submit(self) -> None:
        pin = self.field.text()
        self.field.clear()  # the PIN does not stay in the widget
        verdict = self._gate.attempt(pin, self._clock())
        del pin
        if verdict.accepted:
            self.message.setText("")
            self.hide()
            self.accepted.emit()
            return
        self._hold()

    @property
    def waiting(self) -> bool:
        return not self.field.isEnabled()

    def _hold(self) -> None:
        wait = self._gate.wait_s(self._clock())
        self.message.setText(wrong_text(wait))
        self.field.setEnabled(False)
        self._reopen.start(max(1, math.ceil(wait * 1000)))
        self._countdown.start()

    def _show_wait(self) -> None:
        wait = self._gate.wait_s(self._clock())
        self.message.setText(wrong_text(wait))

    def _enable(self) -> None:
        self._countdown.stop()
        if self._gate.failures:
            self.message.setText("Wrong PIN")
        self.field.setEnabled(True)
        self.field.setFocus(Qt.FocusReason.OtherFocusReason)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt override)
        if event.key() == Qt.Key.Key_Escape:
            self.cancel()
            event.accept()
            return
        super().keyPressEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (watched is self.field and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent)
                and event.key() == Qt.Key.Key_Escape):
            self.cancel()
            return True
        if watched is self._host and event.type() == QEvent.Type.Resize and self.isVisible():
            self.setGeometry(self._host.rect())
            self._size_text()
        return False

    def _size_text(self) -> None:
        scale = text_scale(self._host.height())
        px = round(scale.header_px * 1.5)
        self._column.setSpacing(round(px * 0.5))  # gaps grow with the text
        for widget, size in ((self.prompt, px), (self.field, px), (self.message, scale.header_px),
                             (self.hint, scale.header_px)):
            font = QFont(widget.font())
            font.setPixelSize(size)
            widget.setFont(font)
        self.field.setFixedWidth(px * 10)
