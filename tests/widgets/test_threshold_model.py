"""One threshold rule: the same table of cases through the selectors, the widgets and the snapshot JSON."""

from __future__ import annotations

import json
import math
from dataclasses import replace

import numpy as np
import pytest

from noc_app.config.schema import (
    AppConfig,
    DashboardConfig,
    GridPos,
    Mode,
    PanelConfig,
    QueryConfig,
    SourceConfig,
    Threshold,
)
from noc_app.config.thresholds import crossed_threshold
from noc_app.model import QueryResult, Series, Severity, Snapshot, SourceHealth, SourceStatus
from noc_app.selectors import threshold_severity
from noc_app.wall_state import wall_state
from noc_app.widgets.metric_body import judge_value

NOW = 1_700_000_000.0
W, C, H = Severity.WARNING, Severity.CRITICAL, Severity.HIGH


def gt(value: float, severity: Severity) -> Threshold:
    return Threshold(value=value, severity=severity, op="gt")


def lt(value: float, severity: Severity) -> Threshold:
    return Threshold(value=value, severity=severity, op="lt")


BOTH_SIDES = (lt(10, C), gt(90, C))  # the case: critical < 10 and critical > 90
RISING = (gt(80, W), gt(90, C))
FALLING_TIERS = (lt(99.9, W), lt(99.5, H), lt(99.0, C))
MIXED = (lt(20, W), lt(10, C), gt(80, W), gt(90, C))

# (thresholds, value, expected (severity, threshold value, op) or None)
CASES = [
    (BOTH_SIDES, 95.0, (C, 90.0, "gt")),
    (BOTH_SIDES, 5.0, (C, 10.0, "lt")),
    (BOTH_SIDES, 50.0, None),
    (BOTH_SIDES, 90.0, (C, 90.0, "gt")),  # gt means >=
    (BOTH_SIDES, 10.0, None),  # lt is strict
    (BOTH_SIDES, math.inf, (C, 90.0, "gt")),
    (BOTH_SIDES, -math.inf, (C, 10.0, "lt")),
    (BOTH_SIDES, math.nan, None),
    (RISING, 85.0, (W, 80.0, "gt")),
    (RISING, 95.0, (C, 90.0, "gt")),  # most severe wins over the warning it also crosses
    (RISING, math.inf, (C, 90.0, "gt")),
    (RISING, -math.inf, None),
    (FALLING_TIERS, 99.7, (W, 99.9, "lt")),
    (FALLING_TIERS, 99.2, (H, 99.5, "lt")),
    (FALLING_TIERS, 98.0, (C, 99.0, "lt")),
    (FALLING_TIERS, -math.inf, (C, 99.0, "lt")),
    (FALLING_TIERS, math.inf, None),
    (MIXED, 15.0, (W, 20.0, "lt")),
    (MIXED, 85.0, (W, 80.0, "gt")),
    (MIXED, 3.0, (C, 10.0, "lt")),
    (MIXED, 99.0, (C, 90.0, "gt")),
    ((gt(80, W), gt(85, W)), 99.0, (W, 85.0, "gt")),  # same severity: the deepest limit crossed
    ((lt(5, W), lt(2, W)), 1.0, (W, 2.0, "lt")),
    ((), 42.0, None),
]
IDS = [f"{len(t)}thr-{v}" for t, v, _ in CASES]

PANEL = PanelConfig(id="p", kind="stat", title="P", source="prom", queries=(QueryConfig(expr="x"),),
                    grid=GridPos(x=0, y=0, w=6, h=4), unit="%")


@pytest.mark.parametrize(("thresholds", "value", "expected"), CASES, ids=IDS)
def test_the_pure_rule(thresholds, value, expected):
    crossed = crossed_threshold(value, thresholds)
    assert (None if crossed is None else (crossed.severity, crossed.value, crossed.op)) == expected


@pytest.mark.parametrize(("thresholds", "value", "expected"), CASES, ids=IDS)
def test_selectors_agree(thresholds, value, expected):
    assert threshold_severity(value, thresholds) is (None if expected is None else expected[0])


def _series(value: float) -> Series:
    return Series(key="k", name="k", labels={}, x=np.array([NOW]), y=np.array([value]))


@pytest.mark.parametrize(("thresholds", "value", "expected"), CASES, ids=IDS)
def test_widgets_agree(thresholds, value, expected):
    judged = judge_value((QueryResult.build([_series(value)]),), replace(PANEL, thresholds=thresholds))
    if expected is None:
        assert judged.severity is None
        assert judged.severity_text == ""
        return
    severity, limit, op = expected
    assert judged.severity is severity
    sign = "<" if op == "lt" else "≥"
    assert judged.severity_text == f"{severity.value.upper()} {sign} {limit:g} %"


@pytest.mark.parametrize(("thresholds", "value", "expected"), CASES, ids=IDS)
def test_snapshot_json_agrees(thresholds, value, expected):
    panel = replace(PANEL, thresholds=thresholds)
    config = AppConfig(path="w.yaml", title="t", mode=Mode.WALL, theme="dark",
                       sources=(SourceConfig(id="prom", kind="prometheus", url="http://x"),),
                       dashboards=(DashboardConfig(id="d", title="D", panels=(panel,)),))
    snap = Snapshot.build("prom", NOW - 1, metrics={"d/p/0": QueryResult.build([_series(value)])})
    status = SourceStatus(source_id="prom", kind="prometheus", health=SourceHealth.OK, last_success_at=NOW - 1,
                          interval_s=15.0)
    state = json.loads(json.dumps(wall_state(config, {"prom": snap}, {"prom": status}, NOW), allow_nan=False))
    crossed = state["dashboards"][0]["panels"][0]["thresholds_crossed"]
    if expected is None:
        assert crossed == []
        return
    severity, limit, op = expected
    assert [(c["severity"], c["threshold"], c["op"]) for c in crossed] == [(severity.value, limit, op)]
