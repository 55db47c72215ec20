"""Through a Runtime and its store: band and markers drawn and updated in place, the incident on the board
and in the snapshot JSON, resolved once the series is normal (injected clock, no poller timers)."""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QApplication

from noc_app.anomaly_incidents import ANOMALY_SOURCE_ID
from noc_app.config.anomaly_options import AnomalyConfig
from noc_app.config.schema import AppConfig, DashboardConfig, GridPos, Mode, PanelConfig, QueryConfig, SourceConfig
from noc_app.model import QueryResult, Series, Snapshot
from noc_app.runtime import Runtime
from noc_app.selectors import select_panel_data
from noc_app.themes import load_theme
from noc_app.wall_state import wall_state
from noc_app.widgets.timeseries_panel import TimeSeriesBody

T0 = 1_700_000_000.0
THEME = load_theme("dark")
RATE = PanelConfig(id="rate", kind="timeseries", title="Request Rate", source="prom", window_s=3600.0,
                   queries=(QueryConfig(expr="sum(rate(x[5m]))", legend="api"),), grid=GridPos(x=0, y=0, w=8, h=4),
                   anomaly=AnomalyConfig(enabled=True, sensitivity=0.5, raise_incident=True, priority="P1",
                                         resolve_after_s=120.0))
BOARD = PanelConfig(id="board", kind="incidents", title="Incidents", source="am", grid=GridPos(x=8, y=0, w=4, h=4))


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> float:
        return self.now


class FakeSource:
    """Answers with the values the test set; a range refetch each poll, like Prometheus."""

    def __init__(self, sc: SourceConfig, clock: Clock, values: dict[float, float]) -> None:
        self.id, self.kind, self._clock, self.values = sc.id, sc.kind, clock, values

    def poll(self) -> Snapshot:
        if self.kind == "alertmanager":
            return Snapshot.build(self.id, self._clock(), alerts=())
        ts = sorted(t for t in self.values if t > self._clock() - 3600)
        series = Series(key='{job="api"}', name="api", labels={"job": "api"}, x=np.array(ts),
                        y=np.array([self.values[t] for t in ts]))
        return Snapshot.build(self.id, self._clock(), metrics={"main/rate/0": QueryResult.build([series])})

    def close(self) -> None:
        pass


def _runtime(clock: Clock, values: dict[float, float]) -> Runtime:
    config = AppConfig(path="<test>", title="T", mode=Mode.WALL, theme="dark",
                       sources=(SourceConfig(id="prom", kind="prometheus", url="http://127.0.0.1:9", interval_s=10),
                                SourceConfig(id="am", kind="alertmanager", url="http://127.0.0.1:9")),
                       dashboards=(DashboardConfig(id="main", title="Main", panels=(RATE, BOARD)),))
    return Runtime(config, source_factory=lambda sc, plan: FakeSource(sc, clock, values), wall_clock=clock)


def _poll_all(runtime: Runtime, clock: Clock) -> None:
    """What the poller does, without its timers: each source polled, the answer applied to the store."""
    for sid in ("prom", "am", ANOMALY_SOURCE_ID):
        runtime.store.apply(sid, runtime.sources[sid].poll(), clock(), 1.0)


def _state(runtime: Runtime, clock: Clock) -> dict:
    store = runtime.store
    return wall_state(runtime.config, {s: store.snapshot(s) for s in store.source_ids()},
                      {s: store.status(s) for s in store.source_ids()}, clock())


def _panel_data(runtime: Runtime, clock: Clock):
    store = runtime.store
    return select_panel_data(RATE, "main", {s: store.snapshot(s) for s in store.source_ids()},
                             {s: store.status(s) for s in store.source_ids()}, clock(), 60.0)


def _quiet(values: dict[float, float], start: float, stop: float) -> None:
    rng = np.random.default_rng(int(start) % 1000)
    for t in np.arange(start, stop, 10.0):
        values[float(t)] = 100.0 + 5.0 * float(np.sin(t / 100.0)) + 0.3 * float(rng.normal(0, 1))


def test_band_markers_and_incident_through_the_store(qtbot):
    clock, values = Clock(), {}
    _quiet(values, T0 - 3000, T0 + 1)  # 300 points: past the detector's warm-up
    runtime = _runtime(clock, values)
    assert runtime.config.dashboards[0].panels[1].sources == ("am", ANOMALY_SOURCE_ID)
    _poll_all(runtime, clock)
    body = TimeSeriesBody(RATE, THEME)
    qtbot.addWidget(body)
    body.set_text_px(24)
    body.resize(900, 420)
    body.show()
    qtbot.waitExposed(body)
    body.refresh(_panel_data(runtime, clock))
    qtbot.waitUntil(lambda: body.paint_count > 0)
    QApplication.processEvents()
    (drawn,) = body.drawn_anomaly
    assert drawn.band_points > 0 and drawn.markers == ()
    assert _state(runtime, clock)["incidents"] == []

    clock.now += 10
    values[clock.now] = 400.0  # a spike far outside the band
    _poll_all(runtime, clock)
    painted = body.paint_count
    body.refresh(_panel_data(runtime, clock))  # the same body, updated in place
    qtbot.waitUntil(lambda: body.paint_count > painted)
    QApplication.processEvents()
    (drawn,) = body.drawn_anomaly
    assert len(drawn.markers) == 1
    x, y = drawn.markers[0]
    assert abs(x - body.plot_rect.right()) < 3 and abs(y - body.y_pixel(400.0)) < 1

    state = _state(runtime, clock)
    (incident,) = state["incidents"]
    assert incident["name"] == "Anomaly: Request Rate" and incident["severity"] == "high"
    assert incident["source"] == ANOMALY_SOURCE_ID
    (panel,) = [p for p in state["dashboards"][0]["panels"] if p["id"] == "rate"]
    assert panel["anomaly"]["anomalous"] is True and panel["anomaly"]["series"][0]["value"] == 400.0

    for _ in range(13):  # back to normal: the marker stays in the window, the incident resolves after 120 s
        clock.now += 10
        _quiet(values, clock.now, clock.now + 1)
        _poll_all(runtime, clock)
    state = _state(runtime, clock)
    assert state["incidents"] == []
    (panel,) = [p for p in state["dashboards"][0]["panels"] if p["id"] == "rate"]
    assert panel["anomaly"]["anomalous"] is False and panel["anomaly"]["series"][0]["anomalous_points"] == 1
