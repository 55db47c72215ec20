"""The bar gauge, table, heatmap, status, apdex and clock panels, fed through the store.

Each test drives a DashboardView from a Store (as the wall does): values shown,
colours chosen by thresholds, state messages shown and cleared, and the same body
(and no new child widgets) across updates.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from PySide6.QtWidgets import QApplication, QWidget

from noc_app.config.schema import (
    BarGaugeOptions,
    ClockOptions,
    ClockZone,
    HistogramOptions,
    PanelConfig,
    QueryConfig,
    StatusOptions,
    TableColumn,
    TableOptions,
    Threshold,
)
from noc_app.model import DataState, QueryResult, Series, Severity
from noc_app.panel_keys import query_key
from noc_app.sources.base import BadResponse, Unreachable
from noc_app.themes import load_theme
from noc_app.widgets.apdex_panel import ApdexBody
from noc_app.widgets.bargauge_panel import BarGaugeBody
from noc_app.widgets.clock_panel import ClockBody, clock_lines
from noc_app.widgets.dashboard_view import DashboardView
from noc_app.widgets.heatmap_panel import HeatmapBody
from noc_app.widgets.panel_factory import PanelBody
from noc_app.widgets.status_panel import StatusBody
from noc_app.widgets.table_panel import TableBody
from tests.widgets.wall_testkit import T0, FakeClock, dashboard, has_color_near, panel, snapshot, store_with

THEME = load_theme("dark")
WARN, CRIT = Severity.WARNING, Severity.CRITICAL
LIMITS = (Threshold(value=80, severity=WARN), Threshold(value=90, severity=CRIT))
BUCKETS = ("0.1", "0.25", "0.5", "1", "+Inf")


def _series(labels: dict[str, str], values, name: str = "") -> Series:
    y = np.atleast_1d(np.asarray(values, dtype=np.float64))
    x = T0 - (y.size - 1) * 10.0 + np.arange(y.size) * 10.0
    key = ",".join(f"{k}={v}" for k, v in sorted(labels.items()))
    return Series(key=key, name=name or key, labels=labels, x=x, y=y)


def _buckets(counts: list[list[float]] | list[float]) -> QueryResult:
    """Cumulative bucket series for BUCKETS; each entry a value or a list over time."""
    return QueryResult.build(_series({"le": le}, c) for le, c in zip(BUCKETS, counts, strict=True))


class Wall:
    """One panel on a DashboardView fed by a Store, as the wall window does it."""

    def __init__(self, qtbot, config: PanelConfig, size=(1600, 900)) -> None:
        self.config = config
        self.clock = FakeClock()
        self.store = store_with(("src", "prometheus"))
        self.view = DashboardView(dashboard(config), self.store, THEME, clock=self.clock)
        qtbot.addWidget(self.view)
        self.view.resize(*size)
        with qtbot.waitExposed(self.view):
            self.view.show()
        self.qtbot = qtbot
        self.frame = self.view.frame(config.id)
        self.body = self.frame.body

    def feed(self, *results: QueryResult, state: DataState = DataState.OK) -> None:
        metrics = {query_key("dash", self.config.id, i): r for i, r in enumerate(results)}
        self.clock.now += 1
        self.store.apply("src", snapshot(metrics=metrics), self.clock.now, 5.0)
        self.qtbot.waitUntil(lambda: self.frame.state is state and not self.view._flush_timer.isActive())
        self.settle()

    def fail(self, error: Exception, state: DataState) -> None:
        self.clock.now += 1
        self.store.mark_failed("src", error, self.clock.now, 5.0)
        self.qtbot.waitUntil(lambda: self.frame.state is state and not self.view._flush_timer.isActive())
        self.settle()

    def settle(self) -> None:
        QApplication.processEvents()
        self.body.repaint()  # paint now: text_boxes and pixels are of the newest data

    def pixels_have(self, key: str) -> bool:
        return has_color_near(self.body.grab().toImage(), THEME.color(key), tolerance=6)


def _bars_panel(**kw) -> PanelConfig:
    return panel("disks", "bargauge", title="Disk used", unit="%", thresholds=LIMITS,
                 queries=(QueryConfig(expr="disk", legend="{{mountpoint}}"),), **kw)


def _disks(*values: float) -> QueryResult:
    return QueryResult.build(_series({"mountpoint": m}, v, name=m) for m, v in zip(("/", "/var", "/home"), values))


def _table_panel(**kw) -> PanelConfig:
    return panel("routes", "table", title="Routes", unit="req/s", thresholds=LIMITS,
                 queries=(QueryConfig(expr="rate"),), **kw)


def _routes(*rows: tuple[str, str, float]) -> QueryResult:
    return QueryResult.build(_series({"method": m, "instance": i}, v) for m, i, v in rows)


def _status_panel(**kw) -> PanelConfig:
    return panel("up", "status", title="Targets", queries=(QueryConfig(expr="up"),), **kw)


def _targets(**states: float) -> QueryResult:
    return QueryResult.build(_series({"job": "node", "instance": inst}, v) for inst, v in states.items())


def _heatmap_panel(**kw) -> PanelConfig:
    return panel("lat", "heatmap", title="Latency", unit="s", queries=(QueryConfig(expr="buckets"),),
                 histogram=HistogramOptions(y_axis="log", quantile=0.95), **kw)


def _apdex_panel(t_s: float = 0.25) -> PanelConfig:
    return panel("apdex", "apdex", title="Apdex", queries=(QueryConfig(expr="buckets"),),
                 histogram=HistogramOptions(t_s=t_s),
                 thresholds=(Threshold(value=0.94, severity=WARN, op="lt"),
                             Threshold(value=0.85, severity=CRIT, op="lt")))


# (panel, good answer, an answer with other values) per kind with data
KINDS = {
    "bargauge": (_bars_panel, lambda: _disks(40, 85, 95), lambda: _disks(41, 50, 60)),
    "table": (_table_panel, lambda: _routes(("GET", "a:1", 95), ("PUT", "b:1", 5)),
              lambda: _routes(("GET", "a:1", 10), ("PUT", "b:1", 5))),
    "status": (_status_panel, lambda: _targets(**{"a:9100": 1, "b:9100": 0}),
               lambda: _targets(**{"a:9100": 1, "b:9100": 1})),
    "heatmap": (_heatmap_panel, lambda: _buckets([[50, 40], [80, 60], [90, 90], [100, 95], [100, 100]]),
                lambda: _buckets([[10, 40], [20, 60], [90, 90], [100, 95], [100, 100]])),
    "apdex": (_apdex_panel, lambda: _buckets([50, 60, 80, 90, 100]), lambda: _buckets([90, 96, 98, 99, 100])),
}


# -- every kind: states, messages, no churn --------------------------------------------


@pytest.mark.parametrize("kind", list(KINDS))
def test_states_are_shown_and_cleared_and_the_body_is_reused(qtbot, kind):
    make, good, other = KINDS[kind]
    wall = Wall(qtbot, make())
    assert isinstance(wall.body, PanelBody)
    body = wall.body
    assert wall.frame.pill_text == "LOADING"
    wall.fail(Unreachable("connection refused"), DataState.UNREACHABLE)
    assert wall.frame.pill_text == "UNREACHABLE" and "connection refused" in wall.frame.message_text
    wall.feed(good())
    assert (wall.frame.pill_text, wall.frame.message_text) == ("", "")
    refreshes = wall.frame.body_refresh_count
    wall.feed(other())
    assert wall.frame.body_refresh_count == refreshes + 1  # new values: redrawn in place
    wall.feed(other())
    assert wall.frame.body_refresh_count == refreshes + 1  # the same values again: not even redrawn
    wall.feed(QueryResult.build(error="parse error at char 3"), state=DataState.QUERY_ERROR)
    assert wall.frame.pill_text == "QUERY ERROR" and "parse error at char 3" in wall.frame.message_text
    wall.feed(QueryResult.build(()), state=DataState.NO_DATA)
    assert wall.frame.pill_text == "NO DATA"
    wall.feed(good())
    wall.fail(BadResponse("HTTP 502"), DataState.STALE)
    assert wall.frame.pill_text.startswith("STALE") and wall.frame.dimmed
    for key in ("critical", "warning", "ok"):  # never live colours on a dead feed
        assert not wall.pixels_have(key), key
    wall.feed(good())
    assert (wall.frame.pill_text, wall.frame.message_text, wall.frame.dimmed) == ("", "", False)
    assert wall.frame.body is body
    assert body.findChildren(QWidget) == []  # painted: no widget per row, tile or bar


# -- bar gauge ---------------------------------------------------------------------------


def test_bargauge_one_bar_per_series_coloured_by_thresholds(qtbot):
    wall = Wall(qtbot, _bars_panel())
    wall.feed(_disks(40, 85, 95))
    body: BarGaugeBody = wall.body
    assert [(b.name, b.text, b.color_key) for b in body.bar_list.bars] == [
        ("/", "40 %", "ok"), ("/var", "85 %", "warning"), ("/home", "95 %", "critical")]
    assert [b.fraction for b in body.bar_list.bars] == pytest.approx([0.4, 0.85, 0.95])
    assert wall.pixels_have("critical") and wall.pixels_have("warning") and wall.pixels_have("ok")
    wall.feed(_disks(40, 50, 60))
    assert not wall.pixels_have("critical") and not wall.pixels_have("warning")


def test_bargauge_sorts_and_bounds_the_bars(qtbot):
    wall = Wall(qtbot, _bars_panel(bargauge=BarGaugeOptions(sort="desc", limit=2)))
    wall.feed(_disks(40, 85, 95))
    body: BarGaugeBody = wall.body
    assert [b.name for b in body.bar_list.bars] == ["/home", "/var"]
    assert body.more_text == "+1 more"
    assert any(text == "+1 more" for text, _ in body.text_boxes)


def test_bargauge_counts_the_bars_that_do_not_fit_instead_of_shrinking_their_text(qtbot):
    # Node Exporter Full's "Node Exporter Scrape": 45 collectors in a small panel were drawn at 8 px.
    many = panel("collectors", "bargauge", title="Scrape", unit="bool", h=3, w=4,
                 queries=(QueryConfig(expr="node_scrape_collector_success", legend="{{collector}}"),),
                 bargauge=BarGaugeOptions(limit=45))
    wall = Wall(qtbot, many, size=(1920, 1080))
    wall.feed(QueryResult.build(_series({"collector": f"c{i:02d}"}, i % 2, name=f"c{i:02d}") for i in range(45)))
    body: BarGaugeBody = wall.body
    shown, more = body.shown_bars()
    assert 1 <= len(shown) < 45 and len(shown) + more == 45
    assert body.more_text == f"+{more} more"
    _, text_px = body.row_geometry()
    assert text_px >= 11 and text_px >= body.smallest_text_px()
    assert {"true", "false"} <= {text for text, _ in body.text_boxes}  # Grafana's bool unit: words


# -- table -------------------------------------------------------------------------------


def test_table_rows_sorted_by_value_with_coloured_cells(qtbot):
    wall = Wall(qtbot, _table_panel(table=TableOptions(columns=(TableColumn(label="instance", title="Host"),
                                                                  TableColumn(label="method")))))
    wall.feed(_routes(("GET", "a:1", 5), ("PUT", "b:1", 95), ("POST", "c:1", 85)))
    body: TableBody = wall.body
    assert body.table.headers == ("Host", "method", "Value (req/s)")
    assert [(r.cells, r.value_text, r.color_key) for r in body.table.rows] == [
        (("b:1", "PUT"), "95 req/s", "critical"), (("c:1", "POST"), "85 req/s", "warning"),
        (("a:1", "GET"), "5 req/s", "text")]  # calm rows stay plain
    texts = [t for t, _ in body.text_boxes]
    assert "95 req/s" in texts and "PUT" in texts
    assert wall.pixels_have("critical")
    body.sort_on("method")  # an operator's click on the header
    assert [r.cells[1] for r in body.table.rows] == ["GET", "POST", "PUT"]
    body.sort_on("method")
    assert [r.cells[1] for r in body.table.rows] == ["PUT", "POST", "GET"]
    wall.feed(_routes(("GET", "a:1", 7), ("PUT", "b:1", 1), ("POST", "c:1", 2)))  # the choice survives updates
    assert [r.cells[1] for r in body.table.rows] == ["PUT", "POST", "GET"]


def test_table_says_how_many_rows_do_not_fit(qtbot):
    rows = [("GET", f"host-{i}:80", float(i)) for i in range(40)]
    wall = Wall(qtbot, _table_panel(table=TableOptions(limit=30)), size=(1600, 450))
    wall.feed(_routes(*rows))
    body: TableBody = wall.body
    assert body.table.more == 10
    assert 0 < body.shown_rows < 30
    assert body.more_text == f"{40 - body.shown_rows} more"
    assert any(t == body.more_text for t, _ in body.text_boxes)


def test_table_header_click_sorts(qtbot):
    wall = Wall(qtbot, _table_panel(table=TableOptions(columns=(TableColumn(label="method"),))))
    wall.feed(_routes(("GET", "a:1", 5), ("PUT", "b:1", 95)))
    body: TableBody = wall.body
    (_, box), *_ = [(t, b) for t, b in body.text_boxes if t.startswith("method")]
    from PySide6.QtCore import QPoint, Qt
    qtbot.mouseClick(body, Qt.MouseButton.LeftButton, pos=QPoint(int(box.center().x()), int(box.center().y())))
    assert body.table.sort_by == "method" and [r.cells[0] for r in body.table.rows] == ["GET", "PUT"]


# -- status ------------------------------------------------------------------------------


def test_status_tiles_down_first_with_counts_and_short_names(qtbot):
    wall = Wall(qtbot, _status_panel(status=StatusOptions(name_label="instance")))
    wall.feed(_targets(**{"api-1.prod.example.com:8080": 1, "127.0.0.1:18080": 0, "db:9100": 1}))
    body: StatusBody = wall.body
    assert [(t.name, t.status) for t in body.grid.tiles] == [
        ("localhost:18080", "DOWN"), ("api-1:8080", "UP"), ("db:9100", "UP")]
    assert body.header_text == "2 up · 1 down"
    texts = [t for t, _ in body.text_boxes]
    assert "localhost:18080" in texts and "1 down" in texts and "DOWN · node" in texts
    assert wall.pixels_have("critical")
    wall.feed(_targets(**{"api-1.prod.example.com:8080": 1, "127.0.0.1:18080": 1, "db:9100": 1}))
    assert body.header_text == "3 up · 0 down" and not wall.pixels_have("critical")


# -- heatmap -----------------------------------------------------------------------------


def test_heatmap_draws_cells_and_the_p95_line(qtbot):
    wall = Wall(qtbot, _heatmap_panel())
    steps = 30
    ramp = np.linspace(0, 1, steps)
    counts = [list(50 - 40 * ramp), list(80 - 40 * ramp), list(np.full(steps, 90.0)), list(np.full(steps, 100.0)),
              list(np.full(steps, 100.0))]
    wall.feed(_buckets(counts))
    body: HeatmapBody = wall.body
    assert body.shares.shape == (5, steps)
    assert body.quantile_text == "P95 750 ms"
    assert any(t == "P95 750 ms" for t, _ in body.text_boxes)
    assert wall.pixels_have("text")  # the line
    assert has_color_near(body.grab().toImage(), THEME.series_color(0), tolerance=40)  # the cells' middle of ramp


# -- apdex -------------------------------------------------------------------------------


def test_apdex_on_bucket_bounds_is_judged_without_warning(qtbot):
    wall = Wall(qtbot, _apdex_panel(0.25))
    wall.feed(_buckets([50, 60, 80, 90, 100]))  # satisfied 60, within 4T=1 s 90: (60 + 30/2) / 100
    body: ApdexBody = wall.body
    assert (body.value_text, body.severity, body.warning_text) == ("0.75", CRIT, "")
    assert wall.pixels_have("critical") and not wall.pixels_have("warning")
    wall.feed(_buckets([90, 96, 98, 99, 100]))
    assert (body.value_text, body.severity) == ("0.97", None)
    assert wall.pixels_have("ok") and not wall.pixels_have("critical")


def test_apdex_off_a_bucket_bound_says_which_bounds_exist(qtbot):
    wall = Wall(qtbot, _apdex_panel(0.3))
    wall.feed(_buckets([50, 60, 80, 90, 100]))
    body: ApdexBody = wall.body
    assert "T=300 ms and 4T=1.2 s are not bucket boundaries" in body.warning_text
    assert "100 250 500 ms, 1 s" in body.warning_text
    assert any(t == body.warning_text for t, _ in body.text_boxes)
    assert wall.pixels_have("warning")


# -- clock -------------------------------------------------------------------------------


def test_clock_lines_for_several_zones():
    options = ClockOptions(zones=(ClockZone(name="Seoul", tz="Asia/Seoul"),
                                  ClockZone(name="Virginia", tz="America/New_York")), local=False)
    at = 1_764_684_000.0  # 2025-12-02 14:00:00 UTC
    assert [(c.name, c.time, c.date) for c in clock_lines(at, options)] == [
        ("Seoul", "23:00:00", "Tue 2 Dec · UTC+9"), ("Virginia", "09:00:00", "Tue 2 Dec · UTC-5")]
    twelve = ClockOptions(zones=options.zones[:1], local=False, hour_format=12, show_seconds=False, show_date=False)
    assert [(c.time, c.date) for c in clock_lines(at + 3600, twelve)] == [("12:00 AM", "")]


def test_clock_ticks_by_itself_and_repaints_only_itself(qtbot):
    clock = FakeClock(1_764_684_000.0)
    config = panel("clock", "clock", source=None, clock=ClockOptions(zones=(ClockZone(name="Seoul", tz="Asia/Seoul"),)))
    body = ClockBody(config, THEME, clock=clock)
    qtbot.addWidget(body)
    body.resize(800, 400)
    body.show()
    qtbot.waitExposed(body)
    seoul = body.lines[-1]
    assert seoul.time == "23:00:00"
    clock.now += 1
    qtbot.waitUntil(lambda: body.lines[-1].time == "23:00:01", timeout=3000)
    body.repaint()
    assert any(t == "23:00:01" for t, _ in body.text_boxes)
    assert not math.isnan(clock.now)


def test_status_switches_to_one_line_tiles_before_hiding_many(qtbot):
    wall = Wall(qtbot, _status_panel(), size=(900, 500))
    wall.feed(_targets(**{f"node-{i:02d}:9100": (0 if i == 1 else 1) for i in range(3)}))
    body: StatusBody = wall.body
    assert not body.compact and "DOWN · node" in [t for t, _ in body.text_boxes]
    wall.feed(_targets(**{f"node-{i:02d}:9100": (0 if i == 7 else 1) for i in range(60)}))
    assert body.compact
    assert body.visible_tiles[0].name == "node-07:9100"  # down first, whatever fits
    names = [t for t, _ in body.text_boxes]
    assert len(body.visible_tiles) > 10 and f"+{body.more_count} more" not in names  # drawn centred, not boxed
    assert body.more_count == 60 - len(body.visible_tiles)


def _linear_heatmap() -> PanelConfig:
    return panel("lat", "heatmap", title="Latency", unit="s", queries=(QueryConfig(expr="buckets"),),
                 histogram=HistogramOptions(y_axis="linear", quantile=0.95))


def _texts_fit(body) -> list[str]:
    from PySide6.QtCore import QRectF

    inside = QRectF(body.rect()).adjusted(-1, -1, 1, 1)
    problems = [f"{t!r} leaves the body" for t, box in body.text_boxes if not inside.contains(box)]
    for i, (ta, a) in enumerate(body.text_boxes):
        for tb, b in body.text_boxes[i + 1:]:
            overlap = a.intersected(b)
            if overlap.width() > 1 and overlap.height() > 1:
                problems.append(f"{ta!r} overlaps {tb!r}")
    return problems


@pytest.mark.parametrize("size", [(360, 200), (700, 380), (1800, 1000)], ids=["small", "medium", "large"])
@pytest.mark.parametrize("kind", [*KINDS, "heatmap-linear", "apdex-off-bound"])
def test_texts_fit_and_never_overlap_at_any_panel_size(qtbot, kind, size):
    if kind == "heatmap-linear":
        make, good = _linear_heatmap, KINDS["heatmap"][1]
    elif kind == "apdex-off-bound":
        make, good = (lambda: _apdex_panel(0.3)), KINDS["apdex"][1]
    else:
        make, good = KINDS[kind][0], KINDS[kind][1]
    wall = Wall(qtbot, make(), size=size)
    wall.feed(good())
    assert wall.body.text_boxes
    assert _texts_fit(wall.body) == []
