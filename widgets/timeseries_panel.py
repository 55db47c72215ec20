"""The timeseries body: lines over a relative-time axis, painted directly with QPainter.

Built for a wall of many panels updating every second (see the benchmark): the
background (grid, axis labels, threshold bands, legend names) is a cached pixmap
that only changes with the size, text size, theme, dimming or a y-range step; the
x axis is relative time ("-30m ... now") and never re-ticks; each update decimates
every series to a min and a max per 2 px column (the line's width) in one numpy
pass and draws it with one drawPolyline per unbroken run, without antialiasing,
as two 1 px passes one pixel apart: a 2 px line at a fraction of a 2 px pen's cost.

Options: `stacked` draws each series on top of those before it in the legend
(the legend's numbers stay each series' own; a query with `stack: false` is drawn
over the stack at its own values, e.g. a total); a query with `axis: right` goes on
a second y axis with its own unit, labelled on the right; `annotations` draw
thin vertical markers (deploys, alert starts) with a small label in a strip
above the plot, so they never cover the data.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QWidget

from noc_app.config.schema import PanelConfig
from noc_app.display_text import unit_text, visible
from noc_app.legend_order import series_stats, steady_legend_order
from noc_app.model import last_value
from noc_app.selectors import PanelData, threshold_severity
from noc_app.themes import Theme
from noc_app.units import format_value
from noc_app.viewing import spaced
from noc_app.widgets.anomaly_overlay import AnomalyLayer, DrawnAnomaly, PlotMapping
from noc_app.widgets.chart_math import (
    AxisRange,
    decimate_minmax,
    finite_extent,
    include_near,
    relative_time_label,
    settle_range,
    severity_bands,
    time_ticks,
)
from noc_app.widgets.line_layer import HEAVY_POINTS, LineLayer, Stroke
from noc_app.widgets.metric_body import MetricBody, all_series, value_color_key
from noc_app.widgets.series_legend import LegendLayout, plan_legend
from noc_app.widgets.series_markers import DrawnMarker, paint_markers, paint_stack_fill
from noc_app.widgets.series_palette import DASH_NAMES, series_styles
from noc_app.widgets.timeseries_lines import (
    DASH_STYLES,
    DIMMED_STYLES,
    DOUBLE_PASS_MAX_SERIES,
    MAX_DRAWN_SERIES,
    ChartLine,
    DrawnCurve,
    LegendEntry,
    LineStroke,
    busiest_series,
    stack_lines,
    tick_labels,
)

# Dimmed lines are all grey: a dash pattern per series keeps them apart.
_BAND_ALPHA = 30  # of 255: a tint, not a fill
_STACK_TINT = 0.22  # a stacked band's fill: its line's colour at this share over the panel
_COLUMN_PX = 2  # decimation column width: the drawn line's width



class TimeSeriesBody(MetricBody):
    """Lines of a timeseries panel over its relative time window."""

    def __init__(self, panel: PanelConfig, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(panel, theme, parent)
        self.y_range: AxisRange | None = None
        self.y_range_right: AxisRange | None = None  # only while a series is on the right axis
        self.drawn_markers: tuple[DrawnMarker, ...] = ()
        self.drawn_anomaly: tuple[DrawnAnomaly, ...] = ()  # `anomaly:` rings and bands of the last paint
        self.axis_labels: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())  # left, right tick labels drawn
        right_units = [q.unit for q in panel.queries if q.axis == "right"]
        self.right_unit = right_units[0] if right_units else ""
        self.plot_rect = QRectF()
        self._window_s = panel.window_s if panel.window_s > 0 else 3600.0
        self._lines: list[ChartLine] = []
        self._slots: dict[str, int] = {}
        self._names: tuple[str, ...] = ()
        self._x0 = 0.0  # data time at the plot's left edge
        self._x1 = 0.0  # ... and at its right edge ("now")
        self._columns = 0
        self._prepared = False
        self._background: QPixmap | None = None
        self._background_dimmed = False
        self._legend = LegendLayout(cells=())
        self._value_width = 0.0  # reserved width of the legend's value slots
        self.omitted_series = 0  # series beyond MAX_DRAWN_SERIES, counted in "+N more"
        self._style_colors: dict[str, QColor] = {}
        self._legend_keys: list[str] = []  # the legend's order at the last update (kept unless clearly changed)
        self._generation = 0  # counts data updates: a finished line image says which one it shows
        self._line_layer = LineLayer(self.update, self)  # heavy charts: lines drawn over several turns

    # -- data -----------------------------------------------------------------------
    @property
    def curves(self) -> tuple[DrawnCurve, ...]:
        return tuple(
            DrawnCurve(name=ln.name, axis="right" if ln.axis else "left", xs=ln.xs, ys=ln.ys)
            for ln in self._lines if ln.xs is not None and ln.ys is not None
        )

    @property
    def legend(self) -> tuple[LegendEntry, ...]:
        return tuple(
            LegendEntry(name=ln.name, value_text=ln.value_text, color_key=ln.value_color_key, style=ln.style)
            for ln in self._lines
        )

    def _on_data(self, data: PanelData) -> None:
        self._generation += 1
        found = all_series(data.results)
        self.omitted_series = max(0, len(found) - MAX_DRAWN_SERIES)
        if self.omitted_series:
            found = busiest_series(found, MAX_DRAWN_SERIES)
        display = self.panel.display
        # Legend order (default: newest value, highest first: the busy series lead, not DELETE at 0 req/s).
        stats = [series_stats(s.name or s.key, s.y) for _, s in found]
        keys = [f"{qi}\x1f{s.key}" for qi, s in found]
        ranked = steady_legend_order(stats, keys, self._legend_keys, display.legend_sort, display.legend_order)
        found, keys = [found[i] for i in ranked], [keys[i] for i in ranked]
        if self.right_unit or any(q.axis == "right" for q in self.panel.queries):  # left-axis series first
            on_right = [self._on_right(qi) for qi, _ in found]
            order = sorted(range(len(found)), key=lambda i: on_right[i])
            found, keys = [found[i] for i in order], [keys[i] for i in order]
        self._legend_keys = keys
        self._assign_slots(keys)
        thresholds = self.panel.thresholds
        metrics = QFontMetricsF(self.px_font(self.text_px))
        lines = []
        any_value = False
        units = (unit_text(self.panel.unit), unit_text(self.right_unit))
        for i, ((qi, series), key) in enumerate(zip(found, keys, strict=True)):
            axis = 1 if self._on_right(qi) else 0
            value = last_value(series.y)  # +Inf and -Inf are values ("+Inf", judged); NaN is a gap
            any_value = any_value or not math.isnan(value)
            text = format_value(value, units[axis], self.panel.decimals)
            # The thresholds are levels on the left axis: a right-axis value is not judged by them.
            severity = threshold_severity(value, thresholds) if axis == 0 else None
            lines.append(
                ChartLine(
                    slot=self._slots[key],
                    name=visible(series.name or series.key or f"series {i + 1}"),
                    series=series,
                    value_text=text,
                    value_color_key=value_color_key(severity, False),
                    value_width=metrics.horizontalAdvance(text),
                    axis=axis,
                    curve_y=series.y,
                    stacked=self._stacks(qi),
                )
            )
        if display.stacked:
            stack_lines(lines)
        styles = series_styles([ln.slot for ln in lines], [ln.name for ln in lines], self.theme.series,
                               display.series_colors)
        for line, style in zip(lines, styles, strict=True):
            line.style = style
        # Series without a single value are no data: the body stays calm, the frame says so.
        self._lines = lines if any_value else []
        names = tuple(f"{ln.name}\x1f{ln.style}" for ln in lines)  # a new swatch style repaints the legend
        if names != self._names or data.dimmed != self._background_dimmed:
            self._names = names
            self._background = None
        if self._lines and max(ln.value_width for ln in lines) > self._value_width:
            self._background = None  # a longer number than the legend reserved room for
        if self._lines:
            self._prepare()

    def _stacks(self, query_index: int) -> bool:
        queries = self.panel.queries
        return query_index >= len(queries) or queries[query_index].stack

    def _on_right(self, query_index: int) -> bool:
        queries = self.panel.queries
        return query_index < len(queries) and queries[query_index].axis == "right"

    def _assign_slots(self, keys: list[str]) -> None:
        """Colour slots in query/series order, kept per series key while the series exists."""
        present = set(keys)
        for stale_key in [k for k in self._slots if k not in present]:
            del self._slots[stale_key]
        used = set(self._slots.values())
        free = 0
        for key in keys:
            if key in self._slots:
                continue
            while free in used:
                free += 1
            self._slots[key] = free
            used.add(free)

    def _prepare(self) -> None:
        """Decimate every series to the plot's width and settle the y range."""
        self._prepared = True
        data = self._data
        newest = max((ln.series.last_time for ln in self._lines if ln.series.x.size), default=math.nan)
        now = data.now if data is not None and math.isfinite(data.now) and data.now > 0 else math.nan
        self._x1 = float(np.fmax(now, newest))  # clock skew must not push the newest point off the edge
        self._x0 = self._x1 - self._window_s
        self._decimate(self._columns_for(self.plot_rect.width() if self._background is not None else self.width()))
        # About one tick per four label heights, at most six: a wall wants a calm grid.
        target = max(2, min(6, int((self.height() - 3 * self._axis_px()) / (4 * self._axis_px()))))
        right = [ln.ys for ln in self._lines if ln.ys is not None and ln.axis == 1]
        right_range = None
        if right:
            r_lo, r_hi = finite_extent(*right)
            # Latencies, sizes, rates: a non-negative series gets an axis from 0, never a "-1 s" tick.
            floor = 0.0 if r_lo >= 0 else None
            right_range = settle_range(self.y_range_right, r_lo, r_hi, target, fixed_lo=floor)
        if right_range != self.y_range_right:
            self.y_range_right = right_range
            self._background = None
        lo, hi = finite_extent(*(ln.ys for ln in self._lines if ln.ys is not None and ln.axis == 0))
        if math.isfinite(lo):  # "near" is judged against the axis as it will be, fixed ends included
            lo = self.panel.min if self.panel.min is not None else lo
            hi = self.panel.max if self.panel.max is not None else hi
        lo, hi = include_near(lo, hi, tuple(t.value for t in self.panel.thresholds))
        y_range = settle_range(self.y_range, lo, hi, target, fixed_lo=self.panel.min, fixed_hi=self.panel.max)
        if y_range != self.y_range:
            self.y_range = y_range
            self._background = None

    @staticmethod
    def _columns_for(plot_width: float) -> int:
        """Decimation columns: one per 2 px, the line's width; finer columns could not show more."""
        return max(16, int(plot_width) // _COLUMN_PX)

    def _decimate(self, columns: int) -> None:
        """Reduce each series to a min and a max per column of the visible window."""
        self._columns = columns
        for line in self._lines:
            y = line.curve_y if line.curve_y is not None else line.series.y
            line.xs, line.ys = decimate_minmax(line.series.x, y, self._x0, self._x1, columns)
            line.has_inf = bool(np.isinf(line.ys).any())

    def _invalidate_layout(self) -> None:
        self._background = None
        self._prepared = False
        self.y_range = None  # the tick count depends on the height: settle afresh
        self.y_range_right = None
        self._value_width = 0.0
        self._line_layer.clear()

    # -- paint ----------------------------------------------------------------------
    def _paint(self, painter: QPainter) -> None:
        if not self._lines:
            painter.fillRect(self.rect(), self.color("panel"))
            return
        if not self._prepared:
            self._prepare()
        background = self._background
        if background is None:
            background = self._build_background()
            if self._columns != self._columns_for(self.plot_rect.width()):  # first layout at this size
                self._decimate(self._columns_for(self.plot_rect.width()))
        painter.drawPixmap(0, 0, background)
        anomaly = self._anomaly_layer()  # `anomaly:` panels: expected band under the lines, rings over them
        if anomaly is not None:
            anomaly.paint_under(painter)
        if self.panel.display.stacked and not self.dimmed:
            self._paint_stack_fills(painter)
        if sum(ln.xs.size for ln in self._lines if ln.xs is not None) >= HEAVY_POINTS:
            self._paint_line_layer(painter)
        else:
            self._line_layer.clear()
            self._paint_lines(painter)
        self._paint_markers(painter)
        self.drawn_anomaly = anomaly.paint_over(painter) if anomaly is not None else ()
        self._paint_values(painter)

    def _anomaly_layer(self) -> AnomalyLayer | None:
        found = self._data.anomaly if self._data is not None else None
        if found is None:
            return None
        return AnomalyLayer(
            found, [(k, ln.axis) for k, ln in zip(self._legend_keys, self._lines, strict=False)],
            PlotMapping(rect=self.plot_rect, x0=self._x0, x1=self._x1, y_of=self._y_of),
            self.color("anomaly_band"), self.color("anomaly_marker"), self.color("panel"),
            radius=max(4.0, self.text_px * 0.35),
        )

    def _axis_px(self) -> int:
        return self.minor(max(8, round(self.text_px * 0.7)))

    def _build_background(self) -> QPixmap:
        """Lay out plot and legend and paint everything that does not move per update (kept and returned)."""
        assert self.y_range is not None
        w, h = self.width(), self.height()
        axis_px, legend_px = self._axis_px(), self.text_px
        axis_metrics = QFontMetricsF(self.px_font(axis_px))
        legend_metrics = QFontMetricsF(self.px_font(legend_px))
        pad = max(4.0, round(axis_px * 0.45))
        unit, decimals = unit_text(self.panel.unit), self.panel.decimals
        y_ticks = self.y_range.ticks()
        y_labels = tick_labels(y_ticks, unit)
        label_w = max((axis_metrics.horizontalAdvance(t) for t in y_labels), default=0.0)
        right_unit = unit_text(self.right_unit)
        right_ticks = self.y_range_right.ticks() if self.y_range_right is not None else ()
        right_labels = tick_labels(right_ticks, right_unit)
        self.axis_labels = (tuple(y_labels), tuple(right_labels))
        right_label_w = max((axis_metrics.horizontalAdvance(t) for t in right_labels), default=0.0)

        # The value slots keep a reserve (numbers up to the axis' ends fit) so changing
        # numbers never move the plot and never force a new background.  The reserve only
        # grows (in steps of two digits) until the size or text size changes: a y-range
        # step to smaller numbers must not make the legend, and so the plot, jump.
        widest_value = max(ln.value_width for ln in self._lines)
        tick_values = [format_value(v, unit, decimals) for v in y_ticks]
        tick_values += [format_value(v, right_unit, decimals) for v in right_ticks]
        tick_value_w = max((legend_metrics.horizontalAdvance(t) for t in tick_values), default=0.0)
        step = max(1.0, legend_metrics.horizontalAdvance("00"))
        needed = math.ceil(max(widest_value, tick_value_w) * 1.1 / step) * step
        self._value_width = max(self._value_width, needed)
        top = pad + axis_metrics.height() / 2
        if self.panel.display.annotations:  # a strip for the markers' labels: they never cover the data
            top += axis_metrics.height() + pad / 2
        self._legend = plan_legend(
            [ln.name for ln in self._lines], self._value_width, legend_metrics, width=w, height=h, top=top, pad=pad
        )
        left = pad + label_w + pad
        right = w - pad - self._legend.right_w - (right_label_w + pad if right_labels else 0.0)
        bottom = h - pad - self._legend.bottom_h - axis_metrics.height() - pad / 2
        self.plot_rect = QRectF(left, top, max(1.0, right - left), max(1.0, bottom - top))
        plot = self.plot_rect

        dpr = self.devicePixelRatioF()
        pixmap = QPixmap(max(1, round(w * dpr)), max(1, round(h * dpr)))
        pixmap.setDevicePixelRatio(dpr)
        pixmap.fill(self.color("panel"))
        p = QPainter(pixmap)
        try:
            if self.panel.display.thresholds_style == "band":  # levels are lines unless bands are asked for
                self._paint_bands(p, plot)
            p.setPen(QPen(self.color("grid"), 1))
            for v in y_ticks:
                y = round(self._y_of(v))
                p.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            max_x_ticks = max(2, int(plot.width() / (axis_metrics.horizontalAdvance("-1h30m") * 1.8)))
            x_ticks = time_ticks(self._window_s, max_x_ticks)
            for offset in x_ticks:
                x = round(plot.right() + offset / self._window_s * plot.width())
                p.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()))
            self._paint_threshold_lines(p, plot)

            p.setFont(self.px_font(axis_px))
            p.setPen(self.color("axis"))
            ascent = axis_metrics.ascent()
            shown = spaced([self._y_of(v) for v in y_ticks], axis_metrics.height())  # never drawn over each other
            for v, text in (pair for i, pair in enumerate(zip(y_ticks, y_labels, strict=True)) if i in shown):
                text_y = self._y_of(v) - axis_metrics.height() / 2 + ascent
                p.drawText(QPointF(left - pad - axis_metrics.horizontalAdvance(text), text_y), text)
            shown = spaced([self._y_of(v, 1) for v in right_ticks], axis_metrics.height())
            for v, text in (pair for i, pair in enumerate(zip(right_ticks, right_labels, strict=True)) if i in shown):
                text_y = self._y_of(v, 1) - axis_metrics.height() / 2 + ascent
                p.drawText(QPointF(plot.right() + pad, text_y), text)
            baseline = plot.bottom() + pad / 2 + ascent
            for offset in x_ticks:
                text = relative_time_label(offset)
                tw = axis_metrics.horizontalAdvance(text)
                text_x = plot.right() + offset / self._window_s * plot.width() - tw / 2
                low = left if self.held else pad  # big labels: the first starts at the plot, clear of "0 req/s"
                p.drawText(QPointF(min(max(text_x, low), w - pad - tw), baseline), text)

            self._paint_legend_names(p, legend_metrics)
        finally:
            p.end()
        self._background = pixmap
        self._background_dimmed = self.dimmed
        return pixmap

    def _paint_bands(self, p: QPainter, plot: QRectF) -> None:
        assert self.y_range is not None
        for a, b, severity in severity_bands(self.y_range.lo, self.y_range.hi, self.panel.thresholds):
            if severity is None:
                continue
            tint = QColor(self.color(severity.value))
            tint.setAlpha(_BAND_ALPHA)
            y_top, y_bottom = self._y_of(b), self._y_of(a)
            p.fillRect(QRectF(plot.left(), y_top, plot.width(), y_bottom - y_top), tint)

    def _paint_threshold_lines(self, p: QPainter, plot: QRectF) -> None:
        assert self.y_range is not None
        for threshold in self.panel.thresholds:
            if not self.y_range.lo <= threshold.value <= self.y_range.hi:
                continue
            pen = QPen(self.color(threshold.severity.value), 2, Qt.PenStyle.DashLine)
            p.setPen(pen)
            y = round(self._y_of(threshold.value))
            p.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))

    def _paint_legend_names(self, p: QPainter, metrics: QFontMetricsF) -> None:
        legend = self._legend
        p.setFont(self.px_font(self.text_px))
        # Fewer cells than lines when the legend is full ("+N more"): the rest go unlabelled.
        for cell, line in zip(legend.cells, self._lines, strict=False):
            mid = cell.baseline - metrics.ascent() / 2 + metrics.descent() / 2
            pen = self._line_pen(line, max(3, round(self.text_px / 7)))
            p.setPen(pen)
            p.drawLine(QPointF(cell.x, mid), QPointF(cell.x + legend.swatch_w, mid))
            p.setPen(self.color("text_dim") if self.dimmed else self.color("text"))
            name = metrics.elidedText(line.name, Qt.TextElideMode.ElideRight, cell.name_w)
            p.drawText(QPointF(cell.x + legend.swatch_w + legend.gap, cell.baseline), name)
        if legend.more_at is not None:
            p.setPen(self.color("text_dim"))
            p.drawText(QPointF(*legend.more_at), f"+{legend.more + self.omitted_series} more")

    def _line_pen(self, line: ChartLine, width: int) -> QPen:
        """The series' colour and dash; dimmed, all grey with a dash per slot."""
        if self.dimmed:
            pen = QPen(self.series_qcolor(line.slot), width)
            pen.setStyle(DIMMED_STYLES[line.slot % len(DIMMED_STYLES)])
            return pen
        color = self._style_colors.get(line.style.color)
        if color is None:
            color = self._style_colors[line.style.color] = QColor(line.style.color)
        pen = QPen(color, width)
        pen.setStyle(DASH_STYLES[DASH_NAMES[line.style.dash]])
        return pen

    def _axis_range(self, axis: int) -> AxisRange:
        y_range = self.y_range_right if axis == 1 else self.y_range
        assert y_range is not None
        return y_range

    def _y_of(self, value: float, axis: int = 0) -> float:
        y_range = self._axis_range(axis)
        plot = self.plot_rect
        return plot.bottom() - (value - y_range.lo) / y_range.span * plot.height()

    def y_pixel(self, value: float, axis: str = "left") -> float:
        """Where a value sits on the plot, on the left or right axis (for tests and screenshots)."""
        return self._y_of(value, 1 if axis == "right" else 0)

    def _paint_stack_fills(self, painter: QPainter) -> None:
        """Tint each stacked band in its line's colour: from the top of the stack down, so each band keeps its own."""
        plot = self.plot_rect
        sx = plot.width() / self._window_s
        panel = self.color("panel")
        painter.setClipRect(plot)
        for line in reversed(self._lines):
            if line.xs is None or line.ys is None or not line.xs.size or not line.stacked:
                continue
            y_range = self._axis_range(line.axis)
            sy = plot.height() / y_range.span
            base = min(plot.bottom(), plot.bottom() + y_range.lo * sy)  # the axis' zero, or the plot's bottom
            lc, t = self._line_pen(line, 0).color(), _STACK_TINT
            tint = QColor.fromRgbF(lc.redF() * t + panel.redF() * (1 - t), lc.greenF() * t + panel.greenF() * (1 - t),
                                   lc.blueF() * t + panel.blueF() * (1 - t))
            ys = np.clip(line.ys, y_range.lo, y_range.hi + y_range.span * 0.02)
            paint_stack_fill(painter, line.xs, ys, (plot.left() - self._x0 * sx, sx),
                             (plot.bottom() + y_range.lo * sy, -sy), base, tint)
        painter.setClipping(False)

    def _paint_lines(self, painter: QPainter) -> None:
        painter.setClipRect(self.plot_rect)  # the edge points and fixed min/max may reach outside
        for stroke in self._line_strokes():
            stroke(painter)
        painter.setClipping(False)

    def _paint_line_layer(self, painter: QPainter) -> None:
        """Show the last finished line image (shifted by the time since); draw a newer one over the next turns."""
        plot = self.plot_rect
        # Not the legend: after a change of the busiest series the old image is wrong in colour for one frame.
        geometry = (plot.getRect(), self.devicePixelRatioF(), self.y_range, self.y_range_right, self._window_s,
                    self.dimmed)
        shown = self._line_layer.fitting(geometry)
        if shown is None:  # first paint at this size or scale: nothing to show yet, so draw now
            self._paint_lines(painter)
        else:
            painter.setClipRect(plot)
            dx = (shown.x0 - self._x0) * plot.width() / self._window_s  # the data moved left since
            painter.drawImage(shown.origin + QPointF(dx, 0.0), shown.image)
            painter.setClipping(False)
        if (shown is None or shown.generation != self._generation) and (
            self._line_layer.drawing_generation != self._generation
        ):
            self._line_layer.draw(plot=plot, dpr=self.devicePixelRatioF(), geometry=geometry, x0=self._x0,
                                  generation=self._generation, strokes=self._line_strokes())

    def _line_strokes(self) -> list[Stroke]:
        """One drawing step per line, in the widget's coordinates (the caller clips to the plot)."""
        assert self.y_range is not None
        plot = self.plot_rect
        sx = plot.width() / self._window_s
        # With many lines a second pass buys no readability and doubles the cost.
        double = len(self._lines) <= DOUBLE_PASS_MAX_SERIES
        strokes: list[Stroke] = []
        for line in self._lines:
            if line.xs is None or line.ys is None or not line.xs.size:  # xs and ys are set together
                continue
            y_range = self._axis_range(line.axis)
            sy = plot.height() / y_range.span
            ys = line.ys
            if line.has_inf:  # +Inf reaches just past the top edge, -Inf past the bottom (clipped)
                edge = y_range.span * 0.02
                ys = np.clip(ys, y_range.lo - edge, y_range.hi + edge)
            strokes.append(LineStroke(
                pen=self._line_pen(line, 0),  # width 0: cosmetic 1 px, Qt's fast line path
                xs=line.xs, ys=ys, x_map=(plot.left() - self._x0 * sx, sx),
                y_map=(plot.bottom() + y_range.lo * sy, -sy), double=double,
            ))
        return strokes

    def _paint_markers(self, painter: QPainter) -> None:
        data = self._data
        markers = data.markers if data is not None else ()
        if not markers:
            self.drawn_markers = ()
            return
        font = self.px_font(self._axis_px())
        self.drawn_markers = paint_markers(painter, markers, self.plot_rect, (self._x0, self._x1), font,
                                           self.color("text_dim"), float(self.width()))

    def _paint_values(self, painter: QPainter) -> None:
        painter.setFont(self.px_font(self.text_px))
        # Fewer cells than lines when the legend is full ("+N more"): those values are not shown.
        for cell, line in zip(self._legend.cells, self._lines, strict=False):
            painter.setPen(self.color(line.value_color_key))
            painter.drawText(QPointF(cell.value_right - line.value_width, cell.baseline), line.value_text)


