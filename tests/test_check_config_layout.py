"""check-config: layout and logic errors, warnings that still pass, and display options, with exact messages."""

from __future__ import annotations

import textwrap

import pytest

from noc_app.cli import check_config
from noc_app.config.loader import load_config_text

HEAD = """\
sources:
  - {id: prom, kind: prometheus, url: "http://127.0.0.1:9090"}
dashboards:
  - id: d
    panels:
"""


def _run(tmp_path, capsys, panels: str, head: str = HEAD) -> tuple[int, list[str], str]:
    path = tmp_path / "wall.yaml"
    path.write_text(head + textwrap.indent(textwrap.dedent(panels), " " * 6))
    code = check_config(str(path))
    out = capsys.readouterr()
    prefix = f"{path}:"
    lines = [line.removeprefix(prefix) for line in out.err.splitlines()]
    return code, lines, out.out


def test_overlapping_panels(tmp_path, capsys):
    code, lines, _ = _run(tmp_path, capsys, """\
        - {id: a, kind: stat, title: A, source: prom, queries: [up], grid: {x: 0, y: 0, w: 6, h: 4}}
        - {id: b, kind: stat, title: B, source: prom, queries: [up], grid: {x: 4, y: 2, w: 6, h: 4}}
        - {id: c, kind: stat, title: C, source: prom, queries: [up], grid: {x: 6, y: 0, w: 6, h: 4}}
    """)
    assert code == 2
    assert lines == [
        "7:74 dashboards[0].panels[1].grid: panel 'b' overlaps panel 'a' (line 6) at x=4, y=2; "
        "expected panels that do not share grid cells",
        "8:74 dashboards[0].panels[2].grid: panel 'c' overlaps panel 'b' (line 7) at x=6, y=2; "
        "expected panels that do not share grid cells",
        " 2 problems",
    ]


def test_panel_outside_the_24_column_grid(tmp_path, capsys):
    code, lines, _ = _run(tmp_path, capsys, """\
        - {id: a, kind: stat, title: A, source: prom, queries: [up], grid: {x: 20, y: 0, w: 6, h: 4}}
    """)
    assert code == 2
    assert lines[0] == "6:74 dashboards[0].panels[0].grid: x + w = 26 is wider than the dashboard's 24 columns"


def test_reversed_thresholds(tmp_path, capsys):
    code, lines, _ = _run(tmp_path, capsys, """\
        - {id: a, kind: stat, title: A, source: prom, queries: [up], thresholds: "5,1"}
        - {id: b, kind: stat, title: B, source: prom, queries: [up], thresholds: [90, 80]}
        - id: c
          kind: stat
          title: C
          source: prom
          queries: [up]
          thresholds:
            - {value: 1, severity: critical}
            - {value: 5, severity: warning}
        - id: slo
          kind: stat
          title: SLO
          source: prom
          queries: [up]
          thresholds:
            - {value: 99.9, severity: critical, op: lt}
            - {value: 99.0, severity: warning, op: lt}
    """)
    assert code == 2
    assert lines[:-1] == [
        "6:80 dashboards[0].panels[0].thresholds: thresholds '5,1' are not ascending; expected ascending numbers "
        "like '1,5' (the last is critical); for a falling metric use op: lt mappings",
        "7:80 dashboards[0].panels[1].thresholds: thresholds '90,80' are not ascending; expected ascending numbers "
        "like '80,90' (the last is critical); for a falling metric use op: lt mappings",
        "14:11 dashboards[0].panels[2].thresholds: critical threshold 1 (op gt) must lie above the warning "
        "threshold 5; thresholds look reversed",
        "22:11 dashboards[0].panels[3].thresholds: critical threshold 99.9 (op lt) must lie below the warning "
        "threshold 99; thresholds look reversed",
    ]


def test_a_source_no_panel_uses_and_an_unknown_option_are_warnings_and_pass(tmp_path, capsys):
    head = HEAD.replace("dashboards:", (
        "  - {id: spare, kind: prometheus, url: 'http://127.0.0.1:9091', options: {scrape_intervall: 15s}}\n"
        "dashboards:"))
    code, lines, out = _run(tmp_path, capsys, """\
        - {id: a, kind: stat, title: A, source: prom, queries: [up]}
    """, head)
    assert code == 0
    assert lines == [
        "3 sources[1]: warning: no panel uses source 'spare'",
        "3 sources[1].options.scrape_intervall: warning: a prometheus source does not read option "
        "'scrape_intervall' (ignored); did you mean 'scrape_interval'?",
    ]
    assert out.endswith("OK — 2 sources, 1 dashboards, 1 panels\n")


