"""The kiosk's executive dashboard: generated from `slos:` + the incident boards + the history,
its figures reach the tiles through the store, and a dead feed is never shown green."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from noc_app.config.errors import ConfigError
from noc_app.config.loader import load_config_text
from noc_app.config.schema import Mode, PanelKind
from noc_app.executive import EXECUTIVE_ID, HISTORY_SOURCE_ID, kiosk_config, wants_history
from noc_app.history_source import HistorySource
from noc_app.kpi_kind import KPI_KIND
from noc_app.model import Alert, AlertState, QueryResult, Series, Severity, Snapshot
from noc_app.panel_keys import query_key
from noc_app.plans import build_plans
from noc_app.sources.base import Unreachable
from noc_app.state.records import IncidentHistory
from noc_app.store import Store
from noc_app.themes import load_theme
from noc_app.widgets.kpi_panel import KpiBody
from noc_app.widgets.wall_window import WallWindow

NOW = 1_800_000_000.0 + 1800.0  # half past an hour
HOUR = 3600.0
THEME = load_theme("dark")

CONFIG = """
version: 1
title: Shop
mode: kiosk
sources:
  - {id: prom, kind: prometheus, url: "http://prom.test:9090", interval: 15s}
  - {id: am, kind: alertmanager, url: "http://am.test:9093", interval: 15s}
dashboards:
  - id: ops
    title: Operations
    panels:
      - {id: board, kind: incidents, title: Incidents, source: am, grid: {x: 0, y: 0, w: 24, h: 12}}
slos:
  - id: availability
    name: Availability
    source: prom
    target: 99.9
    sli:
      good: sum(rate(http_requests_total{status!~"5.."}[{{window}}]))
      total: sum(rate(http_requests_total[{{window}}]))
  - id: errors
    name: Error rate < 1 %
    source: prom
    target: 99
    sli:
      good: sum(rate(http_requests_total{status!~"5.."}[{{window}}]))
      total: sum(rate(http_requests_total[{{window}}]))
sla:
  time_zone: UTC
  services:
    - id: shop
      title: Shop
      source: prom
      uptime_target: 99.9
      availability:
        good: sum(increase(http_requests_total{status!~"5.*"}[1m]))
        total: sum(increase(http_requests_total[1m]))
"""


class Clock:
    def __init__(self, now: float = NOW) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def _config(extra: str = "", mode: str = "kiosk"):
    return load_config_text(CONFIG.replace("mode: kiosk", f"mode: {mode}") + extra, filename="shop.yaml")


def _tiles(config):
    dash = next(d for d in config.dashboards if d.id == EXECUTIVE_ID)
    return {p.id: p for p in dash.panels}


# -- the generated dashboard -------------------------------------------------------------------


def test_a_kiosk_without_a_dashboard_shows_the_executive_kpis_from_slos_boards_and_history():
    config = kiosk_config(_config())
    tiles = _tiles(config)
    assert list(tiles) == ["availability", "error_rate", "latency", "error_budget", "incidents", "mttr_month"]
    assert all(p.kind == KPI_KIND for p in tiles.values())
    assert tiles["availability"].slo.id == "availability" and tiles["availability"].source == "prom"
    assert tiles["error_rate"].slo.id == "errors"
    assert tiles["latency"].slo is None  # no latency SLO: the tile says so, nothing is invented
    assert tiles["error_budget"].slo.id == "availability"
    assert tiles["incidents"].sources == ("am",)
    assert tiles["mttr_month"].source == HISTORY_SOURCE_ID and wants_history(config)
    assert [s.dashboard for s in config.screens] == [EXECUTIVE_ID]
    plans = build_plans(config)  # the tiles' SLO queries are polled, the board's alerts too
    assert any(q.key == query_key(EXECUTIVE_ID, "availability", 0) for q in plans["prom"].metrics)
    assert plans["am"].alerts


def test_a_configured_kiosk_dashboard_wins_and_a_wall_is_left_alone():
    config = kiosk_config(_config("kiosk: {dashboard: ops}\n"))
    assert [d.id for d in config.dashboards] == ["ops"] and [s.dashboard for s in config.screens] == ["ops"]
    wall = _config(mode="wall")
    assert kiosk_config(wall) is wall and not wants_history(wall)


def test_an_unknown_kiosk_dashboard_is_a_config_error_naming_the_known_ones():
    with pytest.raises(ConfigError) as caught:
        _config("kiosk: {dashboard: boardroom}\n")
    text = str(caught.value)
    assert "kiosk.dashboard" in text and "unknown dashboard 'boardroom'" in text and "ops" in text


def test_an_executive_id_already_taken_gets_another():
    config = kiosk_config(_config().__class__(**{**{f.name: getattr(_config(), f.name)
                                                   for f in dataclasses.fields(_config())},
                                                 "dashboards": (dataclasses.replace(_config().dashboards[0],
                                                                                    id=EXECUTIVE_ID),)}))
    assert [d.id for d in config.dashboards] == [EXECUTIVE_ID, f"{EXECUTIVE_ID}-2"]


# -- values through the store into the tiles (pytest-qt) --------------------------------------


def _series(x, y) -> QueryResult:
    return QueryResult.build([Series(key="{}", name="x", labels={}, x=np.asarray(x, float), y=np.asarray(y, float))])


def _slo_results(bad_per_hour: float):
    """30 days of 1000 requests an hour (per-second rates), the SLO panel's four queries."""
    t = np.arange(np.ceil((NOW - 30 * 86400 + HOUR) / HOUR), np.floor(NOW / HOUR) + 1) * HOUR
    total = np.full(t.size, 1000 / HOUR)
    return (_series(t, total - bad_per_hour / HOUR), _series(t, total),
            _series([NOW], [(1000 - bad_per_hour) / HOUR]), _series([NOW], [1000 / HOUR]))


