"""Bounded, de-duplicating log windows and the conventions every log adapter shares.

Loki, Elasticsearch and journald adapters all follow the same rules:

Incremental reads
    Each LogQuery key owns a `LogWindow` that keeps the newest `limit` lines,
    oldest first, keyed by the backend's cursor.  Every poll asks the backend
    for the newest `limit` lines at or after the newest line already held (an
    *inclusive* bound).  Lines older than those could never be shown (the
    window only keeps `limit`), so one request per poll keeps the window
    contiguous (no gaps), and the repeats the inclusive bound brings back are
    dropped by cursor (no duplicates).

Lines of several panels
    `Snapshot` has one `logs` tuple, but one source may feed several log
    panels.  Every LogLine carries `labels["__query__"] = <LogQuery.key>` so a
    panel selects its own lines; `Snapshot.logs` is all windows merged, oldest
    first, bounded by the sum of the limits.

Per-query outcome
    `Snapshot.metrics[<log query key>]` holds a series-less `QueryResult` for
    every log query: `error` set when the backend refused that query (Loki 400
    parse error, Elasticsearch index_not_found, a bad journald match), so that
    panel shows QUERY ERROR while the source stays OK; `warnings` when the
    backend answered with warnings.  When a query failed on the server side
    (5xx) the source is also DEGRADED (`Snapshot.degraded`); when every query
    of a poll failed on the server side, poll() raises BadResponse so the
    source goes STALE instead of pretending to be healthy.  `log_poll.poll_logs`
    runs that per-query loop for every log adapter.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from noc_app.model import LogLine, QueryResult, freeze_labels
from noc_app.sources.base import BadResponse, LogQuery, all_unusable

QUERY_LABEL = "__query__"


class LogWindow:
    """The newest `limit` lines of one query, unique by cursor, ordered by (ts, arrival)."""

    __slots__ = ("_arrivals", "_entries", "_lines", "limit")

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError(f"a log window needs a limit of at least 1, got {limit}")
        self.limit = limit
        self._entries: dict[str, tuple[float, int, LogLine]] = {}
        self._lines: tuple[LogLine, ...] = ()
        self._arrivals = 0  # tie-breaker: lines with equal ts keep the order they came in

    def merge(self, lines: Iterable[LogLine]) -> int:
        """Add the lines not held yet (by cursor), keep the newest `limit`; return how many were new."""
        added = 0
        for line in lines:
            if line.cursor in self._entries:
                continue
            self._entries[line.cursor] = (line.ts, self._arrivals, line)
            self._arrivals += 1
            added += 1
        if added:
            kept = sorted(self._entries.values(), key=lambda entry: (entry[0], entry[1]))[-self.limit :]
            self._entries = {entry[2].cursor: entry for entry in kept}
            self._lines = tuple(entry[2] for entry in kept)
        return added

    @property
    def lines(self) -> tuple[LogLine, ...]:
        return self._lines

    def __len__(self) -> int:
        return len(self._lines)

    def __contains__(self, cursor: object) -> bool:
        return cursor in self._entries


class LogBook:
    """One LogWindow per log query key."""

    def __init__(self, queries: Iterable[LogQuery]) -> None:
        self._windows = {query.key: LogWindow(max(1, query.limit)) for query in queries}

    def merge(self, key: str, lines: Iterable[LogLine]) -> int:
        """Merge one query's freshly read lines into its window."""
        return self._windows[key].merge(lines)

    def window(self, key: str) -> LogWindow:
        return self._windows[key]

    def lines(self) -> tuple[LogLine, ...]:
        """Every window's lines, oldest first (stable for equal timestamps)."""
        merged = [line for window in self._windows.values() for line in window.lines]
        merged.sort(key=lambda line: line.ts)
        return tuple(merged)


def line_labels(labels: Mapping[str, str], query_key: str) -> Mapping[str, str]:
    """A line's frozen labels, tagged with the query key its panel selects by."""
    return freeze_labels({**labels, QUERY_LABEL: query_key})


class QueryFailed(Exception):
    """One query was refused or failed; `str()` is the backend's own message."""

    def __init__(self, message: str, *, server_side: bool = False, unusable: bool = False) -> None:
        super().__init__(message)
        self.server_side = server_side
        self.unusable = unusable  # the backend answered, but not in a form we can read


class QueryOutcomes:
    """Collects one poll's per-query results and decides whether the source is healthy."""

    def __init__(self) -> None:
        self.results: dict[str, QueryResult] = {}
        self._server_failures: list[str] = []
        self._unusable: list[str] = []
        self._answered = 0

    def answered(self, key: str, result: QueryResult) -> None:
        self.results[key] = result
        self._answered += 1

    def failed(self, key: str, failure: QueryFailed) -> None:
        self.results[key] = QueryResult.build(error=str(failure))
        if failure.unusable:
            self._unusable.append(f"{key}: {failure}")
        if failure.server_side:
            self._server_failures.append(f"{key}: {failure}")
        else:
            self._answered += 1  # the backend did answer: it refused this query

    def degraded(self) -> tuple[str, ...]:
        """Degraded reasons; raises BadResponse when every query failed on the server side."""
        if self._server_failures and not self._answered:
            more = len(self._server_failures) - 1
            raise BadResponse(self._server_failures[0] + (f" (and {more} more)" if more else ""))
        failed = tuple(f"query failed: {reason}" for reason in self._server_failures)
        return (*failed, *all_unusable(self._unusable, len(self.results)))
