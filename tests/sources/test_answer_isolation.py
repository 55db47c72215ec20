"""One bad answer fails one query; one bad record is dropped and counted; the rest is shown.

For every adapter, two queries (or a query and a section) go to the same source:
one gets a hostile answer (a sample "abc", bytes that are not UTF-8, JSON nested
20,000 deep, an alert with labels: null), the other a good one.  The poll must
return, the good query must be OK, the bad one must carry a clear message, and
nothing may be logged at ERROR (an expected parse failure is not a crash).
"""

from __future__ import annotations

import json
import logging

import httpx
import pytest

from noc_app.config.schema import SourceConfig
from noc_app.sources.base import LogQuery, MetricQuery, PollPlan
from noc_app.sources.registry import create_source

from .conftest import fixture_bytes

NOW = 1_700_000_000.0
DEEP = b"[" * 20_000 + b"]" * 20_000
NOT_UTF8 = b'{"status": "success", "data": {"resultType": "vector", "result": [{"metric": {"job": "\xff\xfe"}}]}}'

HOSTILE_QUERY_BODIES = {
    "deep-json": (DEEP, "nested too deeply"),
    "not-utf8": (NOT_UTF8, "JSON body is not valid UTF-8"),
    "html": (b"<html><body>Sign in</body></html>", "expected JSON, got HTML"),
}


def _source(kind: str, handler, plan: PollPlan, **extra):
    config = SourceConfig(id=kind, kind=kind, url=f"http://{kind}.test:9000", **extra)
    return create_source(config, plan, transport=httpx.MockTransport(handler), clock=lambda: NOW)


@pytest.fixture
def no_error_logs(caplog):
    caplog.set_level(logging.DEBUG)
    yield
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == []
    assert "Traceback" not in caplog.text


# -- Prometheus -----------------------------------------------------------------------------------


GOOD_VECTOR = fixture_bytes("prometheus", "query_vector_up.prom_v2.42.0.json")


def _prometheus_handler(bad_body: bytes):
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/buildinfo"):
            return httpx.Response(404)
        query = dict(httpx.QueryParams(request.content.decode()))["query"]
        body = bad_body if query == "bad" else GOOD_VECTOR
        return httpx.Response(200, content=body, headers={"Content-Type": "application/json"})

    return handler


PROM_PLAN = PollPlan(metrics=(MetricQuery(key="good", expr="up", instant=True),
                              MetricQuery(key="bad", expr="bad", instant=True)))


@pytest.mark.parametrize("case", sorted(HOSTILE_QUERY_BODIES))
def test_prometheus_bad_answer_fails_only_its_query(case, no_error_logs):
    body, message = HOSTILE_QUERY_BODIES[case]
    snapshot = _source("prometheus", _prometheus_handler(body), PROM_PLAN).poll()
    assert snapshot.metrics["good"].error is None and snapshot.metrics["good"].series
    assert message in (snapshot.metrics["bad"].error or ""), snapshot.metrics["bad"]
    assert not snapshot.degraded  # one good answer: the source is fine


def test_prometheus_malformed_sample_drops_only_that_series(no_error_logs):
    body = json.dumps({"status": "success", "data": {"resultType": "vector", "result": [
        {"metric": {"job": "a"}, "value": [NOW, "abc"]},
        {"metric": {"job": "b"}, "value": [NOW, "+Inf"]}]}}).encode()  # fmt: skip
    result = _source("prometheus", _prometheus_handler(body), PROM_PLAN).poll().metrics["bad"]
    assert result.error is None and [s.key for s in result.series] == ['{job="b"}']
    assert result.series[0].last_value == float("inf")
    assert result.warnings and result.warnings[0].startswith("1 series dropped:")


def test_prometheus_alert_with_null_labels_is_dropped_and_counted(no_error_logs):
    alerts = {"status": "success", "data": {"alerts": [
        {"labels": None, "state": "firing"},
        {"labels": {"alertname": "DiskFull", "severity": "critical"}, "state": "firing",
         "annotations": {"summary": "disk"}, "activeAt": "2023-11-14T22:13:20Z"}]}}  # fmt: skip

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/alerts"):
            return httpx.Response(200, json=alerts)
        if request.url.path.endswith("/rules"):
            return httpx.Response(200, json={"status": "success", "data": {"groups": []}})
        return httpx.Response(404)

    snapshot = _source("prometheus", handler, PollPlan(alerts=True)).poll()
    assert [a.name for a in snapshot.alerts or ()] == ["DiskFull"]
    assert snapshot.notes["alerts"] == ("1 alert dropped: labels is null",)


