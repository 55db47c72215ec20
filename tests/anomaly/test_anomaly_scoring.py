"""Scoring in the poll worker path: every point fed once, in order, never ahead; bounded tracks; incidents."""

from __future__ import annotations

import math

import numpy as np

from noc_app.anomaly_incidents import ANOMALY_SOURCE_ID
from noc_app.anomaly_scoring import AnomalyScorer, ScoredPanel, ScoringSource, scored_panels
from noc_app.anomaly_source import AnomalySource, attach_anomaly, with_anomaly_boards
from noc_app.anomaly_tracks import ANOMALY_PREPARED, panel_anomaly
from noc_app.config.anomaly_options import AnomalyConfig
from noc_app.config.schema import PanelConfig, QueryConfig
from noc_app.detect.online import Scored
from noc_app.model import AlertState, QueryResult, Series, Severity, Snapshot
from noc_app.panel_keys import query_key


class RecordingDetector:
    """Says every value above 100 is anomalous; records what it was fed."""

    def __init__(self, log: list[tuple[float, float]]) -> None:
        self.log = log

    def update(self, timestamp: float, value: float) -> Scored:
        self.log.append((timestamp, value))
        return Scored(1.0 if value > 100 else 0.0, 0.0, 100.0)


class Clock:
    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def _panel(raise_incident: bool = False, resolve_after_s: float = 60.0) -> PanelConfig:
    return PanelConfig(id="rate", kind="timeseries", title="Request Rate", source="prom", window_s=600.0,
                       queries=(QueryConfig(expr="rate(x[5m])"),),
                       anomaly=AnomalyConfig(enabled=True, raise_incident=raise_incident, priority="P1",
                                             resolve_after_s=resolve_after_s))


def _snapshot(x: list[float], y: list[float], key: str = "{method=\"GET\"}", taken_at: float = 0.0) -> Snapshot:
    series = Series(key=key, name="GET", labels={"method": "GET"}, x=np.array(x, float), y=np.array(y, float))
    return Snapshot.build("prom", taken_at, metrics={query_key("main", "rate", 0): QueryResult.build([series])})


def _scorer(clock: Clock, *, raise_incident: bool = False, incidents=None, **kwargs):
    fed: dict[float, list[tuple[float, float]]] = {}
    log: list[tuple[float, float]] = []

    def factory(sensitivity: float) -> RecordingDetector:
        fed[sensitivity] = log
        return RecordingDetector(log)

    scored = ScoredPanel(dashboard_id="main", panel=_panel(raise_incident), threshold=0.5)
    return AnomalyScorer([scored], incidents, clock=clock, detector_factory=factory, **kwargs), log


def test_refetched_overlap_is_fed_once_in_order():
    clock = Clock()
    scorer, log = _scorer(clock)
    scorer.score(_snapshot([10, 20, 30], [1, 2, 3]))
    scorer.score(_snapshot([20, 30, 40, 50], [2, 3, 4, 5]))  # the poller refetched the range
    scorer.score(_snapshot([30, 40, 50], [3, 4, 5]))  # nothing new
    scorer.score(_snapshot([10, 60], [1, 6]))  # an older point again, then a new one
    assert log == [(10, 1), (20, 2), (30, 3), (40, 4), (50, 5), (60, 6)]


def test_gaps_are_not_fed_and_never_fed_later():
    clock = Clock()
    scorer, log = _scorer(clock)
    scorer.score(_snapshot([10, 20], [1, math.nan]))
    scorer.score(_snapshot([10, 20, 30], [1, 2, 3]))  # a backfilled point behind the frontier: the past stays past
    assert log == [(10, 1), (30, 3)]


