"""One timeseries line in pixels, ready to draw fast: polylines between gaps, lone dots, or one path.

Data is mapped to pixels straight into QPolygonF memory (no per-point Python);
a line riddled with gaps becomes one vectorised QPainterPath instead of a
polyline per run.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from pyqtgraph.functions import arrayToQPath, create_qpolygonf, ndarray_from_qpolygonf
from PySide6.QtGui import QPainter, QPainterPath, QPolygonF

from noc_app.widgets.chart_math import split_finite_runs

# Past this many gaps in one line, a single vectorised QPainterPath beats a polyline per run.
_MAX_POLYLINE_RUNS = 32


@dataclass(slots=True)
class LineShapes:
    """One line in pixels, ready to draw: polylines between NaN gaps and lone dots, or one path."""

    polylines: list[QPolygonF]
    dots: QPolygonF | None = None
    path: QPainterPath | None = None

    @classmethod
    def build(
        cls, xs: np.ndarray, ys: np.ndarray, x_map: tuple[float, float], y_map: tuple[float, float]
    ) -> LineShapes:
        """Map data to pixels (px = offset + scale * value) straight into QPolygonF memory."""
        polygon = create_qpolygonf(xs.size)
        points = ndarray_from_qpolygonf(polygon)
        np.multiply(xs, x_map[1], out=points[:, 0])
        points[:, 0] += x_map[0]
        np.multiply(ys, y_map[1], out=points[:, 1])
        points[:, 1] += y_map[0]
        runs = split_finite_runs(ys)
        if runs == [(0, xs.size)]:
            return cls(polylines=[polygon])
        if len(runs) > _MAX_POLYLINE_RUNS:  # gap-riddled: one vectorised path, not a polyline per run
            return cls(polylines=[], path=arrayToQPath(points[:, 0].copy(), points[:, 1].copy(), connect="finite"))
        polylines = []
        for start, stop in runs:
            if stop - start > 1:
                piece = create_qpolygonf(stop - start)
                ndarray_from_qpolygonf(piece)[:] = points[start:stop]
                polylines.append(piece)
        lone = [start for start, stop in runs if stop - start == 1]
        dots = None
        if lone:  # a single sample between gaps is still data: draw it as a dot
            dots = create_qpolygonf(len(lone))
            ndarray_from_qpolygonf(dots)[:] = points[lone]
        return cls(polylines=polylines, dots=dots)

    def draw(self, painter: QPainter) -> None:
        if self.path is not None:
            painter.drawPath(self.path)
        for polygon in self.polylines:
            painter.drawPolyline(polygon)
        if self.dots is not None:
            painter.drawPoints(self.dots)