def test_prometheus_unusable_alerts_answer_is_a_section_error(no_error_logs):
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/alerts"):
            return httpx.Response(200, content=DEEP)
        if request.url.path.endswith("/query"):
            return httpx.Response(200, content=GOOD_VECTOR)
        return httpx.Response(404)

    plan = PollPlan(metrics=(MetricQuery(key="good", expr="up", instant=True),), alerts=True)
    snapshot = _source("prometheus", handler, plan).poll()
    assert snapshot.metrics["good"].series
    assert snapshot.alerts is None and "nested too deeply" in snapshot.errors["alerts"]


# -- Alertmanager ---------------------------------------------------------------------------------


def test_alertmanager_alert_with_null_labels_is_dropped_and_counted(no_error_logs):
    good = json.loads(fixture_bytes("alertmanager", "get_alerts_peer1.am_v0.25.0.json"))
    hostile = [{**good[0], "fingerprint": "bad1", "labels": None}, {"fingerprint": "bad2"}, *good]

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/alerts"):
            return httpx.Response(200, json=hostile)
        if request.url.path.endswith("/silences"):
            return httpx.Response(200, json=[{"id": None}])
        return httpx.Response(200, json={})

    snapshot = _source("alertmanager", handler, PollPlan(alerts=True)).poll()
    assert len(snapshot.alerts or ()) == len({a["fingerprint"] for a in good})
    (note_alerts, note_silences) = snapshot.notes["alerts"]
    assert note_alerts == "2 alerts dropped: labels is null, no labels"
    assert note_silences.startswith("1 silence dropped:")


@pytest.mark.parametrize("case", sorted(HOSTILE_QUERY_BODIES))
def test_alertmanager_garbage_from_every_peer_is_a_board_error_not_a_dead_source(case, no_error_logs):
    body, message = HOSTILE_QUERY_BODIES[case]
    snapshot = _source("alertmanager", lambda request: httpx.Response(200, content=body),
                       PollPlan(alerts=True)).poll()
    assert message in snapshot.errors["alerts"]
    assert any("no usable answer" in reason for reason in snapshot.degraded)


# -- log backends ---------------------------------------------------------------------------------


def _two_log_queries(kind: str):
    return PollPlan(logs=(LogQuery(key="good", expr='{job="good"}' if kind == "loki" else "good", limit=10),
                          LogQuery(key="bad", expr='{job="bad"}' if kind == "loki" else "bad", limit=10)))


@pytest.mark.parametrize("case", sorted(HOSTILE_QUERY_BODIES))
def test_loki_bad_answer_fails_only_its_query(case, no_error_logs):
    body, message = HOSTILE_QUERY_BODIES[case]
    good = fixture_bytes("loki", "query_range_streams_with_warnings.marshal_test.json")

    def handler(request: httpx.Request) -> httpx.Response:
        bad = "bad" in request.url.params.get("query", "")
        return httpx.Response(200, content=body if bad else good, headers={"Content-Type": "application/json"})

    snapshot = _source("loki", handler, _two_log_queries("loki")).poll()
    assert snapshot.metrics["good"].error is None and snapshot.logs
    assert message in (snapshot.metrics["bad"].error or "")


@pytest.mark.parametrize("case", sorted(HOSTILE_QUERY_BODIES))
def test_elasticsearch_bad_answer_fails_only_its_query(case, no_error_logs):
    body, message = HOSTILE_QUERY_BODIES[case]
    good = fixture_bytes("elasticsearch", "search_response_hits.es_spec.json")

    def handler(request: httpx.Request) -> httpx.Response:
        bad = b'"bad"' in request.content or b"bad" in request.content.split(b"query_string")[-1][:80]
        return httpx.Response(200, content=body if bad else good, headers={"Content-Type": "application/json"})

    snapshot = _source("elasticsearch", handler, _two_log_queries("elasticsearch"), index="logs-*").poll()
    assert snapshot.metrics["good"].error is None
    assert message in (snapshot.metrics["bad"].error or "")
