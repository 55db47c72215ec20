"""Elasticsearch / OpenSearch adapter contract tests: recorded payloads through httpx.MockTransport."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import httpx
import numpy as np
import pytest

from noc_app.config.schema import SourceConfig
from noc_app.model import LogLevel
from noc_app.sources.base import (
    AuthFailed,
    BadResponse,
    LogQuery,
    MetricQuery,
    PollPlan,
    RateLimited,
)
from noc_app.sources.elasticsearch import ElasticsearchSource
from noc_app.sources.elasticsearch_parse import envelope_message, histogram_interval
from noc_app.sources.log_window import QUERY_LABEL
from noc_app.sources.registry import create_source

from .conftest import answer_problem

FIXTURES = Path(__file__).parent.parent / "fixtures" / "elasticsearch"
NOW = 1_700_000_000.0
NOW_MS = int(NOW * 1000)
LOG = LogQuery(key="wall/logs/0", expr="level:error AND service:checkout", limit=50)


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def fixture_json(name: str) -> dict:
    return json.loads(fixture(name))


def make_source(handler, plan: PollPlan, *, clock=lambda: NOW, **config) -> ElasticsearchSource:
    settings = {"id": "es", "kind": "elasticsearch", "url": "http://es:9200", **config}
    source = create_source(SourceConfig(**settings), plan, transport=httpx.MockTransport(handler), clock=clock)
    assert isinstance(source, ElasticsearchSource)
    return source


def serve(body: bytes | dict, status: int = 200, headers: dict | None = None):
    requests: list[httpx.Request] = []
    content = json.dumps(body).encode() if isinstance(body, dict) else body

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        all_headers = {"Content-Type": "application/json", **(headers or {})}
        return httpx.Response(status, content=content, headers=all_headers)

    handler.requests = requests  # type: ignore[attr-defined]
    return handler


def body_of(request: httpx.Request) -> dict:
    return json.loads(request.content)


# -- hits -------------------------------------------------------------------------------


def test_hits_become_log_lines():
    handler = serve(fixture("search_response_hits.es_spec.json"))
    snapshot = make_source(handler, PollPlan(logs=(LOG,)), index="my-index-000001").poll()

    (line,) = snapshot.logs
    assert line.text == "GET /search HTTP/1.1 200 1070000"
    assert line.ts == dt.datetime(2099, 11, 15, 14, 12, 12, tzinfo=dt.UTC).timestamp()
    assert line.cursor == "my-index-000001/0"
    assert line.level is LogLevel.INFO
    assert dict(line.labels) == {"_index": "my-index-000001", QUERY_LABEL: LOG.key}
    assert snapshot.info["hits:wall/logs/0"] == "20"
    assert snapshot.metrics[LOG.key].error is None

    request = handler.requests[0]
    assert request.method == "POST"
    assert request.url.path == "/my-index-000001/_search"
    body = body_of(request)
    assert body["size"] == 50
    assert body["sort"] == [{"@timestamp": {"order": "desc"}}]
    assert body["query"]["bool"]["must"] == [{"query_string": {"query": LOG.expr}}]
    assert body["query"]["bool"]["filter"] == [
        {"range": {"@timestamp": {"gte": NOW_MS - 15 * 60 * 1000, "lte": NOW_MS, "format": "epoch_millis"}}}
    ]


def test_total_as_a_bare_number_from_old_clusters():
    payload = fixture_json("search_response_hits.es_spec.json")
    payload["hits"]["total"] = 20  # ES 6 / rest_total_hits_as_int=true
    snapshot = make_source(serve(payload), PollPlan(logs=(LOG,))).poll()
    assert snapshot.info["hits:wall/logs/0"] == "20"


def test_total_lower_bound_is_shown_with_a_plus():
    handler = serve(fixture("date_histogram_response.opensearch_doc.json"))
    snapshot = make_source(handler, PollPlan(logs=(LOG,))).poll()
    assert snapshot.logs == ()
    assert snapshot.info["hits:wall/logs/0"] == "10000+"


def test_hits_without_a_timestamp_are_skipped_with_a_warning():
    handler = serve(fixture("search_response_hits.opensearch_doc.json"))
    snapshot = make_source(handler, PollPlan(logs=(LOG,))).poll()
    assert snapshot.logs == ()
    assert snapshot.metrics[LOG.key].warnings == ("1 hit(s) without a usable @timestamp were skipped",)
    assert snapshot.info["hits:wall/logs/0"] == "1"


def test_empty_query_text_matches_everything_and_default_index_is_all():
    handler = serve(fixture("search_response_hits.es_spec.json"))
    make_source(handler, PollPlan(logs=(LogQuery(key="k"),))).poll()
    assert handler.requests[0].url.path == "/*/_search"
    assert body_of(handler.requests[0])["query"]["bool"]["must"] == [{"query_string": {"query": "*"}}]


def hit(doc_id: str, source: dict, sort: list | None = None, index: str = "logs-1") -> dict:
    entry = {"_index": index, "_id": doc_id, "_score": None, "_source": source}
    if sort is not None:
        entry["sort"] = sort
    return entry


def search(hits: list[dict]) -> dict:
    return {"took": 1, "timed_out": False, "_shards": {"total": 1, "successful": 1, "skipped": 0, "failed": 0},
            "hits": {"total": {"value": len(hits), "relation": "eq"}, "max_score": None, "hits": hits}}


@pytest.mark.parametrize(
    ("source", "options", "level"),
    [
        ({"level": "error"}, {}, LogLevel.ERROR),
        ({"log.level": "warn"}, {}, LogLevel.WARNING),  # ECS, flat key
        ({"log": {"level": "debug"}}, {}, LogLevel.DEBUG),  # ECS, nested object
        ({"level": "ERROR", "log": {"level": "debug"}}, {}, LogLevel.ERROR),  # plain `level` first
        ({"severity": 2}, {"level_field": "severity"}, LogLevel.CRITICAL),  # syslog number
        ({"level": "error"}, {"level_field": "severity"}, LogLevel.INFO),  # only the configured field
        ({"json": {"lvl": "notice"}}, {"level_field": "json.lvl"}, LogLevel.NOTICE),
        ({}, {}, LogLevel.INFO),
    ],
)
def test_level_mapping_table(source, options, level):
    doc = {"@timestamp": "2023-11-14T22:13:19Z", "message": "m", **source}
    snapshot = make_source(serve(search([hit("1", doc)])), PollPlan(logs=(LOG,)), options=options).poll()
    assert snapshot.logs[0].level is level


def test_custom_fields_sort_values_and_nested_service():
    doc = {"ts": "ignored when sort values are present", "event": {"original": "disk full"},
           "service": {"name": "storage"}}
    snapshot = make_source(
        serve(search([hit("7", doc, sort=[1_699_999_990_123])])),
        PollPlan(logs=(LOG,)),
        options={"timestamp_field": "ts", "message_field": "event.original"},
    ).poll()
    (line,) = snapshot.logs
    assert (line.text, line.service, line.ts) == ("disk full", "storage", 1_699_999_990.123)


def test_date_nanos_sort_values_and_missing_message():
    doc = {"@timestamp": "2023-11-14T22:13:10.123456789Z", "http": {"status": 503}}
    snapshot = make_source(
        serve(search([hit("n", doc, sort=[1_699_999_990_123_456_789])])), PollPlan(logs=(LOG,))
    ).poll()
    (line,) = snapshot.logs
    assert line.ts == 1_699_999_990.123
    assert json.loads(line.text) == doc  # no message field: the document itself is shown


@pytest.mark.parametrize(
    ("stamp", "ts"),
    [("2023-11-14T22:13:10.123456789Z", 1_699_999_990.123), ("2023-11-14T23:13:10.5+01:00", 1_699_999_990.5),
     (1_699_999_990_123, 1_699_999_990.123), ("1699999990123", 1_699_999_990.123), ([1_699_999_990_000], 1_699_999_990.0)],
)
def test_source_timestamps_without_sort_values(stamp, ts):
    snapshot = make_source(serve(search([hit("1", {"@timestamp": stamp})])), PollPlan(logs=(LOG,))).poll()
    assert snapshot.logs[0].ts == ts


# -- incremental reads ------------------------------------------------------------------


class GrowingIndex:
    """_search over a growing index the way Elasticsearch answers our request."""

    def __init__(self) -> None:
        self.docs: list[tuple[str, int, str]] = []  # (_id, epoch ms, message)
        self.lower_bounds: list[int] = []

    def add(self, doc_id: str, ms: int, message: str) -> None:
        self.docs.append((doc_id, ms, message))

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        bounds = body["query"]["bool"]["filter"][0]["range"]["@timestamp"]
        assert body["sort"] == [{"@timestamp": {"order": "desc"}}]
        self.lower_bounds.append(bounds["gte"])
        matching = [d for d in self.docs if bounds["gte"] <= d[1] <= bounds["lte"]]
        matching.sort(key=lambda d: d[1], reverse=True)
        hits = [
            hit(doc_id, {"@timestamp": dt.datetime.fromtimestamp(ms / 1000, dt.UTC).isoformat(),
                         "message": message}, sort=[ms])
            for doc_id, ms, message in matching[: body["size"]]
        ]
        payload = search(hits)
        payload["hits"]["total"] = {"value": len(matching), "relation": "eq"}
        return httpx.Response(200, json=payload)


def test_three_incremental_polls_have_no_duplicates_and_no_gaps():
    index = GrowingIndex()
    now = [NOW]
    query = LogQuery(key="wall/logs/0", expr="*", limit=3)
    source = make_source(index, PollPlan(logs=(query,)), clock=lambda: now[0])

    index.add("old", NOW_MS - 20 * 60 * 1000, "before the lookback")
    index.add("a0", NOW_MS - 9000, "a0")
    index.add("a1", NOW_MS - 8000, "a1")
    first = source.poll()
    assert index.lower_bounds == [NOW_MS - 15 * 60 * 1000]
    assert [ln.text for ln in first.logs] == ["a0", "a1"]

    index.add("b0", NOW_MS - 8000, "b0 same ms as a1")  # late, with the newest held timestamp
    index.add("b1", NOW_MS + 4000, "b1")
    now[0] = NOW + 5
    second = source.poll()
    assert index.lower_bounds[1] == NOW_MS - 8000  # inclusive bound at the newest hit held
    assert [ln.text for ln in second.logs] == ["a1", "b0 same ms as a1", "b1"]
    assert second.info["hits:wall/logs/0"] == "3"  # a1 again, b0, b1

    for i in range(5):
        index.add(f"c{i}", NOW_MS + 6000 + i * 1000, f"c{i}")
    now[0] = NOW + 15
    third = source.poll()
    assert index.lower_bounds[2] == NOW_MS + 4000
    assert [ln.text for ln in third.logs] == ["c2", "c3", "c4"]
    assert len({ln.cursor for ln in third.logs}) == 3


# -- metrics ----------------------------------------------------------------------------


def test_date_histogram_becomes_a_count_series():
    payload = fixture_json("date_histogram_response.opensearch_doc.json")
    # Elasticsearch names an aggregation after the request; ours is "over_time".
    payload["aggregations"] = {"over_time": payload["aggregations"]["sales_per_month"]}
    handler = serve(payload)
    query = MetricQuery(key="wall/volume/0", expr="status:$status", window_s=3600, max_points=720,
                        variables={"status": "500"})
    result = make_source(handler, PollPlan(metrics=(query,)), clock=lambda: NOW + 3.7).poll().metrics[query.key]

    (series,) = result.series
    assert (series.key, series.name) == ("count", "count")
    np.testing.assert_array_equal(series.x, [1740787200.0, 1743465600.0, 1746057600.0])
    np.testing.assert_array_equal(series.y, [480, 6849, 6745])

    body = body_of(handler.requests[0])
    assert body["size"] == 0
    histogram = body["aggs"]["over_time"]["date_histogram"]
    assert histogram["field"] == "@timestamp"
    assert histogram["fixed_interval"] == "5s"
    assert histogram["min_doc_count"] == 0
    # Whole 5s buckets only: the one still filling (NOW .. NOW+3.7s) is left out.
    assert histogram["extended_bounds"] == {"min": NOW_MS - 3600 * 1000, "max": NOW_MS - 1}
    assert body["query"]["bool"]["filter"][0]["range"]["@timestamp"] == {
        "gte": NOW_MS - 3600 * 1000, "lte": NOW_MS - 1, "format": "epoch_millis"}
    assert body["query"]["bool"]["must"] == [{"query_string": {"query": "status:500"}}]


@pytest.mark.parametrize(
    ("window_s", "max_points", "interval"),
    [(3600, 720, 5), (3600, 3600, 1), (3600, 100, 60), (86400, 720, 120), (7 * 86400, 720, 900),
     (365 * 86400, 100, 4 * 86400), (60, 10_000, 1)],
)
def test_histogram_interval_stays_within_the_point_budget(window_s, max_points, interval):
    assert histogram_interval(window_s, max_points) == interval
    assert window_s / interval <= max_points


def test_instant_count_uses_the_count_api():
    handler = serve({"count": 42, "_shards": {"total": 1, "successful": 1, "skipped": 0, "failed": 0}})
    query = MetricQuery(key="wall/errors/0", expr="level:error", instant=True, window_s=300, legend="errors")
    (series,) = make_source(handler, PollPlan(metrics=(query,))).poll().metrics[query.key].series
    assert handler.requests[0].url.path == "/*/_count"
    assert (series.name, series.last_value, series.last_time) == ("errors", 42.0, NOW)


def test_missing_histogram_is_that_querys_error():
    snapshot = make_source(serve(fixture("date_histogram_response.opensearch_doc.json")),
                           PollPlan(metrics=(MetricQuery(key="m", expr="*"),))).poll()
    assert "aggregations.over_time.buckets" in snapshot.metrics["m"].error


# -- errors -----------------------------------------------------------------------------


def test_missing_index_is_that_querys_error():
    handler = serve(fixture("error_404_index_not_found.opensearch_doc.json"), status=404)
    snapshot = make_source(handler, PollPlan(logs=(LOG,)), index=".plugins-ml-controller").poll()
    assert snapshot.metrics[LOG.key].error == "index_not_found_exception: no such index [.plugins-ml-controller]"
    assert snapshot.degraded == ()
    assert snapshot.logs == ()


def test_status_exception_names_its_root_cause():
    handler = serve(fixture("error_409_status_exception.es_spec.json"), status=409)
    query = MetricQuery(key="m", expr="*")
    error = make_source(handler, PollPlan(metrics=(query,))).poll().metrics["m"].error
    assert error.startswith("status_exception: Cannot enable logs streams:")
    assert "(root cause: status_exception: Cannot enable logs.otel streams:" in error


def test_rejected_execution_is_rate_limited():
    # Envelope shape from the ES spec (Errors.ts); 429 is how overload comes back.
    cause = {"type": "es_rejected_execution_exception", "reason": "rejected execution"}
    overload = {"error": {"root_cause": [cause], **cause}, "status": 429}
    with pytest.raises(RateLimited, match="es_rejected_execution_exception") as caught:
        make_source(serve(overload, status=429, headers={"Retry-After": "30"}), PollPlan(logs=(LOG,))).poll()
    assert caught.value.retry_after == 30.0


def shard_failure(status: int) -> dict:
    return {"error": {"root_cause": [{"type": "query_shard_exception", "reason": "failed to create query"}],
                      "type": "search_phase_execution_exception", "reason": "all shards failed"},
            "status": status}


def test_server_side_failure_of_one_query_degrades_the_source():
    good = LogQuery(key="wall/good/0", expr="*")

    def handler(request: httpx.Request) -> httpx.Response:
        if json.loads(request.content)["query"]["bool"]["must"][0]["query_string"]["query"] == LOG.expr:
            return httpx.Response(500, json=shard_failure(500))
        return httpx.Response(200, content=fixture("search_response_hits.es_spec.json"))

    snapshot = make_source(handler, PollPlan(logs=(LOG, good))).poll()
    expected = ("search_phase_execution_exception: all shards failed "
                "(root cause: query_shard_exception: failed to create query)")
    assert snapshot.metrics[LOG.key].error == expected
    assert snapshot.degraded == (f"query failed: {LOG.key}: {expected}",)
    assert len(snapshot.logs) == 1


def test_bad_query_is_a_query_error_not_a_degraded_source():
    snapshot = make_source(serve(shard_failure(400), status=400), PollPlan(logs=(LOG,))).poll()
    assert snapshot.metrics[LOG.key].error.startswith("search_phase_execution_exception")
    assert snapshot.degraded == ()


def test_server_side_failure_of_every_query_fails_the_poll():
    with pytest.raises(BadResponse, match="all shards failed"):
        make_source(serve(shard_failure(500), status=500), PollPlan(logs=(LOG,))).poll()


def test_partial_results_are_warnings():
    payload = fixture_json("search_response_hits.es_spec.json")
    payload["timed_out"] = True
    reason = {"type": "illegal_argument_exception", "reason": "bad"}
    payload["_shards"].update(total=5, failed=2, failures=[{"shard": 0, "index": "my-index-000001", "reason": reason}])
    warnings = make_source(serve(payload), PollPlan(logs=(LOG,))).poll().metrics[LOG.key].warnings
    assert warnings == ("search timed out: results may be incomplete",
                        "2 of 5 shards failed: illegal_argument_exception: bad")


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (401, b'{"error": {"type": "security_exception", "reason": "missing authentication"}, "status": 401}',
         AuthFailed),
        (403, b'{"error": {"type": "security_exception", "reason": "action unauthorized"}, "status": 403}',
         AuthFailed),
        (502, b"<html><body>502 Bad Gateway</body></html>", BadResponse),
        (503, b"upstream connect error", BadResponse),
        (404, b"404 page not found", BadResponse),
    ],
)
def test_source_level_failures(status, body, error):
    with pytest.raises(error):
        make_source(serve(body, status=status), PollPlan(logs=(LOG,))).poll()


def test_unavailable_with_retry_after_is_rate_limited():
    handler = serve({"error": {"type": "cluster_block_exception", "reason": "blocked"}, "status": 503},
                    status=503, headers={"Retry-After": "12"})
    with pytest.raises(RateLimited) as caught:
        make_source(handler, PollPlan(logs=(LOG,))).poll()
    assert caught.value.retry_after == 12.0


def test_old_text_error_envelope():
    assert envelope_message(b'{"error": "IndexMissingException[[logs] missing]", "status": 404}') == (
        "IndexMissingException[[logs] missing]"
    )
    assert envelope_message(b"not json") is None
    assert envelope_message(b'{"status": 404}') is None


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<html>login</html>", "expected JSON, got HTML"),
        (b'{"took": 1, "hits": {"total": 3', "invalid or truncated JSON"),
        (b'{"took": 1}', "hits"),
        (b"[]", "expected a JSON object"),
    ],
)
def test_unusable_answers_fail_only_their_query(body, message):
    snapshot = make_source(serve(body), PollPlan(logs=(LOG,))).poll()
    assert message in answer_problem(snapshot, LOG.key)
    assert any("no usable answer" in reason for reason in snapshot.degraded)


def test_oversized_body_is_refused():
    snapshot = make_source(serve(fixture("search_response_hits.es_spec.json")), PollPlan(logs=(LOG,)),
                           max_response_mb=0.0005).poll()
    assert "response too large" in snapshot.metrics[LOG.key].error


def test_constructor_validates_config():
    with pytest.raises(ValueError, match="not an index pattern"):
        ElasticsearchSource(SourceConfig(id="e", kind="elasticsearch", url="http://x", index="a b"), PollPlan())
    with pytest.raises(ValueError, match="level_field"):
        ElasticsearchSource(
            SourceConfig(id="e", kind="elasticsearch", url="http://x", options={"level_field": ""}), PollPlan()
        )
    source = make_source(serve(b"{}"), PollPlan())
    source.close()
    source.close()
