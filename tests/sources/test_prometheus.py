"""Contract tests: PrometheusSource against recorded Prometheus API payloads (MockTransport)."""

from __future__ import annotations

import json
import math
import re

import httpx
import numpy as np
import pytest

from noc_app.model import AlertState, Severity
from noc_app.sources.base import MetricQuery, PollPlan, Source, Unreachable
from noc_app.sources.prometheus import PrometheusSource
from noc_app.sources.registry import create_source

from .conftest import (
    Backend,
    fixture_bytes,
    fixture_json,
    form_of,
    json_response,
    source_config,
)

PROM = "prometheus"
NOW = 1795833163.4  # shortly after the 2.42.0 captures were taken
URL = "http://prom.test:9090"


def make_source(
    backend: Backend, *queries: MetricQuery, url: str = URL, **plan_and_config: object
) -> PrometheusSource:
    plan = PollPlan(
        metrics=queries,
        alerts=plan_and_config.pop("alerts", False),
        targets=plan_and_config.pop("targets", False),
    )
    config = source_config(PROM, url, **plan_and_config)
    return PrometheusSource(config, plan, transport=backend.transport, clock=lambda: NOW)


def answer_queries(backend: Backend, answers: dict[str, tuple[bytes, int]]) -> None:
    """Serve both query endpoints; each query text gets its (body, status)."""

    def handler(request: httpx.Request) -> httpx.Response:
        body, status = answers[form_of(request)["query"]]
        return json_response(body, status)

    backend.route("/api/v1/query", handler)
    backend.route("/api/v1/query_range", handler)


def only_query(backend: Backend) -> dict[str, str]:
    forms = [form_of(r) for r in backend.requests if r.url.path.startswith("/api/v1/query")]
    assert len(forms) == 1
    return forms[0]


# -- result types ------------------------------------------------------------


def test_range_query_posts_aligned_form_and_parses_matrix(backend):
    expr = "sum by (handler, code) (rate(prometheus_http_requests_total[$__rate_interval]))"
    query = MetricQuery(key="d/p/0", expr=expr, legend="{{handler}} {{code}}", window_s=3600, max_points=720)
    backend.route("/api/v1/query_range", fixture_bytes(PROM, "query_range_matrix.prom_v2.42.0.json"))
    snap = make_source(backend, query).poll()

    request = backend.requests[-1]
    assert request.method == "POST" and request.url.path == "/api/v1/query_range"
    form = only_query(backend)
    # 3600 s / 720 points = 5 s step; $__rate_interval = max(4 x 15s, 5s + 15s) = 1m.
    assert form["query"] == "sum by (handler, code) (rate(prometheus_http_requests_total[1m]))"
    assert form["step"] == "5"
    assert int(form["end"]) % 5 == 0 and NOW - 5 < int(form["end"]) <= NOW
    assert int(form["end"]) - int(form["start"]) == 3600
    assert form["timeout"] == "9s"  # 0.9 x the 10 s client timeout

    result = snap.metrics["d/p/0"]
    assert result.error is None
    assert len(result.series) == 12
    first = result.series[0]
    assert first.name == "/api/v1/alerts 200"
    assert first.key == '{code="200", handler="/api/v1/alerts"}'
    assert dict(first.labels) == {"code": "200", "handler": "/api/v1/alerts"}
    np.testing.assert_array_equal(first.x, [1795833118, 1795833133, 1795833148, 1795833163])
    np.testing.assert_allclose(first.y, [0, 0, 0.05555555555555556, 0.05555555555555556])
    assert first.x.dtype == np.float64 and first.y.dtype == np.float64
    assert {len(s.x) for s in result.series} == {2, 3, 4, 5}  # ragged, as recorded


