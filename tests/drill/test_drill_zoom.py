"""A panel opened large: operator mode only, a range picker whose queries go through a feed of their own."""

from __future__ import annotations

import math
import threading
import time

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt

from noc_app.config.loader import load_config_text
from noc_app.config.schema import Mode
from noc_app.model import DataState, QueryResult, Series
from noc_app.sources.base import PollPlan, Unreachable
from noc_app.sources.registry import create_source
from noc_app.sources.step import choose_step
from noc_app.store import Store
from noc_app.themes import load_theme
from noc_app.widgets.timeseries_panel import MAX_DRAWN_SERIES
from noc_app.widgets.wall_window import WallWindow
from noc_app.zoom_feed import zoom_feeds
from noc_app.zoom_plan import ZOOM_RANGES, default_range, range_by_label, zoom_interval_s, zoom_plan

import raw_api
import servers
from wall_testkit import T0, FakeClock, app_config, dashboard, metric_result, panel, snapshot, store_with

THEME = load_theme("dark")


# -- the plan (pure) ----------------------------------------------------------------------------


@pytest.mark.parametrize(("label", "seconds", "step"), [
    ("1 h", 3600, 15), ("6 h", 21600, 60), ("24 h", 86400, 300), ("7 d", 604800, 1800),
])
def test_each_range_asks_for_its_window_at_its_step(label: str, seconds: float, step: float) -> None:
    dash = dashboard(_chart(), did="svc")
    zoom_range = range_by_label(label)
    (query,) = zoom_plan(dash, dash.panels[0], zoom_range).metrics
    assert (query.window_s, query.instant, query.key) == (seconds, False, "svc/cpu/0")
    assert choose_step(query.window_s, query.max_points) == step  # what the adapter will send
    assert zoom_interval_s(15.0, zoom_range) == max(15.0, step)


def test_the_zoom_starts_at_the_panels_own_window() -> None:
    assert default_range(_chart(window_s=1800)).label == "1 h"
    assert default_range(_chart(window_s=7200)).label == "6 h"
    assert default_range(_chart(window_s=30 * 86400)).label == "7 d"
    with pytest.raises(ValueError, match="1 h, 6 h, 24 h, 7 d"):
        range_by_label("2 h")


# -- the window, with a fake feed ---------------------------------------------------------------


def _chart(**kw):
    from noc_app.config.schema import QueryConfig

    return panel("cpu", "timeseries", x=0, y=0, w=12, h=12, queries=(QueryConfig(expr="up", legend="{{job}}"),), **kw)


class FakeFeed:
    def __init__(self, source_id: str) -> None:
        self.store = Store()
        self.store.register(source_id, "prometheus", 15.0)
        self.retired = False

    def retire(self) -> None:
        self.retired = True


class FakeOpener:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str, str]] = []
        self.feeds: list[FakeFeed] = []

    def __call__(self, dash, panel_config, zoom_range):
        self.calls.append((dash.id, panel_config.id, zoom_range.label))
        self.feeds.append(FakeFeed(panel_config.source))
        return self.feeds[-1]


def _many_series(count: int) -> QueryResult:
    x = np.arange(3, dtype=float) + T0
    return QueryResult.build(tuple(
        Series(key=f"s{i}", name=f"series-{i:02d}", labels={}, x=x, y=np.full(3, float(i))) for i in range(count)
    ))


def _window(qtbot, mode: Mode, opener) -> WallWindow:
    dash = dashboard(_chart(), panel("inc", "incidents", x=12, y=0, w=12, h=12), did="svc")
    window = WallWindow(app_config(dash, mode=mode), (dash,), store_with(("src", "prometheus")), THEME,
                        mode=mode, clock=FakeClock(), quit_clock=FakeClock(), zoom_opener=opener)
    qtbot.addWidget(window)
    window.resize(1280, 720)
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()
    return window


