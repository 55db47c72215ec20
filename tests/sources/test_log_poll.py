"""poll_logs: the per-query loop Loki, Elasticsearch and journald share."""

from __future__ import annotations

import pytest

from noc_app.model import LogLevel, LogLine, QueryResult
from noc_app.sources.base import BadAnswer, BadResponse, LogQuery, MetricQuery, PollPlan
from noc_app.sources.log_poll import LogRead, poll_logs
from noc_app.sources.log_window import LogBook, QueryFailed, line_labels

NOW = 1_700_000_000.0


class Client:
    def __init__(self, notes: tuple[str, ...] = ()) -> None:
        self.notes = notes

    def take_redirect_notes(self) -> tuple[str, ...]:
        notes, self.notes = self.notes, ()
        return notes


def line(key: str, n: int) -> LogLine:
    return LogLine(ts=NOW - 10 + n, level=LogLevel.INFO, text=f"line {n}", cursor=f"c{n}", service="",
                   labels=line_labels({}, key))


def test_each_query_fails_alone_and_the_answered_ones_fill_the_snapshot():
    plan = PollPlan(logs=(LogQuery(key="d/ok"), LogQuery(key="d/refused"), LogQuery(key="d/garbage")),
                    metrics=(MetricQuery(key="d/m", expr="x"),))
    book = LogBook(plan.logs)

    def read_logs(query: LogQuery) -> LogRead:
        if query.key == "d/refused":
            raise QueryFailed("parse error at line 1")
        if query.key == "d/garbage":
            raise BadAnswer("not JSON")
        book.merge(query.key, [line(query.key, 1), line(query.key, 2)])
        return LogRead(("partial",), {"hits:d/ok": "2"})

    snap = poll_logs("s", NOW, plan, book, Client(("redirected to https://x",)), read_logs,
                     lambda query: QueryResult.build())
    assert snap.metrics["d/ok"].warnings == ("partial",) and snap.metrics["d/ok"].error is None
    assert snap.metrics["d/refused"].error == "parse error at line 1"
    assert snap.metrics["d/garbage"].error == "not JSON"
    assert snap.metrics["d/m"].error is None
    assert [ln.text for ln in snap.logs] == ["line 1", "line 2"]
    assert dict(snap.info) == {"hits:d/ok": "2"}
    assert "redirected to https://x" in snap.degraded


def test_a_log_only_source_refuses_metric_queries_by_name():
    plan = PollPlan(metrics=(MetricQuery(key="d/m", expr="x"),))
    snap = poll_logs("s", NOW, plan, LogBook(()), Client(), lambda query: LogRead(),
                     metrics_refused="journald serves log lines only")
    assert snap.metrics["d/m"].error == "journald serves log lines only"
    assert snap.logs is None


def test_every_query_failing_on_the_server_side_makes_the_source_stale():
    plan = PollPlan(logs=(LogQuery(key="d/a"),))

    def read_logs(query: LogQuery) -> LogRead:
        raise QueryFailed("HTTP 500: boom", server_side=True)

    with pytest.raises(BadResponse, match="boom"):
        poll_logs("s", NOW, plan, LogBook(plan.logs), Client(), read_logs)
