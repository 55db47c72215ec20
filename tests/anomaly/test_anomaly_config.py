"""`anomaly:` on metric panels: defaults, every key, and exact errors (file:line key) through check-config."""

from __future__ import annotations

import textwrap

import pytest

from noc_app.cli import main
from noc_app.config.anomaly_options import NO_ANOMALY
from noc_app.config.loader import ConfigError, load_config_text
from noc_app.model import Severity

HEAD = """\
sources:
  - {id: prom, kind: prometheus, url: "http://127.0.0.1:9090"}
dashboards:
  - id: main
    panels:
"""


def _text(panels: str) -> str:
    return HEAD + textwrap.indent(textwrap.dedent(panels), " " * 6)


def _load(panels: str):
    return load_config_text(_text(panels), filename="wall.yaml", base_dir="/nonexistent-base")


def _panel(panels: str, index: int = 0):
    return _load(panels).dashboards[0].panels[index]


def _problems(panels: str) -> list[str]:
    with pytest.raises(ConfigError) as info:
        _load(panels)
    return [str(p) for p in info.value.problems]


def test_every_key_is_read():
    panel = _panel("""\
        - id: rate
          kind: timeseries
          title: Requests
          source: prom
          queries: ['rate(x[5m])']
          anomaly: {enabled: true, sensitivity: 0.8, raise: true, priority: P1, resolve_after: 2m}
        """)
    a = panel.anomaly
    assert (a.enabled, a.sensitivity, a.raise_incident, a.priority, a.resolve_after_s) == (True, 0.8, True, "P1", 120.0)
    assert a.severity is Severity.HIGH


def test_defaults_and_shorthand():
    panels = _load("""\
        - {id: a, kind: stat, title: A, source: prom, queries: [up], anomaly: {}}
        - {id: b, kind: timeseries, title: B, source: prom, queries: [up], anomaly: true}
        - {id: c, kind: timeseries, title: C, source: prom, queries: [up]}
        - {id: d, kind: timeseries, title: D, source: prom, queries: [up], anomaly: {enabled: false}}
        """).dashboards[0].panels
    for panel in panels[:2]:
        a = panel.anomaly
        assert (a.enabled, a.sensitivity, a.raise_incident, a.priority) == (True, 0.5, False, "P2")
        assert a.severity is Severity.WARNING
    assert panels[2].anomaly == NO_ANOMALY
    assert not panels[3].anomaly.enabled


@pytest.mark.parametrize(("anomaly", "expected"), [
    ("{sensitivity: 1.5}", "wall.yaml:11:32 dashboards[0].panels[0].anomaly.sensitivity: must be at most 1, got 1.5"),
    ("{sensitivity: high}", "expected a number, got 'high'"),
    ("{raise: yes please}", "anomaly.raise"),
    ("{raise: true, priority: P7}", "expected one of P0, P1, P2, P3, got 'P7'"),
    ("{priority: P1}", "key 'priority' only applies with raise: true"),
    ("{resolve_after: soon}", "expected a duration like 15s, 5m, 1h, got 'soon'"),
    ("{treshold: 3}", "anomaly.treshold"),
    ("[1, 2]", "dashboards[0].panels[0].anomaly"),
])
def test_bad_values_name_file_line_and_key(anomaly: str, expected: str):
    problems = _problems(f"""\
        - id: rate
          kind: timeseries
          title: Requests
          source: prom
          queries: ['up']
          anomaly: {anomaly}
        """)
    assert any(expected in p for p in problems), problems
    assert all(p.startswith("wall.yaml:11:") for p in problems), problems


def test_refused_on_kinds_it_does_not_apply_to():
    problems = _problems("""\
        - id: g
          kind: gauge
          title: G
          source: prom
          queries: ['up']
          anomaly: {enabled: true}
        """)
    assert problems == [("wall.yaml:11:9 dashboards[0].panels[0].anomaly: key 'anomaly' only applies to kinds "
                         "timeseries and stat")], problems


def test_check_config_reports_it(tmp_path, capsys):
    path = tmp_path / "wall.yaml"
    path.write_text(_text("""\
        - id: rate
          kind: timeseries
          title: Requests
          source: prom
          queries: ['up']
          anomaly: {sensitivity: -1}
        """))
    assert main(["check-config", str(path)]) == 2
    err = capsys.readouterr().err
    assert "wall.yaml:11:" in err and "anomaly.sensitivity" in err and "1 problem" in err