def test_doc_matrix_keeps_fractional_timestamps_and_default_legend(backend):
    backend.route("/api/v1/query_range", fixture_bytes(PROM, "query_range_matrix.doc.json"))
    snap = make_source(backend, MetricQuery(key="k", expr="up")).poll()
    series = snap.metrics["k"].series
    assert [s.name for s in series] == [
        'up{instance="localhost:9090", job="prometheus"}',
        'up{instance="localhost:9091", job="node"}',
    ]
    np.testing.assert_array_equal(series[0].x, [1435781430.781, 1435781445.781, 1435781460.781])
    np.testing.assert_array_equal(series[1].y, [0.0, 0.0, 1.0])


def test_instant_query_vector_has_one_point_per_series(backend):
    backend.route("/api/v1/query", fixture_bytes(PROM, "query_vector_up.prom_v2.42.0.json"))
    query = MetricQuery(key="stat", expr="up", legend="{{job}}", instant=True)
    snap = make_source(backend, query).poll()

    form = only_query(backend)
    assert backend.requests[-1].url.path == "/api/v1/query"
    assert float(form["time"]) == pytest.approx(NOW)
    assert "step" not in form and "start" not in form
    result = snap.metrics["stat"]
    assert [(s.name, s.last_value, s.last_time) for s in result.series] == [
        ("prometheus", 1.0, 1795833139.0),
        ("node", 0.0, 1795833139.0),
    ]


def test_instant_query_may_answer_with_a_matrix(backend):
    backend.route("/api/v1/query", fixture_bytes(PROM, "query_matrix_instant.openapi_example.json"))
    snap = make_source(backend, MetricQuery(key="k", expr="up[5m]", instant=True)).poll()
    (series,) = snap.metrics["k"].series
    np.testing.assert_array_equal(series.x, [1767436320, 1767436620])


@pytest.mark.parametrize(
    ("fixture", "legend", "name", "value"),
    [
        ("query_scalar.prom_v2.42.0.json", "", "scalar", 1.0),
        ("query_scalar.openapi_example.json", "Answer", "Answer", 42.0),
    ],
)
def test_scalar_result_is_one_series(backend, fixture, legend, name, value):
    backend.route("/api/v1/query", fixture_bytes(PROM, fixture))
    query = MetricQuery(key="k", expr="scalar(sum(up))", legend=legend, instant=True)
    snap = make_source(backend, query).poll()
    (series,) = snap.metrics["k"].series
    assert (series.key, series.name, series.last_value) == ("scalar", name, value)
    assert dict(series.labels) == {}


def test_string_result_is_a_query_error_not_numbers(backend):
    backend.route("/api/v1/query", fixture_bytes(PROM, "query_string.prom_v2.42.0.json"))
    snap = make_source(backend, MetricQuery(key="k", expr='"noc"', instant=True)).poll()
    result = snap.metrics["k"]
    assert result.series == ()
    assert result.error == "query returned a string, not numbers: 'noc'"


def test_nan_and_infinities_parse_as_floats(backend):
    backend.route("/api/v1/query_range", fixture_bytes(PROM, "query_range_nan_inf.prom_v2.42.0.json"))
    snap = make_source(backend, MetricQuery(key="k", expr="x", legend="{{v}}", window_s=20)).poll()
    by_name = {s.name: s.y for s in snap.metrics["k"].series}
    assert np.isnan(by_name["nan"]).all() and len(by_name["nan"]) == 3
    assert (by_name["pos_inf"] == math.inf).all()
    assert (by_name["neg_inf"] == -math.inf).all()
    # A series of only NaN has no "last value" to show.
    assert math.isnan(snap.metrics["k"].series[0].last_value)


@pytest.mark.parametrize(
    ("line", "timestamp", "value"),
    [
        (6, 0.001, 20.0),
        (12, 12345678123456.555, 20.0),
        (13, -0.001, 20.0),
        (14, 0.0, math.nan),
        (15, 0.0, math.inf),
        (16, 0.0, -math.inf),
        (18, 0.0, 0.0000012345678),
        (19, 0.0, 1.2345678e-67),
    ],
)
def test_wire_encodings_of_samples(backend, line, timestamp, value):
    """Prometheus' json_codec_test sample encodings, wrapped as the scalar result they encode."""
    lines = fixture_bytes(PROM, "json_codec_expected_outputs.test.ndjson").splitlines()
    sample = json.loads(lines[line - 1])["data"]
    body = {"status": "success", "data": {"resultType": "scalar", "result": sample}}
    backend.route("/api/v1/query", json_response(body))
    (series,) = make_source(backend, MetricQuery(key="k", expr="x", instant=True)).poll().metrics["k"].series
    assert series.x[0] == timestamp
    np.testing.assert_equal(series.y[0], value)


