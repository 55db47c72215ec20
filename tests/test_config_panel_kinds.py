"""Config of the bargauge, table, heatmap, status, apdex and clock panels: options and their errors."""

from __future__ import annotations

import textwrap

import pytest

from noc_app.config.loader import ConfigError, load_config_text
from noc_app.config.schema import ClockZone, TableColumn, Threshold
from noc_app.model import Severity
from noc_app.plans import build_plans

HEAD = """\
sources:
  - {id: prom, kind: prometheus, url: "http://127.0.0.1:9090"}
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


def test_every_kind_with_its_options_and_the_plans():
    config = _load("""\
        - id: disks
          kind: bargauge
          title: Disks
          source: prom
          queries: [{expr: disk, legend: "{{mountpoint}}"}]
          options: {sort: desc, limit: 5, show_unfilled: false}
        - id: routes
          kind: table
          title: Routes
          source: prom
          queries: [{expr: rate}]
          options: {columns: [method, {label: instance, title: Host}], sort_by: method, sort_desc: false, limit: 9}
        - id: heat
          kind: heatmap
          title: Latency
          source: prom
          options: {histogram: http_request_duration_seconds, selector: '{job="api"}', rate_window: 1m, y_axis: linear}
        - id: targets
          kind: status
          title: Targets
          source: prom
          options: {name_label: service}
        - id: apdex
          kind: apdex
          title: Apdex
          source: prom
          options: {histogram: rpc_seconds_bucket, t: 250ms}
        - id: time
          kind: clock
          title: Time
          options: {zones: [{name: Seoul, tz: Asia/Seoul}, {tz: America/New_York}], hour_format: 12}
    """)
    bars, table, heat, status, apd, clock = config.dashboards[0].panels
    assert (bars.bargauge.sort, bars.bargauge.limit, bars.bargauge.show_unfilled) == ("desc", 5, False)
    assert table.table.columns == (TableColumn(label="method"), TableColumn(label="instance", title="Host"))
    assert (table.table.sort_by, table.table.sort_desc, table.table.limit) == ("method", False, 9)
    assert heat.queries[0].expr == 'sum by (le) (rate(http_request_duration_seconds_bucket{job="api"}[1m]))'
    assert heat.histogram.y_axis == "linear"
    assert status.queries[0].expr == "up" and status.status.name_label == "service"
    assert apd.queries[0].expr == "sum by (le) (rate(rpc_seconds_bucket[5m]))" and apd.histogram.t_s == 0.25
    assert apd.thresholds == (Threshold(value=0.94, severity=Severity.WARNING, op="lt"),
                              Threshold(value=0.85, severity=Severity.CRITICAL, op="lt"))
    assert clock.clock.zones == (ClockZone(name="Seoul", tz="Asia/Seoul"),
                                 ClockZone(name="New York", tz="America/New_York"))
    assert clock.clock.hour_format == 12 and clock.source is None
    plan = build_plans(config)["prom"]
    instant = {q.key.split("/")[1]: q.instant for q in plan.metrics}
    assert instant == {"disks": True, "routes": True, "heat": False, "targets": True, "apdex": True}


@pytest.mark.parametrize(("panel", "expected"), [
    ("{id: t, kind: clock, title: T, options: {zones: [{name: X, tz: Mars/Olympus}]}}",
     "wall.yaml:6:72 dashboards[0].panels[0].options.zones[0].tz: expected a time zone name like Asia/Seoul"),
    ("{id: h, kind: heatmap, title: H, source: prom}",
     "wall.yaml:6:9 dashboards[0].panels[0]: missing required key 'options.histogram'"),
    ("{id: h, kind: heatmap, title: H, source: prom, options: {histogram: 'a b'}}",
     "dashboards[0].panels[0].options.histogram: expected a metric name like http_request_duration_seconds"),
    ("{id: h, kind: apdex, title: H, source: prom, options: {histogram: x, t: soon}}",
     "dashboards[0].panels[0].options.t: expected a duration"),
    ("{id: b, kind: bargauge, title: B, source: prom, queries: [x], options: {sort: up}}",
     "dashboards[0].panels[0].options.sort: expected one of none, asc, desc, got 'up'"),
    ("{id: b, kind: bargauge, title: B, source: prom, queries: [x], options: {colour: red}}",
     "dashboards[0].panels[0].options.colour: unknown key 'colour'"),
    ("{id: b, kind: bargauge, title: B, source: prom}",
     "dashboards[0].panels[0]: missing required key 'queries'"),
    ("{id: b, kind: table, title: B, queries: [x]}",
     "dashboards[0].panels[0]: missing required key 'source'"),
    ("{id: s, kind: stat, title: S, source: prom, queries: [x], options: {limit: 3}}",
     "dashboards[0].panels[0].options: key 'options' only applies to bargauge, table, heatmap, apdex, status, clock"),
    ("{id: t, kind: table, title: T, source: prom, queries: [x], options: {columns: [a], sort_by: b}}",
     "dashboards[0].panels[0].options.sort_by: expected 'value' or one of the columns (a), got 'b'"),
    ("{id: s, kind: status, title: S, source: prom, options: {name_label: 'in stance'}}",
     "dashboards[0].panels[0].options.name_label: expected a label name like 'instance'"),
    ("{id: c, kind: clock, title: C, source: prom}",
     "dashboards[0].panels[0].source: key 'source' only applies to panels with data; a clock needs none"),
])
def test_bad_options_are_reported_with_file_line_and_path(panel, expected):
    problems = _problems(f"- {panel}\n")
    assert any(expected in p for p in problems), problems
