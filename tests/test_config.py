"""Config loading: the demo wall, every section of the format, durations, thresholds,
secrets by reference, and the Grafana dashboard import (the user's seed dashboard)."""

from __future__ import annotations

import json
import textwrap
from importlib import resources
from pathlib import Path

import pytest

from noc_app.config.grafana_import import GrafanaImportError, grafana_to_dashboard, skipped_grafana_panels
from noc_app.config.loader import ConfigError, load_builtin, load_config, load_config_text, parse_duration
from noc_app.config.schema import GridPos, Mode, QueryConfig, SecretRef, Threshold
from noc_app.model import Severity

FIXTURES = Path(__file__).parent / "fixtures"
GRAFANA = FIXTURES / "grafana"
REPO = Path(__file__).parent.parent


def load_text(text: str, base_dir: Path | None = None):
    return load_config_text(textwrap.dedent(text), filename="wall.yaml", base_dir=base_dir)


def problems_of(text: str) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load_text(text)
    return [str(problem) for problem in info.value.problems]


def grafana_json(name: str) -> dict:
    return json.loads((GRAFANA / name).read_text(encoding="utf-8"))


# -- the built-in demo -------------------------------------------------------------

def test_builtin_demo_has_the_expected_shape() -> None:
    config = load_builtin()
    assert config.path == "<built-in demo>"
    assert config.title == "E-commerce API Monitoring (demo)"
    assert (config.mode, config.theme) == (Mode.WALL, "dark")
    assert [(s.id, s.kind, s.interval_s, s.timeout_s) for s in config.sources] == [
        ("demo", "demo", 2.0, 2.0), ("host", "localhost", 2.0, 2.0)]
    assert [d.id for d in config.dashboards] == ["ecommerce", "panels", "slo"]  # every panel kind; the SLOs
    dashboard, slo_dashboard = config.dashboards[0], config.dashboards[2]
    assert [p.kind for p in slo_dashboard.panels] == ["slo"] * 3
    assert len(dashboard.panels) == 13
    assert (dashboard.columns, dashboard.rows) == (24, 12)
    error_rate = next(p for p in dashboard.panels if p.id == "error_rate")
    assert error_rate.thresholds == (
        Threshold(value=1.0, severity=Severity.WARNING, op="gt"),
        Threshold(value=5.0, severity=Severity.CRITICAL, op="gt"),
    )
    assert (error_rate.kind, error_rate.unit, error_rate.decimals) == ("stat", "%", 2)
    latency = dashboard.panels[1]
    assert [q.legend for q in latency.queries] == ["P50", "P95", "P99"]
    assert latency.window_s == 1800.0
    assert {p.source for p in dashboard.panels} == {"demo", "host"}
    # origin: the line of the panel's "- id: error_rate" in the bundled file
    demo_lines = resources.files("noc_app.configs").joinpath("demo.yaml").read_text().splitlines()
    assert error_rate.origin == f"<built-in demo>:{demo_lines.index('      - id: error_rate') + 1}"
    assert [s.dashboard for s in config.screens] == ["ecommerce"]
    assert [(lvl.id, lvl.severity, lvl.response_time_s) for lvl in config.severity_levels] == [
        ("P0", Severity.CRITICAL, 300.0), ("P1", Severity.HIGH, 900.0),
        ("P2", Severity.WARNING, 3600.0), ("P3", Severity.INFO, None)]


def test_demo_file_loads_from_disk_too() -> None:
    config = load_config(REPO / "config" / "demo.yaml")
    assert config.path.endswith("demo.yaml")
    assert len(config.dashboards[0].panels) == 13


def test_unknown_builtin_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="no built-in config named 'nope'"):
        load_builtin("nope")


# -- every section -----------------------------------------------------------------

