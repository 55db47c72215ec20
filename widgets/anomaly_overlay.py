"""Anomaly scoring drawn on a timeseries plot: the band of expected values and the anomalous points.

The band is a faint tint (theme `anomaly_band` mixed into the panel colour, opaque: it
covers the grid, and costs far less than a translucent fill) under the lines, one polygon
per unbroken run of expected values; an anomalous point gets a ring in `anomaly_marker` with a
panel-coloured halo, sized from the text size so it reads at 4K and from across the room.
Everything is clipped to the plot; the y axis is not widened for the band (it stays calm).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from pyqtgraph.functions import create_qpolygonf, ndarray_from_qpolygonf
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPen, QPixmap

from noc_app.anomaly_tracks import PanelAnomaly, SeriesAnomaly

BAND_SHARE = 0.18  # of the band colour over the panel: a tint the lines stay readable over
MAX_MARKERS = 200  # per panel: past this the plot is all markers anyway
BAND_COLUMN_PX = 6  # the band keeps one point per this many pixels


@dataclass(frozen=True, kw_only=True, slots=True)
class DrawnAnomaly:
    """What was drawn for one series (exposed for tests): band polygons' point count and marker centres."""

    draw_key: str
    band_points: int
    markers: tuple[tuple[float, float], ...]


@dataclass(frozen=True, kw_only=True, slots=True)
class PlotMapping:
    """Data to pixels for one plot: x is time (x0..x1 across the rect), y per axis."""

    rect: QRectF
    x0: float
    x1: float
    y_of: Callable[[float, int], float]


def band_tint(color: QColor, panel: QColor) -> QColor:
    """The band's fill: its colour mixed into the panel's, opaque (an alpha fill costs several times more)."""
    t = BAND_SHARE
    return QColor.fromRgbF(color.redF() * t + panel.redF() * (1 - t), color.greenF() * t + panel.greenF() * (1 - t),
                           color.blueF() * t + panel.blueF() * (1 - t))


def paint_bands(painter: QPainter, anomaly: PanelAnomaly, lines: Sequence[tuple[str, int]],
                plot: PlotMapping, tint: QColor) -> dict[str, int]:
    """The expected band of the line that needs it most (draw key, axis); returns polygon points per draw key.

    One band per panel: three overlapping bands read as grey fog from across the room (and cost
    three fills).  It follows the series with the most anomalous points in the window, else the
    first line.
    """
    series = anomaly.by_draw_key()
    lines = _banded(lines, series)
    painter.save()
    painter.setClipRect(plot.rect)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QBrush(tint))
    drawn: dict[str, int] = {}
    for key, axis in lines:
        found = series.get(key)
        if found is None:
            continue
        drawn[key] = _paint_band(painter, found, axis, plot)
    painter.restore()
    return drawn


def paint_anomaly_markers(painter: QPainter, anomaly: PanelAnomaly, lines: Sequence[tuple[str, int]],
                          plot: PlotMapping, colors: tuple[QColor, QColor], radius: float,
                          bands: Mapping[str, int]) -> tuple[DrawnAnomaly, ...]:
    """A ring on each anomalous point in the window; colors: (marker, halo)."""
    series = anomaly.by_draw_key()
    device = painter.device()
    sprite = _ring_sprite(radius, colors, device.devicePixelRatioF() if device is not None else 1.0)
    half = sprite.width() / sprite.devicePixelRatioF() / 2
    painter.save()
    painter.setClipRect(plot.rect.adjusted(-half, -half, half, half))
    drawn: list[DrawnAnomaly] = []
    budget = MAX_MARKERS
    for key, axis in lines:
        found = series.get(key)
        if found is None:
            continue
        centres = _marker_centres(found, axis, plot)[-budget:] if budget > 0 else []
        budget -= len(centres)
        draw = painter.drawPixmap
        for cx, cy in centres:  # one cached antialiased ring blitted per point: far cheaper than drawing each
            draw(QPointF(cx - half, cy - half), sprite)
        drawn.append(DrawnAnomaly(draw_key=key, band_points=bands.get(key, 0), markers=tuple(centres)))
    painter.restore()
    return tuple(drawn)


_SPRITES: dict[tuple[float, int, int, float], QPixmap] = {}


