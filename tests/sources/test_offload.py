"""Big-body parsing in the worker process: same results as in-thread, same errors, crash recovery."""

from __future__ import annotations

import json
import logging
import math
import os
import re
import signal
import sys
import threading
from concurrent.futures.process import BrokenProcessPool
from functools import partial

import numpy as np
import pytest

from noc_app.model import QueryResult, Snapshot
from noc_app.sources import offload
from noc_app.sources.alertmanager import AlertmanagerSource
from noc_app.sources.alertmanager_parse import parse_alert_list, raw_alert
from noc_app.sources.base import BadResponse, MetricQuery, PollPlan
from noc_app.sources.http import decode_json
from noc_app.sources.prometheus import PrometheusSource
from noc_app.sources.prometheus_parse import build_query_result, read_query_response

from .conftest import Backend, fixture_bytes, source_config

PROM_URL = "http://prom.test:9090"
AM_URL = "http://am.test:9093"
NOW = 1_700_003_600.0
SPECIALS = {7: "NaN", 11: "+Inf", 13: "-Inf", 17: "1e+00"}  # point index -> wire value


@pytest.fixture(scope="module", autouse=True)
def _one_worker_per_module():
    offload.shutdown()
    yield
    offload.shutdown()


@pytest.fixture
def fresh_state():
    """Leave no broken-worker cool-down behind for later tests."""
    offload.shutdown()
    yield
    offload.shutdown()


def matrix_body(series: int = 60, points: int = 720) -> bytes:
    """A query_range answer like Prometheus sends, with NaN/Inf samples; ~1.2 MB by default."""
    result = []
    for s in range(series):
        values = []
        for p in range(points):
            wire = SPECIALS.get(p, repr(round((s * 7919 + p * 104729) % 100_000 / 7.0, 4)))
            values.append([1_700_000_000 + p * 5 + (0.5 if p % 2 else 0), wire])
        metric = {"__name__": "http_requests_total", "job": f"api-{s % 4}", "instance": f"10.0.0.{s}:9100"}
        result.append({"metric": metric, "values": values})
    return json.dumps({"status": "success", "data": {"resultType": "matrix", "result": result}}).encode()


def alerts_body(count: int = 1500) -> bytes:
    """The recorded 0.25.0 alerts, repeated with distinct identities until the body is big."""
    recorded = json.loads(fixture_bytes("alertmanager", "get_alerts_peer1.am_v0.25.0.json"))
    alerts = []
    for i in range(count):
        item = json.loads(json.dumps(recorded[i % len(recorded)]))
        item["fingerprint"] = f"{i:016x}"
        item["labels"]["instance"] = f"10.1.{i // 250}.{i % 250}:9100"
        alerts.append(item)
    return json.dumps(alerts).encode()


def prom_poll(body: bytes) -> Snapshot:
    backend = Backend()
    backend.route("/api/v1/status/buildinfo", b'{"status":"success","data":{"version":"2.53.0"}}')
    backend.route("/api/v1/query_range", body)
    query = MetricQuery(key="k", expr="rate(x[5m])", legend="{{instance}}", window_s=3600, max_points=720)
    source = PrometheusSource(
        source_config("prometheus", PROM_URL), PollPlan(metrics=(query,)), transport=backend.transport,
        clock=lambda: NOW,
    )
    try:
        return source.poll()
    finally:
        source.close()


def am_poll(body: bytes) -> Snapshot:
    backend = Backend()
    backend.route("/api/v2/alerts", body)
    backend.route("/api/v2/silences", fixture_bytes("alertmanager", "get_silences.am_v0.25.0.json"))
    backend.route("/api/v2/status", fixture_bytes("alertmanager", "get_status.am_v0.26.0.json"))
    source = AlertmanagerSource(
        source_config("alertmanager", AM_URL), PollPlan(alerts=True), transport=backend.transport,
        clock=lambda: NOW,
    )
    try:
        return source.poll()
    finally:
        source.close()


def assert_same_series(got: QueryResult, want: QueryResult) -> None:
    assert [(s.key, s.name, dict(s.labels)) for s in got.series] == [
        (s.key, s.name, dict(s.labels)) for s in want.series
    ]
    for g, w in zip(got.series, want.series):
        np.testing.assert_array_equal(g.x, w.x)  # NaN == NaN here
        np.testing.assert_array_equal(g.y, w.y)
    assert got.fingerprint == want.fingerprint


# -- same answers on both routes -------------------------------------------------------