def test_full_config_reads_every_section(monkeypatch) -> None:
    for name in ("NOC_PROM_TOKEN", "NOC_AM_PASSWORD", "NOC_LOKI_AUTHORIZATION"):
        monkeypatch.delenv(name, raising=False)  # secrets are references: not needed to load
    config = load_config(FIXTURES / "configs" / "full.yaml")
    assert (config.title, config.mode, config.theme) == ("Operations wall", Mode.OPERATOR, "high-contrast")
    assert (config.operator.name, config.operator.email) == ("Ada", "ada@example.org")
    assert config.stale_after_intervals == 4.0
    prom, am, logs, es, journal = config.sources
    assert (prom.interval_s, prom.timeout_s, prom.max_response_mb, prom.tls.verify) == (5.0, 3.0, 8.0, False)
    assert prom.auth.bearer == SecretRef(env="NOC_PROM_TOKEN")
    assert am.urls == ("http://am-1:9093", "http://am-2:9093")
    assert (am.deadman_alert, am.read_only) == ("Watchdog", True)
    assert (am.auth.basic_user, am.auth.basic_password) == ("noc", SecretRef(env="NOC_AM_PASSWORD"))
    assert dict(logs.auth.headers) == {"X-Scope-OrgID": "tenant-a"}
    assert dict(logs.auth.secret_headers) == {"Authorization": SecretRef(env="NOC_LOKI_AUTHORIZATION")}
    assert es.auth.basic_password == SecretRef(keyring_service="noc-app", keyring_user="reader")
    assert (es.index, dict(es.options)) == ("logs-*", {"time_field": "@timestamp", "size": 50})
    assert (journal.interval_s, prom.index) == (5400.0, None)
    assert prom.origin.endswith("full.yaml:14")

    overview, infra = config.dashboards
    assert (overview.columns, overview.rows, dict(overview.variables)) == (12, 8, {"job": "api", "instance": ".*"})
    rps, errors, alerts, stream, readme = overview.panels
    assert errors.queries == (QueryConfig(expr="sum(rate(errors_total[5m]))", legend="errors", instant=True),)
    assert [t.value for t in errors.thresholds] == [1.0, 5.0]
    assert (alerts.sources, alerts.limit) == (("am",), 50)
    assert readme.text == "Call the on-call engineer."
    assert rps.window_s == 900.0
    # auto-placement: fixed panels stay, the rest take the first free slot in order
    assert [p.grid for p in overview.panels] == [
        GridPos(x=0, y=0, w=6, h=4), GridPos(x=6, y=0, w=6, h=4), GridPos(x=0, y=4, w=6, h=4),
        GridPos(x=0, y=8, w=12, h=3), GridPos(x=6, y=4, w=6, h=4)]
    assert infra.title == "infra" and infra.panels[0].kind == "targets"

    assert [(p.id, p.dashboards, p.interval_s) for p in config.playlists] == [
        ("rotate", ("overview", "infra"), 120.0)]
    assert [(s.id, s.screen, s.dashboard, s.playlist) for s in config.screens] == [
        ("left", 0, "overview", None), ("right", 1, None, "rotate")]
    assert [(lvl.severity, lvl.response_time_s) for lvl in config.severity_levels] == [
        (Severity.CRITICAL, 0.0), (Severity.INFO, None)]
    restart, flush = config.actions.runbooks
    assert config.actions.ack_duration_s == 1800.0
    assert restart.http is not None and (restart.http.method, restart.http.url, restart.cooldown_s) == (
        "PUT", "https://hooks.example.org/restart", 600.0)
    assert {name: p.allowed for name, p in restart.params.items()} == {"service": ("api", "worker")}
    assert restart.verify is not None and restart.verify.query == 'up{job="api"} == 1'
    assert (flush.argv, flush.confirm, flush.http) == (("/usr/local/bin/flush-cache", "--all"), "", None)


def test_defaults_when_keys_are_left_out() -> None:
    config = load_text("""\
        sources:
          - {id: prom, kind: prometheus, url: 'http://prom:9090'}
          - {id: es, kind: elasticsearch, url: 'http://es:9200'}
        dashboards:
          - id: main
            title: Main
            panels:
              - {id: up, kind: stat, title: Up, source: prom, queries: [up]}
        """)
    prom, es = config.sources
    assert (prom.interval_s, prom.timeout_s, prom.max_response_mb, es.index) == (15.0, 10.0, 32.0, "*")
    assert (config.title, config.mode, config.theme, config.stale_after_intervals) == ("Main", Mode.WALL, "dark", 3.0)
    panel = config.dashboards[0].panels[0]
    assert (panel.window_s, panel.limit, panel.grid) == (3600.0, 200, GridPos(x=0, y=0, w=6, h=4))
    assert config.actions.ack_duration_s == 7200.0