def test_a_bad_source_option_is_a_located_error_not_a_start_up_crash(tmp_path, capsys):
    head = HEAD.replace('url: "http://127.0.0.1:9090"}', 'url: "http://127.0.0.1:9090", options: {max_series: 0}}')
    code, lines, _ = _run(tmp_path, capsys, """\
        - {id: a, kind: stat, title: A, source: prom, queries: [up]}
    """, head)
    assert code == 2
    assert lines[0] == "2:86 sources[0].options.max_series: expected a whole number >= 1, got 0"


def test_display_option_errors(tmp_path, capsys):
    code, lines, _ = _run(tmp_path, capsys, """\
        - {id: a, kind: stat, title: A, source: prom, queries: [up], wrap: false}
        - {id: b, kind: timeseries, title: B, source: prom, queries: [up], legend: {sort: busiest}}
        - id: c
          kind: timeseries
          title: C
          source: prom
          queries: [up]
          legend: {colors: [{match: "GET (", color: red}]}
        - {id: d, kind: stat, title: D, source: prom, queries: [up], mappings: [{value: up, text: UP}]}
        - {id: e, kind: stat, title: E, source: prom, queries: [up], color_mode: fill}
    """)
    assert code == 2
    assert lines[:-1] == [
        "6:68 dashboards[0].panels[0].wrap: key 'wrap' only applies to kind logs",
        "7:89 dashboards[0].panels[1].legend.sort: expected one of last, max, mean, name, got 'busiest'",
        "13:35 dashboards[0].panels[2].legend.colors[0].match: expected a regular expression: "
        "missing ), unterminated subpattern at position 4",
        "13:51 dashboards[0].panels[2].legend.colors[0].color: expected a colour like '#d55e00', got 'red'",
        "14:87 dashboards[0].panels[3].mappings[0].value: expected a number, got 'up'",
        "15:80 dashboards[0].panels[4].color_mode: expected one of value, background, got 'fill'",
    ]


def test_display_options_are_read():
    config = load_config_text(HEAD + textwrap.indent(textwrap.dedent("""\
        - id: t
          kind: timeseries
          title: T
          source: prom
          queries: [up]
          thresholds_style: band
          legend: {sort: max, order: asc, colors: [{match: "5..$", color: "#D55E00"}]}
        - {id: s, kind: stat, title: S, source: prom, queries: [up], mappings: [{value: 1, text: UP}],
           color_mode: background, no_data_text: none yet}
        - {id: l, kind: logs, title: L, source: prom, wrap: false}
    """), " " * 6), filename="w.yaml")
    t, s, log = config.dashboards[0].panels
    assert (t.display.thresholds_style, t.display.legend_sort, t.display.legend_order) == ("band", "max", "asc")
    assert [(c.pattern, c.color) for c in t.display.series_colors] == [("5..$", "#d55e00")]
    assert [(m.value, m.text) for m in s.display.mappings] == [(1.0, "UP")]
    assert (s.display.color_mode, s.display.no_data_text) == ("background", "none yet")
    assert log.display.wrap is False
    assert t.display.wrap is True  # the default


@pytest.mark.parametrize("name", ["demo", "ecommerce"])
def test_shipped_configs_pass_without_warnings(name, capsys):
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "config" / f"{name}.yaml"
    assert check_config(str(path)) == 0
    assert capsys.readouterr().err == ""


def test_thresholds_on_both_sides_and_tiers_are_accepted():
    config = load_config_text(HEAD + textwrap.indent(textwrap.dedent("""\
        - id: both
          kind: stat
          title: Both
          source: prom
          queries: [up]
          thresholds:
            - {value: 20, severity: warning, op: lt}
            - {value: 10, severity: critical, op: lt}
            - {value: 80, severity: warning}
            - {value: 90, severity: critical}
        - {id: asc, kind: stat, title: Asc, source: prom, queries: [up], thresholds: "1,5"}
    """), " " * 6), filename="w.yaml")
    assert len(config.dashboards[0].panels[0].thresholds) == 4
