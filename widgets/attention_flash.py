"""BorderFlash: the window's border blinking in the P0 colour after a new P0 (noc_app.attention.signals.Flash).

A transparent overlay over the whole window: it takes no mouse input and paints only a frame and a tab with
the words ("NEW P0") over the middle of the header, so a room that cannot tell red from orange still reads why
the wall blinks.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRect, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QWidget


class BorderFlash(QWidget):
    def __init__(self, window: QWidget, color: QColor, text_color: QColor) -> None:
        super().__init__(window)
        self.setObjectName("borderFlash")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, True)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground, True)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._color = QColor(color)
        self._text_color = QColor(text_color)
        self.words = ""
        self.lit = False
        self.hide()
        window.installEventFilter(self)
        self.setGeometry(window.rect())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.parent() and event.type() == QEvent.Type.Resize and isinstance(watched, QWidget):
            self.setGeometry(watched.rect())
        return False

    def set_lit(self, lit: bool, words: str = "") -> None:
        """Show (lit) or hide the frame; `words` names why ("NEW P0")."""
        if lit == self.lit and words == self.words:
            return
        self.lit, self.words = lit, words
        self.setVisible(lit)
        if lit:
            self.raise_()
            self.update()

    def border_px(self) -> int:
        return max(5, round(min(self.width(), self.height()) / 135))

    def paintEvent(self, event: QPaintEvent) -> None:
        if not self.lit:
            return
        width = self.border_px()
        painter = QPainter(self)
        pen = QPen(self._color)
        pen.setWidth(width)
        pen.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
        painter.setPen(pen)
        half = width // 2
        painter.drawRect(self.rect().adjusted(half, half, -half - (width % 2 == 0), -half - (width % 2 == 0)))
        if self.words:
            font = QFont(self.font())
            font.setPixelSize(max(12, width * 2))
            font.setWeight(QFont.Weight.Bold)
            fm = QFontMetrics(font)
            tab_w, tab_h = fm.horizontalAdvance(self.words) + width * 4, fm.height() + width
            tab = QRect((self.width() - tab_w) // 2, 0, tab_w, tab_h)  # the header's middle is empty
            painter.fillRect(tab, self._color)
            painter.setFont(font)
            painter.setPen(self._text_color)
            painter.drawText(tab, Qt.AlignmentFlag.AlignCenter, self.words)
        painter.end()