def test_big_matrix_parsed_in_worker_equals_in_thread_parse(monkeypatch):
    offload.shutdown()
    body = matrix_body()
    assert len(body) > offload.OFFLOAD_MIN_BYTES
    with monkeypatch.context() as patch:
        patch.setattr(offload, "OFFLOAD_MIN_BYTES", 1 << 62)
        in_thread = prom_poll(body)
    assert not offload.is_running()
    in_worker = prom_poll(body)
    assert offload.is_running()  # the big body did go to the worker process
    assert len(in_worker.metrics["k"].series) == 60
    assert_same_series(in_worker.metrics["k"], in_thread.metrics["k"])
    assert in_worker.fingerprint == in_thread.fingerprint


def test_nan_and_inf_survive_the_worker_route():
    query = prom_poll(matrix_body()).metrics["k"]
    for series in query.series:
        assert math.isnan(series.y[7])
        assert series.y[11] == math.inf
        assert series.y[13] == -math.inf
        assert series.y[17] == 1.0
        assert np.isfinite(series.y[[0, 1, 719]]).all()
        assert series.x[1] == 1_700_000_005.5


def test_big_alert_list_parsed_in_worker_equals_in_thread_parse(monkeypatch):
    body = alerts_body()
    assert len(body) > offload.OFFLOAD_MIN_BYTES
    with monkeypatch.context() as patch:
        patch.setattr(offload, "OFFLOAD_MIN_BYTES", 1 << 62)
        in_thread = am_poll(body)
    in_worker = am_poll(body)
    assert offload.is_running()
    assert len(in_worker.alerts) == 1500
    assert in_worker.alerts == in_thread.alerts
    assert in_worker.fingerprint == in_thread.fingerprint
    # Lineage from the silences survives: the recorded silenced alert is still marked so.
    assert any(a.mute_reason for a in in_worker.alerts) == any(a.mute_reason for a in in_thread.alerts)


@pytest.mark.parametrize(
    "name", ["query_range_nan_inf.prom_v2.42.0.json", "query_range_matrix.prom_v2.42.0.json"]
)
def test_recorded_prometheus_bodies_read_the_same_in_the_worker(name):
    body = fixture_bytes("prometheus", name)
    kwargs = {"what": "http://prom.test/api/v1/query_range", "data_what": "api/v1/query_range"}
    here = read_query_response(body, **kwargs)
    there = offload.run_in_worker(read_query_response, body, **kwargs)
    assert there.warnings == here.warnings and there.ok and here.ok
    assert_same_series(build_query_result(there.data, legend="{{v}}"), build_query_result(here.data, legend="{{v}}"))


def test_recorded_alertmanager_body_splits_and_joins_back_in_the_worker():
    body = fixture_bytes("alertmanager", "get_alerts_peer2.am_v0.25.0.json")
    joined = offload.join_json(offload.run_in_worker(offload.split_json, body, what="w", split=()), ())
    assert joined == json.loads(body)
    each = partial(raw_alert, what="w")
    read = offload.join_json(offload.run_in_worker(offload.split_json, body, what="w", split=()), (), each)
    assert parse_alert_list(read, what="w") == parse_alert_list(json.loads(body), what="w")


# -- errors look the same ------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "make_body"),
    [
        ("truncated", lambda: matrix_body()[:-40]),
        ("html", lambda: b"<html><body>" + b"<p>maintenance</p>" * 40_000 + b"</body></html>"),
        ("not utf-8", lambda: matrix_body()[:-2] + b'"\xff"]'),
    ],
)
def test_bad_big_body_gives_the_same_bad_response_as_decode_json(case, make_body):
    body = make_body()
    assert len(body) > offload.OFFLOAD_MIN_BYTES
    with pytest.raises(BadResponse) as expected:
        decode_json(body, what="W")
    with pytest.raises(BadResponse) as got:
        offload.load_json(body, what="W", split=("data", "result"))
    assert str(got.value) == str(expected.value)
    assert offload.is_running()


def test_truncated_big_query_body_fails_its_query_with_the_usual_message():
    error = prom_poll(matrix_body()[:-25]).metrics["k"].error
    assert re.search(r"query_range: invalid or truncated JSON \(.* at byte \d+\)", error), error


def test_malformed_series_in_a_big_body_names_the_series_as_in_thread(monkeypatch):
    data = json.loads(matrix_body())
    data["data"]["result"][3]["values"][5] = ["not", "a", "pair"]
    body = json.dumps(data).encode()
    with monkeypatch.context() as patch:
        patch.setattr(offload, "OFFLOAD_MIN_BYTES", 1 << 62)
        in_thread = prom_poll(body).metrics["k"]
    in_worker = prom_poll(body).metrics["k"]
    assert in_worker.warnings == in_thread.warnings
    assert len(in_worker.series) == len(in_thread.series) == len(data["data"]["result"]) - 1
    (note,) = [w for w in in_worker.warnings if "dropped" in w]
    assert note.startswith("1 series dropped:") and 'instance="10.0.0.3:9100"' in note


