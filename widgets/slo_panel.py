"""The SLO body: attainment, error budget left (share and minutes), the budget-burn
chart over the window, the current burn with its exhaustion forecast, and how much of
the window the data covers.

Sized for a wall: the two figures take the top half, the chart the middle, two text
lines the bottom.  Colour is never the only signal: the caption says MET/BELOW and
the budget line says how much is left.  The maths is noc_app.slo (Qt-free).
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import QWidget

from noc_app.config.schema import PanelConfig
from noc_app.selectors import PanelData
from noc_app.slo.budget import Buckets, SloStatus, budget_curve, coverage_text, forecast_text
from noc_app.slo.panel_queries import SloDataError, status_from_results, window_bounds
from noc_app.slo.present import attainment_text, budget_minutes_text, burn_text
from noc_app.themes import Theme
from noc_app.viewing import shorter_title
from noc_app.widgets.metric_body import MetricBody

BUDGET_LOW = 0.2  # the seed's success measure: burn at most 80 % of the budget


class SloBody(MetricBody):
    def __init__(self, panel: PanelConfig, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(panel, theme, parent)
        self.status: SloStatus | None = None
        self.problem = ""
        self._curve_x = np.empty(0)
        self._curve_y = np.empty(0)
        self._window = (0.0, 1.0)

    # -- data -----------------------------------------------------------------------
    def _on_data(self, data: PanelData) -> None:
        slo = self.panel.slo
        self.status, self.problem = None, ""
        if slo is None or not data.results or any(r is None for r in data.results):
            return
        try:
            status, buckets = status_from_results(slo, data.results, data.now)
        except SloDataError as exc:
            self.problem = str(exc)
            return
        self.status = status
        start, length = window_bounds(slo, data.now)
        self._window = (start, start + length)
        self._set_curve(buckets.since(start), slo.target)

    def _set_curve(self, buckets: Buckets, target: float) -> None:
        covered = buckets.covered
        self._curve_x = buckets.t[covered] if buckets.t.size else np.empty(0)
        self._curve_y = budget_curve(buckets, target)[covered] if buckets.t.size else np.empty(0)

    # -- texts ----------------------------------------------------------------------
    @property
    def verdict(self) -> tuple[str, str]:
        """(caption, colour key) for the attainment."""
        status = self.status
        assert status is not None
        target = f"{status.target * 100:g} %"
        if status.coverage_s <= 0:
            return f"no data in the window yet · target {target}", "text_dim"
        if status.attainment is None:
            return f"no traffic · target {target}", "text_dim"
        if status.attainment >= status.target:
            return f"MET · target {target}", "ok"
        return f"BELOW target {target}", "critical"

    @property
    def budget_color_key(self) -> str:
        status = self.status
        assert status is not None
        if status.budget_remaining <= 0:
            return "critical"
        return "warning" if status.budget_remaining < BUDGET_LOW else "ok"

    # -- drawing --------------------------------------------------------------------
    def _paint(self, painter: QPainter) -> None:
        painter.fillRect(self.rect(), self.color("panel"))
        w, h = float(self.width()), float(self.height())
        pad = max(4.0, self.text_px * 0.5)
        if self.status is None:
            if self.problem:
                self._line(painter, self.problem, QRectF(pad, pad, w - 2 * pad, h - 2 * pad), "critical",
                           self.text_px, wrap=True)
            return
        status = self.status
        inner = w - 2 * pad
        figures_h = h * 0.25
        half = (inner - pad) / 2
        caption, caption_key = self.verdict
        self._figure(painter, QRectF(pad, pad, half, figures_h), attainment_text(status), caption_key,
                     "attainment", caption)
        budget_value = f"{status.budget_remaining * 100:.1f} %"
        self._figure(painter, QRectF(pad * 2 + half, pad, half, figures_h), budget_value, self.budget_color_key,
                     "budget left", budget_minutes_text(status))
        lines_px = max(self.text_px, min(int(h * 0.055), int(self.text_px * 2)))
        line_h = lines_px * 1.35
        small = max(6, int(self.text_px))
        top = pad + figures_h + pad
        chart = QRectF(pad, top + small * 1.4, inner, h - top - small * 2.8 - 3 * line_h - 2 * pad)
        if chart.height() > lines_px * 2:
            self._chart(painter, chart, small)
        burning = status.exhaustion_s is not None and status.exhaustion_s <= status.window_s
        lines = ((burn_text(status), "warning" if burning else "text"),
                 (forecast_text(status), "warning" if burning else "text"),
                 (coverage_text(status), "text_dim" if status.coverage >= 0.99 else "warning"))
        for row, (text, key) in enumerate(lines):
            self._line(painter, text, QRectF(pad, h - pad - (3 - row) * line_h, inner, line_h), key, lines_px)

    def _figure(self, painter: QPainter, area: QRectF, value: str, color_key: str, label: str,
                caption: str) -> None:
        label_px = self.minor(self.fit_px(label, max(self.text_px, area.height() * 0.11), area.width(), bold=False))
        caption_px = self.minor(self.fit_px(caption, max(self.text_px, area.height() * 0.15), area.width()))
        value_px = self.major(self.fit_px(value, area.height() * 0.55, area.width()))
        y = area.top()
        for text, px, bold, key in ((label, label_px, False, "text_dim"), (value, value_px, True, color_key),
                                    (caption, caption_px, True, color_key)):
            metrics = QFontMetricsF(self.px_font(px, bold))
            y += metrics.ascent()
            painter.setFont(self.px_font(px, bold))
            painter.setPen(self.color(key))
            painter.drawText(QPointF(area.left() + (area.width() - metrics.horizontalAdvance(text)) / 2, y), text)
            y += metrics.descent() + px * 0.1

    def _line(self, painter: QPainter, text: str, area: QRectF, color_key: str, px: int,
              *, wrap: bool = False) -> None:
        painter.setPen(self.color(color_key))
        if wrap:
            painter.setFont(self.px_font(px, True))
            painter.drawText(area, int(Qt.AlignmentFlag.AlignCenter) | int(Qt.TextFlag.TextWordWrap), text)
            return
        size = self.minor(self.fit_px(text, px, area.width()))
        painter.setFont(self.px_font(size, True))
        text = QFontMetricsF(self.px_font(size, True)).elidedText(text, Qt.TextElideMode.ElideMiddle, area.width())
        painter.drawText(area, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), text)

    def _chart(self, painter: QPainter, area: QRectF, small: int) -> None:
        """Budget left over the window: 100 % at the top, 0 % as a line, overspent below it."""
        painter.fillRect(area, self.color("background"))
        x0, x1 = self._window
        ys = self._curve_y
        low = min(0.0, float(np.nanmin(ys))) if ys.size else 0.0
        low = max(low, -1.0)  # overspending beyond 100 % more is off the chart's floor
        span = 1.0 - low or 1.0

        def to_y(value: float) -> float:
            return area.bottom() - (min(1.0, max(low, value)) - low) / span * area.height()

        grid_pen = QPen(self.color("grid"), 1)
        painter.setPen(grid_pen)
        for level in (0.25, 0.5, 0.75):
            painter.drawLine(QPointF(area.left(), to_y(level)), QPointF(area.right(), to_y(level)))
        painter.setPen(QPen(self.color("axis"), max(1.0, self.text_px / 10)))
        painter.drawLine(QPointF(area.left(), to_y(0.0)), QPointF(area.right(), to_y(0.0)))
        painter.setFont(self.px_font(small))
        painter.setPen(self.color("text_dim"))
        metrics = QFontMetricsF(self.px_font(small))
        caption = "error budget left over the window (top: 100 %, line: 0 %)"
        if metrics.horizontalAdvance(caption) > area.width():  # the scale's note goes before the words shrink
            caption = shorter_title(caption) or caption
        caption = metrics.elidedText(caption, Qt.TextElideMode.ElideRight, area.width())
        painter.drawText(QPointF(area.left(), area.top() - metrics.descent() - 2), caption)
        below = area.bottom() + metrics.ascent() + 2
        painter.drawText(QPointF(area.left(), below), f"-{round((x1 - x0) / 86400)} d")
        painter.drawText(QPointF(area.right() - metrics.horizontalAdvance("now"), below), "now")
        if ys.size < 2 or not x1 > x0:
            return
        xs = area.left() + (self._curve_x - x0) / (x1 - x0) * area.width()
        poly = QPolygonF([QPointF(float(x), to_y(float(y))) for x, y in zip(xs, ys, strict=True)
                          if math.isfinite(float(y))])
        color = self.color(self.budget_color_key)
        fill = QColor(color)
        fill.setAlpha(50)
        under = QPolygonF(poly)
        under.append(QPointF(poly.last().x(), to_y(0.0)))
        under.append(QPointF(poly.first().x(), to_y(0.0)))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(fill)
        painter.drawPolygon(under)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(QPen(color, max(2.0, self.text_px / 6)))
        painter.drawPolyline(poly)
