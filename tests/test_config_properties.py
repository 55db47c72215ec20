"""Property tests: random and hostile YAML and JSON give a config or a clear error, nothing else.

"Clear error" means ConfigError (YAML) or GrafanaImportError/GrafanaFileError
(JSON) with at least one located, non-empty message; any other exception
(RecursionError, MemoryError, OverflowError, ValueError, ...) fails the test.
"""

from __future__ import annotations

import json
import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from noc_app.config.errors import ConfigError
from noc_app.config.grafana_file import GrafanaFileError, parse_grafana_json
from noc_app.config.grafana_import import GrafanaImportError, grafana_to_dashboard
from noc_app.config.loader import load_config_text
from noc_app.config.schema import AppConfig, DashboardConfig

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

VALID = """\
sources:
  - {id: prom, kind: prometheus, url: 'http://prom:9090', interval: 15s, options: {max_series: 10}}
  - {id: am, kind: alertmanager, url: 'http://am:9093'}
dashboards:
  - id: main
    columns: 24
    panels:
      - {id: cpu, kind: stat, title: CPU, source: prom, queries: [up], decimals: 1, grid: {x: 0, y: 0, w: 6, h: 4}}
      - {id: inc, kind: incidents, title: Alerts, sources: [am], limit: 50}
      - {id: ts, kind: timeseries, title: T, source: prom, queries: [up], window: 1h, thresholds: [1, 5]}
screens:
  - {id: main, screen: 0, dashboard: main}
playlists:
  - {id: p, dashboards: [main], interval: 1m}
"""

HOSTILE_SCALARS = [
    "", "~", "-1", "0", "1e20", "2e9", "100000000000000000000", "9" * 400, "1.0e+400", ".nan", ".inf", "-.inf",
    "99999999d", "30d", "2d", "0.0001ms", "'1' ", "!!binary aGk=", "!!python/tuple [1]", "!!timestamp 2024-99-99",
    "2024-13-45", "*nowhere", "&a [*a]", "{<<: [{a: 1}]}", "[[[[[[[[]]]]]]]]", "{a: {b: {c: {}}}}", "yes", "null",
    "'http://u:p@h'", "'http://h/?api_key=x'", "'http://[::1'", "/dev/zero", "/etc/passwd", "'~nouser/x'",
    "'\\u202e'", "\"\\0\"", "0x7fffffffffffffff", "0o777", "1_000", "190:20:30", "-0", "+.5",
]
KEYS = [
    "interval", "timeout", "max_response_mb", "decimals", "limit", "window", "screen", "columns", "rows", "x", "y",
    "w", "h", "min", "max", "thresholds", "options", "auth", "tls", "url", "ca_file", "max_series", "lookback",
    "access_token", "X-Vault-Token", "follow_redirects", "<<", "kind", "id", "source", "queries", "text",
]


def assert_clear_outcome(text: str) -> None:
    try:
        config = load_config_text(text, filename="p.yaml", base_dir="/nonexistent-base")
    except ConfigError as err:
        assert err.problems, "a ConfigError without problems"
        for problem in err.problems:
            assert problem.message and problem.line >= 1 and problem.column >= 1, str(problem)
        return
    assert isinstance(config, AppConfig)


@SETTINGS
@given(st.text(alphabet=string.printable + "\u202e\u00e9\x00", max_size=400))
def test_random_text_gives_a_config_or_located_problems(text: str) -> None:
    assert_clear_outcome(text)


@st.composite
def mutated_configs(draw: st.DrawFn) -> str:
    """VALID with a few lines replaced by hostile keys and values, or removed."""
    lines = VALID.splitlines()
    for _ in range(draw(st.integers(1, 4))):
        index = draw(st.integers(0, len(lines) - 1))
        indent = len(lines[index]) - len(lines[index].lstrip())
        action = draw(st.sampled_from(["value", "key", "inline", "option", "drop"]))
        scalar = draw(st.sampled_from(HOSTILE_SCALARS))
        key = draw(st.sampled_from(KEYS))
        if action == "value" and ":" in lines[index]:
            lines[index] = lines[index].split(":", 1)[0] + ": " + scalar
        elif action == "key":
            lines.insert(index, " " * indent + f"{key}: {scalar}")
        elif action == "inline" and lines[index].rstrip().endswith("}"):
            lines[index] = lines[index].rstrip()[:-1] + f", {key}: {scalar}}}"
        elif action == "option":  # inside the options mapping, where values are free-form
            lines[1] = lines[1].replace("max_series: 10", f"{key}: {scalar}")
        else:
            del lines[index]
    return "\n".join(lines) + "\n"


@SETTINGS
@given(mutated_configs())
def test_mutated_configs_give_a_config_or_located_problems(text: str) -> None:
    assert_clear_outcome(text)


