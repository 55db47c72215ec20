"""Prometheus range queries for reports, chunked, as pandas Series on the step grid.

    range_chunks(start, end, step)            -> [(start, end), ...] of at most 11,000 points each (pure)
    reader = RangeReader(source_config)        # the source's own client: auth, TLS, redirects, size caps
    reader.series(expr, start, end, step)      -> pd.Series indexed by epoch seconds, NaN where no sample

A Prometheus answers at most 11,000 points per series, so a 31-day month at 1-minute
steps (44,640 points) is asked in five pieces.  Several series in one answer are summed
(the report's SLIs are totals); a step where none has a sample stays NaN (a gap).
"""

from __future__ import annotations

import math

import httpx
import numpy as np
import pandas as pd

from noc_app.config.schema import SourceConfig
from noc_app.sources.base import BadAnswer
from noc_app.sources.http import make_client, max_bytes_of, request_bytes
from noc_app.sources.prometheus_parse import QueryData, error_envelope, read_query_response

MAX_POINTS = 11_000  # Prometheus refuses a range query that would return more points per series


def range_chunks(start: float, end: float, step: float, *, max_points: int = MAX_POINTS) -> list[tuple[float, float]]:
    """Split [start, end] (both included, on the step grid from start) into ranges of at most max_points points."""
    if step <= 0 or max_points < 1:
        raise ValueError("step and max_points must be positive")
    if end < start:
        return []
    total = math.floor((end - start) / step + 1e-9) + 1
    chunks: list[tuple[float, float]] = []
    first = 0
    while first < total:
        last = min(total, first + max_points) - 1
        chunks.append((start + first * step, start + last * step))
        first = last + 1
    return chunks


def grid(start: float, end: float, step: float) -> np.ndarray:
    """The step grid [start, end] as float64 epoch seconds."""
    count = math.floor((end - start) / step + 1e-9) + 1
    return start + np.arange(max(0, count), dtype=np.float64) * step


class RangeReader:
    """Range queries against one prometheus source; close() when done."""

    def __init__(self, config: SourceConfig, *, transport: httpx.BaseTransport | None = None) -> None:
        if not config.url:
            raise ValueError(f"source {config.id!r} needs a url")
        self.source_id = config.id
        self._base = config.url.rstrip("/")
        self._max_bytes = max_bytes_of(config)
        self._client = make_client(config, base_url=self._base + "/", transport=transport)
        self.requests = 0

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> RangeReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _query(self, expr: str, start: float, end: float, step: float) -> QueryData:
        form = {"query": expr, "start": f"{start:.3f}", "end": f"{end:.3f}", "step": f"{step:g}"}
        status, body, _ = request_bytes(self._client, "POST", "api/v1/query_range", max_bytes=self._max_bytes,
                                        accept_status=(400, 422, 503), data=form)
        self.requests += 1
        what = f"{self._base}/api/v1/query_range"
        envelope = error_envelope(body) if status >= 400 else read_query_response(body, what=what, data_what=expr)
        if envelope is None or not envelope.ok:
            text = envelope.error_text if envelope is not None else f"HTTP {status}"
            raise BadAnswer(f"{what}: {text} (query: {expr})")
        data = envelope.data
        if not isinstance(data, QueryData):
            raise BadAnswer(f"{what}: unexpected answer for {expr}")
        return data

    def series(self, expr: str, start: float, end: float, step: float) -> pd.Series:
        """The expression's samples summed over its series on the grid [start, end]; NaN where none answered."""
        index = grid(start, end, step)
        total = pd.Series(np.nan, index=index, dtype="float64")
        for chunk_start, chunk_end in range_chunks(start, end, step):
            data = self._query(expr, chunk_start, chunk_end, step)
            for _labels, xs, ys in data.series:
                if len(xs) == 0:
                    continue
                # Snap to the grid: Prometheus returns exactly start + k*step, rounding only guards float noise.
                keys = start + np.round((np.asarray(xs, dtype=np.float64) - start) / step) * step
                part = pd.Series(np.asarray(ys, dtype=np.float64), index=keys).groupby(level=0).sum()
                part = part[part.index.isin(index)]
                total.loc[part.index] = total.loc[part.index].fillna(0.0) + part.to_numpy()
        return total