def _click_chart(qtbot, window: WallWindow) -> None:
    frame = window.panel_frames()[0]
    qtbot.mouseClick(frame.body, Qt.MouseButton.LeftButton, pos=QPoint(frame.body.width() // 2, 20))


@pytest.mark.parametrize("mode", [Mode.WALL, Mode.KIOSK])
def test_clicking_does_nothing_in_wall_and_kiosk(qtbot, mode: Mode) -> None:
    opener = FakeOpener()
    window = _window(qtbot, mode, opener)
    _click_chart(qtbot, window)
    assert window.zoom is None and opener.calls == []


def test_operator_click_opens_large_and_ranges_make_new_feeds(qtbot) -> None:
    opener = FakeOpener()
    window = _window(qtbot, Mode.OPERATOR, opener)
    _click_chart(qtbot, window)
    zoom = window.zoom
    assert zoom is not None and zoom.isVisible()
    assert opener.calls == [("svc", "cpu", "1 h")]
    assert zoom.frame is not None and zoom.frame.state is DataState.LOADING
    assert zoom.width() > window.panel_frames()[0].width()
    # The first answer: the chart and its whole legend.
    feed = opener.feeds[0]
    feed.store.apply("src", snapshot(metrics={"svc/cpu/0": metric_result([1, 2, 3])}), T0, 3.0)
    qtbot.waitUntil(lambda: zoom.frame.state is DataState.OK and bool(zoom.frame.body.curves))
    qtbot.waitUntil(lambda: zoom.legend_texts() == ("k   3",))  # the full legend: name and latest value
    feed.store.apply("src", snapshot(metrics={"svc/cpu/0": _many_series(MAX_DRAWN_SERIES)}), T0 + 15, 3.0)
    qtbot.waitUntil(lambda: len(zoom.legend_texts()) == MAX_DRAWN_SERIES)  # every drawn series
    assert zoom.legend_texts()[0].startswith("series-")
    # Another range: a new feed, LOADING until it answers; the old one is retired.
    qtbot.mouseClick(zoom._range_buttons["7 d"], Qt.MouseButton.LeftButton)
    assert opener.calls[-1] == ("svc", "cpu", "7 d")
    assert feed.retired and zoom.frame.state is DataState.LOADING
    # The new feed fails: the zoom says so (no data yet: UNREACHABLE), never a blank chart.
    opener.feeds[-1].store.mark_failed("src", Unreachable("connection refused"), T0, 3.0)
    qtbot.waitUntil(lambda: zoom.frame.state is DataState.UNREACHABLE)
    # Esc closes it and retires its feed; the wall's own frame was never touched.
    qtbot.keyClick(zoom, Qt.Key.Key_Escape)
    assert not zoom.isVisible() and opener.feeds[-1].retired
    assert window.panel_frames()[0].state is DataState.LOADING


def test_a_click_on_the_margin_closes(qtbot) -> None:
    opener = FakeOpener()
    window = _window(qtbot, Mode.OPERATOR, opener)
    _click_chart(qtbot, window)
    assert window.zoom is not None and window.zoom.isVisible()
    qtbot.mouseClick(window.zoom, Qt.MouseButton.LeftButton, pos=QPoint(3, 3))
    assert not window.zoom.isVisible()


def test_incident_boards_do_not_open_large(qtbot) -> None:
    opener = FakeOpener()
    window = _window(qtbot, Mode.OPERATOR, opener)
    board = window.panel_frames()[1]
    qtbot.mouseClick(board.body, Qt.MouseButton.LeftButton, pos=QPoint(10, 10))
    assert opener.calls == []


# -- against a real Prometheus ------------------------------------------------------------------

CONFIG = """
version: 1
title: Drill
mode: operator
sources:
  - {{id: prom, kind: prometheus, url: "{url}", interval: 2s, timeout: 2s}}
dashboards:
  - id: svc
    title: Service
    panels:
      - id: up
        kind: timeseries
        title: Targets up
        source: prom
        window: 30m
        queries:
          - {{expr: "up", legend: "{{{{job}}}}"}}
        grid: {{x: 0, y: 0, w: 24, h: 12}}
"""


@pytest.mark.integration
def test_a_range_change_queries_prometheus_at_the_new_step(qtbot, drill_prometheus) -> None:
    # The 6 h range's last point is on a whole minute: Prometheus must have a sample before one.
    servers.wait_for(lambda: raw_api.prom_query(drill_prometheus.base_url, "up", at=time.time() // 60 * 60),
                     timeout_s=90, what="a sample before the last whole minute")
    config = load_config_text(CONFIG.format(url=drill_prometheus.base_url), filename="drill.yaml")
    plans: list[PollPlan] = []
    threads: list[str] = []

    def recording(sc, plan):
        plans.append(plan)
        source = create_source(sc, plan)
        poll = source.poll

        def poll_and_note():
            threads.append(threading.current_thread().name)
            return poll()

        source.poll = poll_and_note  # type: ignore[method-assign]
        return source

    store = store_with(("prom", "prometheus"))
    dash = config.dashboards[0]
    window = WallWindow(config, (dash,), store, THEME, mode=Mode.OPERATOR, zoom_opener=zoom_feeds(config, recording))
    qtbot.addWidget(window)
    window.resize(1600, 900)
    window.show()
    _click_chart(qtbot, window)
    zoom = window.zoom
    assert zoom is not None and zoom.frame.state is DataState.LOADING
    for label, step in (("1 h", 15.0), ("6 h", 60.0)):
        zoom.set_range(range_by_label(label))
        assert zoom.frame.state is DataState.LOADING
        (query,) = plans[-1].metrics
        assert query.window_s == range_by_label(label).seconds
        qtbot.waitUntil(lambda: zoom.frame.state is DataState.OK and bool(zoom.frame.body.curves), timeout=20_000)
        snap = zoom.feed.store.snapshot("prom")
        series = snap.metrics["svc/up/0"].series
        assert series and series[0].name == "prometheus"
        assert all(math.isclose(x % step, 0.0, abs_tol=1e-6) for x in series[0].x)  # on the step's grid
        if len(series[0].x) > 1:
            assert set(np.diff(series[0].x)) == {step}
        assert zoom.legend_texts()[0].startswith("prometheus")
    assert threads and all(name.startswith("zoom") for name in threads)  # never the GUI thread
    zoom.close_zoom()
    assert ZOOM_RANGES  # the ladder exists for every range the picker offers


def test_the_help_overlay_says_how_to_open_a_chart(qtbot) -> None:
    window = _window(qtbot, Mode.OPERATOR, FakeOpener())
    assert window.help_overlay is not None
    assert any(keys == "Click a chart" for keys, _ in window.help_overlay.text_rows())
    assert any(keys == "/" for keys, _ in window.help_overlay.text_rows())


def test_stale_zoom_and_the_wall_behind_keeps_updating(qtbot) -> None:
    opener = FakeOpener()
    window = _window(qtbot, Mode.OPERATOR, opener)
    _click_chart(qtbot, window)
    zoom = window.zoom
    feed = opener.feeds[0]
    feed.store.apply("src", snapshot(metrics={"svc/cpu/0": metric_result([1, 2, 3])}), T0, 3.0)
    qtbot.waitUntil(lambda: zoom.frame.state is DataState.OK)
    feed.store.mark_failed("src", Unreachable("connection refused"), T0 + 20, 3.0)
    qtbot.waitUntil(lambda: zoom.frame.state is DataState.STALE)  # the last answer, said to be old
    assert zoom.frame.body.curves and zoom.frame.dimmed
    # Meanwhile the wall's own store still reaches the wall's frames under the overlay.
    wall_frame = window.panel_frames()[0]
    window._store.apply("src", snapshot(metrics={"svc/cpu/0": metric_result([4, 5, 6])}), T0, 3.0)
    qtbot.waitUntil(lambda: wall_frame.state is DataState.OK)
    assert zoom.isVisible()
