"""Pure data-state decisions: one table, the same rules every panel and `snapshot` use."""

from __future__ import annotations

import math

import numpy as np
import pytest

from noc_app.config.schema import GridPos, PanelConfig, QueryConfig, Threshold
from noc_app.model import (
    Alert, AlertState, DataState, QueryResult, Series, Severity, Snapshot, SourceHealth, SourceStatus,
)
from noc_app.selectors import panel_alerts, select_panel_data, threshold_severity
from noc_app.wall_state import wall_state

NOW = 1_000_000.0
STAT = PanelConfig(id="err", kind="stat", title="Error Rate", source="prom",
                   queries=(QueryConfig(expr="x"),), grid=GridPos(x=0, y=0, w=6, h=4),
                   thresholds=(Threshold(value=1, severity=Severity.WARNING), Threshold(value=5, severity=Severity.CRITICAL)))
BOARD = PanelConfig(id="board", kind="incidents", title="Incidents", sources=("am", "am2"), grid=GridPos(x=0, y=0, w=6, h=4))


def _series(*values: float) -> Series:
    y = np.array(values, dtype=float)
    return Series(key="k", name="k", labels={}, x=NOW - np.arange(len(y))[::-1], y=y)


def _status(health=SourceHealth.OK, *, last_ok=NOW - 1, error=None, degraded=(), source_id="prom"):
    return SourceStatus(source_id=source_id, kind="prometheus", health=health, last_success_at=last_ok,
                        last_error=error, interval_s=15.0, degraded=degraded)


def _snap(result: QueryResult | None, source_id="prom", **extra) -> Snapshot:
    metrics = {} if result is None else {"d/err/0": result}
    return Snapshot.build(source_id, NOW - 1, metrics=metrics, **extra)


CASES = [
    # (status, snapshot, expected state, message fragment)
    (_status(SourceHealth.LOADING, last_ok=None), None, DataState.LOADING, "waiting"),
    (_status(SourceHealth.UNREACHABLE, last_ok=None, error="unreachable: connection refused"), None,
     DataState.UNREACHABLE, "connection refused"),
    (_status(SourceHealth.AUTH_FAILED, error="auth failed: HTTP 401"), _snap(QueryResult.build([_series(1)])),
     DataState.AUTH_FAILED, "401"),
    (_status(SourceHealth.STALE, last_ok=NOW - 252, error="unreachable: read timeout"),
     _snap(QueryResult.build([_series(1)])), DataState.STALE, "data 4m12s old — unreachable: read timeout"),
    # no error, but no success for far longer than 3 intervals: a hung poll must not look current
    (_status(last_ok=NOW - 600), _snap(QueryResult.build([_series(1)])), DataState.STALE, "no successful poll"),
    (_status(), _snap(QueryResult.build(error="bad_data: parse error at char 4")), DataState.QUERY_ERROR, "bad_data"),
    (_status(), _snap(QueryResult.build([])), DataState.NO_DATA, "no data"),
    (_status(), _snap(QueryResult.build([_series(math.nan, math.nan)])), DataState.NO_DATA, "no data"),
    (_status(SourceHealth.DEGRADED, degraded=("rule X: boom",)), _snap(QueryResult.build([_series(1)])),
     DataState.DEGRADED, "rule X"),
    (_status(), _snap(None), DataState.LOADING, "not answered"),
    (_status(), _snap(QueryResult.build([_series(1, 2)])), DataState.OK, ""),
]


@pytest.mark.parametrize(("status", "snapshot", "state", "fragment"), CASES)
def test_metric_panel_state_table(status, snapshot, state, fragment):
    data = select_panel_data(STAT, "d", {"prom": snapshot}, {"prom": status}, NOW, 3.0)
    assert data.view.state is state
    assert fragment in data.view.message
    assert data.dimmed == (state in (DataState.STALE, DataState.AUTH_FAILED, DataState.UNREACHABLE))


