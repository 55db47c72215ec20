"""Template variables: values as substituted, the `variables:` config section, label_values() resolution."""

from __future__ import annotations

import textwrap

import pytest

from noc_app.config.loader import ConfigError, load_config_text
from noc_app.config.schema import ALL_VALUE, VariableConfig
from noc_app.model import QueryResult, Snapshot
from noc_app.sources.base import MetricQuery, PollPlan
from noc_app.sources.variable_resolver import VariableResolvingSource, resolve
from noc_app.variables import filter_values, parse_label_values, regex_escape, variable_value


def load(text: str):
    return load_config_text(textwrap.dedent(text), filename="wall.yaml")


@pytest.mark.parametrize(("var", "options", "expected"), [
    (VariableConfig(name="v", kind="constant", current=("x",)), (), "x"),
    (VariableConfig(name="v", options=("a", "b"), current=("b",)), (), "b"),
    (VariableConfig(name="v", options=("a", "b")), (), "a"),  # nothing saved: the first option
    (VariableConfig(name="v", options=("a.b", "c"), current=("a.b", "c"), multi=True), (), "(a\\\\.b|c)"),
    (VariableConfig(name="v", current=(ALL_VALUE,), include_all=True), ("x", "y+"), "(x|y\\\\+)"),
    (VariableConfig(name="v", current=(ALL_VALUE,), include_all=True, all_value=".*"), ("x",), ".*"),
    (VariableConfig(name="v", current=(ALL_VALUE,), include_all=True), (), ".*"),
    (VariableConfig(name="v", kind="query", query="label_values(up, job)"), (), None),  # not resolved yet
    (VariableConfig(name="v", kind="query", query="label_values(up, job)"), ("api", "node"), "api"),
    (VariableConfig(name="v", kind="query", query="q", current=("gone",)), ("api",), "api"),  # stale saved value
    (VariableConfig(name="v", kind="query", query="q", current=("",)), (), ""),  # Grafana's "None"
])
def test_variable_value(var, options, expected) -> None:
    assert variable_value(var, options) == expected


def test_regex_escape_for_a_promql_string() -> None:
    # The regex escape is itself escaped once more for the PromQL double-quoted string it lands in.
    assert regex_escape("10.0.0.1:9100") == "10\\\\.0\\\\.0\\\\.1:9100"
    assert regex_escape("a\\b") == "a\\\\\\\\b"


def test_parse_label_values() -> None:
    assert parse_label_values('label_values(node_uname_info{job="$job"}, instance)') == (
        'node_uname_info{job="$job"}', "instance")
    assert parse_label_values("label_values(job)") == (None, "job")
    assert parse_label_values("query_result(up)") is None


def test_grafana_variable_regex_keeps_the_first_group() -> None:
    values = ["10.0.0.1:9100", "10.0.0.2:9100", "nohost"]
    assert filter_values(values, "/([^:]+):.*/") == ("10.0.0.1", "10.0.0.2")
    assert filter_values(values, "/[^:]+:(.*)/") == ("9100",)
    assert filter_values(values, "") == tuple(values)


def test_variables_config_top_level_dashboard_and_titles() -> None:
    config = load("""\
        sources: [{id: prom, kind: prometheus, url: 'http://p:9090'}]
        variables:
          job: node
          instance: [a:9100, b:9100]
        dashboards:
          - id: d
            title: Hosts of $job
            variables:
              job: api
              node: {query: 'label_values(up{job="$job"}, instance)', include_all: true, current: All}
            panels:
              - {id: p, kind: stat, title: 'Up on ${instance}', source: prom,
                 queries: [{expr: 'up{job="$job"}', legend: '[[job]] {{instance}}'}]}
        """)
    (dash,) = config.dashboards
    assert dash.title == "Hosts of api"
    assert dash.variables["instance"] == "(a:9100|b:9100)"
    assert dash.panels[0].title == "Up on (a:9100|b:9100)"
    assert dash.panels[0].queries[0].legend == "api {{instance}}"
    assert [v.name for v in dash.variable_defs] == ["job", "instance", "node"]
    assert dash.variables["node"] == ".*"  # All, nothing resolved yet


def test_variables_on_an_import_override_the_saved_value(tmp_path) -> None:
    (tmp_path / "d.json").write_text(
        '{"panels": [{"type": "stat", "title": "T", "targets": [{"expr": "up{instance=\\"$node\\"}"}]}],'
        ' "templating": {"list": [{"name": "node", "type": "query", "query": "label_values(up, instance)"}]}}',
        encoding="utf-8")
    config = load_config_text("sources: [{id: prom, kind: prometheus, url: 'http://p:9090'}]\n"
                              "dashboards:\n  - {id: d, import_grafana: d.json, source: prom, "
                              "variables: {node: 'h:9100'}}\n", filename="wall.yaml", base_dir=tmp_path)
    (dash,) = config.dashboards
    assert dash.variables == {"node": "h:9100"}
    assert dash.variable_defs[0].query == "label_values(up, instance)"  # still refreshed from the source


