"""The gauge body: a 240° arc from min to max, filled to the value in its severity colour.

The static parts (track, threshold bands, min/max labels) are a pixmap cached per
size; each update paints one arc and two lines of text over it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QWidget

from noc_app.config.schema import PanelConfig
from noc_app.display_text import unit_text
from noc_app.selectors import PanelData
from noc_app.themes import Theme
from noc_app.units import format_value
from noc_app.widgets.chart_math import severity_bands
from noc_app.widgets.metric_body import SingleValueBody

START_DEG = 210.0  # lower left, counter-clockwise from 3 o'clock (Qt's convention)
SWEEP_DEG = 240.0  # clockwise to the lower right


@dataclass(frozen=True, slots=True)
class _Geometry:
    cx: float
    cy: float
    track_r: float  # radius of the track's centre line
    track_w: float
    band_r: float
    band_w: float
    label_px: int

    def rect(self, radius: float) -> QRectF:
        return QRectF(self.cx - radius, self.cy - radius, 2 * radius, 2 * radius)


class GaugeBody(SingleValueBody):
    """A value against its panel's min..max range and thresholds."""

    def __init__(self, panel: PanelConfig, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(panel, theme, parent)
        self.lo = panel.min if panel.min is not None else 0.0
        self.hi = panel.max if panel.max is not None else 100.0
        if not self.hi > self.lo:
            self.hi = self.lo + 1.0
        self._static: QPixmap | None = None
        self._static_dimmed = False
        self._geometry: _Geometry | None = None

    def fraction(self, value: float) -> float:
        """Where a value sits along the arc, 0..1 (clamped: the text shows the real value).

        +Inf fills the arc, -Inf and NaN leave it empty.
        """
        if math.isnan(value):
            return 0.0
        if math.isinf(value):
            return 1.0 if value > 0 else 0.0
        return min(1.0, max(0.0, (value - self.lo) / (self.hi - self.lo)))

    def point_at(self, value: float) -> QPointF:
        """The point on the track's centre line where `value` sits."""
        g = self._layout()
        angle = math.radians(START_DEG - SWEEP_DEG * self.fraction(value))
        return QPointF(g.cx + g.track_r * math.cos(angle), g.cy - g.track_r * math.sin(angle))

    def _on_data(self, data: PanelData) -> None:
        super()._on_data(data)
        if data.dimmed != self._static_dimmed:
            self._static = None

    def _invalidate_layout(self) -> None:
        self._static = None
        self._geometry = None

    # -- paint ----------------------------------------------------------------------
    def _layout(self) -> _Geometry:
        if self._geometry is None:
            w, h = float(self.width()), float(self.height())
            label_px = self.minor(max(8, round(self.text_px * 0.7)))
            pad = max(2.0, 0.04 * min(w, h))
            label_h = label_px * 1.3
            outer = max(4.0, min((w - 2 * pad) / 2, (h - 2 * pad - label_h) / 1.5))
            cy = pad + outer + max(0.0, (h - 2 * pad - label_h - 1.5 * outer) / 2)
            band_w = outer * 0.07
            track_w = outer * 0.17
            self._geometry = _Geometry(
                cx=w / 2,
                cy=cy,
                band_r=outer - band_w / 2,
                band_w=band_w,
                track_r=outer - band_w - outer * 0.04 - track_w / 2,
                track_w=track_w,
                label_px=label_px,
            )
        return self._geometry

    def _paint(self, painter: QPainter) -> None:
        if not self.judged.text:
            painter.fillRect(self.rect(), self.color("panel"))
            return
        static = self._static if self._static is not None else self._build_static()
        painter.drawPixmap(0, 0, static)
        g = self._layout()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        fraction = self.fraction(self.judged.value)
        if fraction > 0:
            pen = QPen(self._arc_color(), g.track_w, Qt.PenStyle.SolidLine, Qt.PenCapStyle.FlatCap)
            painter.setPen(pen)
            painter.drawArc(g.rect(g.track_r), round(START_DEG * 16), -round(SWEEP_DEG * fraction * 16))
        self._paint_texts(painter, g)

    def _arc_color(self) -> QColor:
        if self.judged.severity is None and not self.panel.thresholds:
            return self.series_qcolor(0)  # nothing to judge by: a neutral series colour, not 'ok'
        return self.color(self.judged.color_key)

    def _paint_texts(self, painter: QPainter, g: _Geometry) -> None:
        inner = g.track_r - g.track_w / 2
        caption = self.judged.severity_text
        number_px = self.major(self.fit_px(self.judged.text, inner * (0.46 if caption else 0.56), inner * 1.6))
        metrics = QFontMetricsF(self.px_font(number_px, bold=True))
        baseline = g.cy + metrics.ascent() * 0.35
        painter.setPen(self.color(self.judged.color_key))
        painter.setFont(self.px_font(number_px, bold=True))
        painter.drawText(QPointF(g.cx - metrics.horizontalAdvance(self.judged.text) / 2, baseline), self.judged.text)
        if caption:
            caption_px = self.minor(self.fit_px(caption, max(self.text_px * 0.8, inner * 0.2), inner * 1.8))
            caption_metrics = QFontMetricsF(self.px_font(caption_px, bold=True))
            if caption_metrics.horizontalAdvance(caption) > inner * 1.8:  # held at a distance's size: the word only
                caption = caption.split(" ", 1)[0]
            painter.setFont(self.px_font(caption_px, bold=True))
            y = baseline + metrics.descent() + caption_metrics.ascent()
            painter.drawText(QPointF(g.cx - caption_metrics.horizontalAdvance(caption) / 2, y), caption)

    def _build_static(self) -> QPixmap:
        """Track, threshold bands and min/max labels: everything but the value (kept and returned)."""
        g = self._layout()
        dpr = self.devicePixelRatioF()
        pixmap = QPixmap(max(1, round(self.width() * dpr)), max(1, round(self.height() * dpr)))
        pixmap.setDevicePixelRatio(dpr)
        pixmap.fill(self.color("panel"))
        p = QPainter(pixmap)
        try:
            p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            p.setPen(QPen(self.color("grid"), g.track_w, Qt.PenStyle.SolidLine, Qt.PenCapStyle.FlatCap))
            p.drawArc(g.rect(g.track_r), round(START_DEG * 16), -round(SWEEP_DEG * 16))
            if self.panel.thresholds:
                for a, b, severity in severity_bands(self.lo, self.hi, self.panel.thresholds):
                    key = severity.value if severity is not None else "ok"
                    p.setPen(QPen(self.color(key), g.band_w, Qt.PenStyle.SolidLine, Qt.PenCapStyle.FlatCap))
                    start = START_DEG - SWEEP_DEG * self.fraction(a)
                    span = SWEEP_DEG * (self.fraction(b) - self.fraction(a))
                    p.drawArc(g.rect(g.band_r), round(start * 16), -round(span * 16))
            self._paint_end_labels(p, g)
        finally:
            p.end()
        self._static = pixmap
        self._static_dimmed = self.dimmed
        return pixmap

    def _paint_end_labels(self, p: QPainter, g: _Geometry) -> None:
        metrics = QFontMetricsF(self.px_font(g.label_px))
        p.setFont(self.px_font(g.label_px))
        p.setPen(self.color("axis"))
        outer = g.band_r + g.band_w / 2
        y = g.cy + outer * 0.5 + metrics.ascent() + g.label_px * 0.15
        for value, deg in ((self.lo, START_DEG), (self.hi, START_DEG - SWEEP_DEG)):
            text = format_value(value, unit_text(self.panel.unit))
            end_x = g.cx + (g.track_r) * math.cos(math.radians(deg))
            text_w = metrics.horizontalAdvance(text)
            x = min(max(end_x - text_w / 2, 0.0), self.width() - text_w)
            p.drawText(QPointF(x, y), text)