def test_warnings_and_infos_travel_with_the_result(backend):
    backend.route("/api/v1/query", fixture_bytes(PROM, "query_vector_with_warnings.cortex_test.json"))
    snap = make_source(backend, MetricQuery(key="k", expr="up", instant=True)).poll()
    assert snap.metrics["k"].warnings == ("warning1", "warning2")
    assert len(snap.metrics["k"].series) == 1

    payload = fixture_json(PROM, "query_vector_with_warnings.cortex_test.json")
    payload["infos"] = ["PromQL info: metric might not be a counter"]
    backend.route("/api/v1/query", json_response(payload))
    snap = make_source(backend, MetricQuery(key="k", expr="up", instant=True)).poll()
    assert snap.metrics["k"].warnings[-1] == "info: PromQL info: metric might not be a counter"


@pytest.mark.parametrize(
    "fixture", ["query_native_histogram.openapi_example.json", "query_range_histogram.openapi_example.json"]
)
def test_native_histograms_are_skipped_with_a_hint(backend, fixture):
    backend.route("/api/v1/query", fixture_bytes(PROM, fixture))
    query = MetricQuery(key="k", expr="http_request_duration_seconds", instant=True)
    snap = make_source(backend, query).poll()
    result = snap.metrics["k"]
    assert result.series == () and result.error is None
    assert "1 native histogram series skipped" in result.warnings[0]
    assert "histogram_quantile()" in result.warnings[0]


def test_too_many_series_are_capped_and_marked_truncated(backend):
    backend.route("/api/v1/query_range", fixture_bytes(PROM, "query_range_matrix.prom_v2.42.0.json"))
    snap = make_source(backend, MetricQuery(key="k", expr="x"), options={"max_series": 3}).poll()
    assert len(snap.metrics["k"].series) == 3
    assert snap.metrics["k"].truncated == "showing 3 of 12 series"


# -- per-query errors --------------------------------------------------------

ERROR_FIXTURES = [
    ("error_bad_data_parse_400.prom_v2.42.0.json", 400,
     'bad_data: invalid parameter "query": 1:12: parse error: unclosed left parenthesis'),
    ("error_bad_data_resolution_400.prom_v2.42.0.json", 400,
     "bad_data: exceeded maximum resolution of 11,000 points per timeseries."),
    ("error_execution_many_to_many_422.prom_v2.42.0.json", 422,
     "execution: found duplicate series for the match group {} on the right hand-side"),
    ("error_execution_duplicate_labelset_422.prom_v2.42.0.json", 422,
     "execution: vector cannot contain metrics with the same labelset"),
    ("error_timeout_503.prom_v2.42.0.json", 503, "timeout: query timed out in query execution"),
    ("error_timeout_503.test.json", 503, "timeout: message"),
    ("error_internal_tsdb_not_ready.openapi_example.json", 500, "internal: TSDB not ready"),
    ("error_not_acceptable_406.test.json", 406,
     "not_acceptable: cannot encode response as application/default-format"),
]  # fmt: skip


@pytest.mark.parametrize(("fixture", "status", "message"), ERROR_FIXTURES)
def test_backend_error_envelope_fails_only_that_query(backend, fixture, status, message):
    answer_queries(
        backend,
        {
            "broken": (fixture_bytes(PROM, fixture), status),
            "up": (fixture_bytes(PROM, "query_vector_up.prom_v2.42.0.json"), 200),
        },
    )
    source = make_source(
        backend,
        MetricQuery(key="bad", expr="broken"),
        MetricQuery(key="good", expr="up", instant=True),
    )
    snap = source.poll()
    assert snap.metrics["bad"].error.startswith(message)
    assert snap.metrics["bad"].series == ()
    assert snap.metrics["good"].error is None
    assert len(snap.metrics["good"].series) == 2
    assert snap.degraded == ()