def _prom_snapshot(config, bad_per_hour: float) -> Snapshot:
    metrics = {}
    for panel in _tiles(config).values():
        if panel.slo is not None:
            for i, result in enumerate(_slo_results(bad_per_hour)):
                metrics[query_key(EXECUTIVE_ID, panel.id, i)] = result
    return Snapshot.build("prom", NOW, metrics=metrics)


def _alert(fp: str, severity: Severity, state: AlertState = AlertState.FIRING) -> Alert:
    return Alert(fingerprint=fp, source_id="am", name=fp, severity=severity, state=state, starts_at=NOW - 600)


def _resolved(fp: str, minutes: float) -> IncidentHistory:
    start = NOW - minutes * 60 - HOUR  # resolved an hour ago, this month
    return IncidentHistory(source_id="am", fingerprint=fp, name=fp, first_seen_at=start,
                           resolved_at=start + minutes * 60, updated_at=start + minutes * 60, severity="warning")


def _window(qtbot, config, clock):
    store = Store()
    for sc in config.sources:
        store.register(sc.id, sc.kind, sc.interval_s)
    store.register(HISTORY_SOURCE_ID, "incident-history", 60.0)
    dash = next(d for d in config.dashboards if d.id == EXECUTIVE_ID)
    window = WallWindow(config, (dash,), store, THEME, mode=config.mode, clock=clock, quit_clock=clock)
    qtbot.addWidget(window)
    window.resize(1920, 1080)
    with qtbot.waitExposed(window):
        window.show()
    bodies = {f.panel.id: f.body for f in window.panel_frames()}
    assert all(isinstance(b, KpiBody) for b in bodies.values())
    return store, window, bodies


def _wait_tiles(qtbot, bodies, **verdicts):
    def done():
        return all(bodies[k].tile is not None and bodies[k].tile.verdict == v for k, v in verdicts.items())
    qtbot.waitUntil(done)


