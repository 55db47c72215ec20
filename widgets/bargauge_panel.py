"""The bar gauge body: one horizontal bar per series (name, bar, value), judged by thresholds.

Rows are as tall as the text allows (never taller than ~3 lines of text) and never so
short that the text shrinks below a readable size: the bars that do not fit are
counted ("+27 more", the list is sorted as configured); a bar
whose value crosses a threshold is drawn in its severity colour and gets the
severity's marker shape next to the value, so colour is never the only signal.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QFontMetricsF, QPainter
from PySide6.QtWidgets import QWidget

from noc_app.config.schema import PanelConfig
from noc_app.selectors import PanelData
from noc_app.selectors_panels import Bar, BarList, select_bars
from noc_app.themes import Theme
from noc_app.widgets.metric_body import MetricBody
from noc_app.widgets.state_style import SEVERITY_MARKER, draw_marker
from noc_app.widgets.text_boxes import TextBoxes

NAME_SHARE = 0.32  # of the width, at most, for the bar names
VALUE_SHARE = 0.5  # of the width, at most, for the values: the bar gives way, never the number
ROW_TEXT_SHARE = 0.62  # of a row's height, at most, for its text
SMALLEST_TEXT_SHARE = 0.8  # of the panel's text size: the least a bar's text shrinks to fit more bars
MIN_TEXT_PX = 11  # and never below this (Node Exporter Full's 45 collectors were drawn at 8 px)


class BarGaugeBody(TextBoxes, MetricBody):
    """Several values against one min..max range."""

    def __init__(self, panel: PanelConfig, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(panel, theme, parent)
        self.bar_list = BarList(bars=(), more=0)
        self.text_boxes = []

    def _on_data(self, data: PanelData) -> None:
        self.bar_list = select_bars(data.results, self.panel)

    @property
    def more_text(self) -> str:
        more = self.shown_bars()[1]
        return f"+{more} more" if more else ""

    def smallest_text_px(self) -> int:
        """The smallest text a bar's name and value get: rows give way ("+N more") before text shrinks below it."""
        return self.minor(max(MIN_TEXT_PX, round(self.text_px * SMALLEST_TEXT_SHARE)))

    def shown_bars(self) -> tuple[tuple[Bar, ...], int]:
        """The bars drawn and how many are left out: as many as fit at a readable text size."""
        bars, more = self.bar_list.bars, self.bar_list.more
        fit = max(1, int(self.height() // (self.smallest_text_px() / ROW_TEXT_SHARE)))
        if len(bars) + (1 if more else 0) > fit:
            keep = max(1, fit - 1)
            bars, more = bars[:keep], more + len(bars) - keep
        return bars, more

    def row_geometry(self) -> tuple[float, int]:
        """(row height, text px) for the current size and bar count."""
        bars, more = self.shown_bars()
        rows = len(bars) + (1 if more else 0)
        h = float(self.height())
        row_h = min(h / max(1, rows), self.text_px * 4.0)
        text_px = max(self.smallest_text_px(), min(round(self.text_px * 1.15), int(row_h * ROW_TEXT_SHARE)))
        return row_h, text_px

    def _paint(self, painter: QPainter) -> None:
        self.reset_text_boxes()
        painter.fillRect(self.rect(), self.color("panel"))
        bars, more = self.shown_bars()
        if not bars:
            return  # the frame says NO DATA / LOADING
        w = float(self.width())
        row_h, text_px = self.row_geometry()
        font = self.px_font(text_px)
        bold = self.px_font(text_px, bold=True)
        fm, fm_bold = QFontMetricsF(font), QFontMetricsF(bold)
        gap = max(4.0, text_px * 0.4)
        name_w = min(w * NAME_SHARE, max(fm.horizontalAdvance(b.name) for b in bars) + gap)
        pad = max(2.0, text_px * 0.15)  # bold digits overhang their advance a little: keep them off the edge
        value_w = min(w * VALUE_SHARE, max(fm_bold.horizontalAdvance(b.text) for b in bars) + text_px + gap + pad)
        bar_left, bar_right = name_w + gap, w - value_w - gap
        top = max(0.0, (self.height() - row_h * (len(bars) + (1 if more else 0))) / 2)
        for i, bar in enumerate(bars):
            y = top + i * row_h
            baseline = y + (row_h + fm.ascent() - fm.descent()) / 2
            painter.setFont(font)
            painter.setPen(self.color("text"))
            name = fm.elidedText(bar.name, Qt.TextElideMode.ElideMiddle, name_w - gap * 0.5)
            self.draw_text(painter, 0.0, baseline, name, fm)
            bar_h = min(row_h * 0.62, text_px * 1.6)
            bar_rect = QRectF(bar_left, y + (row_h - bar_h) / 2, max(0.0, bar_right - bar_left), bar_h)
            if self.panel.bargauge.show_unfilled:
                painter.fillRect(bar_rect, self.color("grid"))
            fill = self.color(bar.color_key) if self.panel.thresholds else self.series_qcolor(i)
            filled = QRectF(bar_rect.left(), bar_rect.top(), bar_rect.width() * bar.fraction, bar_rect.height())
            painter.fillRect(filled, fill)
            value_left = bar_right + gap
            if bar.severity is not None:
                marker = QRectF(value_left, y + (row_h - text_px * 0.8) / 2, text_px * 0.8, text_px * 0.8)
                draw_marker(painter, SEVERITY_MARKER[bar.severity], marker, self.color(bar.color_key))
            painter.setFont(bold)
            painter.setPen(self.color(bar.color_key))
            room = w - value_left - pad - (text_px if bar.severity is not None else 0.0)  # the marker's place
            value = fm_bold.elidedText(bar.text, Qt.TextElideMode.ElideRight, room)
            self.draw_text(painter, w - pad - fm_bold.horizontalAdvance(value), baseline, value, fm_bold)
        if self.more_text:
            y = top + len(bars) * row_h
            painter.setFont(font)
            painter.setPen(self.color("text_dim"))
            self.draw_text(painter, 0.0, y + (row_h + fm.ascent() - fm.descent()) / 2, self.more_text, fm)
