"""A heavy chart's lines are drawn over several event-loop turns and end up exactly as a direct paint."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QApplication

from noc_app.config.schema import PanelConfig, QueryConfig
from noc_app.model import DataState, QueryResult, Series
from noc_app.selectors import PanelData, PanelView
from noc_app.themes import load_theme
from noc_app.widgets import line_layer
from noc_app.widgets.line_layer import HEAVY_POINTS, LineLayer
from noc_app.widgets.timeseries_panel import TimeSeriesBody

NOW = 1_700_000_000.0
STEP_S = 5.0
THEME = load_theme("dark")
PANEL = PanelConfig(id="rate", kind="timeseries", title="Requests by instance", unit="req/s", window_s=3600.0,
                    queries=(QueryConfig(expr="x", legend="{{instance}}"),))


def _data(seed: int, now: float = NOW, series: int = 24, points: int = 720) -> PanelData:
    rng = np.random.default_rng(seed)
    x = now - (points - 1) * STEP_S + np.arange(points) * STEP_S
    found = tuple(
        Series(key=f"i{i}", name=f"instance-{i}", labels={"instance": f"i{i}"}, x=x,
               y=50.0 + 10.0 * i + rng.normal(0.0, 4.0, points))
        for i in range(series)
    )
    return PanelData(view=PanelView(state=DataState.OK), now=now, results=(QueryResult.build(found),))


def _body(qtbot, data: PanelData) -> TimeSeriesBody:
    body = TimeSeriesBody(PANEL, THEME)
    qtbot.addWidget(body)
    body.set_text_px(20)
    body.resize(1600, 900)
    body.show()
    qtbot.waitExposed(body)
    body.refresh(data)
    return body


def _drain(qtbot) -> None:
    qtbot.waitUntil(lambda: line_layer.layers_pending() == 0, timeout=10_000)
    QApplication.processEvents()


def _plot_pixels(body: TimeSeriesBody) -> QImage:
    return body.grab().toImage().copy(body.plot_rect.toAlignedRect())


def test_the_benchmarks_chart_is_heavy_and_an_ordinary_one_is_not():
    assert 24 * 720 >= HEAVY_POINTS  # the ingest benchmark's 500-series panel draws its 24 busiest
    assert 3 * 1800 < HEAVY_POINTS  # three series over a 4K-wide plot: drawn directly, as before


def test_new_lines_are_drawn_in_slices_then_shown_exactly_as_a_direct_paint(qtbot, monkeypatch):
    body = _body(qtbot, _data(1))
    body.grab()  # first paint at this size: lines drawn directly, an image started for later paints
    _drain(qtbot)
    monkeypatch.setattr(line_layer, "SLICE_BUDGET_S", 0.0)  # one line per slice: the split is visible
    layer: LineLayer = body._line_layer
    slices_before = layer.slices
    body.refresh(_data(2, now=NOW + 60.0))
    body.grab()  # this paint shows the old image, shifted; the new one is being drawn
    assert layer.drawing_generation == body._generation
    _drain(qtbot)
    assert layer.slices - slices_before >= 24  # one turn per line, never all 24 in one turn
    layered = _plot_pixels(body)

    layer.clear()  # no image to show: the next paint draws the same lines directly
    direct = _plot_pixels(body)
    assert layered == direct
    assert layered != _plot_pixels(_body(qtbot, _data(1)))  # the comparison can tell data apart


def test_until_the_new_image_is_ready_the_old_one_moves_with_time(qtbot):
    body = _body(qtbot, _data(1))
    body.grab()
    _drain(qtbot)
    old = body._line_layer.latest
    assert old is not None and old.generation == body._generation
    body.refresh(_data(1, now=NOW + 360.0))  # six minutes later: the old lines sit 10 % further left
    painter_calls: list[QPointF] = []
    original = QPainter.drawImage

    def spy(painter, *args):
        painter_calls.append(args[0])
        return original(painter, *args)

    QPainter.drawImage = spy
    try:
        body.grab()
    finally:
        QPainter.drawImage = original
    plot = body.plot_rect
    assert painter_calls and abs(painter_calls[0].x() - (int(plot.left()) - 0.1 * plot.width())) < 0.5


def test_a_light_chart_draws_directly_and_keeps_no_image(qtbot):
    body = _body(qtbot, _data(1, series=3, points=200))
    body.grab()
    assert body._line_layer.latest is None and line_layer.layers_pending() == 0
