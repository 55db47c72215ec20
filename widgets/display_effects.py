"""Night dimming and pixel shift on a wall window (the Qt side of noc_app.display_policy).

A timer re-reads the window's `display_config` every 30 s: the dim overlay covers the
whole window (mouse passes through) and the central widget's margins move the content.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QMainWindow, QWidget

from noc_app.config.display_schema import DisplayConfig
from noc_app.display_policy import dim_level, pixel_offset, shifted_margins

CHECK_INTERVAL_MS = 30_000


class DimOverlay(QWidget):
    """Black at `level` opacity over everything the window draws."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.level = 0.0
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, True)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground, True)
        self.hide()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(0, 0, 0, round(255 * self.level)))
        painter.end()


class DisplayEffects(QObject):
    """Applies the window's night dimming and pixel shift now and every CHECK_INTERVAL_MS."""

    def __init__(self, window: QMainWindow, clock: Callable[[], float] = time.time) -> None:
        super().__init__(window)
        self._window = window
        self._clock = clock
        self.overlay = DimOverlay(window)
        self.offset = (0, 0)
        self._timer = QTimer(self, interval=CHECK_INTERVAL_MS)
        self._timer.timeout.connect(self.apply)
        self._timer.start()
        window.installEventFilter(self)
        self.apply()

    def _display(self) -> DisplayConfig:
        config = getattr(self._window, "display_config", None)
        return config if isinstance(config, DisplayConfig) else DisplayConfig()

    def apply(self) -> None:
        display, now = self._display(), self._clock()
        local = time.localtime(now)
        level = dim_level(display.night, local.tm_hour * 60 + local.tm_min)
        if level != self.overlay.level:
            self.overlay.level = level
            self.overlay.setVisible(level > 0)
            self.overlay.update()
        self.offset = pixel_offset(display.pixel_shift, now)
        central = self._window.centralWidget()
        layout = central.layout() if central is not None else None
        if layout is not None:
            layout.setContentsMargins(*shifted_margins(display.pixel_shift, self.offset))
        self._cover()

    def _cover(self) -> None:
        self.overlay.setGeometry(self._window.rect())
        self.overlay.raise_()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._window and event.type() == QEvent.Type.Show:
            self.apply()  # a screen's own `display:` is set after the window is built
        elif watched is self._window and event.type() in (QEvent.Type.Resize, QEvent.Type.ChildAdded):
            self._cover()
        return False