def test_view_is_attached_to_the_snapshot_with_band_and_anomalous_points():
    clock = Clock()
    scorer, _ = _scorer(clock)
    snap = scorer.score(_snapshot([10, 20, 30, 40], [1, 500, 3, 4]))
    view = panel_anomaly(snap, "main/rate")
    assert view is not None and set(snap.prepared[ANOMALY_PREPARED]) == {"main/rate"}
    (series,) = view.series
    assert series.x.tolist() == [10, 20, 30, 40] and series.high.tolist() == [100.0] * 4
    assert series.anomalous_x.tolist() == [20] and series.anomalous_y.tolist() == [500]
    assert not series.anomalous
    again = panel_anomaly(scorer.score(_snapshot([10, 20, 30, 40], [1, 500, 3, 4])), "main/rate")
    assert again is not None and again.key == view.key  # nothing new: what is drawn is unchanged
    newer = panel_anomaly(scorer.score(_snapshot([40, 50], [4, 900])), "main/rate")
    assert newer is not None and newer.key != view.key and newer.series[0].anomalous


def test_kept_points_follow_the_window():
    clock = Clock()
    scorer, _ = _scorer(clock)
    scorer.score(_snapshot([0, 100, 200], [1, 2, 3]))
    view = panel_anomaly(scorer.score(_snapshot([700, 900], [4, 5])), "main/rate")  # window 600 s
    assert view is not None and view.series[0].x.tolist() == [700, 900]


def test_series_gone_for_a_while_are_forgotten_and_tracks_are_bounded():
    clock = Clock()
    scorer, _ = _scorer(clock, forget_after_s=60.0, max_tracks=2)
    scorer.score(_snapshot([10], [1], key="a"))
    clock.now += 30
    scorer.score(_snapshot([20], [1], key="b"))
    scorer.score(_snapshot([30], [1], key="c"))  # over the bound: not scored
    assert {k[2] for k in scorer.tracks} == {"a", "b"}
    clock.now += 45  # a: 75 s unseen, b: 45 s
    scorer.score(_snapshot([40], [1], key="b"))
    assert {k[2] for k in scorer.tracks} == {"b"}


def test_incident_raised_then_resolved_with_injected_clock():
    clock = Clock()
    config_panel = _panel(raise_incident=True, resolve_after_s=60.0)
    from noc_app.config.schema import AppConfig, DashboardConfig, Mode, SourceConfig

    board = PanelConfig(id="board", kind="incidents", title="Incidents", source="prom")
    config = AppConfig(path="<test>", title="T", mode=Mode.WALL, theme="dark",
                       sources=(SourceConfig(id="prom", kind="prometheus", url="http://127.0.0.1:9"),),
                       dashboards=(DashboardConfig(id="main", title="Main", panels=(config_panel, board)),))

    class Inner:
        id, kind = "prom", "prometheus"

        def __init__(self) -> None:
            self.answers: list[Snapshot] = []

        def poll(self) -> Snapshot:
            return self.answers.pop(0)

        def close(self) -> None:
            pass

    inner = Inner()
    sources = {"prom": inner}
    source = attach_anomaly(config, sources, clock)
    assert isinstance(source, AnomalySource) and isinstance(sources["prom"], ScoringSource)
    boards = with_anomaly_boards(config).dashboards[0].panels[1]
    assert boards.sources == ("prom", ANOMALY_SOURCE_ID)

    rng = np.random.default_rng(7)
    x = [clock.now - 3000 + t for t in range(0, 3000, 10)]  # past the detector's warm-up, ending now
    quiet = list(100 + 5 * np.sin(np.arange(len(x)) / 10) + 0.3 * rng.normal(0, 1, len(x)))
    inner.answers = [_snapshot(x, quiet, taken_at=clock.now)]
    sources["prom"].poll()
    assert source.poll().alerts == ()
    clock.now += 10
    spike_at = clock.now
    inner.answers = [_snapshot([*x, spike_at], [*quiet, 400.0], taken_at=clock.now)]  # a spike
    sources["prom"].poll()
    (alert,) = source.poll().alerts
    assert alert.source_id == ANOMALY_SOURCE_ID and alert.name == "Anomaly: Request Rate"
    assert alert.severity is Severity.HIGH and alert.state is AlertState.FIRING
    assert dict(alert.labels) == {"method": "GET", "alertname": "Anomaly: Request Rate", "dashboard": "main",
                                  "panel": "rate", "severity": "high"}
    assert alert.starts_at == spike_at and "expected" in alert.summary
    clock.now += 59
    assert len(source.poll().alerts) == 1  # normal for less than resolve_after: still open
    clock.now += 1
    assert source.poll().alerts == ()  # normal for resolve_after: resolved