def test_unresolved_variable_is_named_in_the_error(backend):
    answer_queries(
        backend, {'up{job="$job"}': (fixture_bytes(PROM, "error_bad_data_parse_400.prom_v2.42.0.json"), 400)}
    )
    snap = make_source(backend, MetricQuery(key="k", expr='up{job="$job"}', instant=True)).poll()
    assert snap.metrics["k"].error.startswith("bad_data: ")
    assert "unresolved dashboard variable $job" in snap.metrics["k"].error


def test_dashboard_variables_are_substituted_before_sending(backend):
    vector = fixture_bytes(PROM, "query_vector_up.prom_v2.42.0.json")
    answer_queries(backend, {'up{job="api"}': (vector, 200)})
    query = MetricQuery(key="k", expr='up{job="$job"}', instant=True, variables={"job": "api"})
    assert make_source(backend, query).poll().metrics["k"].error is None
    assert only_query(backend)["query"] == 'up{job="api"}'


def test_step_follows_window_options_and_max_points(backend):
    answer_queries(backend, {"up": (fixture_bytes(PROM, "query_range_matrix.doc.json"), 200)})
    six_hours = MetricQuery(key="k", expr="up", window_s=6 * 3600, max_points=720)
    make_source(backend, six_hours).poll()
    assert only_query(backend)["step"] == "30"

    backend.requests.clear()
    short = MetricQuery(key="k", expr="up", window_s=300, max_points=720)
    make_source(backend, short, options={"min_step": "10s"}).poll()
    form = only_query(backend)
    assert form["step"] == "10"
    assert int(form["start"]) % 10 == 0 and int(form["end"]) % 10 == 0


def test_a_panel_with_an_empty_window_fails_alone(backend):
    answer_queries(backend, {"up": (fixture_bytes(PROM, "query_range_matrix.doc.json"), 200)})
    snap = make_source(backend, MetricQuery(key="bad", expr="up", window_s=0), MetricQuery(key="ok", expr="up")).poll()
    assert snap.metrics["bad"].error == "cannot query: window must be positive, got 0s"
    assert len(snap.metrics["ok"].series) == 2


# -- alerts, rules, targets, build info ----------------------------------------


def serve_alerting(backend: Backend) -> None:
    backend.route("/api/v1/alerts", fixture_bytes(PROM, "alerts.prom_v2.42.0.json"))
    backend.route("/api/v1/rules", fixture_bytes(PROM, "rules.prom_v2.42.0.json"))


def test_alerts_firing_on_board_pending_noted_and_rule_errors_degrade(backend):
    serve_alerting(backend)
    snap = make_source(backend, alerts=True).poll()

    names = {a.name: a for a in snap.alerts}
    assert sorted(names) == ["HighErrorRate", "SlowBurn", "TargetDown", "Watchdog"]
    assert snap.info["pending_alerts"] == "1 pending: SlowBurn"
    # Pending: on the board as developing, minutes before its `for:` lets it fire.
    slow = names["SlowBurn"]
    assert slow.state is AlertState.PENDING and slow.starts_at > 0 and slow.fingerprint
    assert [a.state for a in snap.alerts if a.name != "SlowBurn"] == [AlertState.FIRING] * 3
    down = names["TargetDown"]
    assert down.state is AlertState.FIRING
    assert down.severity is Severity.CRITICAL
    assert down.summary == "127.0.0.1:9 of job node is down"
    assert down.description == "Scrape target has been down."
    # Same identity as Alertmanager gives this alert (see get_alerts_peer1.am_v0.25.0.json).
    assert down.fingerprint == "165f69b496fd0767"
    assert down.starts_at == pytest.approx(1795833087.102854)
    assert down.url == f"{URL}/graph?g0.expr=up+%3D%3D+0&g0.tab=1"
    assert names["HighErrorRate"].severity is Severity.HIGH
    assert snap.degraded == ("rule HighErrorRate: vector cannot contain metrics with the same labelset",)
    assert snap.targets is None and snap.metrics == {}


