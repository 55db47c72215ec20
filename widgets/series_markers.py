"""What a timeseries draws besides its lines: annotation markers and the tints under stacked curves.

Markers are thin dashed verticals with labels in a strip above the plot.

The labels sit above the plot (the body reserves the strip) so they never cover
the data; a label that would overlap the previous one is left out, its line stays.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from pyqtgraph.functions import create_qpolygonf, ndarray_from_qpolygonf
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen

from noc_app.annotations import Marker
from noc_app.display_text import visible
from noc_app.widgets.chart_math import marker_xs, split_finite_runs


@dataclass(frozen=True, kw_only=True, slots=True)
class DrawnMarker:
    """One annotation marker as last painted (exposed for tests): pixel x, time, label shown or not."""

    x: float
    at: float
    title: str
    labelled: bool


def paint_markers(
    painter: QPainter,
    markers: tuple[Marker, ...],
    plot: QRectF,
    window: tuple[float, float],
    font: QFont,
    color: QColor,
    body_width: float,
) -> tuple[DrawnMarker, ...]:
    """Draw the markers inside `window` (data times at the plot's left and right edges)."""
    xs = marker_xs(np.array([m.at for m in markers]), window[0], window[1], plot.left(), plot.width())
    metrics = QFontMetricsF(font)
    pen = QPen(color, max(1, round(font.pixelSize() / 14)), Qt.PenStyle.DashLine)  # 2 px at 4K: seen across a room
    painter.setFont(font)
    baseline = plot.top() - max(2.0, font.pixelSize() * 0.3) - metrics.descent()
    free_from = -math.inf
    drawn = []
    for marker, x in zip(markers, xs.tolist(), strict=True):
        if math.isnan(x):
            continue
        x = round(x)
        painter.setPen(pen)
        painter.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()))
        label = metrics.elidedText(visible(marker.title), Qt.TextElideMode.ElideRight, plot.width() / 3)
        label_w = metrics.horizontalAdvance(label)
        label_x = min(max(x - label_w / 2, 0.0), body_width - label_w)
        labelled = label_x >= free_from
        if labelled:
            painter.setPen(color)
            painter.drawText(QPointF(label_x, baseline), label)
            free_from = label_x + label_w + metrics.horizontalAdvance(" ")
        drawn.append(DrawnMarker(x=float(x), at=marker.at, title=marker.title, labelled=labelled))
    return tuple(drawn)


def paint_stack_fill(painter: QPainter, xs: np.ndarray, ys: np.ndarray, x_map: tuple[float, float],
                     y_map: tuple[float, float], base_y: float, color: QColor) -> None:
    """The area under one stacked curve down to `base_y` (pixels), one polygon per run between gaps.

    Drawn from the top of the stack down, opaque, each band keeps its own tint.
    """
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(color)
    for start, stop in split_finite_runs(ys):
        if stop - start < 2:
            continue
        n = stop - start
        polygon = create_qpolygonf(n + 2)
        points = ndarray_from_qpolygonf(polygon)
        points[:n, 0] = x_map[0] + x_map[1] * xs[start:stop]
        points[:n, 1] = y_map[0] + y_map[1] * ys[start:stop]
        points[n] = (points[n - 1, 0], base_y)
        points[n + 1] = (points[0, 0], base_y)
        painter.drawPolygon(polygon)
    painter.setBrush(Qt.BrushStyle.NoBrush)
