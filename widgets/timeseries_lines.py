"""The timeseries body's parts that are not the widget: its lines, legend entries, strokes, tick labels, stacking.

Split from widgets/timeseries_panel.py for size; the widget lays out and paints, these hold and draw data.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QPainter, QPen

from noc_app.model import Series
from noc_app.units import format_value
from noc_app.widgets.chart_math import stack_series
from noc_app.widgets.line_shapes import LineShapes
from noc_app.widgets.series_palette import DASH_NAMES, NO_STYLE, SeriesStyle

# Dimmed lines are all grey: a dash pattern per series keeps them apart.
DIMMED_STYLES = (Qt.PenStyle.SolidLine, Qt.PenStyle.DashLine, Qt.PenStyle.DotLine, Qt.PenStyle.DashDotLine)
DASH_STYLES = dict(zip(DASH_NAMES, DIMMED_STYLES, strict=True))
TRAILING_ZEROS = re.compile(r"^(-?[\d,]+)(?:(\.\d*?[1-9])|\.)0*(?!\d)")


@dataclass(slots=True)
class ChartLine:
    """One series as drawn: its colour slot, legend text and decimated points."""

    slot: int
    name: str
    series: Series
    style: SeriesStyle = NO_STYLE  # colour and dash (series_palette)
    value_text: str = ""
    value_color_key: str = "text"
    value_width: float = 0.0  # pixels at the legend's text size
    xs: np.ndarray | None = None
    ys: np.ndarray | None = None
    has_inf: bool = False  # +-Inf points are drawn pinned just past the plot's edge
    axis: int = 0  # 0: left y axis, 1: right y axis
    curve_y: np.ndarray | None = None  # what is drawn at series.x: the values, or stacked sums
    stacked: bool = True  # in a stacked panel: False for a query's `stack: false` (a total drawn over the stack)


@dataclass(frozen=True, kw_only=True, slots=True)
class DrawnCurve:
    """One drawn line in data units (exposed for tests): decimated x and y, and its axis."""

    name: str
    axis: str  # "left" | "right"
    xs: np.ndarray
    ys: np.ndarray


@dataclass(frozen=True, kw_only=True, slots=True)
class LegendEntry:
    """What the legend shows for one series (exposed for tests and screenshots)."""

    name: str
    value_text: str
    color_key: str  # theme key the value is drawn in
    style: SeriesStyle = NO_STYLE  # the line's colour and dash


# Past a few dozen lines a panel is unreadable from across the room and each line
# costs a polyline per repaint (500 series cost 0.7 s per update): draw the busiest, 1 px wide.
MAX_DRAWN_SERIES = 24
DOUBLE_PASS_MAX_SERIES = 8  # up to this many lines are drawn 2 px wide


def busiest_series(found: list[tuple[int, Series]], limit: int) -> list[tuple[int, Series]]:
    """The `limit` series with the highest peaks, in their original order (spikes stay visible)."""
    peaks = np.array([series_peak(series.y) for _, series in found])
    keep = np.sort(np.argsort(-peaks, kind="stable")[:limit])
    return [found[i] for i in keep]


def series_peak(y: np.ndarray) -> float:
    finite = y[np.isfinite(y)]
    return float(finite.max()) if finite.size else -math.inf


@dataclass(frozen=True, slots=True)
class LineStroke:
    """One line's drawing, callable now or later (a heavy chart's image is drawn a few lines per turn)."""

    pen: QPen
    xs: np.ndarray
    ys: np.ndarray
    x_map: tuple[float, float]
    y_map: tuple[float, float]
    double: bool

    def __call__(self, painter: QPainter) -> None:
        painter.setPen(self.pen)
        shapes = LineShapes.build(self.xs, self.ys, self.x_map, self.y_map)
        # A 2 px pen strokes the line as a filled outline: ~100x slower on noisy data than
        # two 1 px passes one pixel apart diagonally, which read as the same 2 px line.
        shapes.draw(painter)
        if self.double:
            painter.translate(1.0, 1.0)
            shapes.draw(painter)
            painter.translate(-1.0, -1.0)


def tick_labels(ticks: Sequence[float], unit: str) -> list[str]:
    """An axis' labels: format_value without trailing zeros ('1.2 s', not '1.20 s'); a duration
    axis takes its unit from the tick step, so one axis never mixes '40 s' and '1.33 min'."""
    step = abs(ticks[1] - ticks[0]) if len(ticks) > 1 else None
    return [
        TRAILING_ZEROS.sub(lambda m: m.group(1) + (m.group(2) or ""), format_value(v, unit, scale_by=step))
        for v in ticks
    ]


def stack_lines(lines: list[ChartLine]) -> None:
    """Stack the lines of each axis in legend order (the first at the bottom); legend values stay their own.

    Lines with `stacked` False keep their own values: a total or a limit drawn over the stack."""
    for axis in (0, 1):
        group = [ln for ln in lines if ln.axis == axis and ln.stacked]
        stacked = stack_series([ln.series.x for ln in group], [ln.series.y for ln in group])
        for line, curve in zip(group, stacked, strict=True):
            line.curve_y = curve
