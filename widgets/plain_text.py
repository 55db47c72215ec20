"""Qt side of display_text: labels that never interpret markup, tooltips Qt shows literally.

Everything the wall shows from a config or a backend goes through here (or is
painted with QPainter.drawText, which never interprets markup): a QLabel made
by `plain_label` has Qt.PlainText, so `<img src="file:///...">` is text, not an
image; `set_tooltip` escapes, since tooltips have no plain-text flag.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QLabel, QWidget

from noc_app.display_text import tooltip_html, visible


def plain_label(text: str = "", parent: QWidget | None = None) -> QLabel:
    """A QLabel that shows its text as typed: no HTML, no Markdown, no links, no images."""
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
    label.setOpenExternalLinks(False)
    label.setText(visible(text))
    return label


def set_tooltip(widget: QWidget, text: str) -> None:
    """Give `widget` a tooltip that reads exactly `text` (escaped; empty text: no tooltip)."""
    widget.setToolTip(tooltip_html(text))


class ElidedLabel(QLabel):
    """A plain-text label that may shrink below its text: the text is elided ("…") to fit.

    Titles come from a config; a long one must not widen the window past its screen.
    `full_text` is what was set; `text()` is what is shown.
    """

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self._full = ""
        self.set_full_text(text)

    @property
    def full_text(self) -> str:
        return self._full

    def set_full_text(self, text: str) -> None:
        self._full = visible(text)
        self.updateGeometry()
        self._elide()

    def sizeHint(self) -> QSize:
        """QLabel's own hint (style sheet padding included) for the whole text."""
        hint = super().sizeHint()
        return QSize(self._overhead(hint) + self.fontMetrics().horizontalAdvance(self._full), hint.height())

    def minimumSizeHint(self) -> QSize:
        return QSize(self.fontMetrics().horizontalAdvance("…") * 3, super().minimumSizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def event(self, event: QEvent) -> bool:
        handled = super().event(event)
        if event.type() == QEvent.Type.FontChange:
            self.updateGeometry()
            self._elide()
        return handled

    def _overhead(self, hint: QSize | None = None) -> int:
        """What the label adds around its text: margins, indent, style sheet padding."""
        hint = hint if hint is not None else super().sizeHint()
        return max(0, hint.width() - self.fontMetrics().horizontalAdvance(self.text()))

    def _elide(self) -> None:
        room = self.width() - self._overhead()
        metrics = self.fontMetrics()
        # elidedText measures in floats and may cut a text that horizontalAdvance says fits exactly.
        fits = metrics.horizontalAdvance(self._full) <= room
        fitted = self._full if fits else metrics.elidedText(self._full, Qt.TextElideMode.ElideRight, max(0, room))
        if fitted != self.text():
            self.setText(fitted)
