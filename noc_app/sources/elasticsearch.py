"""Elasticsearch / OpenSearch adapter: log lines from `_search`, counts over time.

Log queries POST `/<index>/_search` with a `query_string` (the panel's text,
`*` when empty) and a range on the timestamp field, sorted newest first with
`size = limit`.  The range's lower bound is the newest hit already held
(inclusive, epoch millis), so each poll gets the newest `limit` documents since
the previous one and repeats are dropped by `<_index>/<_id>` (see
`log_window`).  Sorting on the timestamp alone is enough here, so no
tiebreaker field or point-in-time is needed; the first poll looks back
`options.lookback` (default 15m).

Metric queries count matching documents: a `date_histogram` with a
`fixed_interval` chosen from the window and point budget gives one "count"
series; an instant query uses `_count`.

Errors come as `{"error": {"type", "reason", "root_cause", ...}, "status": N}`:
shown as "<type>: <reason>" on that query's panel (index_not_found_exception,
parse errors, status_exception); 5xx envelopes also mark the source DEGRADED;
429 (es_rejected_execution_exception) raises RateLimited.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx
import numpy as np

from noc_app.config.schema import SourceConfig
from noc_app.config.source_options import index_pattern
from noc_app.model import LogLevel, LogLine, QueryResult, Series, Snapshot
from noc_app.sources.base import BadAnswer, LogQuery, MetricQuery, PollPlan, dropped_note
from noc_app.sources.http import (
    LazyClient,
    SourceClient,
    max_bytes_of,
    request_bytes,
    status_error,
)
from noc_app.sources.log_window import (
    LogBook,
    QueryFailed,
    QueryOutcomes,
    line_labels,
)
from noc_app.sources.offload import load_json
from noc_app.sources.options import duration_option, required_url, text_option
from noc_app.sources.step import aligned_range, choose_step
from noc_app.sources.template_vars import substitute

DEFAULT_LOOKBACK_S = 15 * 60.0
HISTOGRAM = "over_time"  # our name for the date_histogram aggregation
# Every error status may carry Elasticsearch's JSON envelope; auth and rate limits never
# are per-query, so they go through status_error().
_ENVELOPE_STATUSES = tuple(s for s in range(400, 600) if s not in (401, 403, 429))
_SERVICE_FIELDS = ("service.name", "service", "app")
_MISSING = object()


class ElasticsearchSource:
    """Reads log documents and document counts from one Elasticsearch or OpenSearch cluster."""

    kind = "elasticsearch"

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
        index = index_pattern(config.index or "*")
        if index is None:
            raise ValueError(f"sources[{config.id}].index: not an index pattern: {config.index!r}")
        self._index = index
        self._lookback_ms = int(duration_option(config, "lookback", DEFAULT_LOOKBACK_S) * 1000)
        self._ts_field = text_option(config, "timestamp_field", "@timestamp")
        self._message_field = text_option(config, "message_field", "message")
        # An explicit level field is used alone; by default try plain `level`, then ECS `log.level`.
        explicit_level = config.options.get("level_field") is not None
        self._level_fields = (
            (text_option(config, "level_field", "level"),) if explicit_level else ("level", "log.level")
        )
        self._book = LogBook(plan.logs)
        self._newest_ms: dict[str, int] = {}
        self._client = LazyClient(config, transport=transport, extra_headers={"Accept": "application/json"})

    def poll(self) -> Snapshot:
        """Read every log and metric query of the plan; blocking."""
        client = self._http()
        now = self._clock()
        now_ms = int(now * 1000)
        outcomes = QueryOutcomes()
        info: dict[str, str] = {}
        for log_query in self._plan.logs:
            try:
                warnings, total = self._read_logs(client, log_query, now_ms)
            except QueryFailed as failure:
                outcomes.failed(log_query.key, failure)
            except BadAnswer as exc:
                outcomes.failed(log_query.key, QueryFailed(str(exc), unusable=True))
            else:
                outcomes.answered(log_query.key, QueryResult.build(warnings=warnings))
                if total:
                    info[f"hits:{log_query.key}"] = total
        for metric_query in self._plan.metrics:
            try:
                outcomes.answered(metric_query.key, self._read_metric(client, metric_query, now_ms))
            except QueryFailed as failure:
                outcomes.failed(metric_query.key, failure)
            except BadAnswer as exc:
                outcomes.failed(metric_query.key, QueryFailed(str(exc), unusable=True))
        degraded = (*outcomes.degraded(), *client.take_redirect_notes())
        logs = self._book.lines() if self._plan.logs else None
        return Snapshot.build(
            self.id, now, metrics=outcomes.results, logs=logs, degraded=degraded, info=info
        )

    def close(self) -> None:
        """Close the HTTP client; idempotent."""
        self._client.close()

    # -- log lines ------------------------------------------------------------------

    def _read_logs(self, client: httpx.Client, query: LogQuery, now_ms: int) -> tuple[tuple[str, ...], str]:
        """Merge the newest hits since the last poll; return (warnings, total-hits text)."""
        since_ms = self._newest_ms.get(query.key, now_ms - self._lookback_ms)
        body = {
            "query": self._filter(query.expr, since_ms, now_ms),
            "sort": [{self._ts_field: {"order": "desc"}}],
            "size": max(1, query.limit),
        }
        payload = self._post(client, "_search", body)
        warnings = list(_search_warnings(payload))
        hits = _hits_of(payload)
        lines: list[LogLine] = []
        undated = 0
        dropped: list[str] = []
        for hit in hits:
            try:
                parsed = self._line(hit, query.key)
            except BadAnswer as exc:  # one bad hit must not hide the others
                dropped.append(str(exc).removeprefix("Elasticsearch: "))
                continue
            if parsed is None:
                undated += 1
                continue
            ms, line = parsed
            lines.append(line)
            self._newest_ms[query.key] = max(ms, self._newest_ms.get(query.key, ms))
        if undated:
            warnings.append(f"{undated} hit(s) without a usable {self._ts_field} were skipped")
        note = dropped_note(dropped, "log line")
        if note:
            warnings.append(note)
        self._book.merge(query.key, reversed(lines))  # oldest first, so arrival order breaks ts ties
        return tuple(warnings), _total_text(payload)

    def _filter(self, expr: str, since_ms: int, until_ms: int) -> dict[str, Any]:
        return {
            "bool": {
                "must": [{"query_string": {"query": expr.strip() or "*"}}],
                # The upper bound keeps a future-dated document from moving the lower bound past now.
                "filter": [
                    {
                        "range": {
                            self._ts_field: {"gte": since_ms, "lte": until_ms, "format": "epoch_millis"}
                        }
                    }
                ],
            }
        }

    def _line(self, hit: Any, query_key: str) -> tuple[int, LogLine] | None:
        """(epoch ms, LogLine) of one hit; None when it carries no usable timestamp."""
        if not isinstance(hit, dict) or not isinstance(hit.get("_source", {}), dict):
            raise BadAnswer(f"Elasticsearch: hit is not an object with a _source: {_brief(hit)}")
        source = hit.get("_source", {})
        ms = _sort_millis(hit.get("sort"))
        if ms is None:
            ms = _field_millis(field_value(source, self._ts_field))
        if ms is None:
            return None
        index, doc_id = str(hit.get("_index", "")), str(hit.get("_id", ""))
        if not doc_id:
            raise BadAnswer(f"Elasticsearch: hit without an _id: {_brief(hit)}")
        message = field_value(source, self._message_field)
        if message is _MISSING:
            text = json.dumps(source, ensure_ascii=False, default=str)[:2000]
        else:
            text = message if isinstance(message, str) else json.dumps(message, ensure_ascii=False)
        line = LogLine(
            ts=ms / 1000.0,
            level=self._level(source),
            text=text,
            cursor=f"{index}/{doc_id}",
            service=_first_text(source, _SERVICE_FIELDS),
            labels=line_labels({"_index": index}, query_key),
        )
        return ms, line

    def _level(self, source: Mapping[str, Any]) -> LogLevel:
        for name in self._level_fields:
            value = field_value(source, name)
            if isinstance(value, (str, int)) and not isinstance(value, bool):
                return LogLevel.parse(value)
        return LogLevel.INFO

    # -- metrics ---------------------------------------------------------------------

    def _read_metric(self, client: httpx.Client, query: MetricQuery, now_ms: int) -> QueryResult:
        interval_s = histogram_interval(query.window_s, query.max_points)
        expr = substitute(query.expr, query.variables, step_s=interval_s, window_s=query.window_s)
        name = query.legend or "count"
        if query.instant:
            since_ms = now_ms - int(query.window_s * 1000)
            payload = self._post(client, "_count", {"query": self._filter(expr, since_ms, now_ms)})
            count = payload.get("count")
            if not isinstance(count, (int, float)) or isinstance(count, bool):
                raise BadAnswer(f"Elasticsearch _count: no numeric 'count' in {_brief(payload)}")
            x = np.array([now_ms / 1000.0])
            y = np.array([float(count)])
            return QueryResult.build([Series(key="count", name=name, labels={}, x=x, y=y)])
        # Whole buckets only, aligned to the interval: a half-filled last bucket would
        # show a drop in traffic that is not there.
        start, end = aligned_range(now_ms / 1000.0, query.window_s, interval_s)
        start_ms, end_ms = round(start * 1000), round(end * 1000)
        body = {
            "size": 0,
            "track_total_hits": False,
            "query": self._filter(expr, start_ms, end_ms - 1),
            "aggs": {
                HISTOGRAM: {
                    "date_histogram": {
                        "field": self._ts_field,
                        "fixed_interval": f"{interval_s}s",
                        "format": "epoch_millis",
                        "min_doc_count": 0,  # empty buckets are a real zero count, not a gap
                        "extended_bounds": {"min": start_ms, "max": end_ms - 1},
                    }
                }
            },
        }
        payload = self._post(client, "_search", body)
        x, y = histogram_points(payload)
        series = Series(key="count", name=name, labels={}, x=x, y=y)
        return QueryResult.build([series], warnings=_search_warnings(payload))

    # -- HTTP ------------------------------------------------------------------------

    def _http(self) -> SourceClient:
        return self._client.get()

    def _post(self, client: httpx.Client, endpoint: str, body: dict[str, Any]) -> dict[str, Any]:
        path = f"/{self._index}/{endpoint}"
        status, raw, headers = request_bytes(
            client, "POST", path, max_bytes=self._max_bytes, accept_status=_ENVELOPE_STATUSES, json=body
        )
        if status >= 400:
            message = envelope_message(raw)
            if message is None or (status == 503 and headers.get("retry-after")):
                url = self._url.rstrip("/") + path
                raise status_error(status, raw.decode("utf-8", "replace"), headers, url)
            raise QueryFailed(message, server_side=status >= 500)
        payload = load_json(raw, what=f"Elasticsearch {endpoint}", split=("hits", "hits"))
        if not isinstance(payload, dict):
            raise BadAnswer(f"Elasticsearch {endpoint}: expected a JSON object, got {_brief(payload)}")
        return payload


def envelope_message(raw: bytes) -> str | None:
    """'<type>: <reason>' of an Elasticsearch error envelope; None when the body is not one."""
    try:
        payload = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(payload, dict) or "error" not in payload:
        return None
    error = payload["error"]
    if isinstance(error, str):  # Elasticsearch before 5.0 sent the error as text
        return error
    if not isinstance(error, dict):
        return None
    message = _cause_text(error)
    root_causes = error.get("root_cause")
    if isinstance(root_causes, list) and root_causes and isinstance(root_causes[0], dict):
        root = _cause_text(root_causes[0])
        if root != message:
            message += f" (root cause: {root})"
    return message


def _cause_text(cause: Mapping[str, Any]) -> str:
    kind, reason = cause.get("type"), cause.get("reason")
    if kind and reason:
        return f"{kind}: {reason}"
    return str(kind or reason or "unknown error")


def _hits_of(payload: Mapping[str, Any]) -> list[Any]:
    hits = payload.get("hits")
    inner = hits.get("hits") if isinstance(hits, dict) else None
    if not isinstance(inner, list):
        raise BadAnswer(f"Elasticsearch _search: no hits.hits list in {_brief(payload)}")
    return inner


def _total_text(payload: Mapping[str, Any]) -> str:
    """hits.total as text: "20", or "10000+" when Elasticsearch stopped counting."""
    total = payload.get("hits", {}).get("total")
    if isinstance(total, int) and not isinstance(total, bool):  # ES 6, rest_total_hits_as_int
        return str(total)
    if isinstance(total, dict) and isinstance(total.get("value"), int):
        return f"{total['value']}{'+' if total.get('relation') == 'gte' else ''}"
    return ""


def _search_warnings(payload: Mapping[str, Any]) -> tuple[str, ...]:
    """Partial-result warnings: a timed-out search, failed shards."""
    warnings = []
    if payload.get("timed_out") is True:
        warnings.append("search timed out: results may be incomplete")
    shards = payload.get("_shards")
    if isinstance(shards, dict) and isinstance(shards.get("failed"), int) and shards["failed"] > 0:
        detail = ""
        failures = shards.get("failures")
        if isinstance(failures, list) and failures and isinstance(failures[0], dict):
            reason = failures[0].get("reason")
            detail = f": {_cause_text(reason)}" if isinstance(reason, dict) else ""
        warnings.append(f"{shards['failed']} of {shards.get('total', '?')} shards failed{detail}")
    return tuple(warnings)


def histogram_interval(window_s: float, max_points: int) -> int:
    """The bucket width in whole seconds: the smallest clock-friendly width within the point budget."""
    return int(choose_step(window_s, max_points, min_step_s=1.0))


def histogram_points(payload: Mapping[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """(epoch seconds, doc counts) from our date_histogram's buckets."""
    aggregations = payload.get("aggregations")
    histogram = aggregations.get(HISTOGRAM) if isinstance(aggregations, dict) else None
    buckets = histogram.get("buckets") if isinstance(histogram, dict) else None
    if not isinstance(buckets, list):
        raise BadAnswer(f"Elasticsearch _search: no aggregations.{HISTOGRAM}.buckets list")
    x = np.empty(len(buckets), dtype=np.float64)
    y = np.empty(len(buckets), dtype=np.float64)
    for i, bucket in enumerate(buckets):
        key = bucket.get("key") if isinstance(bucket, dict) else None
        count = bucket.get("doc_count") if isinstance(bucket, dict) else None
        if not isinstance(key, (int, float)) or not isinstance(count, (int, float)):
            raise BadAnswer(f"Elasticsearch date_histogram: unreadable bucket {_brief(bucket)}")
        x[i] = key / 1000.0
        y[i] = count
    return x, y


