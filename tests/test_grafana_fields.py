"""Grafana value mappings, overrides, stacking and percentage thresholds -> our config, each with a negative case."""

from __future__ import annotations

import json
import re

from noc_app.cli import main
from noc_app.config.grafana_import import import_grafana
from noc_app.config.grafana_overrides import grafana_color
from noc_app.config.loader import load_config
from noc_app.config.panel_display import SeriesColor, ValueMapping
from noc_app.config.schema import Threshold
from noc_app.model import Severity


def imported(panel: dict):
    """(our panel, its 'dropped option' lines without the prefix) for a one-panel dashboard."""
    data = {"panels": [{"title": "P", "targets": [{"expr": "up", "refId": "A"}], **panel}]}
    result = import_grafana(data, dashboard_id="d", source_id="prom", origin="o")
    prefix = "  dropped option on 'P': "
    return result.dashboard.panels[0], [line.removeprefix(prefix) for line in result.report if line.startswith(prefix)]


def mappings(*items: dict) -> dict:
    return {"fieldConfig": {"defaults": {"mappings": list(items)}}}


def test_value_mappings_become_stat_mappings_and_colours_are_reported() -> None:
    panel, dropped = imported({"type": "stat", **mappings(
        {"type": "value", "options": {"1": {"text": "UP", "color": "green", "index": 0},
                                      "0": {"text": "DOWN", "index": 1}}},
        {"type": "value", "options": {"up": {"text": "yes"}, "2": {"color": "red"}}},
    )})
    assert panel.display.mappings == (ValueMapping(value=1, text="UP"), ValueMapping(value=0, text="DOWN"))
    assert dropped == [
        "value mapping 'up' -> 'yes': only numbers are matched here (the value is not one)",
        "value mapping 2 only sets a colour: colours of mappings are not imported",
        "colours of 1 value mapping are not imported (the text is; the tile keeps its threshold colour)",
    ]


def test_ranges_map_only_when_they_are_one_number() -> None:
    panel, dropped = imported({"type": "stat", **mappings(
        {"type": "range", "options": {"from": 3, "to": 3, "result": {"text": "three"}}},
        {"type": "range", "options": {"from": 0, "to": 10, "result": {"text": "low"}}},
    )})
    assert panel.display.mappings == (ValueMapping(value=3, text="three"),)
    assert dropped == ["range mapping 0..10 -> 'low': ranges are not supported here (a mapping matches one number)"]


def test_special_null_becomes_the_no_data_text_other_specials_and_regex_are_reported() -> None:
    panel, dropped = imported({"type": "stat", **mappings(
        {"type": "special", "options": {"match": "null+nan", "result": {"text": "N/A"}}},
        {"type": "special", "options": {"match": "true", "result": {"text": "yes"}}},
        {"type": "regex", "options": {"pattern": "^err", "result": {"text": "error"}}},
    )})
    assert (panel.display.no_data_text, panel.display.mappings) == ("N/A", ())
    assert dropped == [
        "special mapping 'true' -> 'yes': special match 'true' has no equivalent here",
        "regex mapping /^err/ -> 'error': regex mappings are not supported here (a mapping matches one number)",
    ]


def test_legacy_singlestat_value_and_range_maps() -> None:
    values, dropped = imported({"type": "singlestat", "valueMaps": [
        {"op": "=", "value": "null", "text": "N/A"}, {"op": "=", "value": "1", "text": "OK"}]})
    assert (values.display.mappings, values.display.no_data_text, dropped) == (
        (ValueMapping(value=1, text="OK"),), "N/A", [])
    ranges, dropped = imported({"type": "singlestat", "mappingType": 2, "valueMaps": [{"value": "1", "text": "x"}],
                                "rangeMaps": [{"from": "5", "to": "5", "text": "five"},
                                              {"from": "1", "to": "4", "text": "some"}]})
    assert ranges.display.mappings == (ValueMapping(value=5, text="five"),)  # mappingType 2: valueMaps unused
    assert dropped == ["range mapping 1..4 -> 'some': ranges are not supported here (a mapping matches one number)"]


def test_mappings_on_a_gauge_are_reported_not_imported() -> None:
    panel, dropped = imported({"type": "gauge", **mappings({"type": "value", "options": {"1": {"text": "UP"}}})})
    assert panel.display.mappings == ()
    assert dropped == ["1 value mapping not imported: only stat panels show mapped text (shown as numbers)"]


def override(matcher: str, option: str, *properties: tuple[str, object]) -> dict:
    return {"matcher": {"id": matcher, "options": option},
            "properties": [{"id": key, "value": value} for key, value in properties]}


def timeseries(*overrides: dict, custom: dict | None = None, targets: list | None = None, unit: str = "") -> dict:
    return {"type": "timeseries", "targets": targets or [{"expr": "up", "refId": "A"}],
            "fieldConfig": {"defaults": {"custom": custom or {}, "unit": unit}, "overrides": list(overrides)}}