def test_the_figures_come_through_the_store(qtbot):
    config = kiosk_config(_config())
    clock = Clock()
    store, window, bodies = _window(qtbot, config, clock)
    store.apply("prom", _prom_snapshot(config, bad_per_hour=0.5), NOW, 5.0)  # 99.95 % good
    store.apply("am", Snapshot.build("am", NOW, alerts=(
        _alert("db-down", Severity.CRITICAL), _alert("disk", Severity.WARNING),
        _alert("slow", Severity.WARNING, AlertState.ACKNOWLEDGED), _alert("gone", Severity.HIGH, AlertState.RESOLVED),
    )), NOW, 5.0)
    history = HistorySource(config, read=lambda now: ([_resolved("a", 30), _resolved("b", 90)], ""), clock=clock)
    store.apply(HISTORY_SOURCE_ID, history.poll(), NOW, 5.0)
    _wait_tiles(qtbot, bodies, availability="MET", error_rate="MET", error_budget="OK", incidents="P0 ACTIVE",
                mttr_month="MET")
    assert bodies["availability"].tile.value == "99.950 %"
    assert bodies["availability"].tile.caption == "target ≥ 99.9 %"
    assert bodies["error_rate"].tile.value == "0.05 %" and bodies["error_rate"].tile.caption == "target ≤ 1 %"
    assert bodies["error_budget"].tile.value == "50.0 %"  # 0.05 % of an allowed 0.1 % spent
    assert bodies["incidents"].tile.value == "3"  # firing or acknowledged; the resolved one is not counted
    assert [(p, n) for p, n, _ in bodies["incidents"].tile.counts] == [("P0", 1), ("P1", 0), ("P2", 2), ("P3", 0)]
    assert bodies["mttr_month"].tile.value == "1 h 00 min"  # (30 + 90) / 2 minutes
    assert bodies["latency"].tile.verdict == "NOT CONFIGURED"
    assert window.board_actions == ()  # a kiosk has no action path, whatever it shows


def test_a_breached_slo_is_said_in_words_and_a_dead_feed_is_never_green(qtbot):
    config = kiosk_config(_config())
    clock = Clock()
    store, _, bodies = _window(qtbot, config, clock)
    store.apply("prom", _prom_snapshot(config, bad_per_hour=3.0), NOW, 5.0)  # 99.7 %: below 99.9 %
    store.apply("am", Snapshot.build("am", NOW, alerts=()), NOW, 5.0)
    _wait_tiles(qtbot, bodies, availability="BELOW TARGET", error_budget="EXHAUSTED", incidents="NONE ACTIVE")
    assert bodies["availability"].tile.color_key == "critical"
    store.mark_failed("am", Unreachable("connection refused"), NOW + 1, 5.0)
    clock.now = NOW + 15 * 60  # far past 3 intervals: the prom figures are STALE, not current
    _wait_tiles(qtbot, bodies, availability="STALE", error_rate="STALE")
    assert bodies["availability"].tile.color_key == "stale" and bodies["availability"].dimmed
    assert bodies["incidents"].tile.verdict in ("STALE", "UNREACHABLE")
    assert bodies["incidents"].tile.color_key != "ok"


def test_a_feed_that_never_answered_shows_its_state_and_no_figure(qtbot):
    config = kiosk_config(_config())
    store, _, bodies = _window(qtbot, config, Clock())
    store.mark_failed("prom", Unreachable("connection refused"), NOW, 5.0)
    store.mark_failed(HISTORY_SOURCE_ID, Unreachable("state database: connection refused"), NOW, 5.0)
    _wait_tiles(qtbot, bodies, availability="UNREACHABLE", mttr_month="UNREACHABLE")
    assert bodies["availability"].tile.value == "—" and bodies["availability"].tile.color_key == "text_dim"
    assert bodies["availability"].dimmed  # greyed under the frame's hatch: nothing live-coloured


# -- the history source --------------------------------------------------------------------------


def test_history_source_states():
    config = _config()
    none = HistorySource(config, read=lambda now: (None, "no state database"), clock=lambda: NOW).poll()
    (result,) = none.metrics.values()
    assert result.series == () and result.warnings == ("no state database",)
    with pytest.raises(Unreachable, match="state database: down"):
        HistorySource(config, read=lambda now: (None, "state database: down"), clock=lambda: NOW).poll()
    late = HistorySource(config, read=lambda now: ([_resolved("a", 48 * 60)], ""), clock=lambda: NOW).poll()
    (series,) = next(iter(late.metrics.values())).series
    assert series.y[-1] == 48 * HOUR and series.labels["met"] == "false"  # P2's 24 h target missed


def test_kiosk_mode_from_the_command_line_gets_the_executive_dashboard():
    from noc_app.app import LaunchOptions, effective_config

    config = effective_config(_config(mode="wall"), LaunchOptions(mode=Mode.KIOSK))
    assert config.mode is Mode.KIOSK and EXECUTIVE_ID in {d.id for d in config.dashboards}
    assert all(p.kind != PanelKind.SLO for p in _tiles(config).values())
