"""Grafana Loki adapter: log lines and LogQL metric queries over /loki/api/v1.

Log queries read `query_range` backwards from now, bounded below by the newest
line already held (Loki's `start` is inclusive, in integer nanoseconds), so
each poll gets the newest `limit` lines since the last one in one request; see
`log_window` for why that leaves neither gaps nor duplicates.  The first poll
looks back `options.lookback` (default 15m).  A line's cursor is
`<ns>:<hash of stream labels and line>`.

Metric queries (`sum(rate({job="x"}[1m]))`) come back as Prometheus-shaped
matrices or vectors.  Loki writes errors as text/plain bodies: a 400 (LogQL
parse error) becomes that query's QUERY ERROR; 499/500/504 mark the query
failed server-side.  Tenancy (`X-Scope-OrgID`) comes from `auth.headers`.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from noc_app.config.schema import SourceConfig
from noc_app.model import LogLevel, LogLine, QueryResult, Snapshot, digest
from noc_app.sources.base import AuthFailed, BadAnswer, LogQuery, MetricQuery, PollPlan, dropped_note
from noc_app.sources.http import (
    LazyClient,
    SourceClient,
    max_bytes_of,
    request_bytes,
    status_error,
)
from noc_app.sources.legend import label_text
from noc_app.sources.log_poll import LogRead, poll_logs
from noc_app.sources.log_window import (
    LogBook,
    QueryFailed,
    line_labels,
)
from noc_app.sources.offload import load_json
from noc_app.sources.options import duration_option, flag_option, required_url
from noc_app.sources.prometheus_parse import parse_query_data
from noc_app.sources.step import aligned_range, choose_step
from noc_app.sources.template_vars import substitute

QUERY_RANGE = "/loki/api/v1/query_range"
QUERY_INSTANT = "/loki/api/v1/query"
DEFAULT_LOOKBACK_S = 15 * 60.0
NS_PER_S = 1_000_000_000
# Statuses whose text/plain body is Loki's verdict on one query, not on the server.
_QUERY_STATUSES = (400, 422, 499, 500, 504)
# Labels that name a line's level or service, most specific first.
_LEVEL_LABELS = ("level", "detected_level", "severity", "lvl")
_SERVICE_LABELS = ("service_name", "service", "app", "job", "container")
_LOGFMT_LEVEL = re.compile(r'(?:^|\s)(?:level|lvl|severity)="?([A-Za-z]+)')


class LokiSource:
    """Reads log lines and LogQL metrics from one Loki (or a multi-tenant gateway)."""

    kind = "loki"

    def __init__(
        self,
        config: SourceConfig,
        plan: PollPlan,
        *,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.id = config.id
        self._url = required_url(config)
        self._config = config
        self._plan = plan
        self._clock = clock
        self._max_bytes = max_bytes_of(config)
        self._lookback_ns = int(duration_option(config, "lookback", DEFAULT_LOOKBACK_S) * NS_PER_S)
        # categorize-labels keeps stream labels apart from structured metadata (Loki 3).
        self._categorize = flag_option(config, "categorize_labels", False)
        self._book = LogBook(plan.logs)
        self._newest_ns: dict[str, int] = {}
        extra = {"X-Loki-Response-Encoding-Flags": "categorize-labels"} if self._categorize else None
        self._client = LazyClient(config, transport=transport, extra_headers=extra)

    def poll(self) -> Snapshot:
        """Read every log and metric query of the plan; blocking."""
        client = self._http()
        now = self._clock()
        now_ns = int(now * NS_PER_S)
        return poll_logs(
            self.id, now, self._plan, self._book, client,
            lambda query: LogRead(self._read_logs(client, query, now_ns)),
            lambda query: self._read_metric(client, query, now),
        )

    def close(self) -> None:
        """Close the HTTP client; idempotent."""
        self._client.close()

    # -- log lines ------------------------------------------------------------------

    def _read_logs(self, client: httpx.Client, query: LogQuery, now_ns: int) -> tuple[str, ...]:
        if not query.expr.strip():
            raise QueryFailed('empty LogQL query: a log panel needs a stream selector like {job="app"}')
        start_ns = self._newest_ns.get(query.key, now_ns - self._lookback_ns)
        if start_ns >= now_ns:
            return ()  # the clock stepped back: nothing can be newer than what we hold
        params = {
            "query": query.expr,
            "direction": "backward",  # newest first: the window only keeps the newest `limit`
            "limit": str(max(1, query.limit)),
            "start": str(start_ns),  # inclusive: the boundary lines come back and are de-duplicated
            "end": str(now_ns),  # exclusive; also keeps future-dated lines from moving the bound
        }
        payload, warnings = self._query(client, QUERY_RANGE, params)
        result_type, result = _result_of(payload)
        if result_type != "streams":
            raise QueryFailed(
                f"expected log lines, got a {result_type} result: this is a metric query, "
                "show it in a graph or stat panel"
            )
        dropped: list[str] = []
        entries = parse_streams(result, query.key, dropped)
        self._book.merge(query.key, [line for _, line in entries])
        if entries:
            newest = max(ns for ns, _ in entries)
            self._newest_ns[query.key] = max(newest, self._newest_ns.get(query.key, newest))
        note = dropped_note(dropped, "log line")
        return (*warnings, note) if note else warnings

    # -- metrics ---------------------------------------------------------------------

    def _read_metric(self, client: httpx.Client, query: MetricQuery, now: float) -> QueryResult:
        step_s = choose_step(query.window_s, query.max_points, min_step_s=1.0)
        expr = substitute(query.expr, query.variables, step_s=step_s, window_s=query.window_s)
        if not expr.strip():
            raise QueryFailed("empty LogQL query")
        if query.instant:
            path = QUERY_INSTANT
            params = {"query": expr, "time": str(int(now * NS_PER_S))}
        else:
            # Aligned to the step so points land on the same timestamps poll after poll.
            path = QUERY_RANGE
            start, end = aligned_range(now, query.window_s, step_s)
            params = {
                "query": expr,
                "start": str(round(start * NS_PER_S)),
                "end": str(round(end * NS_PER_S)),
                "step": f"{step_s:g}",
            }
        payload, warnings = self._query(client, path, params)
        result_type, _ = _result_of(payload)
        if result_type == "streams":
            raise QueryFailed(
                "expected a metric query such as sum(rate({job=\"app\"}[1m])), got log lines: "
                "show it in a logs panel"
            )
        # Loki's matrix, vector and scalar results are Prometheus-shaped.
        return parse_query_data(payload["data"], legend=query.legend, warnings=warnings, what=f"Loki {path}")

    # -- HTTP ------------------------------------------------------------------------

    def _http(self) -> SourceClient:
        return self._client.get()

    def _query(
        self, client: httpx.Client, path: str, params: Mapping[str, str]
    ) -> tuple[dict[str, Any], tuple[str, ...]]:
        status, body, headers = request_bytes(
            client, "GET", path, max_bytes=self._max_bytes, accept_status=_QUERY_STATUSES, params=params
        )
        if status >= 400:
            raise self._failure(status, body, headers, path)
        # Streams and matrices are big in their per-series "values"; vectors in "result".
        split = ("data", "result") if path == QUERY_INSTANT else ("data", "result", "*", "values")
        payload = load_json(body, what=f"Loki {path}", split=split)
        if not isinstance(payload, dict) or payload.get("status") != "success":
            raise BadAnswer(f"Loki {path}: expected a success envelope, got {_brief(payload)}")
        warnings = payload.get("warnings") or []
        if not isinstance(warnings, list):
            raise BadAnswer(f"Loki {path}: 'warnings' is not a list")
        return payload, tuple(str(w) for w in warnings)

    def _failure(self, status: int, body: bytes, headers: httpx.Headers, path: str) -> Exception:
        text = " ".join(body.decode("utf-8", "replace").split())
        if text.startswith("<"):
            # An HTML error page comes from a proxy in front of Loki, not from Loki.
            return status_error(status, text, headers, self._url.rstrip("/") + path)
        if status == 400 and text == "no org id":
            return AuthFailed(
                "Loki wants a tenant (no org id): set auth.headers.X-Scope-OrgID "
                f"for source {self.id!r}"
            )
        message = text[:500] or f"HTTP {status} with an empty body"
        if status >= 499:
            return QueryFailed(f"HTTP {status}: {message}", server_side=True)
        return QueryFailed(message)


def _result_of(payload: dict[str, Any]) -> tuple[str, Any]:
    data = payload.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("resultType"), str):
        raise BadAnswer("Loki: response has no data.resultType")
    result = data.get("result")
    if result is None:
        result = []  # Loki (like Prometheus) may send null for an empty result
    return data["resultType"], result


def parse_streams(
    result: Any, query_key: str, dropped: list[str] | None = None
) -> list[tuple[int, LogLine]]:
    """LogLines (with their ns timestamps) from a `streams` result, oldest first.

    A stream or entry that is not what Loki sends is dropped (its reason appended to
    `dropped`), so one bad record never hides the other lines.
    """
    if not isinstance(result, list):
        raise BadAnswer("Loki streams: 'result' is not a list")
    reasons = dropped if dropped is not None else []
    entries: list[tuple[int, LogLine]] = []
    for item in result:
        try:
            if not isinstance(item, dict):
                raise BadAnswer(f"stream entry is not an object: {_brief(item)}")
            stream = _string_map(item.get("stream"), "stream")
            values = item.get("values")
            if not isinstance(values, list):
                raise BadAnswer("'values' is not a list")
        except BadAnswer as exc:
            reasons.append(_reason(exc))
            continue
        identity = label_text(stream)
        for value in values:
            try:
                ns, text, extra = _entry(value)
            except BadAnswer as exc:
                reasons.append(_reason(exc))
                continue
            labels = {**stream, **extra}
            line = LogLine(
                ts=ns / NS_PER_S,
                level=detect_level(labels, text),
                text=text,
                cursor=f"{ns}:{digest(identity, text)}",
                service=_service(labels),
                labels=line_labels(labels, query_key),
            )
            entries.append((ns, line))
    entries.sort(key=lambda entry: entry[0])  # streams interleave; backward reads come newest first
    return entries


def _reason(exc: BadAnswer) -> str:
    return str(exc).removeprefix("Loki streams: ").removeprefix("Loki: ")


def _entry(value: Any) -> tuple[int, str, dict[str, str]]:
    """(ns, line, structured metadata + parsed labels) of one `[ts, line(, meta)]` entry."""
    if not isinstance(value, list) or len(value) not in (2, 3):
        raise BadAnswer(f"Loki streams: expected [\"<ns>\", \"<line>\"], got {_brief(value)}")
    ns_text, text = value[0], value[1]
    if not isinstance(ns_text, str) or not ns_text.isdigit() or not isinstance(text, str):
        raise BadAnswer(f"Loki streams: expected [\"<ns>\", \"<line>\"], got {_brief(value)}")
    extra: dict[str, str] = {}
    if len(value) == 3:
        meta = value[2]
        if not isinstance(meta, dict):
            raise BadAnswer(f"Loki streams: entry metadata is not an object: {_brief(meta)}")
        extra.update(_string_map(meta.get("structuredMetadata") or {}, "structuredMetadata"))
        extra.update(_string_map(meta.get("parsed") or {}, "parsed"))
    return int(ns_text), text, extra


def detect_level(labels: Mapping[str, str], text: str) -> LogLevel:
    """A line's level from its labels, else from a logfmt `level=` or JSON `"level"` in the line."""
    for name in _LEVEL_LABELS:
        value = labels.get(name)
        if value and value.lower() != "unknown":
            return LogLevel.parse(value)
    stripped = text.lstrip()
    if stripped.startswith("{"):
        try:
            record = json.loads(stripped)
        except ValueError:
            record = None
        if isinstance(record, dict):
            for name in _LEVEL_LABELS:
                value = record.get(name)
                if isinstance(value, (str, int)) and not isinstance(value, bool):
                    return LogLevel.parse(value)
    match = _LOGFMT_LEVEL.search(text)
    return LogLevel.parse(match.group(1) if match else None)


def _service(labels: Mapping[str, str]) -> str:
    for name in _SERVICE_LABELS:
        value = labels.get(name)
        if value and value != "unknown_service":
            return value
    return ""


def _string_map(value: Any, what: str) -> dict[str, str]:
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise BadAnswer(f"Loki: '{what}' is not a label object: {_brief(value)}")
    return dict(value)


def _brief(value: Any) -> str:
    text = json.dumps(value, default=str) if not isinstance(value, str) else value
    return text if len(text) <= 80 else text[:77] + "..."