# -- durations and thresholds ------------------------------------------------------

@pytest.mark.parametrize(("value", "seconds"), [
    (15, 15.0), (0.5, 0.5), ("500ms", 0.5), ("15s", 15.0), ("5m", 300.0), ("1h", 3600.0),
    ("7d", 604800.0), ("1h30m", 5400.0), ("1h 30m", 5400.0), ("1.5s", 1.5), ("90", 90.0),
])
def test_parse_duration(value, seconds) -> None:
    assert parse_duration(value) == seconds


@pytest.mark.parametrize(("value", "shown"), [
    ("soon", "'soon'"), ("5 minutes", "'5 minutes'"), ("", "''"), ("-5s", "'-5s'"), (True, "true"),
    (None, "nothing"), ([5], "a list"), (float("inf"), "inf"),
])
def test_parse_duration_refuses(value, shown) -> None:
    with pytest.raises(ValueError) as info:
        parse_duration(value)
    assert str(info.value) == f"expected a duration like 15s, 5m, 1h, got {shown}"


@pytest.mark.parametrize(("written", "expected"), [
    ('"1,5"', [(1.0, Severity.WARNING), (5.0, Severity.CRITICAL)]),
    ('" 1, 5 "', [(1.0, Severity.WARNING), (5.0, Severity.CRITICAL)]),  # reversed ones are an error now
    ('""', []),
    ("[90]", [(90.0, Severity.CRITICAL)]),
    ("[1, 2, 3]", [(1.0, Severity.INFO), (2.0, Severity.WARNING), (3.0, Severity.CRITICAL)]),
    ("[{value: 0.9, severity: crit, op: lt}]", [(0.9, Severity.CRITICAL)]),
])
def test_threshold_forms(written, expected) -> None:
    config = load_text(f"""\
        sources: [{{id: demo, kind: demo}}]
        dashboards:
          - id: main
            panels:
              - {{id: x, kind: stat, title: X, source: demo, queries: [x], thresholds: {written}}}
        """)
    thresholds = config.dashboards[0].panels[0].thresholds
    assert [(t.value, t.severity) for t in thresholds] == expected


# -- secrets -----------------------------------------------------------------------

@pytest.mark.parametrize("key", ["token", "bearer_token", "password", "api_key", "apikey", "secret", "client_secret"])
def test_inline_secret_keys_are_refused_under_auth(key) -> None:
    problems = problems_of(f"""\
        sources: [{{id: prom, kind: prometheus, url: 'http://p:9090', auth: {{{key}: s3cr3t}}}}]
        dashboards: [{{id: d, panels: [{{id: t, kind: text, title: T, text: x}}]}}]
        """)
    assert len(problems) == 1
    assert problems[0].startswith(f"wall.yaml:1:69 sources[0].auth.{key}: a secret must not be written in the "
                                  "config file; put it in an environment variable and write '")
    assert "NOC_PROM_" in problems[0] and "s3cr3t" not in problems[0]


@pytest.mark.parametrize("header", ["Authorization", "Cookie", "X-Api-Key", "Api-Key", "X-Auth-Token",
                                    "PRIVATE-TOKEN", "authorization"])
def test_secret_headers_are_refused_inline(header) -> None:
    problems = problems_of(f"""\
        sources: [{{id: gl, kind: prometheus, url: 'http://p:9090', auth: {{headers: {{{header}: abc}}}}}}]
        dashboards: [{{id: d, panels: [{{id: t, kind: text, title: T, text: x}}]}}]
        """)
    env = "NOC_GL_" + header.upper().replace("-", "_")
    assert problems == [
        f"wall.yaml:1:77 sources[0].auth.headers.{header}: a secret must not be written in the config file; "
        f"put it in an environment variable and write 'header_env: {{{header}: {env}}}'"]


