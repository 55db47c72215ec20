"""Config of the chart extras: stacked, right axis, annotations, stat sparkline; plans and exact errors."""

from __future__ import annotations

import textwrap

import pytest

from noc_app.config.loader import ConfigError, load_config_text
from noc_app.config.panel_display import Annotation
from noc_app.plans import build_plans

HEAD = """\
sources:
  - {id: prom, kind: prometheus, url: "http://127.0.0.1:9090"}
  - {id: am, kind: alertmanager, url: "http://127.0.0.1:9093"}
dashboards:
  - id: main
    panels:
"""


def _load(panels: str):
    return load_config_text(HEAD + textwrap.indent(textwrap.dedent(panels), " " * 6), filename="wall.yaml",
                            base_dir="/nonexistent-base")


def _problems(panels: str) -> list[str]:
    with pytest.raises(ConfigError) as info:
        _load(panels)
    return [str(p) for p in info.value.problems]


GOOD = """\
- id: rate
  kind: timeseries
  title: Requests
  source: prom
  unit: req/s
  window: 30m
  stacked: true
  queries:
    - {expr: 'sum by (status) (rate(http_requests_total[5m]))', legend: '{{status}}'}
    - {expr: 'histogram_quantile(0.95, rate(x_bucket[5m]))', legend: p95, axis: right, unit: ms}
  annotations:
    - {query: 'changes(deploy_timestamp[1m]) > 0', source: prom, title: Deploy}
    - {alert: HighErrorRate, source: am}
- id: err
  kind: stat
  title: Errors
  source: prom
  window: 15m
  sparkline: true
  queries: ['errors']
- id: plain
  kind: stat
  title: Plain
  source: prom
  queries: ['up']
"""


def test_options_are_read_and_the_plans_ask_for_what_is_drawn():
    config = _load(GOOD)
    rate, err, plain = config.dashboards[0].panels
    assert rate.display.stacked is True
    assert [(q.axis, q.unit) for q in rate.queries] == [("left", ""), ("right", "ms")]
    assert rate.display.annotations == (
        Annotation(source="prom", title="Deploy", query="changes(deploy_timestamp[1m]) > 0"),
        Annotation(source="am", title="HighErrorRate", alert="HighErrorRate"),
    )
    assert err.display.sparkline is True and plain.display.sparkline is False
    plans = build_plans(config)
    prom = {q.key: q for q in plans["prom"].metrics}
    assert prom["main/rate/annotation0"].expr == "changes(deploy_timestamp[1m]) > 0"
    assert prom["main/rate/annotation0"].instant is False and prom["main/rate/annotation0"].window_s == 1800.0
    assert prom["main/err/0"].instant is False and prom["main/err/0"].window_s == 900.0  # sparkline: a range
    assert prom["main/plain/0"].instant is True
    assert plans["am"].alerts is True and plans["am"].metrics == ()
    assert plans["prom"].alerts is False


def test_a_sparkline_stat_keeps_an_explicit_instant_query():
    config = _load("""\
        - {id: s, kind: stat, title: S, source: prom, sparkline: true, queries: [{expr: x, instant: true}]}
        """)
    assert build_plans(config)["prom"].metrics[0].instant is True


