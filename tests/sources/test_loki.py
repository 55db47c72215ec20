"""Loki adapter contract tests: recorded Loki payloads replayed through httpx.MockTransport."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import numpy as np
import pytest

from noc_app.config.schema import AuthConfig, SourceConfig
from noc_app.model import LogLevel
from noc_app.sources.base import (
    AuthFailed,
    BadResponse,
    LogQuery,
    MetricQuery,
    PollPlan,
    RateLimited,
)
from noc_app.sources.log_window import QUERY_LABEL
from noc_app.sources.loki import LokiSource, detect_level
from noc_app.sources.registry import create_source

from .conftest import answer_problem

FIXTURES = Path(__file__).parent.parent / "fixtures" / "loki"
NOW = 1_700_000_000.0
NOW_NS = int(NOW * 1_000_000_000)
S = 1_000_000_000  # ns per second
LOG = LogQuery(key="wall/logs/0", expr='{job="varlogs"}', limit=100)


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def make_source(handler, plan: PollPlan, *, clock=lambda: NOW, **config) -> LokiSource:
    settings = {"id": "loki", "kind": "loki", "url": "http://loki:3100", **config}
    source = create_source(SourceConfig(**settings), plan, transport=httpx.MockTransport(handler), clock=clock)
    assert isinstance(source, LokiSource)
    return source


def serve(body: bytes, status: int = 200, content_type: str = "application/json"):
    requests: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return httpx.Response(status, content=body, headers={"Content-Type": content_type})

    handler.requests = requests  # type: ignore[attr-defined]
    return handler


# -- streams ----------------------------------------------------------------------------


def test_streams_become_log_lines_with_cursor_labels_and_warnings():
    handler = serve(fixture("query_range_streams_with_warnings.marshal_test.json"))
    snapshot = make_source(handler, PollPlan(logs=(LOG,))).poll()

    assert [ln.text for ln in snapshot.logs] == ["super line", "super line with labels"]
    first = snapshot.logs[0]
    assert first.ts == pytest.approx(123456.789012345)
    assert first.cursor.startswith("123456789012345:")
    assert first.level is LogLevel.INFO
    assert dict(first.labels) == {"test": "test", QUERY_LABEL: LOG.key}
    assert len({ln.cursor for ln in snapshot.logs}) == 2
    result = snapshot.metrics[LOG.key]
    assert result.error is None and result.series == ()
    assert result.warnings == ("this is a warning",)

    params = handler.requests[0].url.params
    assert handler.requests[0].url.path == "/loki/api/v1/query_range"
    assert params["query"] == '{job="varlogs"}'
    assert params["direction"] == "backward"
    assert params["limit"] == "100"
    assert params["start"] == str(NOW_NS - 15 * 60 * S)
    assert params["end"] == str(NOW_NS)


def test_categorize_labels_entries_carry_structured_metadata_and_parsed_labels():
    handler = serve(fixture("query_range_streams_categorize_labels.marshal_test.json"))
    source = make_source(handler, PollPlan(logs=(LOG,)), options={"categorize_labels": True})
    lines = source.poll().logs

    assert handler.requests[0].headers["X-Loki-Response-Encoding-Flags"] == "categorize-labels"
    assert [ln.text for ln in lines] == [
        "super line", "super line with labels", "super line with labels msg=text",
    ]
    assert dict(lines[0].labels) == {"test": "test", QUERY_LABEL: LOG.key}
    assert dict(lines[1].labels) == {"test": "test", "foo": "a", "bar": "b", QUERY_LABEL: LOG.key}
    assert lines[2].labels["msg"] == "text"


def test_structured_metadata_detected_level_sets_the_level():
    body = {
        "status": "success",
        "data": {"resultType": "streams", "encodingFlags": ["categorize-labels"], "result": [
            {"stream": {"service_name": "checkout"}, "values": [
                [str(NOW_NS - 2 * S), "payment declined", {"structuredMetadata": {"detected_level": "error"}}],
                [str(NOW_NS - S), "retrying", {"structuredMetadata": {"detected_level": "warn"}}],
            ]},
        ]},
    }
    lines = make_source(serve(json.dumps(body).encode()), PollPlan(logs=(LOG,))).poll().logs
    assert [(ln.level, ln.service) for ln in lines] == [
        (LogLevel.ERROR, "checkout"), (LogLevel.WARNING, "checkout"),
    ]


@pytest.mark.parametrize(
    ("labels", "line", "level"),
    [
        ({"level": "error"}, "x", LogLevel.ERROR),
        ({"detected_level": "WARN"}, "x", LogLevel.WARNING),
        ({"severity": "critical"}, "x", LogLevel.CRITICAL),
        ({"level": "debug"}, "level=error", LogLevel.DEBUG),  # the label wins over the line
        ({"detected_level": "unknown"}, "level=error", LogLevel.ERROR),
        ({}, 'ts=2024-01-01T00:00:00Z level=warn msg="disk 91% full"', LogLevel.WARNING),
        ({}, 'level="error" msg=boom', LogLevel.ERROR),
        ({}, "lvl=dbug caller=main.go:12", LogLevel.INFO),  # go-kit's "dbug" is no level we know
        ({}, "lvl=debug caller=main.go:12", LogLevel.DEBUG),
        ({}, '{"level":"fatal","msg":"out of memory"}', LogLevel.CRITICAL),
        ({}, '{"severity":"notice","msg":"x"}', LogLevel.NOTICE),
        ({}, '{"msg":"no level"}', LogLevel.INFO),
        ({}, "{not json level=error", LogLevel.ERROR),
        ({}, "GET /health 200", LogLevel.INFO),
        ({}, "multilevel=error", LogLevel.INFO),  # not a level key
    ],
)
def test_level_detection_table(labels, line, level):
    assert detect_level(labels, line) is level


def test_log_lines_of_several_panels_are_tagged_and_merged_by_time():
    errors = LogQuery(key="wall/errors/0", expr='{job="api"} |= "error"', limit=10)

    def handler(request: httpx.Request) -> httpx.Response:
        wanted = request.url.params["query"]
        ts = [NOW_NS - 5 * S, NOW_NS - 3 * S] if "error" in wanted else [NOW_NS - 4 * S, NOW_NS - 2 * S]
        values = [[str(t), f"{wanted} @{t}"] for t in reversed(ts)]  # backward: newest first
        return httpx.Response(200, json={"status": "success", "data": {
            "resultType": "streams", "result": [{"stream": {"job": "api"}, "values": values}]}})

    snapshot = make_source(handler, PollPlan(logs=(LOG, errors))).poll()
    assert [ln.labels[QUERY_LABEL] for ln in snapshot.logs] == [errors.key, LOG.key, errors.key, LOG.key]
    assert [ln.ts for ln in snapshot.logs] == sorted(ln.ts for ln in snapshot.logs)
    assert set(snapshot.metrics) == {LOG.key, errors.key}


# -- incremental reads ------------------------------------------------------------------


class GrowingLoki:
    """query_range over a growing log the way Loki answers it: [start, end), newest `limit` first."""

    def __init__(self) -> None:
        self.entries: list[tuple[int, str]] = []
        self.starts: list[int] = []

    def add(self, ns: int, text: str) -> None:
        self.entries.append((ns, text))

    def __call__(self, request: httpx.Request) -> httpx.Response:
        params = request.url.params
        assert params["direction"] == "backward"
        start, end, limit = int(params["start"]), int(params["end"]), int(params["limit"])
        self.starts.append(start)
        chosen = sorted((e for e in self.entries if start <= e[0] < end), key=lambda e: e[0], reverse=True)
        values = [[str(ns), text] for ns, text in chosen[:limit]]
        streams = [{"stream": {"job": "varlogs"}, "values": values}] if values else []
        return httpx.Response(200, json={"status": "success", "data": {"resultType": "streams", "result": streams}})

    def newest(self, limit: int, before_ns: int) -> list[str]:
        visible = [text for ns, text in sorted(self.entries, key=lambda e: e[0]) if ns < before_ns]
        return visible[-limit:]


def test_three_incremental_polls_have_no_duplicates_and_no_gaps():
    loki = GrowingLoki()
    now = [NOW]
    query = LogQuery(key="wall/logs/0", expr='{job="varlogs"}', limit=4)
    source = make_source(loki, PollPlan(logs=(query,)), clock=lambda: now[0])

    loki.add(NOW_NS - 20 * 60 * S, "too old: before the lookback")
    for i in range(3):
        loki.add(NOW_NS - (10 - i) * S, f"a{i}")
    first = source.poll()
    assert loki.starts == [NOW_NS - 15 * 60 * S]
    assert [ln.text for ln in first.logs] == ["a0", "a1", "a2"]
    newest_ns = NOW_NS - 8 * S

    # A line with the newest line's very timestamp arrives late, plus a later one.
    loki.add(newest_ns, "b0 same ns as a2")
    loki.add(NOW_NS + 5 * S, "b1")
    now[0] = NOW + 10
    second = source.poll()
    assert loki.starts[1] == newest_ns  # inclusive bound at the newest line held
    assert [ln.text for ln in second.logs] == ["a1", "a2", "b0 same ns as a2", "b1"]

    # More lines than the window holds arrive between polls: only the newest `limit` matter.
    for i in range(6):
        loki.add(NOW_NS + (11 + i) * S, f"c{i}")
    now[0] = NOW + 20
    third = source.poll()
    assert loki.starts[2] == NOW_NS + 5 * S
    texts = [ln.text for ln in third.logs]
    assert texts == ["c2", "c3", "c4", "c5"]
    assert texts == loki.newest(4, int(now[0] * S))
    assert len({ln.cursor for ln in third.logs}) == len(third.logs)


def test_lines_after_now_wait_until_their_time():
    loki = GrowingLoki()
    now = [NOW]
    source = make_source(loki, PollPlan(logs=(LOG,)), clock=lambda: now[0])
    loki.add(NOW_NS - S, "now-ish")
    loki.add(NOW_NS + 3600 * S, "an hour in the future (skewed clock)")
    assert [ln.text for ln in source.poll().logs] == ["now-ish"]
    assert loki.starts == [NOW_NS - 15 * 60 * S]
    now[0] = NOW + 30
    source.poll()
    assert loki.starts[1] == NOW_NS - S  # the future line did not move the bound


def test_unchanged_log_gives_an_unchanged_fingerprint():
    loki = GrowingLoki()
    loki.add(NOW_NS - S, "only line")
    source = make_source(loki, PollPlan(logs=(LOG,)))
    assert source.poll().fingerprint == source.poll().fingerprint


# -- metric queries ---------------------------------------------------------------------


def test_matrix_becomes_series_with_legends_and_warnings():
    handler = serve(fixture("query_range_matrix_with_warnings.marshal_test.json"))
    query = MetricQuery(key="wall/rate/0", expr='sum(rate({job="varlogs"}[$__interval])) by (filename)',
                        legend="{{filename}}", window_s=3600, max_points=720)
    snapshot = make_source(handler, PollPlan(metrics=(query,)), clock=lambda: NOW + 3.7).poll()

    result = snapshot.metrics[query.key]
    assert result.error is None
    assert result.warnings == ("this is a warning",)
    assert [s.name for s in result.series] == ["/var/hostlog/apport.log", "/var/hostlog/syslog"]
    assert result.series[0].key == '{filename="/var/hostlog/apport.log", job="varlogs"}'
    np.testing.assert_array_equal(result.series[1].x, [1568404331.324, 1568404331.339])
    np.testing.assert_array_equal(result.series[1].y, [3.45, 4.45])
    assert snapshot.logs is None

    params = handler.requests[0].url.params
    assert params["query"] == 'sum(rate({job="varlogs"}[5s])) by (filename)'
    assert params["step"] == "5"
    assert params["start"] == str(NOW_NS - 3600 * S)  # aligned to the step
    assert params["end"] == str(NOW_NS)


def test_instant_metric_query_reads_a_vector():
    handler = serve(fixture("query_vector_with_warnings.marshal_test.json"))
    query = MetricQuery(key="wall/stat/0", expr='sum(rate({job="varlogs"}[10m]))', instant=True)
    result = make_source(handler, PollPlan(metrics=(query,))).poll().metrics[query.key]

    assert handler.requests[0].url.path == "/loki/api/v1/query"
    assert handler.requests[0].url.params["time"] == str(NOW_NS)
    assert [s.last_value for s in result.series] == [0.013333333333333334, 3.45]
    assert result.series[0].name == '{filename="/var/hostlog/apport.log", job="varlogs"}'


def test_log_query_on_a_graph_panel_is_a_query_error():
    handler = serve(fixture("query_range_streams_with_warnings.marshal_test.json"))
    query = MetricQuery(key="wall/rate/0", expr='{job="varlogs"}')
    snapshot = make_source(handler, PollPlan(metrics=(query,))).poll()
    assert "got log lines" in snapshot.metrics[query.key].error
    assert snapshot.degraded == ()


def test_metric_query_on_a_logs_panel_is_a_query_error():
    handler = serve(fixture("query_range_matrix_with_warnings.marshal_test.json"))
    snapshot = make_source(handler, PollPlan(logs=(LOG,))).poll()
    assert "got a matrix result" in snapshot.metrics[LOG.key].error
    assert snapshot.logs == ()


def test_empty_log_query_is_refused_without_a_request():
    handler = serve(b"{}")
    snapshot = make_source(handler, PollPlan(logs=(LogQuery(key="k", expr="  "),))).poll()
    assert "empty LogQL query" in snapshot.metrics["k"].error
    assert handler.requests == []


# -- errors -----------------------------------------------------------------------------


def error_rows() -> list[tuple[int, str]]:
    rows = fixture("errors_text_plain.test.tsv").decode().splitlines()[1:]
    return [(int(status), body) for status, body in (row.split("\t", 1) for row in rows)]


@pytest.mark.parametrize(("status", "body"), [r for r in error_rows() if r[1] != "no org id"])
def test_loki_text_errors_become_that_querys_error(status, body):
    """Each recorded text/plain error lands on its own panel; the other panel keeps working."""
    good = LogQuery(key="wall/good/0", expr='{job="ok"}')

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.params["query"] == LOG.expr:
            return httpx.Response(status, text=body, headers={"Content-Type": "text/plain; charset=utf-8"})
        return httpx.Response(200, json={"status": "success", "data": {"resultType": "streams", "result": []}})

    snapshot = make_source(handler, PollPlan(logs=(LOG, good))).poll()
    error = snapshot.metrics[LOG.key].error
    assert snapshot.metrics[good.key].error is None
    expected = " ".join(body.split())
    if status == 400:
        assert error == expected
        assert snapshot.degraded == ()
    else:
        assert error == f"HTTP {status}: {expected}"
        assert snapshot.degraded == (f"query failed: {LOG.key}: HTTP {status}: {expected}",)


@pytest.mark.parametrize(("status", "body"), [r for r in error_rows() if r[0] >= 499])
def test_server_errors_on_every_query_fail_the_poll(status, body):
    handler = serve(body.encode(), status=status, content_type="text/plain; charset=utf-8")
    with pytest.raises(BadResponse, match=f"HTTP {status}"):
        make_source(handler, PollPlan(logs=(LOG,))).poll()


def test_missing_tenant_is_an_auth_failure_with_a_hint():
    handler = serve(b"no org id", status=400, content_type="text/plain; charset=utf-8")
    with pytest.raises(AuthFailed, match="X-Scope-OrgID"):
        make_source(handler, PollPlan(logs=(LOG,))).poll()


def test_tenant_header_is_sent():
    handler = serve(fixture("query_range_streams_with_warnings.marshal_test.json"))
    make_source(handler, PollPlan(logs=(LOG,)), auth=AuthConfig(headers={"X-Scope-OrgID": "team-a|team-b"})).poll()
    assert handler.requests[0].headers["X-Scope-OrgID"] == "team-a|team-b"


def test_html_error_page_from_a_proxy_fails_the_source():
    handler = serve(b"<html><body>500 Internal Server Error</body></html>", status=500, content_type="text/html")
    with pytest.raises(BadResponse, match="HTTP 500 from http://loki:3100/loki/api/v1/query_range"):
        make_source(handler, PollPlan(logs=(LOG,))).poll()


def test_unauthorized_and_rate_limited():
    with pytest.raises(AuthFailed, match="HTTP 401"):
        make_source(serve(b"unauthorized", status=401), PollPlan(logs=(LOG,))).poll()

    def limited(request: httpx.Request) -> httpx.Response:
        return httpx.Response(429, text="too many outstanding requests", headers={"Retry-After": "7"})

    with pytest.raises(RateLimited) as caught:
        make_source(limited, PollPlan(logs=(LOG,))).poll()
    assert caught.value.retry_after == 7.0


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "empty response body"),
        (b"OK", "invalid or truncated JSON"),
        (fixture("query_range_streams_with_warnings.marshal_test.json")[:300], "invalid or truncated JSON"),
        (b'{"status": "error", "data": {}}', "expected"),
        (b'{"status": "success", "data": {"result": []}}', "no data.resultType"),
        (b'{"status": "success", "data": {"resultType": "streams", "result": {}}}', "not a list"),
        (b'{"status": "success", "data": {"resultType": "streams", "result": '
         b'[{"stream": {}, "values": [[123, "x"]]}]}}', "expected"),
        (b'{"status": "success", "data": {"resultType": "streams", "result": '
         b'[{"stream": {"a": 1}, "values": []}]}}', "not a label object"),
    ],
)
def test_malformed_bodies_fail_only_their_query(body, message):
    snapshot = make_source(serve(body), PollPlan(logs=(LOG,))).poll()
    assert message in answer_problem(snapshot, LOG.key)


def test_oversized_body_is_refused():
    handler = serve(fixture("query_range_streams_with_warnings.marshal_test.json"))
    snapshot = make_source(handler, PollPlan(logs=(LOG,)), max_response_mb=0.001).poll()
    assert "response too large" in snapshot.metrics[LOG.key].error
    assert any("no usable answer" in reason for reason in snapshot.degraded)


def test_constructor_validates_config_and_close_is_idempotent():
    with pytest.raises(ValueError, match="needs a url"):
        LokiSource(SourceConfig(id="l", kind="loki"), PollPlan())
    with pytest.raises(ValueError, match="lookback"):
        LokiSource(SourceConfig(id="l", kind="loki", url="http://x", options={"lookback": "soon"}), PollPlan())
    source = make_source(serve(b"{}"), PollPlan())
    assert source.id == "loki" and source.kind == "loki"
    source.close()
    source.close()