def test_secret_refs_are_built_without_reading_secrets(monkeypatch) -> None:
    monkeypatch.setenv("NOC_PROM_TOKEN", "value-that-must-not-leak")
    monkeypatch.delenv("NOC_AM_PASSWORD", raising=False)
    config = load_text("""\
        sources:
          - {id: prom, kind: prometheus, url: 'http://p:9090', auth: {bearer_token_env: NOC_PROM_TOKEN}}
          - {id: am, kind: alertmanager, url: 'http://a:9093',
             auth: {basic: {username: noc, password_env: NOC_AM_PASSWORD}}}
          - id: loki
            kind: loki
            url: http://l:3100
            auth:
              bearer_token_keyring: {service: noc-app, username: loki}
              header_env: {X-Auth-Token: NOC_LOKI_TOKEN}
        dashboards: [{id: d, panels: [{id: t, kind: text, title: T, text: x}]}]
        """)
    prom, am, loki = config.sources
    assert prom.auth.bearer == SecretRef(env="NOC_PROM_TOKEN")
    assert (am.auth.basic_user, am.auth.basic_password) == ("noc", SecretRef(env="NOC_AM_PASSWORD"))
    assert loki.auth.bearer == SecretRef(keyring_service="noc-app", keyring_user="loki")
    assert dict(loki.auth.secret_headers) == {"X-Auth-Token": SecretRef(env="NOC_LOKI_TOKEN")}
    assert "value-that-must-not-leak" not in repr(config)


def test_bearer_and_basic_together_are_refused() -> None:
    assert problems_of("""\
        sources:
          - id: prom
            kind: prometheus
            url: http://p:9090
            auth: {bearer_token_env: T, basic: {username: u, password_env: P}}
        dashboards: [{id: d, panels: [{id: t, kind: text, title: T, text: x}]}]
        """) == ["wall.yaml:5:33 sources[0].auth.basic: give either a bearer token or 'basic', not both"]


# -- YAML conveniences -------------------------------------------------------------

def test_anchors_under_x_keys_and_merge_keys() -> None:
    config = load_text("""\
        x-defaults: &defaults {kind: prometheus, url: 'http://p:9090', interval: 30s}
        sources:
          - {<<: *defaults, id: a}
          - {<<: *defaults, id: b, interval: 1m}
        dashboards: [{id: d, panels: [{id: t, kind: text, title: T, text: x}]}]
        """)
    assert [(s.id, s.kind, s.interval_s) for s in config.sources] == [("a", "prometheus", 30.0), ("b", "prometheus", 60.0)]


def test_relative_paths_resolve_against_the_config_file(tmp_path) -> None:
    # ca_file must load as a CA bundle at check time: use the integration tests' self-signed one
    cert = Path(__file__).parent / "integration" / "tls" / "selfsigned-cert.pem"
    (tmp_path / "ca.pem").write_bytes(cert.read_bytes())
    path = tmp_path / "wall.yaml"
    path.write_text(textwrap.dedent("""\
        sources: [{id: p, kind: prometheus, url: 'https://p:9090', tls: {ca_file: ca.pem}}]
        dashboards: [{id: d, panels: [{id: t, kind: text, title: T, text: x}]}]
        """), encoding="utf-8")
    assert load_config(path).sources[0].tls.ca_file == str(tmp_path / "ca.pem")


# -- Grafana import ----------------------------------------------------------------

def test_seed_grafana_dashboard_imports_as_given() -> None:
    dashboard = grafana_to_dashboard(grafana_json("ecommerce-dashboard.grafana.json"),
                                     dashboard_id="ecommerce", source_id="prom", origin="seed")
    assert dashboard.title == "E-commerce API Monitoring"
    rate, latency, errors = dashboard.panels
    assert (rate.title, rate.kind, rate.source) == ("Request Rate", "timeseries", "prom")
    assert rate.queries == (QueryConfig(expr="rate(http_requests_total[5m])", legend="{{method}} {{status}}"),)
    assert rate.min == 0.0
    assert rate.thresholds == (Threshold(value=1000.0, severity=Severity.CRITICAL, op="gt"),)
    assert (latency.title, latency.kind) == ("Response Time Percentiles", "timeseries")
    assert [q.legend for q in latency.queries] == ["P50", "P95", "P99"]
    assert latency.queries[1].expr == "histogram_quantile(0.95, rate(http_request_duration_seconds_bucket[5m]))"
    assert (errors.title, errors.kind) == ("Error Rate", "stat")
    assert errors.thresholds == (Threshold(value=1.0, severity=Severity.WARNING, op="gt"),
                                 Threshold(value=5.0, severity=Severity.CRITICAL, op="gt"))
    # no gridPos in the seed: laid out three to a row
    assert [p.grid for p in dashboard.panels] == [GridPos(x=0, y=0, w=8, h=8), GridPos(x=8, y=0, w=8, h=8),
                                                 GridPos(x=16, y=0, w=8, h=8)]
    assert skipped_grafana_panels(grafana_json("ecommerce-dashboard.grafana.json")) == []