@pytest.mark.parametrize(("value", "expected"), [
    (0.4, None), (1.0, Severity.WARNING), (4.9, Severity.WARNING), (5.0, Severity.CRITICAL),
    (math.nan, None), (math.inf, Severity.CRITICAL),
])
def test_threshold_severity_gt(value, expected):
    assert threshold_severity(value, STAT.thresholds) is expected


def test_threshold_severity_lt_for_slo_tiers():
    tiers = (Threshold(value=99.9, severity=Severity.WARNING, op="lt"),
             Threshold(value=99.5, severity=Severity.HIGH, op="lt"),
             Threshold(value=99.0, severity=Severity.CRITICAL, op="lt"))
    assert threshold_severity(99.95, tiers) is None
    assert threshold_severity(99.9, tiers) is None
    assert threshold_severity(99.7, tiers) is Severity.WARNING
    assert threshold_severity(99.2, tiers) is Severity.HIGH
    assert threshold_severity(98.0, tiers) is Severity.CRITICAL


def _alert(fp, severity, state=AlertState.FIRING, starts=0.0, source="am"):
    return Alert(fingerprint=fp, source_id=source, name=fp, severity=severity, state=state, starts_at=starts)


def test_board_merges_sources_worst_first_and_muted_last():
    snaps = {
        "am": Snapshot.build("am", NOW, alerts=(_alert("w", Severity.WARNING), _alert("s", Severity.CRITICAL, AlertState.SILENCED))),
        "am2": Snapshot.build("am2", NOW, alerts=(_alert("c", Severity.CRITICAL, starts=5, source="am2"),
                                                 _alert("r", Severity.CRITICAL, AlertState.RESOLVED, source="am2"))),
    }
    assert [a.name for a in panel_alerts(BOARD, snaps)] == ["c", "w", "s"]


def test_board_state_is_the_worst_of_its_sources():
    snaps = {"am": Snapshot.build("am", NOW, alerts=()), "am2": None}
    statuses = {"am": _status(source_id="am"),
                "am2": _status(SourceHealth.UNREACHABLE, last_ok=None, error="unreachable: refused", source_id="am2")}
    data = select_panel_data(BOARD, "d", snaps, statuses, NOW, 3.0)
    assert data.view.state is DataState.UNREACHABLE
    statuses["am2"] = _status(source_id="am2")
    snaps["am2"] = Snapshot.build("am2", NOW, alerts=())
    assert select_panel_data(BOARD, "d", snaps, statuses, NOW, 3.0).view.state is DataState.OK


def test_wall_state_reports_crossed_thresholds_and_nan_as_text():
    from noc_app.config.schema import AppConfig, DashboardConfig, Mode, SourceConfig

    config = AppConfig(path="w.yaml", title="t", mode=Mode.WALL, theme="dark",
                       sources=(SourceConfig(id="prom", kind="prometheus", url="http://x"),),
                       dashboards=(DashboardConfig(id="d", title="D", panels=(STAT,)),))
    snap = _snap(QueryResult.build([_series(1.0, 6.5)]))
    state = wall_state(config, {"prom": snap}, {"prom": _status()}, NOW)
    panel = state["dashboards"][0]["panels"][0]
    assert panel["state"] == "OK"
    assert panel["thresholds_crossed"] == [{"series": "k", "value": 6.5, "severity": "critical", "threshold": 5, "op": "gt"}]
    nan_state = wall_state(config, {"prom": _snap(QueryResult.build([_series(math.nan)]))}, {"prom": _status()}, NOW)
    assert nan_state["dashboards"][0]["panels"][0]["series"][0]["last_value"] == "NaN"
    assert nan_state["dashboards"][0]["panels"][0]["state"] == "NO DATA"


def test_panel_kind_names_every_configurable_kind_and_equals_its_string():
    from noc_app.config.schema import PANEL_KINDS, PanelKind

    assert tuple(PanelKind) == PANEL_KINDS  # same members, same order as the validator's list
    assert PanelKind.INCIDENTS == "incidents" and f"{PanelKind.STAT}" == "stat"
    assert {"incidents": 1}[PanelKind.INCIDENTS] == 1  # configs keep plain strings; lookups still match
