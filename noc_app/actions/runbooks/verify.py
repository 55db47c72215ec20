"""A runbook's verification: one PromQL instant query, true or not yet.

"True" is what makes an alert rule fire: the query returns at least one sample
(that is not NaN): `rate(errors[1m]) < 0.01` returns the series while it holds,
even when its value is 0, and nothing otherwise.  Do not use `bool` comparisons
(they return a 0 sample when false); a scalar result is true when it is not 0.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import httpx

from noc_app.config.runbook_schema import RunbookVerify
from noc_app.config.schema import AppConfig, SourceConfig
from noc_app.sources.base import BadAnswer
from noc_app.sources.http import decode_json, make_client, max_bytes_of, request_bytes
from noc_app.sources.prometheus_parse import error_envelope, parse_envelope

QUERY_SOURCE_KINDS = ("prometheus", "victoriametrics")

ClientFactory = Callable[[SourceConfig], httpx.Client]


def holds(data: object) -> bool:
    """Whether an instant query's `data` ({resultType, result}) says true. Raises BadAnswer on a bad shape."""
    if not isinstance(data, dict):
        raise BadAnswer("query: 'data' is not an object")
    kind, result = data.get("resultType"), data.get("result")
    if kind == "scalar":
        return _true(result[1] if isinstance(result, list) and len(result) == 2 else None)
    if kind == "vector" and isinstance(result, list):
        return any(isinstance(s, dict) and isinstance(s.get("value"), list) and len(s["value"]) == 2
                   and _number(s["value"][1]) is not None for s in result)
    raise BadAnswer(f"query: expected an instant vector or scalar, got {str(kind)[:40]!r}")


def _number(text: object) -> float | None:
    try:
        value = float(str(text))
    except ValueError:
        return None
    return None if math.isnan(value) else value


def _true(text: object) -> bool:
    value = _number(text)
    return value is not None and value != 0.0


def check(config: AppConfig, verify: RunbookVerify, client_for: ClientFactory | None = None) -> bool:
    """Run the query once on its source; raises a SourceError (unreachable, bad answer) or BadAnswer."""
    source = config.source(verify.source)
    if source.kind not in QUERY_SOURCE_KINDS:
        raise BadAnswer(f"source {source.id!r} is a {source.kind} source; verification needs a Prometheus API")
    client = client_for(source) if client_for is not None else make_client(
        source, base_url=(source.url or "").rstrip("/") + "/")
    try:
        status, body, _headers = request_bytes(client, "GET", "api/v1/query", max_bytes=max_bytes_of(source),
                                               accept_status=(400, 422, 503), params={"query": verify.query})
    finally:
        if client_for is None:
            client.close()
    if status >= 400:
        envelope = error_envelope(body)
        raise BadAnswer(f"query {verify.query!r}: " + (envelope.error_text if envelope else f"HTTP {status}"))
    envelope = parse_envelope(decode_json(body, what="query"), what="query")
    if not envelope.ok:
        raise BadAnswer(f"query {verify.query!r}: {envelope.error_text}")
    return holds(envelope.data)