def test_bad_variables_are_clear_config_errors() -> None:
    with pytest.raises(ConfigError) as info:
        load("""\
            sources: [{id: prom, kind: prometheus, url: 'http://p:9090'}]
            dashboards:
              - id: d
                variables:
                  a: {query: 'count(up)'}
                  b: {regex: '/(/'}
                  c: {}
                panels: [{id: t, kind: text, title: T, text: x}]
            """)
    assert [str(p) for p in info.value.problems] == [
        "wall.yaml:5:18 dashboards[0].variables.a.query: expected label_values(metric{...}, label) or "
        "label_values(label), got 'count(up)'",
        "wall.yaml:6:10 dashboards[0].variables.b: expected 'query', 'values' or 'current'",
        "wall.yaml:6:18 dashboards[0].variables.b.regex: expected a regular expression, got '/(/'",
        "wall.yaml:7:10 dashboards[0].variables.c: expected 'query', 'values' or 'current'",
    ]


NODE_DEFS = (
    VariableConfig(name="job", kind="query", query="label_values(node_uname_info, job)"),
    VariableConfig(name="node", kind="query", query='label_values(node_uname_info{job="$job"}, instance)'),
)


def test_resolve_substitutes_earlier_variables_into_later_selectors() -> None:
    calls = []

    def fetch(label, match):
        calls.append((label, match))
        return {"job": ["node", "api"], "instance": ["h2:9100", "h1:9100"]}[label]

    resolution = resolve(NODE_DEFS, fetch)
    assert calls == [("job", "node_uname_info"), ("instance", 'node_uname_info{job="api"}')]
    assert resolution.options == {"job": ("api", "node"), "node": ("h1:9100", "h2:9100")}


def test_resolve_explains_a_variable_without_values() -> None:
    resolution = resolve(NODE_DEFS, lambda label, match: [])
    assert resolution.problems == {"job": "label_values(node_uname_info, job) found no values",
                                   "node": "depends on $job, which has no value"}


class FakeSource:
    def __init__(self, plans):
        self.plans = plans
        self.closed = False

    def poll(self):
        plan = self.plans[-1]
        return Snapshot.build("prom", 0.0, metrics={q.key: QueryResult.build() for q in plan.metrics})

    def close(self):
        self.closed = True


def _resolving(fetch, clock):
    plans = []
    built = []

    def factory(config, plan):
        plans.append(plan)
        built.append(FakeSource(plans))
        return built[-1]

    from noc_app.config.schema import SourceConfig

    plan = PollPlan(metrics=(
        MetricQuery(key="d/cpu/0", expr='rate(node_cpu_seconds_total{instance="$node"}[$__rate_interval])',
                    legend="$node {{cpu}}"),
        MetricQuery(key="other/x/0", expr="up"),
    ))
    source = VariableResolvingSource(SourceConfig(id="prom", kind="prometheus", url="http://p"), plan,
                                     {"d": NODE_DEFS}, factory, fetch=fetch, clock=clock, refresh_s=300)
    return source, plans, built


def test_queries_wait_for_their_variables_and_say_which_is_missing() -> None:
    now = [0.0]
    answers = {"job": [], "instance": []}
    source, plans, built = _resolving(lambda label, match: answers[label], lambda: now[0])
    snapshot = source.poll()
    assert snapshot.metrics["d/cpu/0"].error == (
        "dashboard variable $node has no value: $job has none: label_values(node_uname_info, job) found no values")
    assert [q.key for q in plans[-1].metrics] == ["other/x/0"]  # not sent: it would match nothing
    answers.update(job=["node"], instance=["h1:9100"])
    now[0] = 100.0
    source.poll()
    assert len(plans) == 1  # the slow timer has not come round
    now[0] = 301.0
    snapshot = source.poll()
    assert snapshot.metrics["d/cpu/0"].error is None
    (cpu,) = [q for q in plans[-1].metrics if q.key == "d/cpu/0"]
    assert cpu.variables == {"job": "node", "node": "h1:9100"}
    assert cpu.legend == "h1:9100 {{cpu}}"  # legends get the resolved value too
    assert built[0].closed  # the old adapter was replaced, not leaked
