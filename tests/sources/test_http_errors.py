"""Error table: what each backend misbehaviour becomes, for both adapters (Home Assistant style).

Every row is (handler behaviour, expected SourceError type, message fragment); the
same behaviour is applied to every request the adapter makes, and the poll must
raise exactly that error with the cause chained where httpx raised.  A BadAnswer
(the backend answered, but unusably) fails only the query or section that got it:
the poll returns, that panel's error names the problem and the source is DEGRADED.
"""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from noc_app.model import Snapshot
from noc_app.sources.alertmanager import AlertmanagerSource
from noc_app.sources.base import (
    AuthFailed,
    BadAnswer,
    BadResponse,
    MetricQuery,
    PollPlan,
    RateLimited,
    ResponseTooLarge,
    SourceError,
    Unreachable,
)
from noc_app.sources.prometheus import PrometheusSource

from .conftest import fixture_bytes, source_config


class DroppedRecords:
    """Table marker: the answer was usable, but records in it were dropped with a note."""


# nginx's stock error page, as a reverse proxy in front of a dead backend serves it.
NGINX_502 = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)
PROM_VECTOR = fixture_bytes("prometheus", "query_vector_up.prom_v2.42.0.json")
AM_ALERTS = fixture_bytes("alertmanager", "get_alerts_peer1.am_v0.25.0.json")
BIG = b"[" + b'"padding",' * 600 + b'"end"]'  # ~6 kB of valid JSON
SIZE_CAP_MB = 0.004  # 4,194 bytes


def respond(status: int, body: bytes = b"", **headers: str) -> Callable[[httpx.Request], httpx.Response]:
    return lambda request: httpx.Response(status, content=body, headers=headers)


def fail(exc_type: type[httpx.TransportError], message: str) -> Callable[[httpx.Request], httpx.Response]:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc_type(message, request=request)

    return handler


def streamed(body: bytes) -> Callable[[httpx.Request], httpx.Response]:
    """A chunked answer without Content-Length: the cap must stop it while reading."""
    chunks = [body[i : i + 1000] for i in range(0, len(body), 1000)]
    return lambda request: httpx.Response(200, content=iter(chunks))


# (id, behaviour, expected type, message fragment, retry_after)
COMMON = [
    ("connect-refused", fail(httpx.ConnectError, "[Errno 111] Connection refused"), Unreachable,
     "connection refused", None),
    ("dns", fail(httpx.ConnectError, "[Errno -2] Name or service not known"), Unreachable, "DNS failure", None),
    ("read-timeout", fail(httpx.ReadTimeout, "timed out"), Unreachable, "read timeout", None),
    ("connect-timeout", fail(httpx.ConnectTimeout, "timed out"), Unreachable, "connect timeout", None),
    ("dropped", fail(httpx.RemoteProtocolError, "Server disconnected without sending a response."), Unreachable,
     "connection broken", None),
    ("proxy-html-502", respond(502, NGINX_502, **{"Content-Type": "text/html"}), BadResponse,
     "HTTP 502 from", None),
    ("html-200", respond(200, NGINX_502), BadAnswer, "expected JSON, got HTML", None),
    ("empty-200", respond(200, b""), BadAnswer, "empty response body", None),
    ("401", respond(401, b"Unauthorized"), AuthFailed, "HTTP 401", None),
    ("403", respond(403, b"forbidden"), AuthFailed, "HTTP 403", None),
    ("429-retry-after", respond(429, b"slow down", **{"Retry-After": "30"}), RateLimited, "HTTP 429", 30.0),
    ("503-retry-after", respond(503, b"maintenance", **{"Retry-After": "120"}), RateLimited, "HTTP 503", 120.0),
    ("503-plain", respond(503, b"upstream connect error or disconnect/reset before headers"), BadResponse,
     "HTTP 503", None),
    ("too-large-declared", respond(200, BIG), ResponseTooLarge, "response too large", None),
    ("too-large-streamed", streamed(BIG), ResponseTooLarge, "reading stopped", None),
]  # fmt: skip