@pytest.mark.parametrize(("panel", "expected"), [
    ('{id: s, kind: stat, title: S, source: prom, queries: [x], stacked: true}',
     "wall.yaml:7:67 dashboards[0].panels[0].stacked: key 'stacked' only applies to kind timeseries"),
    ('{id: t, kind: timeseries, title: T, source: prom, queries: [x], sparkline: true}',
     "wall.yaml:7:73 dashboards[0].panels[0].sparkline: key 'sparkline' only applies to kind stat"),
    ('{id: t, kind: timeseries, title: T, source: prom, queries: [x], stacked: yes please}',
     "wall.yaml:7:82 dashboards[0].panels[0].stacked: expected true or false, got 'yes please'"),
    ('{id: s, kind: stat, title: S, source: prom, queries: [{expr: x, axis: right}]}',
     "wall.yaml:7:73 dashboards[0].panels[0].queries[0].axis: key 'axis' only applies to kind timeseries"),
    ('{id: t, kind: timeseries, title: T, source: prom, queries: [{expr: x, axis: up}]}',
     "wall.yaml:7:85 dashboards[0].panels[0].queries[0].axis: expected one of left, right, got 'up'"),
    ('{id: t, kind: timeseries, title: T, source: prom, queries: [{expr: x, unit: ms}]}',
     "wall.yaml:7:79 dashboards[0].panels[0].queries[0].unit: key 'unit' only applies to a query with axis: right (the left axis uses the panel's unit)"),
    ('{id: t, kind: timeseries, title: T, source: prom, queries: [{expr: x, axis: right, unit: ms}, {expr: y, axis: right, unit: s}]}',
     "wall.yaml:7:103 dashboards[0].panels[0].queries[1]: expected the right axis' unit 'ms' (as in dashboards[0].panels[0].queries[0]), got 's': a panel has one right axis"),
    ('{id: t, kind: timeseries, title: T, source: prom, queries: [{expr: x, stack: false}]}',
     "wall.yaml:7:69 dashboards[0].panels[0].queries[0].stack: key 'stack' only applies in a panel with stacked: true (it draws this query's series over the stack, e.g. a total)"),
    ('{id: s, kind: stat, title: S, source: prom, queries: [{expr: x, stack: false}]}',
     "wall.yaml:7:73 dashboards[0].panels[0].queries[0].stack: key 'stack' only applies to kind timeseries"),
    ('{id: t, kind: timeseries, title: T, source: prom, queries: [x], annotations: [{source: prom}]}',
     "wall.yaml:7:87 dashboards[0].panels[0].annotations[0]: missing required key 'query' (or 'alert')"),
    ('{id: t, kind: timeseries, title: T, source: prom, queries: [x], annotations: [{query: q, alert: A, source: am}]}',
     "wall.yaml:7:98 dashboards[0].panels[0].annotations[0].alert: give either 'query' or 'alert', not both"),
    ('{id: t, kind: timeseries, title: T, source: prom, queries: [x], annotations: [{alert: A}]}',
     "wall.yaml:7:87 dashboards[0].panels[0].annotations[0]: missing required key 'source'"),
    ('{id: t, kind: timeseries, title: T, source: prom, queries: [x], annotations: [{alert: A, source: pd}]}',
     "wall.yaml:7:106 dashboards[0].panels[0].annotations[0].source: unknown source 'pd'; configured sources: prom, am"),
    ("{id: t, kind: timeseries, title: T, source: prom, queries: [x], annotations: [{query: '', source: prom}]}",
     'wall.yaml:7:95 dashboards[0].panels[0].annotations[0].query: expected a non-empty query, got an empty string'),
    ('{id: t, kind: timeseries, title: T, source: prom, queries: [x], annotations: [{alert: A, source: am, colour: red}]}',
     "wall.yaml:7:110 dashboards[0].panels[0].annotations[0].colour: unknown key 'colour'; expected one of: query, alert, source, title"),
    ('{id: s, kind: stat, title: S, source: prom, queries: [x], annotations: [{alert: A, source: am}]}',
     "wall.yaml:7:67 dashboards[0].panels[0].annotations: key 'annotations' only applies to kind timeseries"),
    ('{id: t, kind: timeseries, title: T, source: prom, queries: [x], annotations: {alert: A}}',
     'wall.yaml:7:86 dashboards[0].panels[0].annotations: expected a list, got a mapping'),
])
def test_bad_options_are_reported_with_file_line_and_path(panel, expected):
    assert _problems(f"- {panel}\n") == [expected]


def test_a_query_can_stay_out_of_the_stack():
    config = _load("""\
        - id: mem
          kind: timeseries
          title: Memory
          source: prom
          stacked: true
          queries:
            - {expr: node_memory_MemTotal_bytes, legend: Total, stack: false}
            - {expr: node_memory_MemFree_bytes, legend: Free}
        """)
    total, free = config.dashboards[0].panels[0].queries
    assert (total.stack, free.stack) == (False, True)