FIXED_RED = ("color", {"mode": "fixed", "fixedColor": "red"})


def test_colour_overrides_by_name_and_regexp_become_legend_colours() -> None:
    panel, dropped = imported(timeseries(
        override("byName", "a.b (x)", FIXED_RED),
        override("byRegexp", "/.*out.*/i", ("color", {"mode": "fixed", "fixedColor": "#00FF00"})),
        override("byFrameRefID", "A", FIXED_RED),
        override("byName", "c", ("color", {"mode": "palette-classic"})),
        override("byName", "d", ("color", {"mode": "fixed", "fixedColor": "nope"})),
    ))
    assert panel.display.series_colors == (SeriesColor(pattern=r"^a\.b\ \(x\)$", color="#f2495c"),
                                           SeriesColor(pattern="(?i).*out.*", color="#00ff00"))
    name_rule = panel.display.series_colors[0].pattern
    assert re.search(name_rule, "a.b (x)") and not re.search(name_rule, "xa.b (x)")
    assert dropped == [
        "override for query A: colour not imported (colours match series by name or regexp)",
        "override for name 'c': colour mode 'palette-classic' is not imported (only a fixed colour is)",
        "override for name 'd': colour 'nope' is not readable, not imported",
    ]


def test_grafana_colours() -> None:
    assert [grafana_color(c) for c in ("dark-green", "#ABC", "#12345678", "rgba(255, 0, 16, 0.5)", "x", 3)] == [
        "#37872d", "#aabbcc", "#123456", "#ff0010", None, None]


TWO = [{"expr": "rate(a[5m])", "refId": "A", "legendFormat": "requests"},
       {"expr": "avg(b)", "refId": "B", "legendFormat": "latency"}]


def test_right_axis_with_its_unit_by_refid_or_legend() -> None:
    panel, dropped = imported(timeseries(
        override("byFrameRefID", "B", ("custom.axisPlacement", "right"), ("unit", "ms")), targets=TWO))
    assert [(q.axis, q.unit) for q in panel.queries] == [("left", ""), ("right", "ms")]
    assert dropped == []
    by_name, _ = imported(timeseries(override("byName", "requests", ("custom.axisPlacement", "right")),
                                     targets=TWO, unit="reqps"))
    assert [(q.axis, q.unit) for q in by_name.queries] == [("right", "req/s"), ("left", "")]  # the panel's unit


def test_right_axis_that_names_no_single_query_is_reported() -> None:
    panel, dropped = imported(timeseries(
        override("byRegexp", ".*", ("custom.axisPlacement", "right"), ("unit", "s")),
        override("byFrameRefID", "A", ("custom.axisPlacement", "right"), ("unit", "bytes")),
        override("byFrameRefID", "B", ("custom.axisPlacement", "right"), ("unit", "s")),
        override("byName", "latency", ("unit", "ms"), ("custom.lineWidth", 2)), targets=TWO))
    assert [(q.axis, q.unit) for q in panel.queries] == [("right", "B"), ("left", "")]
    assert dropped == [
        ("override for regexp /.*/: right-hand axis not imported (it must name one query, by its refId or a legend "
        "equal to the name)"),
        "override for query B: right-hand axis in 's' not imported (the right axis already shows 'B')",
        "override for name 'latency': custom.lineWidth not imported",
        "override for name 'latency': unit 'ms' not imported (a unit per series needs the right-hand axis)",
    ]


def test_legacy_series_overrides_colour_and_right_axis() -> None:
    panel, dropped = imported({
        "type": "graph", "targets": TWO, "yaxes": [{"format": "reqps"}, {"format": "ms"}],
        "seriesOverrides": [{"alias": "latency", "yaxis": 2, "color": "#FF780A"},
                            {"alias": "/req.*/", "yaxis": 2, "lines": False}],
    })
    assert [(q.axis, q.unit) for q in panel.queries] == [("left", ""), ("right", "ms")]
    assert panel.display.series_colors == (SeriesColor(pattern="^latency$", color="#ff780a"),)
    assert dropped == [
        "series override for '/req.*/': right-hand axis not imported (the alias must equal one query's legend)",
        "series override for '/req.*/': lines not imported",
    ]


def test_stacking_normal_and_legacy_stack_but_not_percent() -> None:
    assert imported(timeseries(custom={"stacking": {"mode": "normal", "group": "A"}}))[0].display.stacked
    assert imported({"type": "graph", "stack": True})[0].display.stacked
    panel, dropped = imported(timeseries(custom={"stacking": {"mode": "percent"}}))
    assert not panel.display.stacked
    assert dropped == ["stacking as 100% (percent) is not imported: series drawn unstacked"]
    assert not imported(timeseries(custom={"stacking": {"mode": "none"}}))[0].display.stacked


MEMORY = [{"expr": "total", "refId": "A", "legendFormat": "Total"},
          {"expr": "free", "refId": "B", "legendFormat": "Free"},
          {"expr": "corrupt", "refId": "C", "legendFormat": "Hardware Corrupted - RAM"}]