def test_alerts_without_rules_endpoint_still_served(backend):
    backend.route("/api/v1/alerts", fixture_bytes(PROM, "alerts.openapi_example.json"))
    not_found = fixture_bytes(PROM, "not_found_404.prom_v2.42.0.txt")
    backend.route("/api/v1/rules", httpx.Response(404, content=not_found))
    snap = make_source(backend, alerts=True).poll()
    (watchdog,) = snap.alerts
    assert (watchdog.name, watchdog.severity, watchdog.url) == ("Watchdog", Severity.WARNING, f"{URL}/alerts")
    (reason,) = snap.degraded
    assert reason.startswith("rule health unavailable: HTTP 404 from") and "404 page not found" in reason


def test_doc_rules_without_errors_add_no_degraded_reason(backend):
    backend.route("/api/v1/alerts", fixture_bytes(PROM, "alerts.doc.json"))
    backend.route("/api/v1/rules", fixture_bytes(PROM, "rules.doc.json"))
    snap = make_source(backend, alerts=True).poll()
    assert snap.degraded == ()
    (alert,) = snap.alerts
    assert (alert.name, alert.severity) == ("my-alert", Severity.UNKNOWN)
    assert alert.starts_at == pytest.approx(1530728832.606021)


def test_targets_health_and_last_error(backend):
    backend.route("/api/v1/targets", fixture_bytes(PROM, "targets_state_active.prom_v2.42.0.json"))
    snap = make_source(backend, targets=True).poll()
    assert backend.requests[-1].url.params["state"] == "active"
    node, prom = snap.targets
    assert (node.job, node.instance, node.health) == ("node", "127.0.0.1:9", "down")
    assert "connect: connection refused" in node.last_error
    assert node.last_scrape == pytest.approx(1795833159.343593)
    assert (prom.job, prom.health, prom.last_error) == ("prometheus", "up", "")
    assert snap.alerts is None


def test_doc_targets_parse(backend):
    backend.route("/api/v1/targets", fixture_bytes(PROM, "targets.doc.json"))
    (target,) = make_source(backend, targets=True).poll().targets
    assert (target.job, target.instance, target.health) == ("prometheus", "127.0.0.1:9090", "up")


def test_buildinfo_fetched_once_and_kept_in_info(backend):
    backend.route("/api/v1/status/buildinfo", fixture_bytes(PROM, "status_buildinfo.prom_v2.42.0.json"))
    backend.route("/api/v1/query", fixture_bytes(PROM, "query_vector_up.prom_v2.42.0.json"))
    source = make_source(backend, MetricQuery(key="k", expr="up", instant=True))
    first, second = source.poll(), source.poll()
    assert first.info["version"] == second.info["version"] == "2.42.0+ds"
    assert backend.paths().count("/api/v1/status/buildinfo") == 1
    assert backend.paths().count("/api/v1/query") == 2


def test_missing_buildinfo_is_tolerated(backend):
    # No route: the mock answers Prometheus' own plain-text "404 page not found".
    backend.route("/api/v1/query", fixture_bytes(PROM, "query_vector_up.prom_v2.42.0.json"))
    source = make_source(backend, MetricQuery(key="k", expr="up", instant=True))
    assert source.poll().info == {}
    source.poll()
    assert backend.paths().count("/api/v1/status/buildinfo") == 1


# -- plumbing ----------------------------------------------------------------


def test_base_path_prefix_is_kept(backend):
    backend.route("/prometheus/api/v1/query", fixture_bytes(PROM, "query_vector_up.prom_v2.42.0.json"))
    query = MetricQuery(key="k", expr="up", instant=True)
    snap = make_source(backend, query, url="http://proxy.test/prometheus/").poll()
    assert snap.metrics["k"].error is None
    assert "/prometheus/api/v1/status/buildinfo" in backend.paths()


