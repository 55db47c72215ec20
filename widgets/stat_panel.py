"""The stat body: one big number, judged by the panel's thresholds, with a sparkline.

The number fills about 60 % of the body's height (shrunk to fit the width) and
takes its severity colour; a crossed threshold is also spelled out ("CRITICAL ≥
5 %") so colour is never the only signal.  Range queries get a faint sparkline.

Options (noc_app.config.panel_display): `mappings` show words for values (1 ->
UP); `color_mode: background` fills the whole tile with the severity colour
(readable from across the room) and writes the number in a contrasting colour;
`no_data_text` is written in the tile when the query answers with no value.
`sparkline: true` asks for the window's range (noc_app.plans) and draws it in a
strip under the number, in the value's state colour; the number stays the big
thing.  A stale or unreachable feed hides it (its shape is not current).
"""

from __future__ import annotations

import math

import numpy as np
from pyqtgraph.functions import create_qpolygonf, ndarray_from_qpolygonf
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPen

from noc_app.display_text import visible
from noc_app.model import DataState
from noc_app.selectors import PanelData
from noc_app.widgets.chart_math import decimate_minmax, finite_extent, split_finite_runs
from noc_app.widgets.metric_body import SingleValueBody

_SPARK_LINE_ALPHA = 170
_SPARK_FILL_ALPHA = 36


