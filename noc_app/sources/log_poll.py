"""One poll of a log adapter (Loki, Elasticsearch, journald): the loop they all share.

Each adapter reads one query at a time; this module runs the plan's queries,
turns a refused query (QueryFailed) or an unreadable answer (BadAnswer) into that
query's error without hiding the others, collects the outcome in QueryOutcomes
(DEGRADED / STALE rules: see log_window), appends the client's redirect notes,
and builds the Snapshot with every log window merged.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from noc_app.model import QueryResult, Snapshot
from noc_app.sources.base import BadAnswer, LogQuery, MetricQuery, PollPlan
from noc_app.sources.http import SourceClient
from noc_app.sources.log_window import LogBook, QueryFailed, QueryOutcomes

Q = TypeVar("Q", LogQuery, MetricQuery)
R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class LogRead:
    """What reading one log query gave besides its lines (merged into the book by the reader)."""

    warnings: tuple[str, ...] = ()
    info: Mapping[str, str] = field(default_factory=dict)  # Snapshot.info entries, e.g. hit totals


def poll_logs(
    source_id: str,
    now: float,
    plan: PollPlan,
    book: LogBook,
    client: SourceClient,
    read_logs: Callable[[LogQuery], LogRead],
    read_metric: Callable[[MetricQuery], QueryResult] | None = None,
    *,
    metrics_refused: str = "this source serves log lines only: use a logs panel",
) -> Snapshot:
    """Run every log and metric query of `plan`; a source without `read_metric` refuses metric queries."""
    outcomes = QueryOutcomes()
    info: dict[str, str] = {}
    for log_query in plan.logs:
        read = _attempt(outcomes, read_logs, log_query)
        if read is not None:
            outcomes.answered(log_query.key, QueryResult.build(warnings=read.warnings))
            info.update(read.info)
    for metric_query in plan.metrics:
        if read_metric is None:
            outcomes.failed(metric_query.key, QueryFailed(metrics_refused))
            continue
        result = _attempt(outcomes, read_metric, metric_query)
        if result is not None:
            outcomes.answered(metric_query.key, result)
    degraded = (*outcomes.degraded(), *client.take_redirect_notes())
    logs = book.lines() if plan.logs else None
    return Snapshot.build(source_id, now, metrics=outcomes.results, logs=logs, degraded=degraded, info=info)


def _attempt(outcomes: QueryOutcomes, read: Callable[[Q], R], query: Q) -> R | None:
    """read(query); a refused or unreadable query is recorded as that query's failure (None returned)."""
    try:
        return read(query)
    except QueryFailed as failure:
        outcomes.failed(query.key, failure)
    except BadAnswer as exc:
        outcomes.failed(query.key, QueryFailed(str(exc), unusable=True))
    return None