def _ring_sprite(radius: float, colors: tuple[QColor, QColor], dpr: float) -> QPixmap:
    """A ring in the marker colour with a halo in the panel's, so it reads over any line."""
    marker, halo = colors
    key = (round(radius, 1), marker.rgba(), halo.rgba(), dpr)
    found = _SPRITES.get(key)
    if found is not None:
        return found
    width = max(2.0, radius / 2.5)
    size = math.ceil(2 * (radius + width + 2))
    sprite = QPixmap(max(1, math.ceil(size * dpr)), max(1, math.ceil(size * dpr)))
    sprite.setDevicePixelRatio(dpr)
    sprite.fill(Qt.GlobalColor.transparent)
    p = QPainter(sprite)
    try:
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        p.setBrush(Qt.BrushStyle.NoBrush)
        for pen in (QPen(halo, width + 3.0), QPen(marker, width)):
            p.setPen(pen)
            p.drawEllipse(QPointF(size / 2, size / 2), radius, radius)
    finally:
        p.end()
    if len(_SPRITES) > 32:  # themes x text sizes: a handful in practice
        _SPRITES.clear()
    _SPRITES[key] = sprite
    return sprite


def _banded(lines: Sequence[tuple[str, int]], series: Mapping[str, SeriesAnomaly]) -> list[tuple[str, int]]:
    scored = [(key, axis) for key, axis in lines if key in series]
    if not scored:
        return []
    worst = max(scored, key=lambda line: (series[line[0]].anomalous_x.size, series[line[0]].score))
    return [worst if series[worst[0]].anomalous_x.size else scored[0]]


def _x_pixels(x: np.ndarray, plot: PlotMapping) -> np.ndarray:
    span = plot.x1 - plot.x0
    return plot.rect.left() + (x - plot.x0) / span * plot.rect.width() if span > 0 else x * 0 + plot.rect.right()


def _paint_band(painter: QPainter, found: SeriesAnomaly, axis: int, plot: PlotMapping) -> int:
    visible = (found.x >= plot.x0) & np.isfinite(found.low) & np.isfinite(found.high)
    if not visible.any():
        return 0
    xs = _x_pixels(found.x, plot)
    offset = plot.y_of(0.0, axis)  # the axis is linear: y = offset + scale * value, mapped in one numpy pass
    scale = plot.y_of(1.0, axis) - offset
    columns = max(16, int(plot.rect.width() / BAND_COLUMN_PX))
    total = 0
    # Unbroken runs of known band: a warming-up detector (NaN band) leaves a gap, not a bridge.
    edges = np.flatnonzero(np.diff(np.concatenate(([0], visible.view(np.int8), [0]))))
    for start, stop in zip(edges[::2], edges[1::2], strict=True):
        if stop - start < 2:
            continue
        x, low, high = _by_column(xs[start:stop], found.low[start:stop], found.high[start:stop], plot, columns)
        n = x.size
        polygon = create_qpolygonf(2 * n)
        points = ndarray_from_qpolygonf(polygon)
        points[:n, 0], points[n:, 0] = x, x[::-1]
        points[:n, 1], points[n:, 1] = offset + scale * high, offset + scale * low[::-1]
        painter.drawPolygon(polygon)
        total += 2 * n
    return total


def _by_column(x: np.ndarray, low: np.ndarray, high: np.ndarray, plot: PlotMapping,
               columns: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """At most one band point per column: the widest band in it (thousands of points, a few hundred pixels)."""
    if x.size <= columns:
        return x, low, high
    column = ((x - plot.rect.left()) / max(1.0, plot.rect.width()) * columns).astype(np.int64)
    starts = np.concatenate(([0], np.flatnonzero(np.diff(column)) + 1))
    return x[starts], np.minimum.reduceat(low, starts), np.maximum.reduceat(high, starts)


def _marker_centres(found: SeriesAnomaly, axis: int, plot: PlotMapping) -> list[tuple[float, float]]:
    keep = (found.anomalous_x >= plot.x0) & np.isfinite(found.anomalous_y)
    xs = _x_pixels(found.anomalous_x[keep], plot)
    offset = plot.y_of(0.0, axis)  # linear axis: every point mapped in one numpy pass, not a call per point
    ys = offset + (plot.y_of(1.0, axis) - offset) * found.anomalous_y[keep]
    return list(zip(xs.tolist(), ys.tolist(), strict=True))


@dataclass(slots=True)
class AnomalyLayer:
    """One paint's anomaly drawing for a timeseries body: band under the lines, rings over them."""

    anomaly: PanelAnomaly
    lines: Sequence[tuple[str, int]]  # (draw key, axis) of each drawn line
    plot: PlotMapping
    band: QColor
    marker: QColor
    halo: QColor
    radius: float
    bands: dict[str, int] | None = None

    def paint_under(self, painter: QPainter) -> None:
        self.bands = paint_bands(painter, self.anomaly, self.lines, self.plot, band_tint(self.band, self.halo))

    def paint_over(self, painter: QPainter) -> tuple[DrawnAnomaly, ...]:
        return paint_anomaly_markers(painter, self.anomaly, self.lines, self.plot, (self.marker, self.halo),
                                     self.radius, self.bands or {})
