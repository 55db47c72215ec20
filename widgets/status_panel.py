"""The status grid body: one tile per target/service/instance from `up` or any 0/1 query.

A header line counts up and down; DOWN tiles are filled with the critical colour
(and carry a square marker and the word DOWN), sorted first; names come from a
label and host:port names are shortened (noc_app.selectors_panels.short_host).
Tiles that do not fit are counted in a last tile: "+N more".
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QFontMetricsF, QPainter
from PySide6.QtWidgets import QWidget

from noc_app.config.schema import PanelConfig
from noc_app.selectors import PanelData
from noc_app.selectors_panels import DOWN, UP, StatusGrid, StatusTile, select_status
from noc_app.themes import Theme
from noc_app.widgets.metric_body import MetricBody
from noc_app.widgets.state_style import draw_marker
from noc_app.widgets.text_boxes import TextBoxes

TILE_STYLE = {UP: ("ok", "circle"), DOWN: ("critical", "square")}  # else: unknown, ring
TILE_MIN_CHARS = 9  # a tile is at least this many text widths wide


class StatusBody(TextBoxes, MetricBody):
    """Up/down tiles with counts."""

    def __init__(self, panel: PanelConfig, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(panel, theme, parent)
        self.grid = StatusGrid(tiles=(), up=0, down=0, unknown=0)
        self.visible_tiles: tuple[StatusTile, ...] = ()
        self.more_count = 0
        self.text_boxes = []

    def _on_data(self, data: PanelData) -> None:
        self.grid = select_status(data.results, self.panel)

    @property
    def header_text(self) -> str:
        return self.grid.header if self.grid.tiles else ""

    def tile_style(self, tile: StatusTile) -> tuple[str, str]:
        """(theme colour key, marker shape) of a tile."""
        return TILE_STYLE.get(tile.status, ("unknown", "ring"))

    def layout_tiles(self) -> tuple[int, float, float, int]:
        """(columns, tile width, tile height, header height) for the current size.

        Two-line tiles (name; status and job) while they all fit, else one-line tiles
        (the marker shape and colour still say UP/DOWN) so fewer hide behind "+N more".
        """
        px = self.text_px
        header_h = px * 1.6
        w, h = float(self.width()), max(0.0, self.height() - header_h)
        n = max(1, len(self.grid.tiles))
        cols = max(1, int(w // (px * TILE_MIN_CHARS)))
        tile_h = px * 2.9
        if int(h // tile_h) * cols < n:
            tile_h = px * 1.75
        # fewer, wider tiles when they all fit anyway (names stay whole)
        while cols > 1 and -(-n // (cols - 1)) * tile_h <= h:
            cols -= 1
        return cols, w / cols, tile_h, round(header_h)

    @property
    def compact(self) -> bool:
        """One-line tiles (see layout_tiles)."""
        return self.layout_tiles()[2] < self.text_px * 2

    def _paint(self, painter: QPainter) -> None:
        self.reset_text_boxes()
        painter.fillRect(self.rect(), self.color("panel"))
        tiles = self.grid.tiles
        if not tiles:
            self.visible_tiles, self.more_count = (), 0
            return
        px = self.text_px
        cols, tile_w, tile_h, header_h = self.layout_tiles()
        rows = max(0, int((self.height() - header_h) // tile_h))
        capacity = rows * cols
        shown = len(tiles) if len(tiles) <= capacity else max(0, capacity - 1)
        self.visible_tiles, self.more_count = tiles[:shown], len(tiles) - shown
        self._paint_header(painter, header_h)
        bold, small = self.px_font(px, bold=True), self.px_font(self.minor(round(px * 0.75)))
        fm_bold, fm_small = QFontMetricsF(bold), QFontMetricsF(small)
        gap = max(3.0, px * 0.2)
        for i, tile in enumerate(self.visible_tiles):
            rect = QRectF((i % cols) * tile_w, header_h + (i // cols) * tile_h, tile_w - gap, tile_h - gap)
            key, shape = self.tile_style(tile)
            down = tile.status == DOWN
            painter.fillRect(rect, self.color(key) if down else self.color("background"))
            if not down:
                painter.fillRect(QRectF(rect.left(), rect.top(), max(3.0, px * 0.2), rect.height()), self.color(key))
            ink = self.color("background") if down else self.color("text")
            marker_top = rect.top() + (px * 0.35 if tile_h >= px * 2 else (rect.height() - px * 0.8) / 2)
            marker = QRectF(rect.left() + px * 0.45, marker_top, px * 0.8, px * 0.8)
            draw_marker(painter, shape, marker, ink if down else self.color(key))
            left = rect.left() + px * 1.5
            width = max(0.0, rect.right() - left - gap)
            painter.setFont(bold)
            painter.setPen(ink)
            name = fm_bold.elidedText(tile.name, Qt.TextElideMode.ElideMiddle, width)
            name_top = rect.top() + (px * 0.25 if tile_h >= px * 2 else (rect.height() - fm_bold.height()) / 2)
            self.draw_text(painter, left, name_top + fm_bold.ascent(), name, fm_bold)
            if tile_h < px * 2:
                continue  # one-line tiles: name only
            painter.setFont(small)
            painter.setPen(ink if down else self.color("text_dim"))
            second = f"{tile.status} · {tile.detail}" if tile.detail else tile.status
            second = fm_small.elidedText(second, Qt.TextElideMode.ElideRight, width)
            self.draw_text(painter, left, rect.top() + px * 1.45 + fm_small.ascent(), second, fm_small)
        if self.more_count:
            i = len(self.visible_tiles)
            rect = QRectF((i % cols) * tile_w, header_h + (i // cols) * tile_h, tile_w - gap, tile_h - gap)
            painter.setFont(bold)
            painter.setPen(self.color("text_dim"))
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, f"+{self.more_count} more")

    def _paint_header(self, painter: QPainter, header_h: int) -> None:
        px = self.text_px
        font = self.px_font(px, bold=True)
        fm = QFontMetricsF(font)
        painter.setFont(font)
        baseline = (header_h + fm.ascent() - fm.descent()) / 2
        up_text, down_text = f"{self.grid.up} up", f"{self.grid.down} down"
        painter.setPen(self.color("ok" if self.grid.up else "text_dim"))
        self.draw_text(painter, 0.0, baseline, up_text, fm)
        x = fm.horizontalAdvance(up_text + "   ")
        painter.setPen(self.color("critical" if self.grid.down else "text_dim"))
        self.draw_text(painter, x, baseline, down_text, fm)
        if self.grid.unknown:
            x += fm.horizontalAdvance(down_text + "   ")
            painter.setPen(self.color("unknown"))
            self.draw_text(painter, x, baseline, f"{self.grid.unknown} unknown", fm)
