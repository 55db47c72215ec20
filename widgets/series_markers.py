"""Annotation markers on a timeseries plot: thin dashed verticals, labels in a strip above the plot.

The labels sit above the plot (the body reserves the strip) so they never cover
the data; a label that would overlap the previous one is left out, its line stays.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen

from noc_app.annotations import Marker
from noc_app.display_text import visible
from noc_app.widgets.chart_math import marker_xs


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
    pen = QPen(color, 1, Qt.PenStyle.DashLine)
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
