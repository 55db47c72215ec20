"""Where a painted body put its texts in its last paint, so tests can prove none is clipped or overlapped."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QFontMetricsF, QPainter


class TextBoxes:
    """Mixin for painted bodies: `draw_text` paints at a baseline and records the text's box."""

    text_boxes: list[tuple[str, QRectF]]

    def reset_text_boxes(self) -> None:
        self.text_boxes = []

    def draw_text(self, painter: QPainter, x: float, baseline: float, text: str, metrics: QFontMetricsF) -> QRectF:
        """Draw `text` with its left end at x on `baseline`; return (and record) its box."""
        painter.drawText(QPointF(x, baseline), text)
        height = metrics.ascent() + metrics.descent()
        box = QRectF(x, baseline - metrics.ascent(), metrics.horizontalAdvance(text), height)
        if text:
            self.text_boxes.append((text, box))
        return box
