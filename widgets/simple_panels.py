"""Small panel bodies: free text (plain), and a grid of scrape targets up/down.

The `status` kind (widgets/status_panel.py) is the general form of the targets grid:
one tile per series of `up` or any 0/1 query, with counts and a chosen name label.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QRect, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QLabel, QWidget

from noc_app.config.schema import PanelConfig
from noc_app.display_text import visible, visible_lines
from noc_app.model import Target
from noc_app.selectors import PanelData
from noc_app.selectors_panels import short_host
from noc_app.themes import Theme
from noc_app.widgets.state_style import draw_marker


class TextBody(QLabel):
    """A panel of configured text, shown as plain text.

    Not Markdown or HTML: the text may come from an imported Grafana dashboard
    (whose text panels can hold HTML), and rich text would load images from
    file:// URLs and show links on a wall nobody clicks.
    """

    def __init__(self, panel: PanelConfig, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.panel = panel
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.setWordWrap(True)
        self.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.setStyleSheet(f"QLabel {{ color: {theme.color('text')}; background: transparent; }}")
        self.setText(visible_lines(panel.text))

    def refresh(self, data: PanelData) -> None:
        """Text panels have no source; the text is the config's."""

    def set_text_px(self, px: int) -> None:
        font = QFont(self.font())
        font.setPixelSize(max(9, int(px)))
        self.setFont(font)


_HEALTH = {  # health -> (theme colour key, marker shape, word); unknown health falls to the last
    "down": ("critical", "square", "DOWN"),
    "unknown": ("unknown", "ring", "UNKNOWN"),
    "up": ("ok", "circle", "UP"),
}
_ORDER = {"down": 0, "unknown": 1, "up": 2}


@dataclass(frozen=True, kw_only=True, slots=True)
class TargetTile:
    """The words of one painted tile."""

    instance: str
    job: str
    health_text: str  # UP / DOWN / UNKNOWN
    color_key: str
    shape: str


def target_tile(target: Target) -> TargetTile:
    """How one scrape target is shown."""
    color_key, shape, word = _HEALTH.get(target.health.lower(), _HEALTH["unknown"])
    return TargetTile(
        # "api-1.prod.example.com:8080" -> "api-1:8080": the room reads names, not FQDNs
        instance=visible(short_host(target.instance)), job=visible(target.job), health_text=word,
        color_key=color_key, shape=shape,
    )


class TargetsBody(QWidget):
    """A grid of up/down tiles, one per scrape target, down ones first."""

    def __init__(self, panel: PanelConfig, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.panel = panel
        self._theme = theme
        self._px = 16
        self._minor_floor = 0  # the viewing distance's floor for the tile's second line
        self._dimmed = False
        self._tiles: tuple[TargetTile, ...] = ()
        self._cols = 1
        self._tile_h = 1
        self.visible_tiles: tuple[TargetTile, ...] = ()
        self.more_count = 0
        self.empty_text = ""

    def refresh(self, data: PanelData) -> None:
        targets = sorted(data.targets, key=lambda t: (_ORDER.get(t.health.lower(), 1), t.job, t.instance))
        self._tiles = tuple(target_tile(t) for t in targets)
        self._dimmed = data.dimmed
        # Only a healthy answer can say there are none; while loading or failing, say nothing.
        self.empty_text = "No targets" if not self._tiles and data.view.state.is_healthy else ""
        self._relayout()
        self.update()

    def set_text_px(self, px: int) -> None:
        self._px = max(9, int(px))
        self._relayout()
        self.update()

    def set_text_floors(self, minor_px: int, major_px: int) -> None:
        self._minor_floor = minor_px

    def _relayout(self) -> None:
        px = self._px
        self._cols = max(1, self.width() // max(1, px * 9))
        self._tile_h = round(px * 2.7)
        rows = max(0, self.height() // self._tile_h)
        capacity = rows * self._cols
        n = len(self._tiles)
        shown = n if n <= capacity else max(0, capacity - 1)  # last slot says "+N more"
        self.visible_tiles = self._tiles[:shown]
        self.more_count = n - shown

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._relayout()

    def paintEvent(self, event: QPaintEvent) -> None:
        px = self._px
        small = max(9, round(px * 0.72), self._minor_floor)
        bold, small_font = QFont(self.font()), QFont(self.font())
        bold.setPixelSize(px)
        bold.setWeight(QFont.Weight.Bold)
        small_font.setPixelSize(small)
        painter = QPainter(self)
        dim = QColor(self._theme.color("text_dim"))
        if not self._tiles:
            painter.setFont(small_font)
            painter.setPen(dim)
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.empty_text)
            painter.end()
            return
        tile_w = self.width() // self._cols
        gap = max(2, px // 6)
        for i, tile in enumerate(self.visible_tiles):
            rect = QRect((i % self._cols) * tile_w, (i // self._cols) * self._tile_h, tile_w - gap, self._tile_h - gap)
            color = QColor(self._theme.color("stale" if self._dimmed else tile.color_key))
            painter.fillRect(rect, QColor(self._theme.color("background")))
            painter.fillRect(QRect(rect.left(), rect.top(), max(3, px // 5), rect.height()), color)
            marker = QRectF(rect.left() + px * 0.5, rect.top() + px * 0.3, px * 0.8, px * 0.8)
            draw_marker(painter, tile.shape, marker, color)
            text_left = rect.left() + round(px * 1.6)
            width = max(0, rect.right() - text_left - gap)
            painter.setFont(bold)
            painter.setPen(QColor(self._theme.color("text_dim" if self._dimmed else "text")))
            name = QFontMetrics(bold).elidedText(tile.instance, Qt.TextElideMode.ElideMiddle, width)
            painter.drawText(QRect(text_left, rect.top(), width, round(px * 1.4)), Qt.AlignmentFlag.AlignVCenter, name)
            painter.setFont(small_font)
            painter.setPen(color if tile.health_text != "UP" else dim)
            health = f"{tile.health_text} · {tile.job}"
            line2 = QFontMetrics(small_font).elidedText(health, Qt.TextElideMode.ElideRight, width)
            line2_rect = QRect(text_left, rect.top() + round(px * 1.4), width, round(px * 1.1))
            painter.drawText(line2_rect, Qt.AlignmentFlag.AlignVCenter, line2)
        if self.more_count:
            i = len(self.visible_tiles)
            rect = QRect((i % self._cols) * tile_w, (i // self._cols) * self._tile_h, tile_w - gap, self._tile_h - gap)
            painter.setFont(bold)
            painter.setPen(dim)
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, f"+{self.more_count} more")
        painter.end()