# -- routing and the worker's life ------------------------------------------------------


def test_small_bodies_never_start_a_process():
    offload.shutdown()
    small = fixture_bytes("prometheus", "query_range_matrix.prom_v2.42.0.json")
    assert len(small) < offload.OFFLOAD_MIN_BYTES
    snap = prom_poll(small)
    assert snap.metrics["k"].series
    assert offload.load_json(small, what="w", split=("data", "result")) == json.loads(small)
    am_poll(fixture_bytes("alertmanager", "get_alerts_peer1.am_v0.25.0.json"))
    assert not offload.is_running()


def test_killed_worker_is_replaced_and_the_next_parse_works():
    if sys.platform == "win32":
        pytest.skip("needs SIGKILL")
    body = alerts_body()
    first = offload.worker_pid()
    os.kill(first, signal.SIGKILL)
    assert offload.load_json(body, what="w") == json.loads(body)
    second = offload.worker_pid()
    assert second != first
    assert offload.load_json(body, what="w") == json.loads(body)
    assert offload.worker_pid() == second  # no needless restarts once healthy


class _BrokenPool:
    """A pool whose worker can never start, as when the process cannot be created."""

    def __init__(self) -> None:
        self.submits = 0

    def submit(self, *args, **kwargs):
        self.submits += 1
        raise BrokenProcessPool("worker could not start")

    def shutdown(self, **kwargs) -> None:
        pass


def test_worker_that_keeps_failing_falls_back_to_in_thread_parse(monkeypatch, caplog, fresh_state):
    pool = _BrokenPool()
    monkeypatch.setattr(offload, "_current_executor", lambda: pool)
    body = alerts_body()
    with caplog.at_level(logging.WARNING, logger=offload.__name__):
        assert offload.load_json(body, what="w") == json.loads(body)
    assert pool.submits == 2  # the first failure restarts the pool once, then in-thread
    assert "parsing big bodies in the polling thread" in caplog.text
    # Within the cool-down the broken worker is not tried on every poll.
    assert offload.load_json(body, what="w") == json.loads(body)
    assert pool.submits == 2
    offload.shutdown()  # an explicit shutdown ends the cool-down
    offload.load_json(body, what="w")
    assert pool.submits == 4


def test_concurrent_big_parses_share_the_one_worker():
    bodies = [matrix_body(series=40 + i) for i in range(3)]
    results: dict[int, object] = {}

    def parse(i: int) -> None:
        results[i] = offload.parse_big(read_query_response, bodies[i], what="w", data_what="q")

    threads = [threading.Thread(target=parse, args=(i,)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [len(results[i].data.series) for i in range(3)] == [40, 41, 42]


# -- the split path (pure functions, no process) ------------------------------------


@pytest.mark.parametrize(
    ("payload", "split"),
    [
        ([{"a": i, "b": [i, str(i)]} for i in range(5000)], ()),
        ({"data": {"result": [{"metric": {}, "value": [1, "2"]}] * 3000}}, ("data", "result")),
        (
            {"data": {"result": [{"stream": {"a": "b"}, "values": [["1", "x" * 50]] * 2000}, {"values": 5}]}},
            ("data", "result", "*", "values"),
        ),
        ({"hits": {"total": 3}}, ("hits", "hits")),  # path absent: returned whole
        ({"data": "not a list"}, ("data",)),
        ([1.5, math.inf, -math.inf, 10**30, None, True], ()),
    ],
)
def test_split_then_join_gives_back_the_decoded_value(payload, split):
    body = json.dumps(payload).encode()
    assert offload.join_json(offload.split_json(body, what="w", split=split), split) == json.loads(body)


def test_big_lists_travel_in_several_small_chunks():
    body = json.dumps([{"n": i, "text": "x" * 100} for i in range(5000)]).encode()
    split = offload.split_json(body, what="w", split=())
    assert isinstance(split, offload.JsonChunks)
    assert len(split.chunks) > 5
    assert max(map(len, split.chunks)) < 2 * offload.CHUNK_BYTES


def test_each_maps_items_on_both_routes(monkeypatch):
    body = json.dumps({"hits": {"hits": [{"n": i} for i in range(40_000)]}}).encode()
    assert len(body) > offload.OFFLOAD_MIN_BYTES
    big = offload.load_json(body, what="w", split=("hits", "hits"), each=lambda item: item["n"])
    monkeypatch.setattr(offload, "OFFLOAD_MIN_BYTES", 1 << 62)
    small = offload.load_json(body, what="w", split=("hits", "hits"), each=lambda item: item["n"])
    assert big == small == {"hits": {"hits": list(range(40_000))}}
