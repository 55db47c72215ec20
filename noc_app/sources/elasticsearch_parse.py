"""Elasticsearch / OpenSearch answers: pure functions over `_search` and `_count` JSON.

The adapter (elasticsearch.py) builds requests and keeps the log window; this
module reads what comes back: error envelopes ("<type>: <reason>"), hits and
their totals, partial-result warnings, date_histogram buckets, and document
fields by dotted path with their timestamps in epoch milliseconds.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from noc_app.sources.base import BadAnswer
from noc_app.sources.step import choose_step

HISTOGRAM = "over_time"  # our name for the date_histogram aggregation
MISSING = object()  # field_value of a field the document does not have


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


def hits_of(payload: Mapping[str, Any]) -> list[Any]:
    hits = payload.get("hits")
    inner = hits.get("hits") if isinstance(hits, dict) else None
    if not isinstance(inner, list):
        raise BadAnswer(f"Elasticsearch _search: no hits.hits list in {brief(payload)}")
    return inner


def total_text(payload: Mapping[str, Any]) -> str:
    """hits.total as text: "20", or "10000+" when Elasticsearch stopped counting."""
    total = payload.get("hits", {}).get("total")
    if isinstance(total, int) and not isinstance(total, bool):  # ES 6, rest_total_hits_as_int
        return str(total)
    if isinstance(total, dict) and isinstance(total.get("value"), int):
        return f"{total['value']}{'+' if total.get('relation') == 'gte' else ''}"
    return ""


def search_warnings(payload: Mapping[str, Any]) -> tuple[str, ...]:
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
            raise BadAnswer(f"Elasticsearch date_histogram: unreadable bucket {brief(bucket)}")
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
            if value is not MISSING:
                return value
    return MISSING


def first_text(source: Mapping[str, Any], paths: tuple[str, ...]) -> str:
    for path in paths:
        value = field_value(source, path)
        if isinstance(value, str) and value:
            return value
    return ""


def sort_millis(sort: Any) -> int | None:
    """Epoch ms from a hit's first sort value (ms for `date`, ns for `date_nanos` fields)."""
    first = sort[0] if isinstance(sort, list) and sort else None
    if isinstance(first, (int, float)) and not isinstance(first, bool):
        return _epoch_number_millis(first)
    return None


def field_millis(value: Any) -> int | None:
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


def brief(value: Any) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= 80 else text[:77] + "..."