def field_value(source: Mapping[str, Any], path: str) -> Any:
    """A field of a document by dotted path, flat (`"log.level"`) or nested (`log: {level}`)."""
    if path in source:
        return source[path]
    parts = path.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        head = ".".join(parts[:cut])
        child = source.get(head)
        if isinstance(child, dict):
            value = field_value(child, ".".join(parts[cut:]))
            if value is not _MISSING:
                return value
    return _MISSING


def _first_text(source: Mapping[str, Any], paths: tuple[str, ...]) -> str:
    for path in paths:
        value = field_value(source, path)
        if isinstance(value, str) and value:
            return value
    return ""


def _sort_millis(sort: Any) -> int | None:
    """Epoch ms from a hit's first sort value (ms for `date`, ns for `date_nanos` fields)."""
    first = sort[0] if isinstance(sort, list) and sort else None
    if isinstance(first, (int, float)) and not isinstance(first, bool):
        return _epoch_number_millis(first)
    return None


def _field_millis(value: Any) -> int | None:
    """Epoch ms from a _source timestamp: ISO-8601 text or an epoch number."""
    if isinstance(value, list) and value:
        value = value[0]
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return _epoch_number_millis(value)
    if isinstance(value, str):
        text = value.strip()
        if text.isdigit():
            return _epoch_number_millis(int(text))
        try:
            when = dt.datetime.fromisoformat(text)
        except ValueError:
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)  # Elasticsearch reads zone-less dates as UTC
        return math.floor(when.timestamp() * 1000)
    return None


def _epoch_number_millis(value: float) -> int:
    # Magnitude tells the unit apart for any date between 1973 and 5138.
    if abs(value) >= 1e17:
        return int(value // 1_000_000)
    if abs(value) >= 1e14:
        return int(value // 1_000)
    return int(value)


def _brief(value: Any) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= 80 else text[:77] + "..."