def test_seed_grafana_dashboard_imports_from_yaml() -> None:
    config = load_config(FIXTURES / "configs" / "seed-import.yaml")
    (dashboard,) = config.dashboards
    assert (dashboard.id, [p.id for p in dashboard.panels]) == (
        "ecommerce", ["request_rate", "response_time_percentiles", "error_rate"])
    assert "seed-import.yaml:5" in dashboard.panels[0].origin


def test_bare_dashboard_and_wrapper_give_the_same_result() -> None:
    wrapped = grafana_json("ecommerce-dashboard.grafana.json")
    kwargs = dict(dashboard_id="d", source_id="s", origin="o")
    assert grafana_to_dashboard(wrapped, **kwargs) == grafana_to_dashboard(wrapped["dashboard"], **kwargs)


def _no_overlaps(dashboard) -> bool:
    cells = [(x, y) for p in dashboard.panels for x in range(p.grid.x, p.grid.x + p.grid.w)
             for y in range(p.grid.y, p.grid.y + p.grid.h)]
    return len(cells) == len(set(cells))


def test_node_exporter_full_imports_with_nested_rows() -> None:
    data = grafana_json("node-exporter-full.json")
    dashboard = grafana_to_dashboard(data, dashboard_id="node", source_id="prom", origin="o")
    assert len(dashboard.panels) == 125  # every non-row panel, including those inside collapsed rows
    assert {p.kind for p in dashboard.panels} == {"timeseries", "stat", "gauge", "bargauge"}
    assert _no_overlaps(dashboard)
    assert all(p.grid.x + p.grid.w <= 24 for p in dashboard.panels)
    cpu = next(p for p in dashboard.panels if p.title == "CPU Busy")
    assert (cpu.kind, cpu.unit, cpu.min, cpu.max) == ("gauge", "%", 0.0, 100.0)
    assert cpu.thresholds == (Threshold(value=85.0, severity=Severity.WARNING, op="gt"),
                              Threshold(value=95.0, severity=Severity.CRITICAL, op="gt"))
    assert len({p.id for p in dashboard.panels}) == 125
    # label_values() variables with no saved value have no value until resolved: queries keep $job
    assert "job" not in dashboard.variables and "ds_prometheus" not in dashboard.variables
    assert [v.name for v in dashboard.variable_defs] == ["job", "nodename", "node"]


def test_loki_dashboard_routes_log_panels_to_the_log_source() -> None:
    dashboard = grafana_to_dashboard(grafana_json("loki-logs.json"), dashboard_id="loki", source_id="prom",
                                     log_source_id="loki", origin="o")
    by_title = {p.title: p for p in dashboard.panels}
    assert by_title["Logs"].kind == "logs"
    assert (by_title["Logs"].source, by_title["Log Rate"].source, by_title["goroutines"].source) == (
        "loki", "loki", "prom")
    assert by_title["gc duration"].queries[0].legend == "{{quantile}}"
    assert by_title["working set"].unit == "B"
    assert _no_overlaps(dashboard)  # the JSON's own Log Rate/Logs overlap is pushed down, as Grafana does
    assert "container" not in dashboard.variables  # multi-value query variable, nothing saved: unresolved
    assert dashboard.variables["level"] == "debug"  # multi-value custom, nothing saved: the first option


