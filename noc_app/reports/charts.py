"""Report charts drawn with QPainter onto a QImage (QtGui only: runs offscreen, no widgets).

    bars(values, labels, title=..., target=99.9, unit="%")   -> a bar per day, the target as a line
    lines([Line(...)], title=..., marks=[(t, "fired")])      -> time series around an incident

Light colours for paper: dark text on white, one accent per series, red for misses.
Every text drawn here is plain text (drawText), never rich text.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPainterPath, QPen

from noc_app.reports.document import ensure_gui_app

INK = QColor("#1f2328")
GRID = QColor("#d0d7de")
ACCENT = QColor("#0969da")
MISS = QColor("#cf222e")
OK = QColor("#1a7f37")
MARK = QColor("#8250df")
SERIES = (ACCENT, QColor("#bc4c00"), QColor("#1a7f37"), MARK, QColor("#6e7781"))
WIDTH, HEIGHT = 1000, 340  # drawn at about 1.5x the size it is shown at on an A4 page


@dataclass(frozen=True, kw_only=True)
class Line:
    name: str
    xs: Sequence[float]  # epoch seconds
    ys: Sequence[float]  # NaN: a gap


def _fmt(value: float, unit: str) -> str:
    if unit == "%":
        return f"{value:.2f} %"
    if unit == "s":
        return f"{value * 1000:.0f} ms" if abs(value) < 1 else f"{value:.2f} s"
    return f"{value:.3g}{(' ' + unit) if unit else ''}"


def _start(width: int, height: int) -> tuple[QImage, QPainter]:
    ensure_gui_app()  # fonts need it
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setFont(QFont("DejaVu Sans", 16))
    return image, painter


def _frame(painter: QPainter, title: str, width: int, height: int) -> QRectF:
    painter.setPen(INK)
    top = 20.0
    if title:
        bold = QFont("DejaVu Sans", 18)
        bold.setBold(True)
        painter.setFont(bold)
        painter.drawText(QRectF(16, 6, width - 32, 34), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         title)
        top = 52.0
    painter.setFont(QFont("DejaVu Sans", 16))
    return QRectF(130, top, width - 190, height - top - 60)  # room for the last time label


def _y_axis(painter: QPainter, plot: QRectF, lo: float, hi: float, unit: str) -> None:
    for i in range(5):
        value = lo + (hi - lo) * i / 4
        y = plot.bottom() - plot.height() * i / 4
        painter.setPen(QPen(GRID, 1))
        painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
        painter.setPen(INK)
        painter.drawText(QRectF(0, y - 12, plot.left() - 10, 24),
                         Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, _fmt(value, unit))


def bars(values: Sequence[float | None], labels: Sequence[str], *, title: str, target: float | None = None,
         unit: str = "%", floor: float | None = None, width: int = WIDTH, height: int = HEIGHT) -> QImage:
    """One bar per value (None or NaN: no bar), red where below target; the target as a dashed line."""
    image, painter = _start(width, height)
    try:
        plot = _frame(painter, title, width, height)
        known = [v for v in values if v is not None and not math.isnan(v)]
        hi = max([*known, target or 0.0, 1e-9])
        lo = floor if floor is not None else min([*known, target if target is not None else hi]) if known else 0.0
        if unit == "%":
            hi = min(100.0, hi + (hi - lo) * 0.05) if hi > lo else 100.0
        # Room below the lowest bar, so the worst day still shows a bar (it is the one that matters).
        lo = max(0.0, lo - (hi - lo) * 0.15) if unit == "%" else lo - (hi - lo) * 0.15
        if unit == "%" and hi - lo >= 2:
            lo = float(math.floor(lo))  # whole percents on the axis read better than 96.01 %
        if hi <= lo:
            lo, hi = lo - 1.0, hi + 1.0
        _y_axis(painter, plot, lo, hi, unit)
        n = max(1, len(values))
        slot = plot.width() / n
        for i, value in enumerate(values):
            if value is None or math.isnan(value):
                continue
            top = plot.bottom() - plot.height() * (min(max(value, lo), hi) - lo) / (hi - lo)
            missed = target is not None and value < target
            painter.fillRect(QRectF(plot.left() + i * slot + slot * 0.15, top, slot * 0.7, plot.bottom() - top),
                             MISS if missed else ACCENT)
        painter.setPen(INK)
        every = max(1, math.ceil(n / 16))
        for i, label in enumerate(labels):
            if i % every == 0:
                painter.drawText(QRectF(plot.left() + i * slot - 30, plot.bottom() + 6, slot + 60, 24),
                                 Qt.AlignmentFlag.AlignHCenter, label)
        if target is not None and lo <= target <= hi:
            y = plot.bottom() - plot.height() * (target - lo) / (hi - lo)
            painter.setPen(QPen(OK, 2, Qt.PenStyle.DashLine))
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            painter.drawText(QRectF(plot.right() - 260, y - 28, 260, 24), Qt.AlignmentFlag.AlignRight,
                             f"target {_fmt(target, unit)}")
    finally:
        painter.end()
    return image


def lines(series: Sequence[Line], *, title: str, unit: str = "", marks: Sequence[tuple[float, str]] = (),
          time_zone: dt.tzinfo = dt.UTC, width: int = WIDTH, height: int = HEIGHT) -> QImage:
    """Time series (NaN breaks a line) with vertical marks (alert fired, acked, resolved)."""
    image, painter = _start(width, height)
    try:
        plot = _frame(painter, title, width, height)
        xs_all = [x for line in series for x in line.xs] + [t for t, _ in marks]
        ys_all = [y for line in series for y in line.ys if not math.isnan(y)]
        if not xs_all:
            painter.drawText(plot, Qt.AlignmentFlag.AlignCenter, "no data in this window")
            return image
        x0, x1 = min(xs_all), max(xs_all)
        x1 = x1 if x1 > x0 else x0 + 60
        lo, hi = (min(ys_all), max(ys_all)) if ys_all else (0.0, 1.0)
        lo = min(lo, 0.0)
        hi = hi + (hi - lo) * 0.1 if hi > lo else lo + 1.0
        _y_axis(painter, plot, lo, hi, unit)

        def px(x: float, y: float) -> QPointF:
            return QPointF(plot.left() + plot.width() * (x - x0) / (x1 - x0),
                           plot.bottom() - plot.height() * (y - lo) / (hi - lo))

        painter.setPen(INK)
        for i in range(5):
            t = x0 + (x1 - x0) * i / 4
            text = dt.datetime.fromtimestamp(t, time_zone).strftime("%H:%M")
            painter.drawText(QRectF(px(t, lo).x() - 50, plot.bottom() + 6, 100, 24), Qt.AlignmentFlag.AlignHCenter,
                             text)
        for index, line in enumerate(series):
            path = QPainterPath()
            pen_down = False
            for x, y in zip(line.xs, line.ys, strict=True):
                if math.isnan(y):
                    pen_down = False
                    continue
                if pen_down:
                    path.lineTo(px(x, y))
                else:
                    path.moveTo(px(x, y))
                    pen_down = True
            colour = SERIES[index % len(SERIES)]
            painter.setPen(QPen(colour, 2.5))
            painter.drawPath(path)
            painter.drawText(QRectF(plot.left() + 10 + 260 * index, plot.bottom() + 30, 250, 24),
                             Qt.AlignmentFlag.AlignLeft, f"■ {line.name}"[:34])
        for index, (t, label) in enumerate(marks):
            p = px(t, hi)
            painter.setPen(QPen(MARK, 2, Qt.PenStyle.DashLine))
            painter.drawLine(QPointF(p.x(), plot.top()), QPointF(p.x(), plot.bottom()))
            painter.setPen(MARK)
            # Staggered: marks minutes apart would print over each other on one line.
            painter.drawText(QRectF(p.x() + 4, plot.top() + 24 * (index % 3), 200, 24), Qt.AlignmentFlag.AlignLeft,
                             label)
    finally:
        painter.end()
    return image
