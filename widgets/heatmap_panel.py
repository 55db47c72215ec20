"""The heatmap body: each histogram bucket's share of requests over time, with the P95 line.

Cells are one QImage (a row per pixel of height, a column per time step) scaled
to the plot without smoothing; it is rebuilt only when the data or the size
changes, so memory is bounded by the plot's height times the number of steps.
The colour ramp runs from the panel colour through the theme's first series
colour to its text colour; the quantile line is drawn in the text colour with
its newest value spelled out ("P95 1.23 s").
"""

from __future__ import annotations

import math

import numpy as np
from pyqtgraph.functions import create_qpolygonf, ndarray_from_qpolygonf
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QImage, QPainter, QPen
from PySide6.QtWidgets import QWidget

from noc_app.config.schema import PanelConfig
from noc_app.histogram import Buckets, bucket_shares, buckets_from_series, format_bound, histogram_quantile
from noc_app.selectors import PanelData
from noc_app.selectors_panels import answered_series
from noc_app.themes import Theme
from noc_app.units import format_value
from noc_app.widgets.chart_math import split_finite_runs
from noc_app.widgets.metric_body import MetricBody
from noc_app.widgets.text_boxes import TextBoxes

RAMP_STEPS = 64


class HeatmapBody(TextBoxes, MetricBody):
    """Latency distribution over time."""

    def __init__(self, panel: PanelConfig, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(panel, theme, parent)
        self.buckets: Buckets | None = None
        self.shares: np.ndarray = np.zeros((0, 0))
        self.quantile_line: np.ndarray = np.zeros(0)
        self._image: QImage | None = None
        self.text_boxes = []

    @property
    def quantile_label(self) -> str:
        q = self.panel.histogram.quantile
        return "" if q is None else f"P{q * 100:g}"

    @property
    def quantile_text(self) -> str:
        """'P95 1.23 s' for the newest step, '' without a line or a value."""
        if not self.quantile_label or not self.quantile_line.size:
            return ""
        finite = self.quantile_line[np.isfinite(self.quantile_line)]
        if not finite.size:
            return ""
        return f"{self.quantile_label} {format_value(float(finite[-1]), self.panel.unit or 's')}"

    def _on_data(self, data: PanelData) -> None:
        self.buckets = buckets_from_series(answered_series(data.results))
        self._image = None
        if self.buckets is None:
            self.shares, self.quantile_line = np.zeros((0, 0)), np.zeros(0)
            return
        self.shares = bucket_shares(self.buckets)
        q = self.panel.histogram.quantile
        self.quantile_line = histogram_quantile(q, self.buckets) if q is not None else np.zeros(0)

    def _invalidate_layout(self) -> None:
        self._image = None

    # -- geometry ---------------------------------------------------------------------
    def _row_edges(self) -> np.ndarray:
        """Lower and upper edge of each bucket row in axis units (log10 or linear), +Inf on top."""
        assert self.buckets is not None
        bounds = self.buckets.bounds
        finite = bounds[np.isfinite(bounds)]
        if self._log_axis():
            ratio = finite[1] / finite[0] if finite.size > 1 else 10.0
            edges = np.log10(np.concatenate(([finite[0] / ratio], finite)))
            step = (edges[-1] - edges[0]) / max(1, finite.size)
        else:
            edges = np.concatenate(([min(0.0, float(finite[0])) if finite.size else 0.0], finite))
            step = (edges[-1] - edges[0]) / max(1, finite.size) if finite.size else 1.0
        if self.buckets.has_inf:
            edges = np.concatenate((edges, [edges[-1] + step]))
        return edges

    def _log_axis(self) -> bool:
        """Log axis: configured, and the lowest bound is positive (log of 0 has no place)."""
        finite = self.buckets.finite_bounds if self.buckets is not None else np.zeros(0)
        return self.panel.histogram.y_axis == "log" and finite.size > 0 and float(finite[0]) > 0

    def _plot_rect(self) -> QRectF:
        px = max(self.text_px * 0.8, self.minor(0))
        fm = QFontMetricsF(self.px_font(round(px)))
        label_w = fm.horizontalAdvance("100 ms") + px * 0.6
        below = px * 0.3 if self._no_time_labels() else px * 1.6
        return QRectF(label_w, px * 1.6, max(1.0, self.width() - label_w - px * 0.3),
                      max(1.0, self.height() - px * 1.6 - below))

    def _no_time_labels(self) -> bool:
        """Held at a viewing distance's size in a short panel: the -30m / now labels give way to the cells."""
        return self.held and self.height() < self.minor(0) * 5

    # -- paint --------------------------------------------------------------------------
    def _paint(self, painter: QPainter) -> None:
        self.reset_text_boxes()
        painter.fillRect(self.rect(), self.color("panel"))
        if self.buckets is None or not self.shares.size:
            return
        plot = self._plot_rect()
        edges = self._row_edges()
        lo, hi = float(edges[0]), float(edges[-1])
        image = self._cells()
        for row in range(image.height()):  # each bucket's strip stretched over its rows of pixels
            top, bottom = self._y(float(edges[row + 1]), plot, lo, hi), self._y(float(edges[row]), plot, lo, hi)
            painter.drawImage(QRectF(plot.left(), top, plot.width(), bottom - top), image,
                              QRectF(0, row, image.width(), 1))
        self._paint_axis(painter, plot, edges)
        self._paint_quantile(painter, plot, lo, hi)

    def _ramp(self) -> np.ndarray:
        """RAMP_STEPS ARGB colours: panel -> series colour -> text (dimmed: stale grey)."""
        stops = [self.color("panel"), self.series_qcolor(0), self.color("text" if not self.dimmed else "stale")]
        out = np.zeros(RAMP_STEPS, dtype=np.uint32)
        for i in range(RAMP_STEPS):
            f = i / (RAMP_STEPS - 1) * 2
            a, b = (stops[0], stops[1]) if f <= 1 else (stops[1], stops[2])
            t = f if f <= 1 else f - 1
            c = QColor.fromRgbF(a.redF() + (b.redF() - a.redF()) * t, a.greenF() + (b.greenF() - a.greenF()) * t,
                                a.blueF() + (b.blueF() - a.blueF()) * t)
            out[i] = c.rgba()
        return out

    def _cells(self) -> QImage:
        """One pixel per (bucket, time step), lowest bucket in row 0; rows are stretched when drawn."""
        if self._image is not None:
            return self._image
        peak = np.nanmax(self.shares) if np.isfinite(self.shares).any() else 1.0
        # square root: a bucket holding 2 % of requests must still be visible next to one holding 60 %
        scaled = np.sqrt(np.nan_to_num(self.shares, nan=0.0) / (peak if peak > 0 else 1.0))
        index = np.clip((scaled * (RAMP_STEPS - 1)).round().astype(np.int64), 0, RAMP_STEPS - 1)
        pixels = np.ascontiguousarray(self._ramp()[index])
        image = QImage(pixels.data, pixels.shape[1], pixels.shape[0], pixels.shape[1] * 4, QImage.Format.Format_ARGB32)
        self._image = image.copy()  # own the pixels: the numpy buffer goes away
        return self._image

    def _y(self, value: float, plot: QRectF, lo: float, hi: float) -> float:
        return plot.bottom() - (value - lo) / (hi - lo) * plot.height() if hi > lo else plot.bottom()

    def _paint_axis(self, painter: QPainter, plot: QRectF, edges: np.ndarray) -> None:
        assert self.buckets is not None
        px = self.minor(round(self.text_px * 0.8))
        font = self.px_font(px)
        fm = QFontMetricsF(font)
        painter.setFont(font)
        painter.setPen(self.color("text_dim"))  # brighter than grid axes: these labels are read, not glanced
        lo, hi = float(edges[0]), float(edges[-1])
        last_y = math.inf
        uppers = list(self.buckets.finite_bounds)
        for bound, edge in zip(uppers, edges[1:], strict=False):
            y = self._y(float(edge), plot, lo, hi)
            if last_y - y < fm.height() * 1.2 or y + fm.ascent() / 2.5 + fm.descent() > self.height():
                continue  # too near the last label, or it would be cut at the bottom
            text = format_bound(float(bound))
            text_x = plot.left() - fm.horizontalAdvance(text) - px * 0.4
            self.draw_text(painter, text_x, y + fm.ascent() / 2.5, text, fm)
            last_y = y
        times = self.buckets.times
        if times.size > 1 and not self._no_time_labels():
            span = float(times[-1] - times[0])
            left, right = (f"-{round(span / 60)}m" if span >= 120 else f"-{round(span)}s"), "now"
            base = plot.bottom() + fm.ascent() + px * 0.3
            self.draw_text(painter, plot.left(), base, left, fm)
            self.draw_text(painter, plot.right() - fm.horizontalAdvance(right), base, right, fm)

    def _paint_quantile(self, painter: QPainter, plot: QRectF, lo: float, hi: float) -> None:
        line = self.quantile_line
        if not line.size or not hi > lo:
            return
        n = line.size
        with np.errstate(invalid="ignore", divide="ignore"):
            axis = np.log10(line) if self._log_axis() else line
        points = np.empty((n, 2))
        points[:, 0] = plot.left() + (np.arange(n) + 0.5) / n * plot.width()
        points[:, 1] = np.clip(plot.bottom() - (axis - lo) / (hi - lo) * plot.height(), plot.top(), plot.bottom())
        color = self.color("text")
        # No antialiasing (18x slower with wide pens): a wide halo in the panel colour, then the line.
        halo = QPen(self.color("panel"), max(4.0, round(self.text_px * 0.3)))
        pen = QPen(color, max(2.0, round(self.text_px * 0.12)))
        for start, stop in split_finite_runs(axis):
            if stop - start < 2:
                continue
            polyline = create_qpolygonf(stop - start)
            ndarray_from_qpolygonf(polyline)[:] = points[start:stop]
            painter.setPen(halo)
            painter.drawPolyline(polyline)
            painter.setPen(pen)
            painter.drawPolyline(polyline)
        if self.quantile_text:
            px = self.text_px
            font = self.px_font(px, bold=True)
            fm = QFontMetricsF(font)
            painter.setFont(font)
            painter.setPen(color)
            text = fm.elidedText(self.quantile_text, Qt.TextElideMode.ElideRight, plot.width())
            self.draw_text(painter, plot.right() - fm.horizontalAdvance(text), fm.ascent(), text, fm)
