"""Pure selectors of the bar gauge, table and status panels: names, order, judgement."""

from __future__ import annotations

import math

import numpy as np
import pytest

from noc_app.config.schema import BarGaugeOptions, PanelConfig, StatusOptions, TableColumn, TableOptions, Threshold
from noc_app.model import QueryResult, Series, Severity
from noc_app.selectors_panels import select_bars, select_status, select_table, short_host, status_of

T0 = 1_700_000_000.0
LIMITS = (Threshold(value=80, severity=Severity.WARNING), Threshold(value=90, severity=Severity.CRITICAL))


def _result(*rows: tuple[dict[str, str], float]) -> QueryResult:
    return QueryResult.build(
        Series(key=str(sorted(labels.items())), name=labels.get("name", ""), labels=labels,
               x=np.array([T0]), y=np.array([value])) for labels, value in rows)


def _panel(kind: str, **kw) -> PanelConfig:
    return PanelConfig(id="p", kind=kind, title="P", **kw)


@pytest.mark.parametrize(("text", "short"), [
    ("api-1.prod.example.com:8080", "api-1:8080"),
    ("127.0.0.1:18080", "localhost:18080"),
    ("localhost:9090", "localhost:9090"),
    ("[::1]:9090", "localhost:9090"),
    ("10.0.3.17:9100", "10.0.3.17:9100"),  # an address is not a name: kept whole
    ("https://checkout.shop.example:443/metrics", "checkout:443"),
    ("db-02", "db-02"),
    ("node-exporter.monitoring.svc", "node-exporter"),
    ("fe80::1", "fe80::1"),
    ("[2001:db8::5]:9100", "[2001:db8::5]:9100"),
])
def test_short_host(text, short):
    assert short_host(text) == short


@pytest.mark.parametrize(("value", "status"), [(1, "UP"), (2, "UP"), (0, "DOWN"), (-1, "DOWN"),
                                               (0.5, "UNKNOWN"), (math.nan, "UNKNOWN")])
def test_status_of(value, status):
    assert status_of(value) == status


def test_status_tiles_down_first_then_unknown_then_up_by_name():
    result = _result(({"instance": "b:1", "job": "node"}, 1), ({"instance": "a:1", "job": "node"}, 1),
                     ({"instance": "c:1", "job": "node"}, 0), ({"instance": "d:1", "job": "api"}, math.nan))
    grid = select_status((result,), _panel("status"))
    assert [(t.name, t.status, t.detail) for t in grid.tiles] == [
        ("c:1", "DOWN", "node"), ("d:1", "UNKNOWN", "api"), ("a:1", "UP", "node"), ("b:1", "UP", "node")]
    assert grid.header == "2 up · 1 down · 1 unknown"


def test_status_name_label_is_configurable_and_falls_back_to_the_legend():
    result = _result(({"service": "checkout", "instance": "x:1", "name": "legend"}, 1), ({"name": "plain"}, 0))
    grid = select_status((result,), _panel("status"))
    assert [t.name for t in grid.tiles] == ["plain", "checkout"]
    by_instance = select_status((result,), _panel("status", status=StatusOptions(name_label="instance")))
    assert [t.name for t in by_instance.tiles] == ["plain", "x:1"]


def test_bars_judged_sorted_and_limited():
    result = _result(({"name": "/"}, 40), ({"name": "/var"}, 95), ({"name": "/home"}, 85), ({"name": "gap"}, math.nan))
    bars = select_bars((result,), _panel("bargauge", unit="%", thresholds=LIMITS,
                                         bargauge=BarGaugeOptions(sort="desc", limit=2)))
    assert [(b.name, b.color_key, b.severity) for b in bars.bars] == [
        ("/var", "critical", Severity.CRITICAL), ("/home", "warning", Severity.WARNING)]
    assert bars.more == 1  # the NaN series has no bar at all
    plain = select_bars((result,), _panel("bargauge", min=0, max=200))
    assert [b.fraction for b in plain.bars] == pytest.approx([0.2, 0.475, 0.425])
    assert {b.color_key for b in plain.bars} == {"text"}


def test_table_columns_default_to_every_label_by_name():
    result = _result(({"job": "api", "instance": "a:1", "__name__": "up"}, 1))
    table = select_table((result,), _panel("table"))
    assert table.headers == ("instance", "job", "Value") and table.rows[0].cells == ("a:1", "api")


def test_table_sorts_by_value_or_label_naturally_and_nan_last():
    rows = [({"host": f"api-{i}"}, v) for i, v in ((9, 5.0), (10, math.nan), (2, 50.0))]
    panel = _panel("table", unit="req/s", thresholds=LIMITS,
                   table=TableOptions(columns=(TableColumn(label="host"),), limit=10))
    by_value = select_table((_result(*rows),), panel)
    assert [r.cells[0] for r in by_value.rows] == ["api-2", "api-9", "api-10"]
    assert by_value.rows[-1].value_text == "–"
    ascending = select_table((_result(*rows),), panel, sort_desc=False)
    assert [r.cells[0] for r in ascending.rows] == ["api-9", "api-2", "api-10"]
    by_host = select_table((_result(*rows),), panel, sort_by="host", sort_desc=False)
    assert [r.cells[0] for r in by_host.rows] == ["api-2", "api-9", "api-10"]  # 9 before 10
    unknown = select_table((_result(*rows),), panel, sort_by="nope")
    assert unknown.sort_by == "value"


def test_table_limit_and_threshold_colours():
    rows = [({"host": f"h{i}"}, float(i * 10)) for i in range(12)]
    table = select_table((_result(*rows),), _panel("table", thresholds=LIMITS, table=TableOptions(limit=5)))
    assert table.more == 7
    assert [r.color_key for r in table.rows] == ["critical", "critical", "critical", "warning", "text"]  # 110..70
