"""The snapshot JSON judges apdex, heatmap and status panels on what they show, not on their raw series."""

from __future__ import annotations

import numpy as np

from noc_app.config.schema import HistogramOptions, PanelConfig, QueryConfig, Threshold
from noc_app.model import DataState, QueryResult, Series, Severity, Snapshot, SourceHealth, SourceStatus
from noc_app.panel_keys import query_key
from noc_app.selectors import PanelData, PanelView
from noc_app.wall_state_kinds import kind_entry

T0 = 1_700_000_000.0


def _data(*rows: tuple[dict[str, str], float]) -> PanelData:
    result = QueryResult.build(Series(key=str(labels), name=str(labels), labels=labels, x=np.array([T0]),
                                      y=np.array([value])) for labels, value in rows)
    return PanelData(view=PanelView(state=DataState.OK), now=T0, results=(result,))


APDEX = PanelConfig(id="a", kind="apdex", title="A", queries=(QueryConfig(expr="b"),),
                    histogram=HistogramOptions(t_s=0.25),
                    thresholds=(Threshold(value=0.94, severity=Severity.WARNING, op="lt"),
                                Threshold(value=0.85, severity=Severity.CRITICAL, op="lt")))


def test_apdex_is_judged_on_its_score():
    entry = kind_entry(APDEX, _data(({"le": "0.25"}, 60), ({"le": "1"}, 90), ({"le": "+Inf"}, 100)))
    assert entry["apdex"]["score"] == 0.75 and entry["apdex"]["warning"] == ""
    assert entry["thresholds_crossed"] == [
        {"series": "apdex", "value": 0.75, "severity": "critical", "threshold": 0.85, "op": "lt"}]
    good = kind_entry(APDEX, _data(({"le": "0.25"}, 99), ({"le": "1"}, 100), ({"le": "+Inf"}, 100)))
    assert good["thresholds_crossed"] == []


def test_heatmap_reports_its_quantile_and_status_its_counts():
    heat = PanelConfig(id="h", kind="heatmap", title="H", thresholds=(Threshold(value=1, severity=Severity.WARNING),))
    entry = kind_entry(heat, _data(({"le": "0.1"}, 50), ({"le": "0.5"}, 90), ({"le": "1"}, 100), ({"le": "+Inf"}, 100)))
    assert entry == {"quantile": {"q": 0.95, "value": 0.75}, "thresholds_crossed": []}
    status = PanelConfig(id="s", kind="status", title="S")
    entry = kind_entry(status, _data(({"instance": "db-1.example.com:9100"}, 0), ({"instance": "a:1"}, 1)))
    assert entry["status"] == {"up": 1, "down": 1, "unknown": 0, "down_names": ["db-1:9100"]}
    assert kind_entry(PanelConfig(id="t", kind="table", title="T"), _data()) == {}


def test_the_snapshot_uses_it():
    from noc_app.config.schema import AppConfig, DashboardConfig, Mode, SourceConfig
    from noc_app.wall_state import wall_state

    panel = PanelConfig(id="a", kind="apdex", title="A", source="prom", queries=APDEX.queries,
                        histogram=APDEX.histogram, thresholds=APDEX.thresholds)
    config = AppConfig(path="<t>", title="t", mode=Mode.WALL, theme="dark",
                       sources=(SourceConfig(id="prom", kind="prometheus"),),
                       dashboards=(DashboardConfig(id="d", title="D", panels=(panel,)),))
    result = _data(({"le": "0.25"}, 60), ({"le": "1"}, 90), ({"le": "+Inf"}, 100)).results[0]
    snap = Snapshot.build("prom", T0, metrics={query_key("d", "a", 0): result})
    status = SourceStatus(source_id="prom", kind="prometheus", interval_s=15.0, health=SourceHealth.OK,
                          last_success_at=T0)
    state = wall_state(config, {"prom": snap}, {"prom": status}, T0)
    (entry,) = state["dashboards"][0]["panels"]
    assert entry["apdex"]["score"] == 0.75 and entry["thresholds_crossed"][0]["series"] == "apdex"
