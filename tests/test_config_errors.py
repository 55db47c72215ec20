"""Broken configs: every problem is reported at once, with file:line:col, key path and a clear message."""

from __future__ import annotations

import textwrap

import pytest

from noc_app.config.loader import ConfigError, Problem, load_config, load_config_text

# A valid config is this small; each case below breaks something in a copy of it.
VALID = """\
sources:
  - {id: demo, kind: demo}
dashboards:
  - id: main
    panels:
      - {id: note, kind: text, title: Note, text: hi}
"""


def problems_of(text: str) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load_config_text(textwrap.dedent(text), filename="wall.yaml", base_dir="/nonexistent-base")
    assert str(info.value) == "\n".join(str(p) for p in info.value.problems)
    return [str(problem) for problem in info.value.problems]


CASES = [
    pytest.param(
        "sources: [\n",
        ["wall.yaml:2:1: YAML syntax error: while parsing a flow node at line 2, "
         "expected the node content, but found '<stream end>'"],
        id="yaml-syntax-error",
    ),
    pytest.param(
        "title: a\n  mode: wall\n",
        ["wall.yaml:2:7: YAML syntax error: mapping values are not allowed here"],
        id="yaml-bad-indentation",
    ),
    pytest.param("", ["wall.yaml:1:1: config is empty; expected a mapping with sources and dashboards"],
                 id="empty-file"),
    pytest.param("# just a comment\n",
                 ["wall.yaml:1:1: config is empty; expected a mapping with sources and dashboards"],
                 id="comments-only"),
    pytest.param("- demo\n- host\n", ["wall.yaml:1:1: expected a mapping with sources and dashboards, got a list"],
                 id="top-level-list"),
    pytest.param(
        """\
        sources:
          - id: demo
            kind: demo
            id: other
        dashboards:
          - {id: main, panels: [{id: note, kind: text, title: Note, text: hi}]}
        """,
        ["wall.yaml:4:5 sources[0].id: duplicate key 'id' (first at line 2)"],
        id="duplicate-key",
    ),
    pytest.param(
        "titel: Wall\n" + VALID,
        ["wall.yaml:1:1 titel: unknown key 'titel'; did you mean 'title'?"],
        id="unknown-key-did-you-mean",
    ),
    pytest.param(
        VALID.replace("{id: demo, kind: demo}", "{id: demo, kind: demo, zzz: 1}"),
        ["wall.yaml:2:28 sources[0].zzz: unknown key 'zzz'; expected one of: id, kind, url, urls, interval, "
         "timeout, max_response_mb, read_only, deadman_alert, index, auth, tls, options, follow_redirects"],
        id="unknown-key-no-suggestion",
    ),
    pytest.param(
        VALID.replace("{id: demo, kind: demo}", "{id: demo}"),
        ["wall.yaml:2:5 sources[0]: missing required key 'kind'"],
        id="missing-required-key",
    ),
    pytest.param(
        "title: Wall\n",
        ["wall.yaml:1:1: missing required key 'sources'", "wall.yaml:1:1: missing required key 'dashboards'"],
        id="missing-top-level-sections",
    ),
    pytest.param(
        VALID.replace("sources:\n  - {id: demo, kind: demo}", "sources: []"),
        ["wall.yaml:1:10 sources: expected at least one source, got an empty list"],
        id="no-sources",
    ),
    pytest.param(
        VALID.replace("sources:\n  - {id: demo, kind: demo}", "sources: {id: demo, kind: demo}"),
        ["wall.yaml:1:10 sources: expected a list, got a mapping"],
        id="list-expected",
    ),
    pytest.param(
        "mode: tv\ntheme: blue\nversion: 2\n" + VALID,
        ["wall.yaml:1:7 mode: expected one of wall, operator, kiosk, got 'tv'",
         "wall.yaml:2:8 theme: expected one of dark, light, high-contrast, got 'blue'",
         "wall.yaml:3:10 version: unsupported config version 2; expected 1"],
        id="choices-and-version",
    ),
    pytest.param(
        "operator: {name: Ada, role: admin}\n" + VALID,
        ["wall.yaml:1:29 operator.role: expected one of viewer, operator, lead, got 'admin'"],
        id="operator-role",
    ),
    pytest.param(
        VALID.replace("kind: demo}", "kind: promethus}"),
        ["wall.yaml:2:22 sources[0].kind: expected one of demo, localhost, prometheus, alertmanager, loki, "
         "elasticsearch, journald, pagerduty, opsgenie, got 'promethus'"],
        id="unknown-source-kind",
    ),
    pytest.param(
        VALID.replace("{id: demo, kind: demo}", "{id: demo, kind: demo, interval: soon, timeout: 0}"),
        ["wall.yaml:2:38 sources[0].interval: expected a duration like 15s, 5m, 1h, got 'soon'",
         "wall.yaml:2:53 sources[0].timeout: must be greater than 0s, got 0"],
        id="bad-durations",
    ),
    pytest.param(
        VALID.replace("{id: demo, kind: demo}", "{id: demo, kind: demo, interval: 100ms, max_response_mb: big}"),
        ["wall.yaml:2:38 sources[0].interval: must be at least 0.2s, got 100ms",
         "wall.yaml:2:62 sources[0].max_response_mb: expected a number, got 'big'"],
        id="interval-too-short",
    ),
    pytest.param(
        VALID.replace("{id: demo, kind: demo}", "{id: my demo, kind: demo}"),
        ["wall.yaml:2:10 sources[0].id: a source id may only use letters, digits, '_', '.' and '-', got 'my demo'"],
        id="source-id-characters",
    ),
    pytest.param(
        VALID.replace("  - {id: demo, kind: demo}", "  - {id: demo, kind: demo}\n  - {id: demo, kind: localhost}"),
        ["wall.yaml:3:10 sources[1].id: duplicate source id 'demo' (first at line 2)"],
        id="duplicate-source-id",
    ),
    pytest.param(
        VALID.replace("{id: demo, kind: demo}", "{id: prom, kind: prometheus}\n  - {id: loki, kind: loki, url: loki:3100}"),
        ["wall.yaml:2:5 sources[0]: missing required key 'url'",
         "wall.yaml:3:33 sources[1].url: expected an http(s) URL like http://prometheus:9090, got 'loki:3100'"],
        id="source-url-missing-or-bad",
    ),
    pytest.param(
        VALID.replace("{id: demo, kind: demo}", "{id: prom, kind: prometheus, url: 'http://p:9090', "
                      "urls: ['http://q:9090'], index: logs-*}"),
        ["wall.yaml:2:56 sources[0].urls: key 'urls' only applies to kind alertmanager",
         "wall.yaml:2:81 sources[0].index: key 'index' only applies to kind elasticsearch"],
        id="kind-specific-keys",
    ),
    pytest.param(
        VALID.replace("{id: demo, kind: demo}", "{id: demo, kind: demo, tls: {ca_file: /nonexistent/ca.pem}}"),
        ["wall.yaml:2:43 sources[0].tls.ca_file: ca_file not found: /nonexistent/ca.pem"],
        id="ca-file-missing",
    ),
    pytest.param(
        """\
        sources:
          - id: prom
            kind: prometheus
            url: http://prom:9090
            auth:
              basic: {username: admin, password: hunter2}
        dashboards:
          - {id: main, panels: [{id: note, kind: text, title: Note, text: hi}]}
        """,
        ["wall.yaml:6:32 sources[0].auth.basic.password: a secret must not be written in the config file; "
         "put it in an environment variable and write 'password_env: NOC_PROM_PASSWORD' "
         "(or 'password_keyring: {service: ..., username: ...}')"],
        id="inline-password",
    ),
    pytest.param(
        """\
        sources:
          - id: prom
            kind: prometheus
            url: http://prom:9090
            auth: {token: abc123}
        dashboards:
          - {id: main, panels: [{id: note, kind: text, title: Note, text: hi}]}
        """,
        ["wall.yaml:5:12 sources[0].auth.token: a secret must not be written in the config file; "
         "put it in an environment variable and write 'bearer_token_env: NOC_PROM_TOKEN' "
         "(or 'bearer_token_keyring: {service: ..., username: ...}')"],
        id="inline-token",
    ),
    pytest.param(
        """\
        sources:
          - id: loki
            kind: loki
            url: http://loki:3100
            auth:
              headers: {X-Scope-OrgID: tenant1, Authorization: Bearer abc}
        dashboards:
          - {id: main, panels: [{id: note, kind: text, title: Note, text: hi}]}
        """,
        ["wall.yaml:6:41 sources[0].auth.headers.Authorization: a secret must not be written in the config "
         "file; put it in an environment variable and write 'header_env: {Authorization: NOC_LOKI_AUTHORIZATION}'"],
        id="inline-secret-header",
    ),
    pytest.param(
        VALID.replace("{id: demo, kind: demo}", "{id: es, kind: elasticsearch, url: 'https://elastic:changeme@es:9200'}"),
        ["wall.yaml:2:40 sources[0].url: a secret must not be written in the config file; remove the password "
         "from the URL and write 'auth: {basic: {username: elastic, password_env: NOC_ES_PASSWORD}}'"],
        id="password-in-url",
    ),
    pytest.param(
        VALID.replace("{id: demo, kind: demo}", "{id: demo, kind: demo, options: {client: {api_key: k}}}"),
        ["wall.yaml:2:47 sources[0].options.client.api_key: a secret must not be written in the config file; "
         "put it in an environment variable and write 'header_env: {X-Api-Key: NOC_DEMO_API_KEY}' under auth"],
        id="secret-in-options",
    ),
    pytest.param(
        VALID.replace("{id: demo, kind: demo}", "{id: demo, kind: demo, auth: {header_env: {X-Api-Key: 'my key'}}}"),
        ["wall.yaml:2:59 sources[0].auth.header_env.X-Api-Key: expected an environment variable name like "
         "NOC_PROM_TOKEN, got 'my key'"],
        id="bad-env-name",
    ),
    pytest.param(
        VALID.replace("{id: demo, kind: demo}",
                      "{id: demo, kind: demo, auth: {bearer_token_keyring: {service: noc}}}"),
        ["wall.yaml:2:57 sources[0].auth.bearer_token_keyring: missing required key 'username'"],
        id="keyring-incomplete",
    ),
    pytest.param(
        """\
        sources:
          - {id: prom, kind: prometheus, url: 'http://prom:9090'}
        dashboards:
          - id: main
            panels:
              - {id: rps, kind: stat, title: RPS, source: prm, queries: [up]}
              - {id: logs, kind: logs, title: Logs, source: zzz}
        """,
        ["wall.yaml:6:51 dashboards[0].panels[0].source: unknown source 'prm'; did you mean 'prom'?",
         "wall.yaml:7:53 dashboards[0].panels[1].source: unknown source 'zzz'; configured sources: prom"],
        id="unknown-source-reference",
    ),
    pytest.param(
        VALID + "      - {id: note, kind: text, title: Again, text: hi}\n",
        ["wall.yaml:7:14 dashboards[0].panels[1].id: duplicate panel id 'note' (first at line 6)"],
        id="duplicate-panel-id",
    ),
    pytest.param(
        VALID.replace("{id: note, kind: text, title: Note, text: hi}",
                      "{id: cpu, kind: gauge, title: CPU, source: demo}\n"
                      "      - {id: inc, kind: incidents, title: Incidents}\n"
                      "      - {id: note, kind: text, title: Note}"),
        ["wall.yaml:6:9 dashboards[0].panels[0]: missing required key 'queries'",
         "wall.yaml:7:9 dashboards[0].panels[1]: missing required key 'sources' (or 'source')",
         "wall.yaml:8:9 dashboards[0].panels[2]: missing required key 'text'"],
        id="panel-kind-requirements",
    ),
    pytest.param(
        VALID.replace("{id: note, kind: text, title: Note, text: hi}",
                      "{id: cpu, kind: gauge, title: CPU, source: demo, queries: [cpu], thresholds: [70, high]}"),
        ["wall.yaml:6:91 dashboards[0].panels[0].thresholds[1]: expected a number, got 'high'"],
        id="threshold-not-a-number",
    ),
    pytest.param(
        VALID.replace("{id: note, kind: text, title: Note, text: hi}",
                      "{id: cpu, kind: gauge, title: CPU, source: demo, queries: [cpu], thresholds: '70,x'}"),
        ["wall.yaml:6:86 dashboards[0].panels[0].thresholds: expected numbers separated by commas like '1,5', "
         "got '70,x'"],
        id="threshold-string-bad",
    ),
    pytest.param(
        VALID.replace("{id: note, kind: text, title: Note, text: hi}",
                      "{id: cpu, kind: gauge, title: CPU, source: demo, queries: [cpu],\n"
                      "         thresholds: [{value: 90, severity: severe}, {value: 95, severity: critical, op: ge}]}"),
        ["wall.yaml:7:45 dashboards[0].panels[0].thresholds[0].severity: expected one of critical, high, "
         "warning, info, got 'severe'",
         "wall.yaml:7:90 dashboards[0].panels[0].thresholds[1].op: expected one of gt, lt, got 'ge'"],
        id="threshold-severity-and-op",
    ),
    pytest.param(
        VALID.replace("{id: note, kind: text, title: Note, text: hi}",
                      "{id: note, kind: text, title: Note, text: hi, grid: {x: 20, y: 0, w: 6, h: 2}}"),
        ["wall.yaml:6:61 dashboards[0].panels[0].grid: x + w = 26 is wider than the dashboard's 24 columns"],
        id="grid-too-wide",
    ),
    pytest.param(
        VALID.replace("{id: note, kind: text, title: Note, text: hi}",
                      "{id: cpu, kind: gauge, title: CPU, source: demo, queries: [cpu], min: 100, max: 0,\n"
                      "         decimals: -1, window: 0}"),
        ["wall.yaml:6:89 dashboards[0].panels[0].max: max must be greater than min (100), got 0",
         "wall.yaml:7:20 dashboards[0].panels[0].decimals: must be at least 0, got -1",
         "wall.yaml:7:32 dashboards[0].panels[0].window: must be greater than 0s, got 0"],
        id="panel-number-bounds",
    ),
    pytest.param(
        VALID + "playlists:\n  - {id: rotate, dashboards: [main, mian, other]}\n",
        ["wall.yaml:8:37 playlists[0].dashboards[1]: unknown dashboard 'mian'; did you mean 'main'?",
         "wall.yaml:8:43 playlists[0].dashboards[2]: unknown dashboard 'other'; configured dashboards: main"],
        id="playlist-unknown-dashboard",
    ),
    pytest.param(
        VALID + "playlists:\n  - {id: rotate, dashboards: [main]}\n"
        "screens:\n  - {id: left, dashboard: main, playlist: rotate}\n  - {id: right}\n"
        "  - {id: top, playlist: rotat}\n",
        ["wall.yaml:10:33 screens[0].playlist: give either 'dashboard' or 'playlist', not both",
         "wall.yaml:11:5 screens[1]: missing required key 'dashboard' (or 'playlist')",
         "wall.yaml:12:25 screens[2].playlist: unknown playlist 'rotat'; did you mean 'rotate'?"],
        id="screens",
    ),
    pytest.param(
        VALID + "severity_policy:\n  - {id: P0, severity: sev1, response_time: soon}\n",
        ["wall.yaml:8:24 severity_policy[0].severity: expected one of critical, high, warning, info, got 'sev1'",
         "wall.yaml:8:45 severity_policy[0].response_time: expected a duration like 15s, 5m, 1h, "
         "or 'immediate' or 'next-business-day', got 'soon'"],
        id="severity-policy",
    ),
    pytest.param(
        VALID + "actions:\n  runbooks:\n    - {id: restart, argv: systemctl restart api}\n"
        "    - {id: nothing}\n    - {id: both, webhook_url: 'http://hooks:8080/x', argv: [true], method: TRACE}\n",
        ["wall.yaml:9:27 actions.runbooks[0].argv: expected a list of arguments (argv), got a string; "
         "shell command strings are not allowed",
         "wall.yaml:10:7 actions.runbooks[1]: missing required key 'http' (or 'argv')",
         "wall.yaml:11:54 actions.runbooks[2].argv: give either 'webhook_url' or 'argv', not both",
         "wall.yaml:11:76 actions.runbooks[2].method: expected one of GET, POST, PUT, PATCH, DELETE, got 'TRACE'"],
        id="runbooks",
    ),
    pytest.param(
        VALID.replace("{id: demo, kind: demo}", "{id: demo, kind: demo, read_only: !!python/name:os.system ''}"),
        ["wall.yaml:2:39 sources[0].read_only: unsupported YAML tag '!!python/name:os.system'"],
        id="unsafe-yaml-tag",
    ),
    pytest.param(
        VALID + "  - {id: seed, import_grafana: /nonexistent/seed.json, source: prometheus}\n",
        ["wall.yaml:7:32 dashboards[1].import_grafana: Grafana dashboard not found: /nonexistent/seed.json",
         "wall.yaml:7:64 dashboards[1].source: unknown source 'prometheus'; configured sources: demo"],
        id="grafana-import-missing-file",
    ),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_broken_config_reports_exact_problems(text: str, expected: list[str]) -> None:
    assert problems_of(text) == expected


def test_all_problems_reported_in_one_pass() -> None:
    text = """\
    title: [not, a, string]
    sources:
      - {id: prom, kind: prometheus}
      - {id: prom, kind: loki, url: 'http://loki:3100', auth: {password: x}}
    dashboards:
      - id: main
        panels:
          - {id: a, kind: stat, title: A, source: nope, queries: [up], thresholds: [1, high]}
          - {id: a, kind: chart, title: B}
    screens:
      - {id: s, playlist: missing}
    """
    assert problems_of(text) == [
        "wall.yaml:1:8 title: expected a string, got a list",
        "wall.yaml:3:5 sources[0]: missing required key 'url'",
        "wall.yaml:4:10 sources[1].id: duplicate source id 'prom' (first at line 3)",
        "wall.yaml:4:60 sources[1].auth.password: a secret must not be written in the config file; put it in an "
        "environment variable and write 'password_env: NOC_PROM_PASSWORD' "
        "(or 'password_keyring: {service: ..., username: ...}')",
        "wall.yaml:8:47 dashboards[0].panels[0].source: unknown source 'nope'; configured sources: prom",
        "wall.yaml:8:84 dashboards[0].panels[0].thresholds[1]: expected a number, got 'high'",
        "wall.yaml:9:14 dashboards[0].panels[1].id: duplicate panel id 'a' (first at line 8)",
        "wall.yaml:9:23 dashboards[0].panels[1].kind: expected one of timeseries, stat, gauge, incidents, logs, "
        "targets, text, bargauge, table, heatmap, status, apdex, clock, slo, got 'chart'",
        "wall.yaml:11:23 screens[0].playlist: unknown playlist 'missing'; no playlists are configured",
    ]


def test_problem_fields_point_at_the_node() -> None:
    with pytest.raises(ConfigError) as info:
        load_config_text(VALID.replace("kind: demo}", "kind: 7}"), filename="wall.yaml")
    (problem,) = info.value.problems
    assert problem == Problem("wall.yaml", 2, 22, "sources[0].kind",
                              "expected one of demo, localhost, prometheus, alertmanager, loki, elasticsearch, "
                              "journald, pagerduty, opsgenie, got 7")


def test_missing_file_is_one_problem_at_line_zero(tmp_path) -> None:
    missing = tmp_path / "wall.yaml"
    with pytest.raises(ConfigError) as info:
        load_config(missing)
    assert info.value.problems == (Problem(str(missing), 0, 0, "", "config file not found"),)
    assert str(info.value) == f"{missing}: config file not found"


def test_directory_instead_of_file(tmp_path) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    assert [p.message for p in info.value.problems] == ["is a directory; expected a YAML config file"]


def test_problems_in_a_real_file_name_that_file(tmp_path) -> None:
    path = tmp_path / "wall.yaml"
    path.write_text(VALID.replace("title: Note", "titel: Note"), encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(info.value) == (
        f"{path}:6:9 dashboards[0].panels[0]: missing required key 'title'\n"
        f"{path}:6:32 dashboards[0].panels[0].titel: unknown key 'titel'; did you mean 'title'?"
    )


def test_mangled_configs_give_config_errors_never_crashes() -> None:
    """Deterministic mutations of a full config: every outcome is a config or located problems."""
    import random
    from pathlib import Path

    base = (Path(__file__).parent / "fixtures" / "configs" / "full.yaml").read_text(encoding="utf-8")
    values = ["", "[]", "{}", "[1, 2]", "{a: 1}", "~", "-1", "0", "1e999", "!!binary aGk=", "'x'", "*nope",
              "? [k] : v", ".nan", "2024-01-01", "yes", "{<<: [{a: 1}]}", "!!python/tuple [1]"]
    rng = random.Random(20240601)
    outcomes = {"ok": 0, "problems": 0}
    for _ in range(300):
        lines = base.splitlines()
        for _ in range(rng.randint(1, 3)):
            index = rng.randrange(len(lines))
            key, colon, _value = lines[index].partition(":")
            if colon and rng.random() < 0.7:
                lines[index] = f"{key}: {rng.choice(values)}"
            else:
                del lines[index]
        try:
            load_config_text("\n".join(lines), filename="f.yaml", base_dir=Path(__file__).parent)
            outcomes["ok"] += 1
        except ConfigError as err:
            assert err.problems and all(p.line >= 1 and p.column >= 1 and p.message for p in err.problems)
            outcomes["problems"] += 1
    assert outcomes["problems"] > 200  # the mutations really break things
