"""The shared log window: bounded, de-duplicated, ordered; and the per-query outcome rules."""

from __future__ import annotations

import pytest

from noc_app.config.schema import SourceConfig
from noc_app.model import LogLevel, LogLine, QueryResult
from noc_app.sources.base import BadResponse, LogQuery
from noc_app.sources.log_window import (
    QUERY_LABEL,
    LogBook,
    LogWindow,
    QueryFailed,
    QueryOutcomes,
    line_labels,
)
from noc_app.sources.options import (
    duration_option,
    flag_option,
    required_url,
    text_option,
)


def line(cursor: str, ts: float, key: str = "q") -> LogLine:
    return LogLine(ts=ts, level=LogLevel.INFO, text=f"line {cursor}", cursor=cursor, labels=line_labels({}, key))


def cursors(lines) -> list[str]:
    return [ln.cursor for ln in lines]


def test_window_keeps_lines_ordered_by_time():
    window = LogWindow(10)
    assert window.merge([line("c", 3.0), line("a", 1.0), line("b", 2.0)]) == 3
    assert cursors(window.lines) == ["a", "b", "c"]


def test_window_drops_repeated_cursors_and_counts_only_new_lines():
    window = LogWindow(10)
    window.merge([line("a", 1.0), line("b", 2.0)])
    assert window.merge([line("b", 2.0), line("c", 3.0)]) == 1
    assert window.merge([line("a", 1.0), line("b", 2.0), line("c", 3.0)]) == 0
    assert cursors(window.lines) == ["a", "b", "c"]
    assert "b" in window and "z" not in window


def test_window_keeps_only_the_newest_limit_lines():
    window = LogWindow(3)
    window.merge([line(f"l{i}", float(i)) for i in range(5)])
    assert cursors(window.lines) == ["l2", "l3", "l4"]
    window.merge([line("l5", 5.0)])
    assert cursors(window.lines) == ["l3", "l4", "l5"]
    assert len(window) == 3


def test_a_line_older_than_a_full_window_is_not_kept():
    window = LogWindow(2)
    window.merge([line("b", 2.0), line("c", 3.0)])
    window.merge([line("a", 1.0)])
    assert cursors(window.lines) == ["b", "c"]


def test_equal_timestamps_keep_arrival_order():
    window = LogWindow(10)
    window.merge([line("z", 1.0), line("a", 1.0)])
    window.merge([line("m", 1.0)])
    assert cursors(window.lines) == ["z", "a", "m"]


def test_window_limit_must_be_positive():
    with pytest.raises(ValueError, match="at least 1"):
        LogWindow(0)


def test_book_merges_windows_oldest_first_with_query_tags():
    book = LogBook([LogQuery(key="d/errors/0", limit=2), LogQuery(key="d/all/0", limit=5)])
    book.merge("d/errors/0", [line(f"e{i}", ts, "d/errors/0") for i, ts in ((1, 1.0), (2, 4.0), (3, 5.0))])
    book.merge("d/all/0", [line("a1", 2.0, "d/all/0"), line("a2", 3.0, "d/all/0")])
    merged = book.lines()
    assert cursors(merged) == ["a1", "a2", "e2", "e3"]
    assert [ln.labels[QUERY_LABEL] for ln in merged] == ["d/all/0", "d/all/0", "d/errors/0", "d/errors/0"]
    assert cursors(book.window("d/errors/0").lines) == ["e2", "e3"]


def test_line_labels_are_frozen_and_tagged():
    labels = line_labels({"job": "api"}, "k")
    assert dict(labels) == {"job": "api", QUERY_LABEL: "k"}
    with pytest.raises(TypeError):
        labels["job"] = "x"  # type: ignore[index]


def test_outcomes_keep_per_query_errors_without_degrading_the_source():
    outcomes = QueryOutcomes()
    outcomes.answered("a", QueryResult.build())
    outcomes.failed("b", QueryFailed("parse error : unexpected IDENTIFIER"))
    assert outcomes.degraded() == ()
    assert outcomes.results["b"].error == "parse error : unexpected IDENTIFIER"
    assert outcomes.results["a"].error is None


def test_outcomes_degrade_on_partial_server_failures():
    outcomes = QueryOutcomes()
    outcomes.answered("a", QueryResult.build())
    outcomes.failed("b", QueryFailed("HTTP 504: timed out", server_side=True))
    assert outcomes.degraded() == ("query failed: b: HTTP 504: timed out",)


def test_outcomes_raise_when_every_query_failed_server_side():
    outcomes = QueryOutcomes()
    outcomes.failed("a", QueryFailed("HTTP 500: boom", server_side=True))
    outcomes.failed("b", QueryFailed("HTTP 500: boom", server_side=True))
    with pytest.raises(BadResponse, match=r"a: HTTP 500: boom \(and 1 more\)"):
        outcomes.degraded()


def test_outcomes_do_not_raise_when_every_query_was_refused():
    outcomes = QueryOutcomes()
    outcomes.failed("a", QueryFailed("bad query"))
    assert outcomes.degraded() == ()


def config(**options) -> SourceConfig:
    return SourceConfig(id="logs", kind="loki", url="http://loki:3100", options=options, origin="wall.yaml:12")


@pytest.mark.parametrize(
    ("value", "seconds"),
    [(None, 900.0), (30, 30.0), (2.5, 2.5), ("90s", 90.0), ("15m", 900.0), ("2h", 7200.0), ("1d", 86400.0),
     ("500ms", 0.5), ("45", 45.0)],
)
def test_duration_option(value, seconds):
    options = {} if value is None else {"lookback": value}
    assert duration_option(config(**options), "lookback", 900.0) == seconds


@pytest.mark.parametrize("value", ["soon", "-5m", "0", 0, True, "15 minutes"])
def test_bad_duration_option_names_the_key(value):
    with pytest.raises(ValueError, match=r"sources\[logs\]\.options\.lookback \(wall\.yaml:12\)"):
        duration_option(config(lookback=value), "lookback", 900.0)


def test_text_and_flag_options():
    assert text_option(config(), "timestamp_field", "@timestamp") == "@timestamp"
    assert text_option(config(timestamp_field=" ts "), "timestamp_field", "@timestamp") == "ts"
    with pytest.raises(ValueError, match="timestamp_field"):
        text_option(config(timestamp_field=""), "timestamp_field", "@timestamp")
    assert flag_option(config(categorize_labels=True), "categorize_labels", False) is True
    with pytest.raises(ValueError, match="true or false"):
        flag_option(config(categorize_labels="yes"), "categorize_labels", False)


def test_required_url():
    assert required_url(config()) == "http://loki:3100"
    with pytest.raises(ValueError, match=r"sources\[x\]\.url: a journald source needs a url"):
        required_url(SourceConfig(id="x", kind="journald"))