def test_scored_panels_by_source():
    from noc_app.config.schema import AppConfig, DashboardConfig, Mode

    plain = PanelConfig(id="p", kind="timeseries", title="P", source="prom", queries=(QueryConfig(expr="up"),))
    config = AppConfig(path="<test>", title="T", mode=Mode.WALL, theme="dark", sources=(),
                       dashboards=(DashboardConfig(id="d", title="D", panels=(_panel(), plain)),))
    found = scored_panels(config)
    assert list(found) == ["prom"] and [p.panel.id for p in found["prom"]] == ["rate"]


def test_views_handed_out_stay_unchanged_while_the_track_keeps_feeding():
    from noc_app.anomaly_tracks import SeriesTrack

    track = SeriesTrack(detector=RecordingDetector([]))
    views = []
    for t in range(2000):  # one point a poll, far past the buffer's first capacity
        track.feed(np.array([float(t)]), np.array([float(t)]), 600.0)
        if t % 300 == 0:
            views.append((t, track.view(0, "k", "k", 0.5)))
    assert track.columns[0].tolist() == [float(t) for t in range(1399, 2000)]
    for t, view in views:
        assert view.x.tolist() == [float(s) for s in range(max(0, t - 600), t + 1)]
        assert not view.x.flags.writeable


class HoldingDetector:
    """Flags the first point above 100 of an episode only (as the shipped one does), band 0..100."""

    def __init__(self) -> None:
        self.flagged = False

    def update(self, timestamp: float, value: float) -> Scored:
        high = value > 100
        score = 1.0 if high and not self.flagged else 0.0
        self.flagged = high
        return Scored(score, 0.0, 100.0)


def test_an_episode_held_by_the_detector_keeps_its_incident_open_until_normal():
    from noc_app.anomaly_incidents import AnomalyIncidents

    clock, incidents = Clock(), AnomalyIncidents()
    scored = ScoredPanel(dashboard_id="main", panel=_panel(raise_incident=True, resolve_after_s=60.0), threshold=0.5)
    scorer = AnomalyScorer([scored], incidents, clock=clock, detector_factory=lambda _s: HoldingDetector())
    t = clock.now  # data time follows the wall clock
    scorer.score(_snapshot([t], [50.0]))
    for step in range(20):  # 200 s above the band: flagged once, then held at score 0
        clock.now += 10
        t += 10
        scorer.score(_snapshot([t], [150.0]))
        assert len(incidents.alerts(clock.now)) == 1, step
    clock.now += 10
    t += 10
    scorer.score(_snapshot([t], [50.0]))  # back to normal: 60 s after the last point outside the band, resolved
    clock.now += 49
    assert len(incidents.alerts(clock.now)) == 1
    clock.now += 1
    assert incidents.alerts(clock.now) == ()
    assert scorer.score(_snapshot([t + 10], [50.0])) is not None and incidents.alerts(clock.now) == ()


def test_old_anomalies_of_the_backfilled_window_raise_nothing():
    from noc_app.anomaly_incidents import AnomalyIncidents

    clock, incidents = Clock(), AnomalyIncidents()
    scored = ScoredPanel(dashboard_id="main", panel=_panel(raise_incident=True, resolve_after_s=60.0), threshold=0.5)
    scorer = AnomalyScorer([scored], incidents, clock=clock, detector_factory=lambda _s: RecordingDetector([]))
    now = clock.now
    view = panel_anomaly(scorer.score(_snapshot([now - 300, now - 200, now - 10], [500.0, 50.0, 50.0])), "main/rate")
    assert view is not None and view.series[0].anomalous_x.tolist() == [now - 300]  # drawn, ...
    assert incidents.alerts(clock.now) == ()  # ... but 5 minutes old: no incident
    scorer.score(_snapshot([now - 10, now], [50.0, 500.0]))
    assert len(incidents.alerts(clock.now)) == 1
