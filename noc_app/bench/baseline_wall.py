"""The stock-pyqtgraph reference wall: what a careful pyqtgraph app costs.

A re-implementation of the peer benchmark's native side, tuned the same way: one
PlotWidget per panel (title label, DateAxisItem x axis, "ms" y axis, grid, legend
label), PlotDataItems created once with skipFiniteCheck, clipToView and peak
downsampling at autoDownsampleFactor=1.0, no antialiasing, no OpenGL, and
QT_NO_GUI_THREADPOOL=1.  Each update calls setData on every curve, then paints
synchronously: prepareForPaint() on every scene, sendPostedEvents(), and a
forced viewport repaint only if the curve-paint counter says a curve was missed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from noc_app.bench.synthetic_data import LANE_NAMES, LatencyRings
from noc_app.bench.walls import grid_shape

COLORS = ("#73BF69", "#F2CC0C", "#F2495C")  # Grafana green / yellow / red
BG_WALL, BG_PANEL, TEXT = "#111217", "#181b1f", "#ccccdc"

# Every PlotCurveItem.paint() call is one series really rasterised.
CURVE_PAINTS = {"count": 0}


def install_curve_paint_counter() -> None:
    """Wrap PlotCurveItem.paint once so the baseline can prove it paints every curve."""
    import pyqtgraph as pg

    if getattr(pg.PlotCurveItem.paint, "_noc_bench_counting", False):
        return
    original = pg.PlotCurveItem.paint

    def counting_paint(self, painter, option, widget=None):
        CURVE_PAINTS["count"] += 1
        return original(self, painter, option, widget)

    counting_paint._noc_bench_counting = True  # type: ignore[attr-defined]  # marker attribute on a function
    pg.PlotCurveItem.paint = counting_paint


@dataclass(kw_only=True, slots=True)
class BaselineStats:
    update_ms: list[float] = field(default_factory=list)
    setdata_ms: list[float] = field(default_factory=list)
    update_cpu_ms: list[float] = field(default_factory=list)  # GUI-thread CPU time per update
    curve_paints_in_updates: int = 0
    forced_repaints: int = 0


class BaselineWall:
    """panels x 3 curves of stock pyqtgraph in a QMainWindow grid."""

    def __init__(self, *, panels: int, points: int, hz: float, size: tuple[int, int], ds_factor: float = 1.0) -> None:
        import pyqtgraph as pg

        install_curve_paint_counter()
        self.rings = LatencyRings(n=points, panels=panels, step_s=1.0 / hz, end_time=time.time())
        self.stats = BaselineStats()
        pg.setConfigOptions(antialias=False, useOpenGL=False, background=BG_PANEL, foreground=TEXT)
        self.window, self.plots, self.curves = self._build(panels, size, ds_factor)

    def _build(self, panels: int, size: tuple[int, int], ds_factor: float):
        import pyqtgraph as pg
        from PySide6 import QtGui, QtWidgets

        class MsAxis(pg.AxisItem):
            def tickStrings(self, values, scale, spacing):
                return [f"{v * scale:g} ms" for v in values]

        win = QtWidgets.QMainWindow()
        win.setWindowTitle("pyqtgraph reference wall")
        central = QtWidgets.QWidget()
        central.setObjectName("wall")
        central.setStyleSheet(
            f"#wall {{ background: {BG_WALL}; }}"
            f"QFrame#panel {{ background: {BG_PANEL}; border: 1px solid rgba(204,204,220,31); border-radius: 2px; }}"
            f"QLabel {{ color: {TEXT}; background: transparent; border: none; }}"
        )
        grid = QtWidgets.QGridLayout(central)
        grid.setContentsMargins(8, 8, 8, 8)
        grid.setSpacing(8)
        cols, rows = grid_shape(panels)
        legend_font = QtGui.QFont()
        legend_font.setPixelSize(12)
        title_font = QtGui.QFont()
        title_font.setPixelSize(14)
        title_font.setWeight(QtGui.QFont.Weight.Medium)
        x = self.rings.x_view()
        plots, curves = [], []
        for p in range(panels):
            frame = QtWidgets.QFrame()
            frame.setObjectName("panel")
            box = QtWidgets.QVBoxLayout(frame)
            box.setContentsMargins(1, 0, 1, 4)
            box.setSpacing(0)
            title = QtWidgets.QLabel(f"svc-{p + 1:02d} request latency")
            title.setFixedHeight(32)
            title.setContentsMargins(8, 0, 8, 0)
            title.setFont(title_font)
            box.addWidget(title)
            axes = {"bottom": pg.DateAxisItem(orientation="bottom"), "left": MsAxis(orientation="left")}
            pw = pg.PlotWidget(axisItems=axes)
            plot = pw.getPlotItem()
            plot.setMenuEnabled(False)
            plot.hideButtons()
            pw.setMouseEnabled(x=False, y=False)
            plot.showGrid(x=True, y=True, alpha=0.12)
            for name in ("left", "bottom"):
                axis = plot.getAxis(name)
                axis.setTextPen(TEXT)
                axis.setPen(pg.mkPen(204, 204, 220, 40))
                axis.setStyle(tickFont=legend_font, tickLength=-4)
            plot.getAxis("left").setWidth(56)
            # x range = exactly the data window (as uPlot/Grafana); a little y padding
            plot.getViewBox().suggestPadding = lambda axis: 0.0 if axis == 0 else 0.03
            items = []
            for lane in range(3):
                item = plot.plot(x, self.rings.y_view(p, lane), pen=pg.mkPen(COLORS[lane], width=1),
                                 name=LANE_NAMES[lane], skipFiniteCheck=True)
                # Set once the item is in its ViewBox (clipToView passed to plot() trips pyqtgraph 0.14).
                item.setClipToView(True)
                item.setDownsampling(auto=True, method="peak")
                # 1.0: one min/max pair per pixel column (pyqtgraph's default 5 leaves 3600 points undecimated).
                item.opts["autoDownsampleFactor"] = ds_factor
                items.append(item)
            box.addWidget(pw, 1)
            legend = QtWidgets.QLabel("&nbsp;&nbsp;".join(
                f'<span style="color:{c}">&#9644;</span>&nbsp;{n}' for c, n in zip(COLORS, LANE_NAMES, strict=True)))
            legend.setFont(legend_font)
            legend.setFixedHeight(21)
            legend.setContentsMargins(8, 0, 8, 0)
            box.addWidget(legend)
            grid.addWidget(frame, p // cols, p % cols)
            plots.append(pw)
            curves.append(items)
        for r in range(rows):
            grid.setRowStretch(r, 1)
        for c in range(cols):
            grid.setColumnStretch(c, 1)
        win.setCentralWidget(central)
        win.resize(*size)
        return win, plots, curves

    def update(self) -> None:
        """One update: a new point per series (not timed), setData on every curve, paint now."""
        from PySide6.QtCore import QCoreApplication

        self.rings.push()
        c0, t0 = time.thread_time(), time.perf_counter()
        x = self.rings.x_view()
        for p, items in enumerate(self.curves):
            for lane, item in enumerate(items):
                item.setData(x, self.rings.y_view(p, lane))
        t1 = time.perf_counter()
        before = CURVE_PAINTS["count"]
        # Auto-range and ticks now (otherwise pyqtgraph does it from paintEvent and paints twice),
        # then deliver the scenes' queued dirty-item processing: the views repaint synchronously.
        for pw in self.plots:
            pw.scene().prepareForPaint()
        QCoreApplication.sendPostedEvents()
        if CURVE_PAINTS["count"] - before < 3 * len(self.plots):
            self.stats.forced_repaints += 1
            for pw in self.plots:
                pw.viewport().repaint()
        c2, t2 = time.thread_time(), time.perf_counter()
        self.stats.update_cpu_ms.append((c2 - c0) * 1000.0)
        self.stats.curve_paints_in_updates += CURVE_PAINTS["count"] - before
        self.stats.setdata_ms.append((t1 - t0) * 1000.0)
        self.stats.update_ms.append((t2 - t0) * 1000.0)

    @property
    def drawn_points_per_series(self) -> int | None:
        data = self.curves[0][0].curve.xData
        return None if data is None else len(data)