def test_a_series_taken_out_of_the_stack_is_a_query_drawn_over_it() -> None:
    # Node Exporter Full's Memory Basic: Total is a line over the stacked used/cache/free.
    unstack = ("custom.stacking", {"group": False, "mode": "normal"})
    panel, dropped = imported(timeseries(
        override("byName", "Total", unstack, ("custom.fillOpacity", 0)),
        override("byRegexp", "/.*Hardware Corrupted - *./", unstack),
        override("byName", "nothing by that name", unstack),
        override("byName", "Free", ("custom.fillOpacity", 0)),
        custom={"stacking": {"mode": "normal", "group": "A"}}, targets=MEMORY))
    assert panel.display.stacked
    assert [q.stack for q in panel.queries] == [False, True, False]
    assert dropped == [
        "override for name 'nothing by that name': taking series out of the stack is not imported (it must name "
        "queries, by refId, by a legend equal to the name, or by a regexp their legends match)",
        "override for name 'Free': custom.fillOpacity not imported",  # a stacked series is filled
    ]


def test_out_of_the_stack_on_an_unstacked_panel_is_what_it_draws_already() -> None:
    panel, dropped = imported(timeseries(
        override("byName", "Total", ("custom.stacking", {"group": "A", "mode": "none"}), ("custom.fillOpacity", 0)),
        targets=MEMORY))
    assert not panel.display.stacked and all(q.stack for q in panel.queries) and dropped == []


def test_legacy_stack_false_and_fill_zero() -> None:
    panel, dropped = imported({"type": "graph", "stack": True, "targets": MEMORY, "seriesOverrides": [
        {"alias": "Total", "fill": 0, "stack": False}, {"alias": "Avaliable", "fill": 0, "stack": False}]})
    assert [q.stack for q in panel.queries] == [False, True, True]
    assert dropped == ["series override for 'Avaliable': fill, stack not imported"]  # no such legend
    unstacked, dropped = imported({"type": "graph", "targets": MEMORY, "seriesOverrides": [
        {"alias": "Total", "fill": 0}, {"alias": "Free", "fill": 2}]})
    assert all(q.stack for q in unstacked.queries)
    assert dropped == ["series override for 'Free': fill not imported"]  # a fill here would be drawn: it is not


def test_overrides_on_a_stat_are_reported() -> None:
    panel, dropped = imported({"type": "stat", "fieldConfig": {"overrides": [override("byName", "x", FIXED_RED)]}})
    assert panel.display.series_colors == ()
    assert dropped == ["override for name 'x': not imported (per-series options apply to time series only)"]


def percent_steps(**bounds: float) -> dict:
    steps = {"mode": "percentage", "steps": [{"color": "green", "value": None}, {"color": "orange", "value": 70},
                                             {"color": "red", "value": 90}]}
    return {"type": "gauge", "fieldConfig": {"defaults": {"thresholds": steps, **bounds}}}


def test_percentage_thresholds_become_absolute_between_min_and_max() -> None:
    panel, dropped = imported(percent_steps(min=100, max=200))
    assert panel.thresholds == (Threshold(value=170, severity=Severity.WARNING, op="gt"),
                                Threshold(value=190, severity=Severity.CRITICAL, op="gt"))
    assert dropped == []


def test_percentage_thresholds_without_both_bounds_are_reported() -> None:
    panel, dropped = imported(percent_steps(max=200))
    assert panel.thresholds == ()
    assert dropped == ["percentage thresholds not imported: they need the panel's min and max (not both set)"]


def test_the_written_config_with_all_of_it_passes_check_config(tmp_path, capsys) -> None:
    board = {"title": "Mapped", "panels": [
        {"type": "stat", "title": "Up", "targets": [{"expr": "up", "refId": "A"}], **mappings(
            {"type": "value", "options": {"1": {"text": "UP"}}},
            {"type": "special", "options": {"match": "null", "result": {"text": "no data"}}})},
        {"title": "Traffic", **timeseries(
            override("byName", "requests", FIXED_RED),
            override("byFrameRefID", "B", ("custom.axisPlacement", "right"), ("unit", "ms")),
            override("byName", "requests", ("custom.stacking", {"group": False})),
            custom={"stacking": {"mode": "normal"}}, targets=TWO)},
    ]}
    source = tmp_path / "board.json"
    source.write_text(json.dumps(board), encoding="utf-8")
    out = tmp_path / "wall.yaml"
    assert main(["import-grafana", str(source), "--out", str(out)]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == f"wrote {out} (check-config: OK)"
    stat, series = load_config(out).dashboards[0].panels
    assert (stat.display.mappings, stat.display.no_data_text) == ((ValueMapping(value=1, text="UP"),), "no data")
    assert series.display.stacked and series.display.series_colors[0].pattern == "^requests$"
    assert [(q.axis, q.unit, q.stack) for q in series.queries] == [("left", "", False), ("right", "ms", True)]