@st.composite
def structured_bombs(draw: st.DrawFn) -> str:
    """Anchors, aliases and merge keys chained to random widths and depths, plus random nesting."""
    width, levels = draw(st.integers(1, 12)), draw(st.integers(1, 12))
    if width == 1:  # a chain: cheap in nodes, deep once aliases expand
        levels = draw(st.integers(1, 300))
    merge = draw(st.booleans())
    lines = ["x-a0: &a0 {k: v, n: 1}" if merge else "x-a0: &a0 [x, y]"]
    for level in range(1, levels):
        refs = ", ".join([f"*a{level - 1}"] * width)
        lines.append(f"x-a{level}: &a{level} {{<<: [{refs}], l{level}: 1}}" if merge else f"x-a{level}: &a{level} [{refs}]")
    depth = draw(st.integers(0, 300))
    opener, closer = draw(st.sampled_from([("[", "]"), ("{a: ", "}")]))
    lines.append("x-deep: " + opener * depth + "1" + closer * depth)
    where = draw(st.sampled_from(["options", "auth", "tls", "headers"]))
    lines.append(f"sources:\n  - {{id: p, kind: prometheus, url: 'http://p:9090', {where}: *a{levels - 1}}}")
    lines.append("dashboards: [{id: d, panels: [{id: t, kind: text, title: T, text: x}]}]")
    return "\n".join(lines) + "\n"


@SETTINGS
@given(structured_bombs())
def test_alias_merge_and_nesting_bombs_give_a_config_or_located_problems(text: str) -> None:
    assert_clear_outcome(text)


# -- Grafana JSON ----------------------------------------------------------------------

json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=20),
    st.sampled_from(["1e999", "-1e999", "85,95", "#ff0000", "rgba(1,2,3,0.5)", "row", "graph", "stat", "200px"]),
)
# Values that broke the importer or would break what it hands on: overflow, nan, huge sizes.
hostile_json = st.sampled_from([
    float("inf"), float("-inf"), float("nan"), 1e308, -1e308, 10**400, 2**63, -1, 0, 10**9, "1e999", "nan", "",
    "Infinity", None, True, [], {}, "9" * 30,
])
json_values = st.recursive(
    st.one_of(json_scalars, hostile_json),
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(st.text(max_size=8), children, max_size=4)),
    max_leaves=30,
)
PANEL_KEYS = ["type", "title", "targets", "gridPos", "thresholds", "colors", "fieldConfig", "decimals", "span",
              "panels", "gauge", "yaxes", "format", "datasource", "options", "collapsed"]
panels = st.dictionaries(st.sampled_from(PANEL_KEYS), st.one_of(hostile_json, json_values), max_size=8).map(
    lambda panel: {"type": "stat", "targets": [{"expr": "up"}], **panel}
)
grid_pos = st.fixed_dictionaries({key: st.one_of(st.integers(-(10**12), 10**12), hostile_json)
                                  for key in ("x", "y", "w", "h")})
dashboards = st.fixed_dictionaries({
    "panels": st.lists(st.one_of(panels, panels.flatmap(lambda p: grid_pos.map(lambda g: {**p, "gridPos": g}))),
                       max_size=12),
    "rows": st.lists(st.fixed_dictionaries({"panels": st.lists(panels, max_size=3), "height": hostile_json}),
                     max_size=3),
    "templating": json_values,
    "title": json_scalars,
})


def assert_grafana_outcome(text: str) -> None:
    try:
        data = parse_grafana_json(text)
        dashboard = grafana_to_dashboard(data, dashboard_id="d", source_id="prom", origin="test")
    except (GrafanaFileError, GrafanaImportError) as err:
        assert str(err)
        return
    assert isinstance(dashboard, DashboardConfig)
    for panel in dashboard.panels:  # what the importer hands on is within the config's own bounds
        assert 0 <= panel.grid.x < 24 and 1 <= panel.grid.w <= 24 and 1 <= panel.grid.h <= 100
        assert panel.decimals is None or 0 <= panel.decimals <= 10


@SETTINGS
@given(dashboards)
def test_random_grafana_dashboards_import_or_give_a_clear_error(board: dict[str, object]) -> None:
    assert_grafana_outcome(json.dumps(board))


@SETTINGS
@given(json_values)
def test_random_json_values_import_or_give_a_clear_error(value: object) -> None:
    assert_grafana_outcome(json.dumps(value))


@SETTINGS
@given(st.integers(0, 5000), st.sampled_from(["[", "{\"a\": "]), st.text(max_size=30))
def test_deep_and_broken_json_gives_a_clear_error(depth: int, opener: str, tail: str) -> None:
    closer = "]" if opener == "[" else "}"
    assert_grafana_outcome(opener * depth + tail + closer * depth)
