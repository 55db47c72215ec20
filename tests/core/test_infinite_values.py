"""+Inf and -Inf are values: formatted "+Inf", judged against thresholds, written "+Inf" in the snapshot JSON."""

from __future__ import annotations

import json
import math

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
from noc_app.model import QueryResult, Series, Severity, Snapshot, SourceHealth, SourceStatus
from noc_app.units import format_value
from noc_app.wall_state import wall_state

NOW = 1_700_000_000.0
STAT = PanelConfig(id="err", kind="stat", title="Error Rate", source="prom", queries=(QueryConfig(expr="x"),),
                   grid=GridPos(x=0, y=0, w=6, h=4),
                   thresholds=(Threshold(value=1, severity=Severity.WARNING),
                               Threshold(value=5, severity=Severity.CRITICAL)))
CONFIG = AppConfig(path="w.yaml", title="t", mode=Mode.WALL, theme="dark",
                   sources=(SourceConfig(id="prom", kind="prometheus", url="http://x"),),
                   dashboards=(DashboardConfig(id="d", title="D", panels=(STAT,)),))


@pytest.mark.parametrize(("value", "text"), [(math.inf, "+Inf"), (-math.inf, "-Inf"), (math.nan, "–")])
@pytest.mark.parametrize("unit", ["", "%", "s", "ms", "B", "req/s"])
def test_format_value_spells_infinities(value, text, unit):
    assert format_value(value, unit) == text
    assert format_value(value, unit, 2) == text


def _panel_state(*values: float) -> dict:
    y = np.array(values, dtype=float)
    series = Series(key="k", name="k", labels={}, x=NOW - np.arange(y.size)[::-1], y=y)
    snap = Snapshot.build("prom", NOW - 1, metrics={"d/err/0": QueryResult.build([series])})
    status = SourceStatus(source_id="prom", kind="prometheus", health=SourceHealth.OK, last_success_at=NOW - 1,
                          interval_s=15.0)
    state = wall_state(CONFIG, {"prom": snap}, {"prom": status}, NOW)
    # The snapshot is JSON: no NaN or Infinity tokens may reach it.
    return json.loads(json.dumps(state, allow_nan=False))["dashboards"][0]["panels"][0]


def test_snapshot_writes_plus_inf_and_it_is_critical():
    panel = _panel_state(0.5, 2.0, math.inf)
    assert panel["series"][0]["last_value"] == "+Inf"
    assert panel["thresholds_crossed"] == [
        {"series": "k", "value": "+Inf", "severity": "critical", "threshold": 5, "op": "gt"}
    ]


def test_snapshot_writes_minus_inf_and_it_crosses_no_gt_threshold():
    panel = _panel_state(7.0, -math.inf)
    assert panel["series"][0]["last_value"] == "-Inf"
    assert panel["thresholds_crossed"] == []


def test_a_trailing_gap_does_not_hide_an_infinity():
    assert _panel_state(1.0, math.inf, math.nan)["series"][0]["last_value"] == "+Inf"