def test_legacy_rows_singlestat_and_skipped_panels() -> None:
    data = {"title": "Legacy", "rows": [
        {"height": "150px", "panels": [
            {"type": "singlestat", "title": "Disk", "span": 6, "format": "percent", "thresholds": "85, 95",
             "colors": ["#299c46", "rgba(237, 129, 40, 0.89)", "#d44a3a"],
             "targets": [{"expr": "disk_used"}, {"expr": "hidden", "hide": True}]},
            {"type": "table", "title": "Top talkers", "targets": [{"expr": "topk(5, x)"}]},
            {"type": "graph", "title": "Apdex", "span": 6, "yaxes": [{"format": "short", "min": "0"}],
             "thresholds": [{"value": 0.7, "colorMode": "critical", "op": "lt"}],
             "targets": [{"expr": "apdex", "legendFormat": "{{job}}"}]},
            {"type": "graph", "title": "SQL", "targets": [{"rawSql": "select 1"}]},
        ]},
    ]}
    dashboard = grafana_to_dashboard(data, dashboard_id="legacy", source_id="prom", origin="o")
    disk, talkers, apdex = dashboard.panels
    assert (talkers.kind, talkers.grid) == ("table", GridPos(x=12, y=0, w=8, h=5))
    assert (disk.kind, disk.unit, [q.expr for q in disk.queries]) == ("stat", "%", ["disk_used"])
    assert disk.thresholds == (Threshold(value=85.0, severity=Severity.WARNING, op="gt"),
                               Threshold(value=95.0, severity=Severity.CRITICAL, op="gt"))
    assert (apdex.min, apdex.unit) == (0.0, "")
    assert apdex.thresholds == (Threshold(value=0.7, severity=Severity.CRITICAL, op="lt"),)
    assert (disk.grid, apdex.grid) == (GridPos(x=0, y=0, w=12, h=5), GridPos(x=0, y=5, w=12, h=5))
    assert skipped_grafana_panels(data) == [("SQL", "graph")]


def test_modern_thresholds_where_low_values_are_bad() -> None:
    data = {"panels": [{"type": "stat", "title": "Free", "gridPos": {"x": 0, "y": 0, "w": 6, "h": 3},
                        "targets": [{"expr": "free"}],
                        "fieldConfig": {"defaults": {"unit": "bytes", "thresholds": {"mode": "absolute", "steps": [
                            {"color": "red", "value": None}, {"color": "yellow", "value": 10},
                            {"color": "green", "value": 20}]}}}}]}
    (panel,) = grafana_to_dashboard(data, dashboard_id="d", source_id="s", origin="o").panels
    assert panel.unit == "B"
    assert panel.thresholds == (Threshold(value=10.0, severity=Severity.CRITICAL, op="lt"),
                                Threshold(value=20.0, severity=Severity.WARNING, op="lt"))


@pytest.mark.parametrize(("data", "message"), [
    ([1, 2], "expected a JSON object (a Grafana dashboard), got list"),
    ({"title": "x"}, "not a Grafana dashboard: it has no 'panels' or 'rows' list"),
    ({"panels": [{"type": "table", "title": "T"}]},
     "no panels this app can show (dropped panel 'T' (table): no query with an expression)"),
])
def test_grafana_import_refuses_non_dashboards(data, message) -> None:
    with pytest.raises(GrafanaImportError) as info:
        grafana_to_dashboard(data, dashboard_id="d", source_id="s", origin="o")
    assert str(info.value) == message


def test_grafana_import_problems_point_at_the_yaml(tmp_path) -> None:
    (tmp_path / "bad.json").write_text("{not json", encoding="utf-8")
    (tmp_path / "table.json").write_text(json.dumps({"panels": [{"type": "table", "title": "T"}]}), encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_text("""\
            sources: [{id: prom, kind: prometheus, url: 'http://p:9090'}]
            dashboards:
              - {id: a, import_grafana: bad.json, source: prom}
              - {id: b, import_grafana: table.json, source: prom, panels: []}
            """, base_dir=tmp_path)
    assert [str(p) for p in info.value.problems] == [
        f"wall.yaml:3:29 dashboards[0].import_grafana: {tmp_path / 'bad.json'} is not valid JSON: "
        "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)",
        "wall.yaml:4:29 dashboards[1].import_grafana: table.json: no panels this app can show "
        "(dropped panel 'T' (table): no query with an expression)",
        "wall.yaml:4:55 dashboards[1].panels: unknown key 'panels'; expected one of: id, title, import_grafana, "
        "source, log_source, variables, fit",
    ]
