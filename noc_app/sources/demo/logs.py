"""The simulated e-commerce API's structured log stream, a pure function of time.

Each whole second s has 1-4 lines whose content depends only on (seed, s, line
index), so repeated polls return overlapping windows with identical lines and
cursors.  Errors follow the simulated service: a sampled request fails with a
probability that rises with the service's 5xx ratio, so error bursts and
outages flood the stream with ERROR lines.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

from noc_app.model import LogLevel, LogLine
from noc_app.sources.demo.service import (
    INSTANCE,
    JOB,
    SERIES_LABELS,
    DemoService,
    hash_u64,
    hash_uniform,
)
from noc_app.sources.metric_selector import SelectorError, parse_selector

SERVICE = JOB
_MAX_LINES_PER_SECOND = 4
_KEY_STRIDE = 8  # per-second key space: s * 8 + line index
_CHUNK_S = 60
_MAX_LOOKBACK_S = 3600

_ENDPOINTS: dict[str, tuple[str, ...]] = {
    "GET": ("/api/v1/products", "/api/v1/products/{id}", "/api/v1/cart", "/api/v1/orders/{id}",
            "/api/v1/search?q=shoes", "/api/v1/recommendations"),
    "POST": ("/api/v1/checkout", "/api/v1/cart/items", "/api/v1/auth/login", "/api/v1/payments"),
    "PUT": ("/api/v1/cart/items/{id}", "/api/v1/users/me/address"),
    "DELETE": ("/api/v1/cart/items/{id}", "/api/v1/sessions/current"),
}
_METHOD_CUMULATIVE = np.cumsum([0.70, 0.18, 0.08, 0.04])
_METHODS = ("GET", "POST", "PUT", "DELETE")
_PAYMENT_TIMEOUT = "upstream payment-gateway timeout after 2000ms"
_ERRORS_500 = (
    "database error: deadlock detected while updating orders",
    "inventory-service returned 502 Bad Gateway",
    "unhandled exception: KeyError 'sku' in pricing.apply_discount",
)
_ERRORS_503 = (
    "service unavailable: db connection pool exhausted (50/50 in use)",
    "circuit breaker open for inventory-service",
    "upstream connect error: recommendation-service connection refused",
)
_BACKGROUND = (
    (LogLevel.INFO, "cache refresh completed: {n} product keys in 412ms"),
    (LogLevel.INFO, "order-events consumer lag {n} messages"),
    (LogLevel.DEBUG, "feature flag checkout_v2 evaluated for {n} sessions"),
    (LogLevel.NOTICE, "rate limiter: {n} requests throttled for client mobile-app"),
)
_LINE_FILTER = re.compile(r'\|=\s*"((?:[^"\\]|\\.)*)"')
_inv_cdf = np.vectorize(NormalDist().inv_cdf, otypes=[float])


class LogQueryError(ValueError):
    """The log query is not a stream selector the demo understands."""


@dataclass(frozen=True, kw_only=True, slots=True)
class LogFilter:
    """A parsed `{service="ecommerce-api", level="error"} |= "checkout"` query."""

    labels: tuple[tuple[str, str], ...] = ()
    contains: tuple[str, ...] = ()

    def matches(self, line: LogLine) -> bool:
        stream = _stream_labels(line)
        for key, value in self.labels:
            if key == "level":
                if LogLevel.parse(value) is not line.level:
                    return False
            elif stream.get(key) != value:
                return False
        return all(text in line.text for text in self.contains)


def parse_log_query(expr: str) -> LogFilter:
    """Parse a LogQL-like stream selector with optional `|= "text"` line filters."""
    text = expr.strip()
    if not text:
        return LogFilter()
    selector_end = text.find("}") + 1
    if not text.startswith("{") or selector_end == 0:
        raise LogQueryError(f'expected a stream selector like {{service="{SERVICE}"}}, got {expr!r}')
    try:
        selector = parse_selector(text[:selector_end])
    except SelectorError as exc:
        raise LogQueryError(str(exc)) from exc
    rest = text[selector_end:]
    contains = tuple(m.group(1).replace('\\"', '"') for m in _LINE_FILTER.finditer(rest))
    if _LINE_FILTER.sub("", rest).strip():
        raise LogQueryError(f'only |= "text" line filters are supported after the selector in {expr!r}')
    return LogFilter(labels=tuple(sorted(selector.labels.items())), contains=contains)


def _stream_labels(line: LogLine) -> dict[str, str]:
    return {"service": line.service, "job": JOB, "instance": INSTANCE, **line.labels}


class DemoLogStream:
    """Recent lines of the simulated stream, with whole minutes memoised (they never change)."""

    _CACHED_CHUNKS = 16

    def __init__(self, service: DemoService) -> None:
        self.service = service
        self._chunks: dict[int, list[LogLine]] = {}

    def recent(self, now: float, limit: int, log_filter: LogFilter | None = None) -> list[LogLine]:
        """The newest `limit` lines at or before `now` that match, oldest first."""
        if limit <= 0:
            return []
        log_filter = log_filter or LogFilter()
        newest_chunk = math.floor(now) // _CHUNK_S
        kept: list[LogLine] = []
        for chunk in range(newest_chunk, newest_chunk - _MAX_LOOKBACK_S // _CHUNK_S, -1):
            kept[:0] = [ln for ln in self._chunk(chunk) if ln.ts <= now and log_filter.matches(ln)]
            if len(kept) >= limit:
                break
        return kept[-limit:]

    def _chunk(self, chunk: int) -> list[LogLine]:
        lines = self._chunks.get(chunk)
        if lines is None:
            if len(self._chunks) >= self._CACHED_CHUNKS:
                self._chunks.pop(min(self._chunks))
            first = chunk * _CHUNK_S
            lines = self._chunks[chunk] = lines_between(self.service, first, first + _CHUNK_S - 1)
        return lines


def lines_between(service: DemoService, first_second: int, last_second: int) -> list[LogLine]:
    """All lines logged in the whole seconds first_second..last_second, in time order."""
    seconds = np.arange(first_second, last_second + 1, dtype=np.int64)
    seed = service.seed
    counts = 1 + (hash_uniform(seed, 200, seconds) * _MAX_LINES_PER_SECOND).astype(np.int64)
    state = service.state(seconds.astype(np.float64))
    is_500 = np.array([status == "500" for _, status in SERIES_LABELS])
    share_500 = state.rates[is_500].sum(axis=0) / np.maximum(state.error_rate, 1e-12)

    sec_of_line = np.repeat(np.arange(seconds.size), counts)
    index_in_second = np.arange(sec_of_line.size) - np.repeat(np.cumsum(counts) - counts, counts)
    line_second = seconds[sec_of_line]
    keys = line_second * _KEY_STRIDE + index_in_second
    # stratified offsets keep lines of one second in index order
    ts = line_second + (index_in_second + hash_uniform(seed, 201, keys)) / counts[sec_of_line]
    method_pick = np.searchsorted(_METHOD_CUMULATIVE, hash_uniform(seed, 202, keys) * _METHOD_CUMULATIVE[-1])
    endpoint_u = hash_uniform(seed, 203, keys)
    failing = hash_uniform(seed, 204, keys) < np.minimum(0.6, 4.0 * state.error_ratio[sec_of_line])
    kind_u = hash_uniform(seed, 205, keys)
    z = _inv_cdf(np.clip(hash_uniform(seed, 206, keys), 1e-6, 1 - 1e-6))
    p50, p95 = state.p50[sec_of_line], state.p95[sec_of_line]
    duration_ms = 1000.0 * np.exp(np.log(p50) + z * np.log(p95 / p50) / 1.6449)
    trace_hi = hash_u64(seed, 207, keys)
    trace_lo = hash_u64(seed, 208, keys)
    background = hash_uniform(seed, 209, keys) < 0.03
    down = state.up[sec_of_line] == 0

    lines: list[LogLine] = []
    for i in range(keys.size):
        trace_id = f"{int(trace_hi[i]):016x}{int(trace_lo[i]):016x}"
        cursor = f"{int(ts[i] * 1e6):016d}-{int(index_in_second[i])}"
        labels: dict[str, str]
        if down[i] and kind_u[i] < 0.3:
            level, text, labels = LogLevel.CRITICAL, (
                "readiness probe failed: GET /healthz 503 (db connection pool exhausted)"
            ), {}
        elif background[i]:
            level, template = _BACKGROUND[int(kind_u[i] * len(_BACKGROUND))]
            text, labels = template.format(n=100 + int(endpoint_u[i] * 2000)), {}
        else:
            level, text, labels = _request_line(
                _METHODS[min(int(method_pick[i]), 3)], endpoint_u[i], bool(failing[i]),
                kind_u[i], float(share_500[sec_of_line[i]]), float(duration_ms[i]), trace_id,
            )
        lines.append(LogLine(
            ts=float(ts[i]), level=level, text=text, cursor=cursor, service=SERVICE,
            labels={"trace_id": trace_id, **labels},
        ))
    return lines


def _request_line(method: str, endpoint_u: float, failing: bool, kind_u: float,
                  share_500: float, duration_ms: float,
                  trace_id: str) -> tuple[LogLevel, str, dict[str, str]]:
    paths = _ENDPOINTS[method]
    path = paths[int(endpoint_u * len(paths)) % len(paths)]
    path = path.replace("{id}", str(1000 + int(endpoint_u * 1e6) % 90000))
    level = LogLevel.INFO
    detail = ""
    if failing:
        level = LogLevel.ERROR
        if kind_u < share_500:
            status = "500"
            if path.endswith(("/checkout", "/payments")):
                detail = _PAYMENT_TIMEOUT
                duration_ms = max(duration_ms, 2000.0 + 40.0 * kind_u)
            else:
                detail = _ERRORS_500[int(kind_u / max(share_500, 1e-9) * len(_ERRORS_500)) % len(_ERRORS_500)]
        else:
            status = "503"
            detail = _ERRORS_503[int(kind_u * 7919) % len(_ERRORS_503)]
        detail = f" {detail} trace_id={trace_id}"
    elif method == "POST" and "/checkout" not in path and "/auth" not in path:
        status = "201"
    elif kind_u < 0.03:
        status = "404"
    else:
        status = "200"
    if not failing and duration_ms > 1000.0:
        level = LogLevel.WARNING
        detail = " slow request"
    ms = round(duration_ms)
    labels = {"method": method, "path": path.split("?")[0], "status": status, "duration_ms": str(ms)}
    return level, f"{method} {path} {status} {ms}ms{detail}", labels
