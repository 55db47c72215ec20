"""The NEW badge of an incident board row: a light pill with the word, just before the incident's name."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QRect, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter

NEW_WORD = "NEW"


def paint_new_badge(
    painter: QPainter, font: QFont, line: QRect, fill: QColor, text: QColor, *, gap: int,
    record: Callable[[QPainter, QRect, Qt.AlignmentFlag, str], None] | None = None,
) -> int:
    """Paint the badge from `line`'s left edge, centred on its height; returns the width used (with `gap`)."""
    painter.save()
    bold = QFont(font)
    bold.setWeight(QFont.Weight.Bold)
    painter.setFont(bold)
    fm = QFontMetrics(bold)
    pad = max(3, fm.height() // 3)
    width = fm.horizontalAdvance(NEW_WORD) + 2 * pad
    height = fm.height()
    box = QRect(line.left(), line.top() + (line.height() - height) // 2, width, height)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(fill)
    painter.drawRoundedRect(QRectF(box), height / 2, height / 2)
    painter.setPen(text)
    if record is not None:
        record(painter, box, Qt.AlignmentFlag.AlignCenter, NEW_WORD)
    else:
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, NEW_WORD)
    painter.restore()
    return width + gap
