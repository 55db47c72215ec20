"""Time series stacked / right axis / annotations and the stat sparkline, fed through the store."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtWidgets import QApplication

from noc_app.annotations import annotation_key, merge_gap_s
from noc_app.config.panel_display import Annotation, PanelDisplay
from noc_app.config.schema import QueryConfig, Threshold
from noc_app.model import DataState, QueryResult, Series, Severity
from noc_app.panel_keys import query_key
from noc_app.sources.base import Unreachable
from noc_app.themes import load_theme
from noc_app.widgets.dashboard_view import DashboardView
from noc_app.widgets.stat_panel import StatBody
from noc_app.widgets.timeseries_panel import TimeSeriesBody
from tests.widgets.wall_testkit import T0, FakeClock, alert, dashboard, panel, snapshot, store_with

THEME = load_theme("dark")
WINDOW = 10800.0
STEP = merge_gap_s(WINDOW) / 2.5  # the range step plans ask for over WINDOW


def _series(name: str, values, *, end: float = T0, step: float = STEP) -> Series:
    y = np.asarray(values, dtype=np.float64)
    x = end - (y.size - 1) * step + np.arange(y.size) * step
    return Series(key=name, name=name, labels={"name": name}, x=x, y=y)


class Wall:
    """One panel on a DashboardView fed by a Store with a Prometheus and an Alertmanager source."""

    def __init__(self, qtbot, config, size=(1600, 900)) -> None:
        self.config = config
        self.clock = FakeClock(T0)
        self.store = store_with(("src", "prometheus"), ("am", "alertmanager"))
        self.view = DashboardView(dashboard(config), self.store, THEME, clock=self.clock)
        qtbot.addWidget(self.view)
        self.view.resize(*size)
        with qtbot.waitExposed(self.view):
            self.view.show()
        self.qtbot = qtbot
        self.frame = self.view.frame(config.id)
        self.body = self.frame.body

    def feed(self, *results: QueryResult, annotations=(), alerts=None, state=DataState.OK) -> None:
        metrics = {query_key("dash", self.config.id, i): r for i, r in enumerate(results)}
        metrics.update({annotation_key("dash", self.config.id, i): r for i, r in enumerate(annotations)})
        self.store.apply("src", snapshot(metrics=metrics), self.clock.now, 5.0)
        if alerts is not None:
            self.store.apply("am", snapshot("am", alerts=tuple(alerts)), self.clock.now, 5.0)
        self.qtbot.waitUntil(lambda: self.frame.state is state and not self.view._flush_timer.isActive())
        self.settle()

    def fail(self, state: DataState) -> None:
        self.clock.now += 120
        self.store.mark_failed("src", Unreachable("connection refused"), self.clock.now, 5.0)
        self.qtbot.waitUntil(lambda: self.frame.state is state and not self.view._flush_timer.isActive())
        self.settle()

    def settle(self) -> None:
        QApplication.processEvents()
        self.body.repaint()


def _ts_panel(queries, **display) -> object:
    return panel("rate", "timeseries", title="Requests", unit="req/s", window_s=WINDOW,
                 queries=queries, display=PanelDisplay(**display))


# -- stacked ----------------------------------------------------------------------------

def test_stacked_curves_add_up_in_legend_order_and_the_legend_keeps_own_values(qtbot):
    wall = Wall(qtbot, _ts_panel((QueryConfig(expr="rate"),), stacked=True))
    wall.feed(QueryResult.build([_series("GET", [10, 10, 10, 10]), _series("POST", [3, 3, np.nan, 3]),
                                 _series("PUT", [1, 1, 1, 1])]))
    body = wall.body
    assert isinstance(body, TimeSeriesBody)
    curves = {c.name: c for c in body.curves}
    assert [e.name for e in body.legend] == ["GET", "POST", "PUT"]  # legend order: last value, descending
    np.testing.assert_allclose(curves["GET"].ys, [10, 10, 10, 10])
    np.testing.assert_allclose(curves["POST"].ys, [13, 13, np.nan, 13])  # its own gap stays a gap
    np.testing.assert_allclose(curves["PUT"].ys, [14, 14, 11, 14])  # ... and adds 0 to the series above
    assert [e.value_text for e in body.legend] == ["10 req/s", "3 req/s", "1 req/s"]
    assert body.y_range is not None and body.y_range.hi >= 14


def test_a_query_out_of_the_stack_is_drawn_at_its_own_values_over_the_stack(qtbot):
    queries = (QueryConfig(expr="total", legend="Total", stack=False), QueryConfig(expr="parts"))
    wall = Wall(qtbot, _ts_panel(queries, stacked=True))
    wall.feed(QueryResult.build([_series("Total", [16, 16, 16])]),
              QueryResult.build([_series("Used", [10, 11, 12]), _series("Free", [6, 5, 4])]))
    curves = {c.name: c for c in wall.body.curves}
    np.testing.assert_allclose(curves["Total"].ys, [16, 16, 16])  # not stacked on anything
    np.testing.assert_allclose(curves["Used"].ys, [10, 11, 12])
    np.testing.assert_allclose(curves["Free"].ys, [16, 16, 16])  # Used + Free: the total, not 32
    assert wall.body.y_range is not None and wall.body.y_range.hi < 32


def test_unstacked_curves_are_the_values(qtbot):
    wall = Wall(qtbot, _ts_panel((QueryConfig(expr="rate"),)))
    wall.feed(QueryResult.build([_series("GET", [10, 10]), _series("PUT", [1, 1])]))
    np.testing.assert_allclose({c.name: c for c in wall.body.curves}["PUT"].ys, [1, 1])


# -- right axis -------------------------------------------------------------------------

def test_right_axis_has_its_unit_and_its_series_map_to_it(qtbot):
    queries = (QueryConfig(expr="rate", legend="rate"),
               QueryConfig(expr="latency", legend="p95", axis="right", unit="ms"))
    wall = Wall(qtbot, _ts_panel(queries))
    wall.feed(QueryResult.build([_series("rate", [1, 2, 3])]),
              QueryResult.build([_series("p95", [200, 400, 500])]))
    body = wall.body
    assert body.right_unit == "ms"
    assert body.y_range is not None and 3 <= body.y_range.hi < 100
    assert body.y_range_right is not None and body.y_range_right.lo == 0 and 500 <= body.y_range_right.hi
    axes = {c.name: c.axis for c in body.curves}
    assert axes == {"rate": "left", "p95": "right"}
    # The left axis' series first, whatever the values; each value in its axis' unit.
    assert [(e.name, e.value_text) for e in body.legend] == [("rate", "3 req/s"), ("p95", "500 ms")]
    plot = body.plot_rect
    # 500 ms on the right axis is near the top of the plot; on the left axis it would be far above it.
    assert plot.top() <= body.y_pixel(500, "right") < plot.center().y()
    assert body.y_pixel(500, "left") < plot.top()
    p95 = {c.name: c for c in body.curves}["p95"]
    assert p95.ys[-1] == 500
    left_labels, right_labels = body.axis_labels
    assert left_labels and all(t.endswith(" req/s") for t in left_labels)
    assert right_labels and all(t.endswith(" ms") for t in right_labels) and right_labels[0] == "0 ms"
    # The right axis' labels are drawn to the right of the plot: the plot leaves room for them.
    assert plot.right() < body.width() - 40


def test_without_a_right_query_there_is_no_right_axis(qtbot):
    wall = Wall(qtbot, _ts_panel((QueryConfig(expr="rate"),)))
    wall.feed(QueryResult.build([_series("rate", [1, 2])]))
    assert wall.body.y_range_right is None


# -- annotations ------------------------------------------------------------------------

def test_query_markers_at_each_deploy_and_alert_markers_at_start(qtbot):
    notes = (Annotation(source="src", title="Deploy", query="changes(deploy_timestamp[1m]) > 0"),
             Annotation(source="am", title="HighErrorRate", alert="HighErrorRate"))
    wall = Wall(qtbot, _ts_panel((QueryConfig(expr="rate"),), annotations=notes))
    nan = np.nan
    # Two deploys: one seen by 4 samples (a 1m window on a 15 s step), one by 2; `> 0` leaves gaps.
    deploys = np.array([nan] * 400, dtype=float)
    deploys[50:54] = 1
    deploys[300:302] = 2
    fired = alert("HighErrorRate", Severity.CRITICAL, source_id="am", starts_at=T0 - 9000)
    other = alert("DiskFull", Severity.WARNING, source_id="am", starts_at=T0 - 200)
    rates = QueryResult.build([_series("rate", np.arange(400.0))])
    wall.feed(rates, annotations=[QueryResult.build([_series("deploy", deploys.copy())])], alerts=[fired, other])
    body = wall.body
    first_deploy, second_deploy = T0 - 349 * STEP, T0 - 99 * STEP
    assert [(m.title, m.at) for m in body.drawn_markers] == [
        ("HighErrorRate", T0 - 9000), ("Deploy", first_deploy), ("Deploy", second_deploy)]
    plot, x0 = body.plot_rect, T0 - WINDOW
    for marker in body.drawn_markers:
        assert marker.x == pytest.approx(plot.left() + (marker.at - x0) / WINDOW * plot.width(), abs=1.0)
        assert marker.labelled, (body.drawn_markers, plot, body.text_px)
        assert plot.left() <= marker.x <= plot.right()
    # A new deploy comes in, in place: same body, one more marker.
    deploys[310] = 3
    wall.clock.now += 1
    wall.feed(rates, annotations=[QueryResult.build([_series("deploy", deploys.copy())])])
    assert wall.body is body
    assert [m.at for m in body.drawn_markers] == [T0 - 9000, first_deploy, second_deploy, T0 - 89 * STEP]
    # Its label would overlap the one before: left out, its line stays.
    assert [m.labelled for m in body.drawn_markers] == [True, True, True, False]


def test_markers_outside_the_window_are_not_drawn(qtbot):
    notes = (Annotation(source="am", title="Old", alert="Old"),)
    wall = Wall(qtbot, _ts_panel((QueryConfig(expr="rate"),), annotations=notes))
    wall.feed(QueryResult.build([_series("rate", [1, 2])]),
              alerts=[alert("Old", Severity.WARNING, source_id="am", starts_at=T0 - WINDOW - 60)])
    assert wall.body.drawn_markers == ()


# -- stat sparkline ---------------------------------------------------------------------

def _stat(**display) -> object:
    return panel("err", "stat", title="Error rate", unit="%", window_s=600.0, queries=(QueryConfig(expr="e"),),
                 thresholds=(Threshold(value=5, severity=Severity.CRITICAL),), display=PanelDisplay(**display))


def test_sparkline_drawn_in_the_value_colour_updated_in_place_and_hidden_when_stale(qtbot):
    wall = Wall(qtbot, _stat(sparkline=True), size=(600, 400))
    wall.feed(QueryResult.build([_series("e", [1, 2, 3, 2, 1])]))
    body = wall.body
    assert isinstance(body, StatBody)
    assert body.value_text == "1 %"
    assert body.sparkline_color_key == "ok"
    first = body.sparkline_points
    assert first is not None and first.shape == (5, 2)
    wall.clock.now += 1
    wall.feed(QueryResult.build([_series("e", [2, 3, 2, 1, 9])]))
    assert wall.body is body
    assert body.value_text == "9 %" and body.sparkline_color_key == "critical"
    second = body.sparkline_points
    assert second is not None and not np.array_equal(first, second)
    # Under the number: the sparkline's strip starts below the number's baseline.
    assert second[:, 1].min() >= body.number_baseline
    wall.fail(DataState.STALE)
    assert body.sparkline_points is None  # a stale shape is not shown, like the other live colours
    assert body.value_text == "9 %"


def test_without_the_option_a_stat_draws_no_sparkline_under_the_value(qtbot):
    wall = Wall(qtbot, _stat(), size=(600, 400))
    wall.feed(QueryResult.build([_series("e", [4])]))
    assert wall.body.sparkline_points is None


def test_an_annotation_query_error_is_a_warning_on_the_panel_not_silence(qtbot):
    notes = (Annotation(source="src", title="Deploy", query="changes(deploy_timestamp[1m] > 0"),)
    wall = Wall(qtbot, _ts_panel((QueryConfig(expr="rate"),), annotations=notes))
    wall.feed(QueryResult.build([_series("rate", [1, 2])]),
              annotations=[QueryResult.build(error="bad_data: parse error: unclosed left parenthesis")])
    assert wall.frame.message_text == "annotation 'Deploy': bad_data: parse error: unclosed left parenthesis"
    assert wall.frame.message_color_key == "warning"
    assert wall.body.drawn_markers == ()
    assert wall.body.curves  # the data is still drawn


def test_an_annotation_on_a_source_that_cannot_answer_it_says_so(qtbot):
    notes = (Annotation(source="am", title="Deploy", query="changes(deploy_timestamp[1m]) > 0"),
             Annotation(source="src", title="Errors", alert="HighErrorRate"))
    wall = Wall(qtbot, _ts_panel((QueryConfig(expr="rate"),), annotations=notes))
    wall.store.apply("am", snapshot("am", alerts=()), wall.clock.now, 5.0)  # alerts only, no metric answers
    wall.feed(QueryResult.build([_series("rate", [1, 2])]))  # src: metrics, no alerts section
    assert wall.frame.message_text == ("annotation 'Deploy': source 'am' answers no metric queries; "
                                       "annotation 'Errors': source 'src' serves no alerts")
