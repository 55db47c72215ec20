"""`noc-app import-grafana`: exact report lines for the real dashboards, pages, the written config."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from noc_app.cli import main
from noc_app.cli_grafana import report_lines
from noc_app.config.grafana_import import import_grafana
from noc_app.config.grafana_yaml import wall_pages
from noc_app.config.loader import ConfigError, load_config

GRAFANA = Path(__file__).parent / "fixtures" / "grafana"


def grafana_json(name: str) -> dict:
    return json.loads((GRAFANA / name).read_text(encoding="utf-8"))


def report(name: str, fit: str = "screen", log_source: str | None = "logs") -> list[str]:
    result = import_grafana(grafana_json(name), dashboard_id="d", source_id="prom", origin="o",
                            log_source_id=log_source)
    return report_lines(result, wall_pages(result, fit), fit)


def test_seed_dashboard_report() -> None:
    assert report("ecommerce-dashboard.grafana.json") == [
        "converted panel 'Request Rate' (graph) -> timeseries",
        "converted panel 'Response Time Percentiles' (graph) -> timeseries",
        "converted panel 'Error Rate' (singlestat) -> stat",
        "page 1/1 'E-commerce API Monitoring': 3 panels, 8 grid rows, smallest panel 960 px at 1080p",
        "3 panels converted, 0 dropped, 0 options dropped",
    ]


def test_loki_dashboard_report_routes_by_datasource_type() -> None:
    assert report("loki-logs.json") == [
        "converted panel 'goroutines' (timeseries) -> timeseries",
        "converted panel 'gc duration' (timeseries) -> timeseries",
        "converted panel 'cpu' (timeseries) -> timeseries",
        "converted panel 'working set' (timeseries) -> timeseries",
        "converted panel 'tx' (timeseries) -> timeseries",
        "converted panel 'rx' (timeseries) -> timeseries",
        "converted panel 'restarts' (timeseries) -> timeseries",
        "converted panel 'bad words' (timeseries) -> timeseries",
        "converted panel 'Log Rate' (timeseries) -> timeseries on log source 'logs'",  # colours, stack: imported
        "converted panel 'Logs' (logs) -> logs on log source 'logs'",
        "page 1/2 'Loki / Logs (1/2)': 9 panels, 11 grid rows, smallest panel 349 px at 1080p",
        "page 2/2 'Loki / Logs (2/2)': 1 panels, 19 grid rows, smallest panel 960 px at 1080p",
        "variables resolved from the source at start-up: $container",
        "10 panels converted, 0 dropped, 0 options dropped",
    ]


def test_loki_panels_without_a_log_source_are_dropped_with_the_reason() -> None:
    lines = report("loki-logs.json", log_source=None)
    assert [line for line in lines if line.startswith("dropped")] == [
        "dropped panel 'Log Rate' (timeseries): queries a loki datasource and no log source is given "
        "(--log-source ID / log_source:)",
        "dropped panel 'Logs' (logs): queries a loki datasource and no log source is given "
        "(--log-source ID / log_source:)",
    ]


def test_k8s_addons_report() -> None:
    lines = report("k8s-addons-prometheus.dotdc.json")
    assert [line for line in lines if not line.startswith("converted ")] == [
        "  dropped option on 'Prometheus version': textMode 'name' (the series name instead of its value) is not "
        "imported: shown as the number",
        "page 1/3 'Prometheus — Information (1/3)': 8 panels, 20 grid rows, smallest panel 192 px at 1080p",
        "page 2/3 'Prometheus — Prometheus (2/3)': 12 panels, 48 grid rows, smallest panel 160 px at 1080p",
        "page 3/3 'Prometheus — Storage (3/3)': 7 panels, 32 grid rows, smallest panel 240 px at 1080p",
        "27 panels converted, 0 dropped, 1 option dropped"  # limit's fillOpacity 0: no fill drawn anyway,
    ]


def test_node_exporter_full_report_and_pages() -> None:
    lines = report("node-exporter-full.json")
    assert lines[0] == "converted panel 'Pressure' (bargauge) -> bargauge"
    assert lines[1:3] == [  # percentage thresholds: min 0 and max 1 are set, so they are imported
        "converted panel 'CPU Busy' (gauge) -> gauge",
        "  dropped option on 'CPU Busy': 1 value mapping not imported: only stat panels show mapped text "
        "(shown as numbers)",
    ]
    assert "  dropped option on 'Filesystem Space Available': 2 hidden queries left out" in lines
    for line in [
        "  dropped option on 'CPU': stacking as 100% (percent) is not imported: series drawn unstacked",
        "  dropped option on 'CPU': override for name 'Guest CPU usage': custom.lineStyle not imported",
        "  dropped option on 'Network Traffic': override for regexp /.*out.*/: custom.transform not imported",
        "  dropped option on 'Exporter Processes Memory': override for matcher 'byNames': custom.hideFrom "
        "not imported",
        "  dropped option on 'Processes Detailed States': override for name 'Z': displayName not imported",
    ]:
        assert line in lines
    assert not any("value mapping" in line for line in lines if "'Uptime'" in line)  # a stat: mapped
    assert lines[-2:] == ["variables resolved from the source at start-up: $job, $nodename, $node",
                          "125 panels converted, 0 dropped, 67 options dropped"]
    pages = [line for line in lines if line.startswith("page ")]
    assert len(pages) == 13
    assert pages[0] == ("page 1/13 'Node Exporter Full — Quick CPU / Mem / Disk (1/13)': 13 panels, "
                        "11 grid rows, smallest panel 174 px at 1080p")


def test_old_node_exporter_full_report_names_the_metric_renames() -> None:
    lines = report("node-exporter-full-old.json")
    assert (
        "queries use node_exporter < 0.16 metric names: 77 renamed to today's (node_boot_time -> "
        "node_boot_time_seconds, node_context_switches -> node_context_switches_total, node_cpu -> "
        "node_cpu_seconds_total, ...); node_disk_io_time_ms, node_disk_io_time_weighted, node_disk_read_time_ms, "
        "node_disk_sectors_read, node_disk_sectors_written, node_disk_write_time_ms changed unit "
        "(ms -> s, sectors -> bytes): those panels' scale differs"
    ) in lines
    for line in [
        "  dropped option on 'Memory Basic': series override for 'Avaliable': fill, stack not imported",
        "  dropped option on 'UDP In / Out': series override for '/.*Snd.*/': transform not imported",
        "  dropped option on 'CPU Busy': 1 value mapping not imported: only stat panels show mapped text "
        "(shown as numbers)",
    ]:
        assert line in lines
    assert ("  dropped option on 'CPU Basic': stacking as 100% (percentage) is not imported: series drawn "
            "unstacked") in lines
    assert lines[-1] == "172 panels converted, 0 dropped, 54 options dropped"


@pytest.mark.parametrize("name", ["node-exporter-full.json", "node-exporter-full-old.json",
                                  "k8s-addons-prometheus.dotdc.json", "loki-logs.json"])
def test_every_wall_page_keeps_panels_readable_at_1080p(name) -> None:
    result = import_grafana(grafana_json(name), dashboard_id="d", source_id="prom", origin="o", log_source_id="l")
    pages = wall_pages(result, "screen")
    assert sum(len(p.dashboard.panels) for p in pages) == len(result.dashboard.panels)
    for page in pages:
        rows = page.dashboard.rows
        for panel in page.dashboard.panels:
            # 1080 px less the header and feed-health strip (~120 px): never under ~120 px (150 kept)
            assert 960 * panel.grid.h / rows >= 150, (page.dashboard.id, panel.title)
            assert panel.grid.y + panel.grid.h <= rows


def test_unknown_panel_types_are_reported_not_fatal() -> None:
    data = {"panels": [
        {"type": "piechart", "title": "Share", "targets": [{"expr": "x"}]},
        {"type": None, "title": "Broken"},
        {"type": "stat", "title": "Up", "targets": [{"expr": "up"}], "repeat": "instance",
         "fieldConfig": {"defaults": {"mappings": [{"type": "value", "options": {"1": {"text": "UP"}}}]}}},
        {"type": "timeseries", "title": "SQL", "targets": [{"rawSql": "select 1"}]},
    ]}
    result = import_grafana(data, dashboard_id="d", source_id="prom", origin="o")
    assert list(result.report) == [
        "dropped panel 'Share' (piechart): panel type 'piechart' has no equivalent here",
        "dropped panel 'Broken' (unknown): panel type 'unknown' has no equivalent here",
        "converted panel 'Up' (stat) -> stat",
        "  dropped option on 'Up': repeat by $instance is not supported: shown once, for the current value",
        "dropped panel 'SQL' (timeseries): no query with an expression",
    ]


def test_new_panel_kinds_and_elasticsearch_by_datasource_type() -> None:
    data = {"panels": [
        {"type": "table", "title": "T", "targets": [{"expr": "up"}]},
        {"type": "heatmap", "title": "H", "targets": [{"expr": "rate(h_bucket[5m])"}]},
        {"type": "state-timeline", "title": "S", "targets": [{"expr": "up"}]},
        {"type": "logs", "title": "L", "datasource": {"type": "elasticsearch", "uid": "es"},
         "targets": [{"query": "level:error"}]},
    ]}
    result = import_grafana(data, dashboard_id="d", source_id="prom", origin="o", log_source_id="es")
    assert [(p.kind, p.source) for p in result.dashboard.panels] == [
        ("table", "prom"), ("heatmap", "prom"), ("status", "prom"), ("logs", "es")]
    assert result.dashboard.panels[3].queries[0].expr == "level:error"
    assert "converted panel 'S' (state-timeline) -> status" in result.report


def test_cli_writes_a_config_check_config_accepts(tmp_path, capsys) -> None:
    out = tmp_path / "node.yaml"
    code = main(["import-grafana", str(GRAFANA / "node-exporter-full.json"), "--out", str(out),
                 "--source", "metrics", "--source-url", "http://prom.example:9090"])
    printed = capsys.readouterr().out.splitlines()
    assert code == 0
    assert printed[-1] == f"wrote {out} (check-config: OK)"
    config = load_config(out)
    assert config.source("metrics").url == "http://prom.example:9090"
    assert len(config.dashboards) == 13
    assert config.playlists[0].dashboards == tuple(d.id for d in config.dashboards)
    assert [v.name for v in config.dashboards[0].variable_defs] == ["job", "nodename", "node"]
    assert main(["check-config", str(out)]) == 0


def test_cli_scroll_fit_writes_one_operator_dashboard(tmp_path, capsys) -> None:
    out = tmp_path / "k8s.yaml"
    assert main(["import-grafana", str(GRAFANA / "k8s-addons-prometheus.dotdc.json"), "--out", str(out),
                 "--fit", "scroll"]) == 0
    assert "one scrolling dashboard: 27 panels, 100 grid rows" in capsys.readouterr().out
    config = load_config(out)
    assert (config.mode.value, len(config.dashboards), config.playlists) == ("operator", 1, ())


def test_cli_declares_a_log_source_for_loki_panels(tmp_path, capsys) -> None:
    out = tmp_path / "loki.yaml"
    assert main(["import-grafana", str(GRAFANA / "loki-logs.json"), "--out", str(out)]) == 0
    config = load_config(out)
    assert [(s.id, s.kind) for s in config.sources] == [("prom", "prometheus"), ("logs", "loki")]
    logs = next(p for d in config.dashboards for p in d.panels if p.kind == "logs")
    assert logs.source == "logs"


@pytest.mark.parametrize(("content", "message"), [
    ("{not json", "is not valid JSON"),
    ('{"title": "x"}', "not a Grafana dashboard: it has no 'panels' or 'rows' list"),
    ('{"panels": [{"type": "piechart", "title": "P"}]}',
     "no panels this app can show (dropped panel 'P' (piechart): panel type 'piechart' has no equivalent here)"),
])
def test_cli_problems_are_one_message_and_exit_2(tmp_path, capsys, content, message) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    assert main(["import-grafana", str(path), "--out", str(tmp_path / "x.yaml")]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not (tmp_path / "x.yaml").exists()


def test_open_directly_builds_an_in_memory_config(monkeypatch) -> None:
    from noc_app.cli_grafana import grafana_app_config

    monkeypatch.setenv("PROMETHEUS_URL", "http://from-env:9090")
    config = grafana_app_config(str(GRAFANA / "ecommerce-dashboard.grafana.json"), None)
    assert config.source("prom").url == "http://from-env:9090"
    assert config.dashboards[0].title == "E-commerce API Monitoring"
    assert grafana_app_config(str(GRAFANA / "ecommerce-dashboard.grafana.json"),
                              "http://given:9090").source("prom").url == "http://given:9090"


STEPS = {"mode": "absolute", "steps": [{"color": "green", "value": None}, {"color": "red", "value": 80}]}


@pytest.mark.parametrize(("panel", "shown"), [
    ({"type": "timeseries", "fieldConfig": {"defaults": {"thresholds": STEPS}}}, False),
    ({"type": "timeseries", "fieldConfig": {"defaults": {"thresholds": STEPS,
                                                         "custom": {"thresholdsStyle": {"mode": "off"}}}}}, False),
    ({"type": "timeseries", "fieldConfig": {"defaults": {"thresholds": STEPS,
                                                         "custom": {"thresholdsStyle": {"mode": "line"}}}}}, True),
    ({"type": "stat", "options": {"colorMode": "none"}, "fieldConfig": {"defaults": {"thresholds": STEPS}}}, False),
    ({"type": "stat", "options": {"colorMode": "value"}, "fieldConfig": {"defaults": {"thresholds": STEPS}}}, True),
    ({"type": "gauge", "fieldConfig": {"defaults": {"thresholds": STEPS}}}, True),
    ({"type": "singlestat", "thresholds": "70,90", "colorValue": False, "colorBackground": False}, False),
    ({"type": "singlestat", "thresholds": "70,90", "colorBackground": True}, True),
    ({"type": "singlestat", "thresholds": "70,90"}, True),  # the seed's form: no colour flags at all
])
def test_thresholds_only_where_grafana_shows_them(panel, shown) -> None:
    data = {"panels": [{**panel, "title": "P", "targets": [{"expr": "x"}]}]}
    (imported,) = import_grafana(data, dashboard_id="d", source_id="s", origin="o").dashboard.panels
    assert bool(imported.thresholds) is shown


def test_an_import_entry_with_fit_screen_becomes_pages_and_a_playlist(tmp_path) -> None:
    from noc_app.config.loader import load_config_text

    text = (f"sources: [{{id: prom, kind: prometheus, url: 'http://p:9090'}}]\n"
            f"dashboards:\n  - {{id: node, import_grafana: {GRAFANA / 'node-exporter-full.json'}, source: prom,"
            f" fit: screen, variables: {{job: node}}}}\n")
    config = load_config_text(text, filename="wall.yaml", base_dir=tmp_path)
    assert [d.id for d in config.dashboards][:2] == ["node_p1", "node_p2"] and len(config.dashboards) == 13
    (playlist,) = config.playlists
    assert (playlist.id, playlist.dashboards) == ("node", tuple(d.id for d in config.dashboards))
    assert config.screens[0].playlist == "node"
    assert all(d.variables.get("job") == "node" for d in config.dashboards)
    with pytest.raises(ConfigError) as info:  # the entry's id is the playlist's, not a dashboard's
        load_config_text(text + "screens: [{id: s, dashboard: node}]\n", filename="wall.yaml", base_dir=tmp_path)
    assert "unknown dashboard 'node'" in str(info.value)


def test_legacy_axis_labels_give_the_unit() -> None:
    result = import_grafana(grafana_json("ecommerce-dashboard.grafana.json"), dashboard_id="d", source_id="p",
                            origin="o")
    assert [p.unit for p in result.dashboard.panels] == ["req/s", "s", ""]  # "Requests/sec", "Seconds", none


def test_check_config_prints_what_an_import_entry_dropped(tmp_path, capsys) -> None:
    wall = tmp_path / "wall.yaml"
    wall.write_text("sources: [{id: prom, kind: prometheus, url: 'http://p:9090'}]\n"
                    f"dashboards:\n  - {{id: loki, import_grafana: {GRAFANA / 'loki-logs.json'}, source: prom}}\n",
                    encoding="utf-8")
    assert main(["check-config", str(wall)]) == 0
    assert capsys.readouterr().out.splitlines()[1:] == [
        "import_grafana loki:",
        "  dropped panel 'Log Rate' (timeseries): queries a loki datasource and no log source is given "
        "(--log-source ID / log_source:)",
        "  dropped panel 'Logs' (logs): queries a loki datasource and no log source is given "
        "(--log-source ID / log_source:)",
    ]
