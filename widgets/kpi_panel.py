"""The executive tile body (panels of kind `kpi`, noc_app.executive): one figure, readable across a room.

Top to bottom: the figure, as large as the tile allows; the verdict as a word in its colour (MET,
BELOW TARGET, STALE, UNREACHABLE: never colour alone); the target; how much of the window the
figure covers.  The incidents tile shows its counts per priority instead of the target.
What it says is decided by noc_app.executive_tiles (pure); this only draws it.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QFontMetricsF, QPainter
from PySide6.QtWidgets import QWidget

from noc_app.config.schema import PanelConfig
from noc_app.executive_tiles import Tile, tile_for
from noc_app.selectors import PanelData
from noc_app.themes import Theme
from noc_app.widgets.metric_body import MetricBody

_COUNTS = "counts"  # the line drawn per priority, each count in its priority's colour


class KpiBody(MetricBody):
    def __init__(self, panel: PanelConfig, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(panel, theme, parent)
        self.tile: Tile | None = None

    def refresh(self, data: PanelData) -> None:
        """Also on a change of state alone: LOADING -> OK with no incidents changes the tile, not the data."""
        if self.tile is not None and self._data is not None and (
                data.view.state, data.view.message) != (self._data.view.state, self._data.view.message):
            self._content_key = None
        super().refresh(data)

    def _on_data(self, data: PanelData) -> None:
        self.tile = tile_for(self.panel, data)

    def _paint(self, painter: QPainter) -> None:
        painter.fillRect(self.rect(), self.color("panel"))
        tile = self.tile
        if tile is None:
            return
        w, h = float(self.width()), float(self.height())
        pad = max(4.0, w * 0.04)
        inner = w - 2 * pad
        lines: list[tuple[str, float, bool, str]] = [  # (text, size wanted, bold, colour key)
            (tile.value, h * 0.34, True, tile.color_key),
            (tile.verdict, h * 0.12, True, tile.color_key),
        ]
        if tile.counts:
            lines.append(("   ".join(f"{p} {n}" for p, n, _ in tile.counts), h * 0.09, True, _COUNTS))
        if tile.caption:
            lines.append((tile.caption, h * 0.075, False, "text_dim"))
        if tile.detail:
            lines.append((tile.detail, h * 0.065, False, "text_dim"))
        sizes = [self.fit_px(text, px, inner, bold) for text, px, bold, _ in lines]
        heights = [QFontMetricsF(self.px_font(px, bold)).height() for px, (_, _, bold, _) in zip(sizes, lines,
                                                                                                   strict=True)]
        gap = h * 0.025
        y = max(pad, (h - sum(heights) - gap * (len(lines) - 1)) / 2)
        for (text, _, bold, key), px, line_h in zip(lines, sizes, heights, strict=True):
            if key == _COUNTS:
                self._counts(painter, tile, QRectF(pad, y, inner, line_h), px)
            else:
                self._centered(painter, text, px, bold, key, y)
            y += line_h + gap

    def _centered(self, painter: QPainter, text: str, px: int, bold: bool, key: str, top: float) -> None:
        font = self.px_font(px, bold)
        metrics = QFontMetricsF(font)
        painter.setFont(font)
        painter.setPen(self.color(key))
        x = (self.width() - metrics.horizontalAdvance(text)) / 2
        painter.drawText(QPointF(x, top + metrics.ascent()), text)

    def _counts(self, painter: QPainter, tile: Tile, area: QRectF, px: int) -> None:
        """'P0 1   P1 2   P2 0   P3 0', each priority with a count in its own colour."""
        font = self.px_font(px, True)
        metrics = QFontMetricsF(font)
        parts = [(f"{p} {n}", key) for p, n, key in tile.counts]
        space = metrics.horizontalAdvance("   ")
        total = sum(metrics.horizontalAdvance(text) for text, _ in parts) + space * (len(parts) - 1)
        x = area.left() + (area.width() - total) / 2
        painter.setFont(font)
        for text, key in parts:
            painter.setPen(self.color(key))
            painter.drawText(QPointF(x, area.top() + metrics.ascent()), text)
            x += metrics.horizontalAdvance(text) + space