PROMETHEUS_ONLY = [
    ("truncated-json", respond(200, PROM_VECTOR[:-25]), BadAnswer, "invalid or truncated JSON", None),
    ("data-is-a-list", respond(200, b'{"status":"success","data":[1, 2]}'), BadAnswer,
     "unexpected data (a list of 2)", None),
    ("not-an-envelope", respond(200, b'{"result": []}'), BadAnswer, "not a Prometheus API response", None),
    ("result-not-a-list", respond(200, b'{"status":"success","data":{"resultType":"vector","result":{}}}'),
     BadAnswer, "vector result is an object", None),
    ("unknown-result-type", respond(200, b'{"status":"success","data":{"resultType":"exemplars","result":[]}}'),
     BadAnswer, "unknown resultType 'exemplars'", None),
    ("plain-text-404", respond(404, fixture_bytes("prometheus", "not_found_404.prom_v2.42.0.txt")), BadResponse,
     "HTTP 404 from http://prom.test:9090/api/v1/query: 404 page not found", None),
]  # fmt: skip

ALERTMANAGER_ONLY = [
    ("truncated-json", respond(200, AM_ALERTS[:-25]), BadAnswer, "invalid or truncated JSON", None),
    ("alerts-not-a-list", respond(200, b'{"alerts": []}'), BadAnswer, "expected a list of alerts", None),
    ("alert-without-fingerprint", respond(200, b'[{"labels": {}}]'), DroppedRecords,
     "1 alert dropped: no fingerprint", None),
    ("json-string-500", respond(500, b'"failed to get alerts: context canceled"'), BadResponse,
     "HTTP 500 from http://am.test:9093/api/v2/alerts: failed to get alerts: context canceled", None),
    ("json-string-400", respond(400, b'"bad matcher format: alertname=~["'), BadResponse,
     "HTTP 400 from http://am.test:9093/api/v2/alerts: bad matcher format", None),
]  # fmt: skip


def prometheus_source(transport: httpx.MockTransport) -> PrometheusSource:
    config = source_config("prometheus", "http://prom.test:9090", max_response_mb=SIZE_CAP_MB)
    plan = PollPlan(metrics=(MetricQuery(key="k", expr="up", instant=True),))
    return PrometheusSource(config, plan, transport=transport, clock=lambda: 1795833163.0)


def alertmanager_source(transport: httpx.MockTransport) -> AlertmanagerSource:
    config = source_config("alertmanager", "http://am.test:9093", max_response_mb=SIZE_CAP_MB)
    return AlertmanagerSource(config, PollPlan(alerts=True), transport=transport, clock=lambda: 1795833163.0)


CASES = [
    *(pytest.param(prometheus_source, *row[1:], id=f"prometheus-{row[0]}") for row in COMMON + PROMETHEUS_ONLY),
    *(pytest.param(alertmanager_source, *row[1:], id=f"alertmanager-{row[0]}") for row in COMMON + ALERTMANAGER_ONLY),
]


@pytest.mark.parametrize(("make", "behaviour", "expected", "fragment", "retry_after"), CASES)
def test_error_table(make, behaviour, expected, fragment, retry_after):
    source = make(httpx.MockTransport(behaviour))
    if expected is DroppedRecords:
        snap = source.poll()
        assert fragment in " ".join(note for notes in snap.notes.values() for note in notes)
        return
    if issubclass(expected, BadAnswer):
        snap = source.poll()
        problems = answer_problems(snap)
        assert problems and all(fragment in p for p in problems), problems
        assert any(fragment in d for d in snap.degraded), snap.degraded  # never green on garbage
        return
    with pytest.raises(SourceError) as caught:
        source.poll()
    error = caught.value
    assert type(error) is expected, f"{type(error).__name__}: {error}"
    assert fragment in str(error)
    if expected is RateLimited:
        assert error.retry_after == retry_after
    if expected is Unreachable:
        assert isinstance(error.__cause__, httpx.TransportError)
    source.close()


def answer_problems(snap: Snapshot) -> list[str]:
    """Every per-query and per-section error of a poll."""
    return [r.error for r in snap.metrics.values() if r.error] + list(snap.errors.values())


def test_size_cap_leaves_normal_answers_alone():
    # The same tiny cap as the table: a recorded answer below it passes untouched.
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=PROM_VECTOR if request.url.path.endswith("/query") else b"")

    snap = prometheus_source(httpx.MockTransport(answer)).poll()
    assert len(snap.metrics["k"].series) == 2