def test_first_transport_failure_stops_the_poll(backend):
    calls = []

    def refuse(request: httpx.Request) -> httpx.Response:
        calls.append(form_of(request)["query"])
        raise httpx.ConnectError("[Errno 111] Connection refused", request=request)

    backend.route("/api/v1/query", refuse)
    source = make_source(backend, *(MetricQuery(key=f"k{i}", expr=f"q{i}", instant=True) for i in range(3)))
    with pytest.raises(Unreachable, match="connection refused") as caught:
        source.poll()
    assert calls == ["q0"]  # the backend is down: q1 and q2 were not tried
    assert isinstance(caught.value.__cause__, httpx.ConnectError)


def test_snapshot_fingerprint_changes_only_with_data(backend):
    backend.route("/api/v1/query", fixture_bytes(PROM, "query_vector_up.prom_v2.42.0.json"))
    source = make_source(backend, MetricQuery(key="k", expr="up", instant=True))
    a, b = source.poll(), source.poll()
    assert a.fingerprint == b.fingerprint
    backend.route("/api/v1/query", fixture_bytes(PROM, "query_instant_vector.doc.json"))
    assert source.poll().fingerprint != a.fingerprint


def test_registry_builds_it_and_it_is_a_source(backend):
    config = source_config(PROM, URL)
    source = create_source(config, PollPlan(), transport=backend.transport, clock=lambda: NOW)
    assert isinstance(source, PrometheusSource) and isinstance(source, Source)
    assert (source.id, source.kind) == ("prometheus-test", "prometheus")
    source.close()
    source.close()  # idempotent


def test_config_problems_are_named():
    with pytest.raises(ValueError, match="needs a url"):
        PrometheusSource(source_config(PROM, None), PollPlan())
    with pytest.raises(ValueError, match=r"options\.scrape_interval"):
        PrometheusSource(source_config(PROM, URL, options={"scrape_interval": "soon"}), PollPlan())


def test_a_series_with_a_malformed_sample_is_dropped_with_a_note(backend):
    body = {"status": "success", "data": {"resultType": "matrix", "result": [
        {"metric": {"job": "x"}, "values": [[1, "1"], [2, "abc"]]},
        {"metric": {"job": "y"}, "values": [[1, "1"], [2, "2"]]}]}}  # fmt: skip
    backend.route("/api/v1/query_range", json_response(body))
    result = make_source(backend, MetricQuery(key="k", expr="x")).poll().metrics["k"]
    assert [s.key for s in result.series] == ['{job="y"}'] and result.error is None
    (note,) = result.warnings
    assert re.match(r'1 series dropped: series \{job="x"\}: samples are not \[timestamp, "value"\] pairs', note)


@pytest.mark.parametrize(("options", "expected"), [
    ({"pending_alerts": False}, ["HighErrorRate", "TargetDown", "Watchdog"]),
    ({"firing_alerts": False}, ["SlowBurn"]),  # beside an Alertmanager that lists the firing ones
])
def test_pending_and_firing_alerts_can_each_be_left_out(backend, options, expected):
    serve_alerting(backend)
    snap = make_source(backend, alerts=True, options=options).poll()
    assert sorted(a.name for a in snap.alerts) == expected


def test_boards_of_a_prometheus_source_are_prepared_in_the_poll_worker(backend):
    from noc_app.selectors_incidents import prepared_key

    serve_alerting(backend)
    cfg = source_config(PROM, URL)
    snap = PrometheusSource(cfg, PollPlan(alerts=True, alert_groupings=(("alertname",),)),
                            transport=backend.transport, clock=lambda: NOW).poll()
    prepared = snap.prepared[prepared_key(("alertname",))]
    assert "SlowBurn" in [g[0].name for g in prepared.groups]
    assert ("1 developing", None) in prepared.counts