class StatBody(SingleValueBody):
    """The newest value of the panel's first series, big."""

    @property
    def hint_text(self) -> str:
        """'+2 series' when the query returned more series than the one shown."""
        return f"+{self.judged.others} series" if self.judged.others else ""

    state = DataState.LOADING
    sparkline_points: np.ndarray | None = None  # (n, 2) pixels of the sparkline as last painted
    number_baseline = 0.0  # where the number sat at the last paint (for tests)

    @property
    def sparkline_color_key(self) -> str:
        """The theme key the sparkline is drawn in: the value's state colour."""
        return self.value_color_key

    @property
    def background_mode(self) -> bool:
        return self.panel.display.color_mode == "background"

    @property
    def fill_color_key(self) -> str:
        """The theme key the whole tile is filled with ('panel' unless in background mode with a value)."""
        if self.background_mode and self.value_text and self.value_color_key != "text":
            return self.value_color_key
        return "panel"

    def _on_data(self, data: PanelData) -> None:
        super()._on_data(data)
        self.state = data.view.state

    def _paint(self, painter: QPainter) -> None:
        fill = self.color(self.fill_color_key)
        painter.fillRect(self.rect(), fill)
        self.sparkline_points = None
        w, h = float(self.width()), float(self.height())
        if not self.value_text:
            # The frame says NO DATA / LOADING; the body stays calm, or says the configured words.
            if self.panel.display.no_data_text and self.state in (DataState.NO_DATA, DataState.OK):
                self._paint_no_data(painter, w, h)
            return
        color = self.color(self.value_color_key)
        if self.fill_color_key != "panel":
            color = _contrasting(fill)
        series = self.judged.series
        has_range = series is not None and series.x.size > 1  # instant queries have one point
        strip = 0.0
        if self.panel.display.sparkline:
            strip = h * 0.26  # under the number, its own strip: the number is never covered
            if has_range and not self.dimmed:
                pad = max(2.0, h * 0.04)
                self.sparkline_points = self._paint_sparkline(
                    painter, QRectF(pad, h - strip + pad, w - 2 * pad, strip - 2 * pad), color, faint=False)
            h -= strip
        elif has_range:
            self._paint_sparkline(painter, QRectF(0, h * 0.62, w, h * 0.38), color)

        caption_px = 0
        if self.severity_text:
            wanted_px = max(self.text_px * 0.8, min(h * 0.15, self.text_px * 1.6))
            caption_px = self.minor(self.fit_px(self.severity_text, wanted_px, w * 0.92))
        number_px = self.major(self.fit_px(self.value_text, h * (0.48 if caption_px else 0.6), w * 0.92, bold=True))

        number_metrics = QFontMetricsF(self.px_font(number_px, bold=True))
        block = number_metrics.ascent() + (caption_px * 1.25 if caption_px else 0.0)
        baseline = (h - block) / 2 + number_metrics.ascent() * 0.92
        painter.setPen(color)
        painter.setFont(self.px_font(number_px, bold=True))
        number_x = (w - number_metrics.horizontalAdvance(self.value_text)) / 2
        painter.drawText(QPointF(number_x, baseline), self.value_text)
        self.number_baseline = baseline
        if caption_px:
            caption_metrics = QFontMetricsF(self.px_font(caption_px, bold=True))
            painter.setFont(self.px_font(caption_px, bold=True))
            caption_baseline = baseline + number_metrics.descent() + caption_metrics.ascent()
            x = (w - caption_metrics.horizontalAdvance(self.severity_text)) / 2
            painter.drawText(QPointF(x, caption_baseline), self.severity_text)
        if self.hint_text:
            hint_px = self.minor(max(8, round(self.text_px * 0.7)))
            metrics = QFontMetricsF(self.px_font(hint_px))
            painter.setFont(self.px_font(hint_px))
            painter.setPen(self.color("text_dim"))
            pad = hint_px * 0.4
            hint_at = QPointF(w - pad - metrics.horizontalAdvance(self.hint_text), pad + metrics.ascent())
            painter.drawText(hint_at, self.hint_text)

    def _paint_no_data(self, painter: QPainter, w: float, h: float) -> None:
        text = visible(self.panel.display.no_data_text)
        px = self.fit_px(text, h * 0.3, w * 0.92)
        metrics = QFontMetricsF(self.px_font(px, bold=True))
        painter.setFont(self.px_font(px, bold=True))
        painter.setPen(self.color("text_dim"))
        x = (w - metrics.horizontalAdvance(text)) / 2
        painter.drawText(QPointF(x, (h - metrics.height()) / 2 + metrics.ascent()), text)

    def _paint_sparkline(self, painter: QPainter, area: QRectF, color: QColor, faint: bool = True) -> np.ndarray | None:
        """The series' recent shape: faint behind the number's lower part, or (not faint) in its own strip."""
        series = self.judged.series
        assert series is not None
        x0, x1 = float(series.x[0]), float(series.x[-1])
        if not x1 > x0:
            return None
        xs, ys = decimate_minmax(series.x, series.y, x0, x1, max(8, int(area.width())))
        lo, hi = finite_extent(ys)
        if not math.isfinite(lo):
            return None
        if hi == lo:
            lo, hi = lo - 1.0, hi + 1.0
        points = np.empty((xs.size, 2))
        points[:, 0] = area.left() + (xs - x0) / (x1 - x0) * area.width()
        points[:, 1] = area.bottom() - (ys - lo) / (hi - lo) * area.height() * (0.9 if faint else 1.0)
        # Opaque: two passes must not double up.
        line = _mix(color, self.color("panel"), _SPARK_LINE_ALPHA / 255) if faint else QColor(color)
        fill = QColor(color)
        fill.setAlpha(_SPARK_FILL_ALPHA)
        for start, stop in split_finite_runs(ys):
            if stop - start < 2:
                continue
            run = points[start:stop]
            area_poly = create_qpolygonf(run.shape[0] + 2)
            view = ndarray_from_qpolygonf(area_poly)
            view[:-2] = run
            view[-2] = (run[-1, 0], area.bottom())
            view[-1] = (run[0, 0], area.bottom())
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(fill)
            painter.drawPolygon(area_poly)
            polyline = create_qpolygonf(run.shape[0])
            ndarray_from_qpolygonf(polyline)[:] = run
            painter.setPen(QPen(line, 0))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawPolyline(polyline)
            painter.translate(0.0, 1.0)  # a second pass one pixel down: a 2 px line at 1 px cost
            painter.drawPolyline(polyline)
            painter.translate(0.0, -1.0)
        return points


def _contrasting(fill: QColor) -> QColor:
    """Near-black on a light fill, white on a dark one (WCAG relative luminance, rounded)."""
    luminance = 0.2126 * fill.redF() ** 2.2 + 0.7152 * fill.greenF() ** 2.2 + 0.0722 * fill.blueF() ** 2.2
    return QColor("#111111") if luminance > 0.18 else QColor("#ffffff")


def _mix(color: QColor, under: QColor, alpha: float) -> QColor:
    """`color` laid at `alpha` over `under`, as one opaque colour."""
    return QColor.fromRgbF(
        color.redF() * alpha + under.redF() * (1 - alpha),
        color.greenF() * alpha + under.greenF() * (1 - alpha),
        color.blueF() * alpha + under.blueF() * (1 - alpha),
    )

