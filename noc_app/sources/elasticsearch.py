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
429 (es_rejected_execution_exception) raises RateLimited.  Reading the answers
is elasticsearch_parse's job.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx
import numpy as np

from noc_app.config.schema import SourceConfig
from noc_app.config.source_options import index_pattern
from noc_app.model import LogLevel, LogLine, QueryResult, Series, Snapshot
from noc_app.sources.base import BadAnswer, LogQuery, MetricQuery, PollPlan, dropped_note
from noc_app.sources.elasticsearch_parse import (
    HISTOGRAM,
    MISSING,
    brief,
    envelope_message,
    field_millis,
    field_value,
    first_text,
    histogram_interval,
    histogram_points,
    hits_of,
    search_warnings,
    sort_millis,
    total_text,
)
from noc_app.sources.http import (
    LazyClient,
    SourceClient,
    max_bytes_of,
    request_bytes,
    status_error,
)
from noc_app.sources.log_poll import LogRead, poll_logs
from noc_app.sources.log_window import (
    LogBook,
    QueryFailed,
    line_labels,
)
from noc_app.sources.offload import load_json
from noc_app.sources.options import duration_option, required_url, text_option
from noc_app.sources.step import aligned_range
from noc_app.sources.template_vars import substitute

DEFAULT_LOOKBACK_S = 15 * 60.0
# Every error status may carry Elasticsearch's JSON envelope; auth and rate limits never
# are per-query, so they go through status_error().
_ENVELOPE_STATUSES = tuple(s for s in range(400, 600) if s not in (401, 403, 429))
_SERVICE_FIELDS = ("service.name", "service", "app")


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
        return poll_logs(
            self.id, now, self._plan, self._book, client,
            lambda query: self._read_logs(client, query, now_ms),
            lambda query: self._read_metric(client, query, now_ms),
        )

    def close(self) -> None:
        """Close the HTTP client; idempotent."""
        self._client.close()

    # -- log lines ------------------------------------------------------------------

    def _read_logs(self, client: httpx.Client, query: LogQuery, now_ms: int) -> LogRead:
        """Merge the newest hits since the last poll; return the warnings and the total-hits text."""
        since_ms = self._newest_ms.get(query.key, now_ms - self._lookback_ms)
        body = {
            "query": self._filter(query.expr, since_ms, now_ms),
            "sort": [{self._ts_field: {"order": "desc"}}],
            "size": max(1, query.limit),
        }
        payload = self._post(client, "_search", body)
        warnings = list(search_warnings(payload))
        hits = hits_of(payload)
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
        total = total_text(payload)
        return LogRead(tuple(warnings), {f"hits:{query.key}": total} if total else {})

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
            raise BadAnswer(f"Elasticsearch: hit is not an object with a _source: {brief(hit)}")
        source = hit.get("_source", {})
        ms = sort_millis(hit.get("sort"))
        if ms is None:
            ms = field_millis(field_value(source, self._ts_field))
        if ms is None:
            return None
        index, doc_id = str(hit.get("_index", "")), str(hit.get("_id", ""))
        if not doc_id:
            raise BadAnswer(f"Elasticsearch: hit without an _id: {brief(hit)}")
        message = field_value(source, self._message_field)
        if message is MISSING:
            text = json.dumps(source, ensure_ascii=False, default=str)[:2000]
        else:
            text = message if isinstance(message, str) else json.dumps(message, ensure_ascii=False)
        line = LogLine(
            ts=ms / 1000.0,
            level=self._level(source),
            text=text,
            cursor=f"{index}/{doc_id}",
            service=first_text(source, _SERVICE_FIELDS),
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
                raise BadAnswer(f"Elasticsearch _count: no numeric 'count' in {brief(payload)}")
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
        return QueryResult.build([series], warnings=search_warnings(payload))

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
            raise BadAnswer(f"Elasticsearch {endpoint}: expected a JSON object, got {brief(payload)}")
        return payload
