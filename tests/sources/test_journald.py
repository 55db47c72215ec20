"""journald (systemd-journal-gatewayd) adapter contract tests through httpx.MockTransport.

`Gateway` below answers GET /entries the way gatewayd's reader does (see
src/journal-remote/journal-gatewayd.c: seek to the cursor, head or tail, then
`next_skip(num_skip + 1)`, `previous_skip(-num_skip + 1)` or `next()`), so
the Range headers the adapter sends are checked against real semantics.
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from noc_app.config.schema import SourceConfig
from noc_app.model import LogLevel
from noc_app.sources.base import (
    BadResponse,
    LogQuery,
    MetricQuery,
    PollPlan,
)
from noc_app.sources.journald import OVERSIZE_TEXT, JournaldSource, parse_matches
from noc_app.sources.log_window import QUERY_LABEL, QueryFailed
from noc_app.sources.registry import create_source

from .conftest import answer_problem

FIXTURES = Path(__file__).parent.parent / "fixtures" / "journald"
NOW = 1_700_000_000.0
LOG = LogQuery(key="wall/journal/0", expr="", limit=3)


def make_source(handler, plan: PollPlan, **config) -> JournaldSource:
    settings = {"id": "journal", "kind": "journald", "url": "http://host:19531", **config}
    transport = httpx.MockTransport(handler)
    source = create_source(SourceConfig(**settings), plan, transport=transport, clock=lambda: NOW)
    assert isinstance(source, JournaldSource)
    return source


def export_entries() -> list[dict[str, str]]:
    """The export-format doc example as `-o json` writes it: one object per entry, string values."""
    text = (FIXTURES / "journal_export_format_example.doc.txt").read_text()
    entries = []
    for block in text.strip().split("\n\n"):
        entries.append(dict(line.split("=", 1) for line in block.splitlines()))
    return entries


def json_lines(entries: list[dict]) -> bytes:
    return b"".join(json.dumps(entry).encode() + b"\n" for entry in entries)


def serve(body: bytes, status: int = 200, content_type: str = "application/json"):
    requests: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return httpx.Response(status, content=body, headers={"Content-Type": content_type})

    handler.requests = requests  # type: ignore[attr-defined]
    return handler


def entry(seq: int, message: object = None, **fields: str) -> dict:
    realtime = 1_699_999_000_000_000 + seq * 1_000_000
    return {
        "__CURSOR": f"s=739ad463348b4ceca5a9e69c95a3c93f;i={seq:x};b=6c7c6013a26343b29e964691ff25d04c;"
                    f"m={seq:x};t={realtime:x};x={seq * 7919:x}",
        "__REALTIME_TIMESTAMP": str(realtime),
        "__MONOTONIC_TIMESTAMP": str(seq * 1_000_000),
        "_BOOT_ID": "6c7c6013a26343b29e964691ff25d04c",
        "PRIORITY": "6",
        "_SYSTEMD_UNIT": "app.service",
        "MESSAGE": f"e{seq}" if message is None else message,
        **fields,
    }


class Gateway:
    """GET /entries over a growing journal, following gatewayd's Range and match semantics."""

    def __init__(self) -> None:
        self.journal: list[dict] = []
        self.ranges: list[str] = []
        self.matches: list[list[tuple[str, str]]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/entries"
        assert request.headers["Accept"] == "application/json"
        matches = list(request.url.params.multi_items())
        self.matches.append(matches)
        self.ranges.append(request.headers["Range"])
        selected = [e for e in self.journal if _matches(e, matches)]
        cursor, n_skip, n_entries = _parse_range(request.headers["Range"])
        if cursor is not None:
            wanted = _seq(cursor)  # sd_journal_seek_cursor: next() lands on the first entry at/after it
            position = next((i for i, e in enumerate(selected) if _seq(e["__CURSOR"]) >= wanted), len(selected))
            first = position + max(n_skip, 0)
        elif n_skip >= 0:
            first = n_skip
        else:
            first = max(0, len(selected) - (-n_skip + 1))
        page = selected[first : first + n_entries]
        return httpx.Response(200, content=json_lines(page), headers={"Content-Type": "application/json"})


def _parse_range(header: str) -> tuple[str | None, int, int]:
    assert header.startswith("entries=")
    cursor, skip, count = header.removeprefix("entries=").split(":")
    return cursor or None, int(skip), int(count)


def _seq(cursor: str) -> int:
    return int(dict(part.split("=", 1) for part in cursor.split(";"))["i"], 16)


def _matches(item: dict, matches: list[tuple[str, str]]) -> bool:
    fields: dict[str, set[str]] = {}
    for name, value in matches:
        fields.setdefault(name, set()).add(value)  # one field: OR; different fields: AND
    return all(item.get(name) in values for name, values in fields.items())


# -- payloads ---------------------------------------------------------------------------


def test_export_doc_entries_become_log_lines():
    entries = export_entries()
    snapshot = make_source(serve(json_lines(entries)), PollPlan(logs=(LOG,))).poll()

    first, second = snapshot.logs
    assert first.cursor == entries[0]["__CURSOR"]
    assert first.ts == 1342540861.416409
    assert first.level is LogLevel.WARNING
    assert first.service == "gdm-password]"
    assert first.text.startswith("AccountsService-DEBUG(+): ActUserManager")
    assert dict(first.labels) == {
        "_HOSTNAME": "epsilon", "SYSLOG_IDENTIFIER": "gdm-password]", "_PID": "587",
        "_COMM": "gdm-session-wor", "_TRANSPORT": "syslog", "PRIORITY": "4", QUERY_LABEL: LOG.key,
    }
    assert (second.level, second.service, second.text) == (
        LogLevel.INFO, "/USR/SBIN/CROND", "(root) CMD (run-parts /etc/cron.hourly)",
    )
    assert snapshot.metrics[LOG.key].error is None


def doc_entry(**overrides) -> dict:
    """The JSON-format doc example plus the address fields every journal-backed entry carries."""
    example = json.loads((FIXTURES / "journal_json_format_example.doc.json").read_text())
    address = {"__CURSOR": "s=1;i=1;b=1;m=1;t=1;x=1", "__REALTIME_TIMESTAMP": "1342540861416409"}
    return {**example, **address, **overrides}


def test_json_doc_example_with_string_binary_and_oversize_messages():
    example = doc_entry()
    binary = doc_entry(MESSAGE=example["BINARY"], __CURSOR="s=1;i=2;b=1;m=2;t=2;x=2")
    oversize = doc_entry(MESSAGE=example["LARGE"], __CURSOR="s=1;i=3;b=1;m=3;t=3;x=3")
    repeated = doc_entry(MESSAGE=["first", [104, 105]], __CURSOR="s=1;i=4;b=1;m=4;t=4;x=4")
    body = json_lines([example, binary, oversize, repeated])
    lines = make_source(serve(body), PollPlan(logs=(LogQuery(key="k", limit=10),))).poll().logs
    assert [ln.text for ln in lines] == ["Hello World", "this is a binary value \x07", OVERSIZE_TEXT, "first hi"]
    assert lines[0].level is LogLevel.INFO  # no PRIORITY field
    assert lines[0].service == ""


def test_invalid_utf8_in_a_binary_message_is_replaced():
    body = json_lines([doc_entry(MESSAGE=[0xFF, 0x6F, 0x6B])])
    lines = make_source(serve(body), PollPlan(logs=(LOG,))).poll().logs
    assert lines[0].text == "\ufffdok"


@pytest.mark.parametrize(
    ("priority", "level"),
    [("0", LogLevel.EMERGENCY), ("1", LogLevel.ALERT), ("2", LogLevel.CRITICAL), ("3", LogLevel.ERROR),
     ("4", LogLevel.WARNING), ("5", LogLevel.NOTICE), ("6", LogLevel.INFO), ("7", LogLevel.DEBUG),
     ("9", LogLevel.DEBUG), (None, LogLevel.INFO), ("", LogLevel.INFO), (["3", "6"], LogLevel.ERROR)],
)
def test_priority_mapping_table(priority, level):
    item = entry(1)
    if priority is None:
        del item["PRIORITY"]
    else:
        item["PRIORITY"] = priority
    (line,) = make_source(serve(json_lines([item])), PollPlan(logs=(LOG,))).poll().logs
    assert line.level is level


def test_service_prefers_syslog_identifier_then_unit():
    lines = make_source(
        serve(json_lines([entry(1, SYSLOG_IDENTIFIER="nginx"), entry(2)])), PollPlan(logs=(LOG,))
    ).poll().logs
    assert [ln.service for ln in lines] == ["nginx", "app.service"]


# -- incremental reads ------------------------------------------------------------------


def test_three_incremental_polls_have_no_duplicates_and_no_gaps():
    gateway = Gateway()
    gateway.journal = [entry(i) for i in range(1, 6)]
    source = make_source(gateway, PollPlan(logs=(LOG,)))

    first = source.poll()
    assert gateway.ranges == ["entries=:-3:4"]  # newest 3 (+1: the tail step-back)
    assert [ln.text for ln in first.logs] == ["e3", "e4", "e5"]

    gateway.journal += [entry(6), entry(7)]
    second = source.poll()
    assert gateway.ranges[1] == f"entries={entry(5)['__CURSOR']}:0:4"
    assert [ln.text for ln in second.logs] == ["e5", "e6", "e7"]

    gateway.journal += [entry(i) for i in range(8, 13)]  # more than the window holds
    third = source.poll()
    assert gateway.ranges[2:] == [f"entries={entry(7)['__CURSOR']}:0:4", "entries=:-3:4"]
    assert [ln.text for ln in third.logs] == ["e10", "e11", "e12"]

    fourth = source.poll()  # nothing new: only the entry at the cursor comes back
    assert gateway.ranges[4] == f"entries={entry(12)['__CURSOR']}:0:4"
    assert fourth.fingerprint == third.fingerprint


def test_entry_at_the_cursor_is_not_repeated_and_a_vanished_one_loses_nothing():
    gateway = Gateway()
    gateway.journal = [entry(1), entry(2)]
    source = make_source(gateway, PollPlan(logs=(LogQuery(key="k", limit=10),)))
    source.poll()
    gateway.journal = [entry(1), entry(3), entry(4)]  # entry 2 (our cursor) was vacuumed
    assert [ln.text for ln in source.poll().logs] == ["e1", "e2", "e3", "e4"]


def test_matches_are_sent_as_url_parameters():
    gateway = Gateway()
    gateway.journal = [
        entry(1, _SYSTEMD_UNIT="nginx.service", PRIORITY="3"),
        entry(2, _SYSTEMD_UNIT="nginx.service", PRIORITY="6"),
        entry(3, _SYSTEMD_UNIT="sshd.service", PRIORITY="3"),
        entry(4, _SYSTEMD_UNIT="nginx.service", PRIORITY="2"),
    ]
    query = LogQuery(key="k", expr="_SYSTEMD_UNIT=nginx.service PRIORITY=3 PRIORITY=2", limit=10)
    lines = make_source(gateway, PollPlan(logs=(query,))).poll().logs
    assert gateway.matches[0] == [("_SYSTEMD_UNIT", "nginx.service"), ("PRIORITY", "3"), ("PRIORITY", "2")]
    assert [ln.text for ln in lines] == ["e1", "e4"]


def test_match_syntax():
    assert parse_matches("") == []
    assert parse_matches('SYSLOG_IDENTIFIER="my app" _PID=42') == [("SYSLOG_IDENTIFIER", "my app"), ("_PID", "42")]
    assert parse_matches("MESSAGE_ID=fc2e22bc6ee647b6b90729ab34a250b1") == [
        ("MESSAGE_ID", "fc2e22bc6ee647b6b90729ab34a250b1")
    ]


@pytest.mark.parametrize(
    ("expr", "message"),
    [("nginx.service", "is not FIELD=value"), ("unit=nginx", "upper-case"), ("1FIELD=x", "is not FIELD=value"),
     ('SYSLOG_IDENTIFIER="app', "No closing quotation"), ("follow=1", "is not FIELD=value")],
)
def test_bad_matches_are_query_errors_without_a_request(expr, message):
    handler = serve(b"")
    snapshot = make_source(handler, PollPlan(logs=(LogQuery(key="k", expr=expr),))).poll()
    assert message in snapshot.metrics["k"].error
    assert handler.requests == []
    with pytest.raises(QueryFailed):
        parse_matches(expr)


# -- errors -----------------------------------------------------------------------------


def test_gateway_refusal_is_that_querys_error():
    handler = serve(b"Failed to parse URL arguments.\n", status=400, content_type="text/plain")
    snapshot = make_source(handler, PollPlan(logs=(LOG,))).poll()
    assert snapshot.metrics[LOG.key].error == "Failed to parse URL arguments."
    assert snapshot.degraded == ()


def test_unseekable_cursor_starts_over_at_the_tail():
    gateway = Gateway()
    gateway.journal = [entry(1), entry(2)]
    refuse_cursors = [False]

    def handler(request: httpx.Request) -> httpx.Response:
        if refuse_cursors[0] and not request.headers["Range"].startswith("entries=:"):
            gateway.ranges.append(request.headers["Range"])
            return httpx.Response(400, text="Failed to seek in journal.\n")
        return gateway(request)

    source = make_source(handler, PollPlan(logs=(LOG,)))
    source.poll()
    refuse_cursors[0] = True
    gateway.journal.append(entry(3))
    snapshot = source.poll()
    assert gateway.ranges[-2:] == [f"entries={entry(2)['__CURSOR']}:0:4", "entries=:-3:4"]
    assert [ln.text for ln in snapshot.logs] == ["e1", "e2", "e3"]
    assert snapshot.metrics[LOG.key].error is None


def test_server_error_fails_the_poll():
    handler = serve(b"Failed to open journal: No such file or directory\n", status=500, content_type="text/plain")
    with pytest.raises(BadResponse, match="HTTP 500.*Failed to open journal"):
        make_source(handler, PollPlan(logs=(LOG,))).poll()


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        (json_lines([entry(1)]) + b'{"__CURSOR": "s=1;i=2", "MESS', "application/json",
         "1 journal entry dropped: invalid or truncated JSON"),
        (b"[1, 2]\n", "application/json", "not a JSON object"),
        (json.dumps({"MESSAGE": "x", "__REALTIME_TIMESTAMP": "1"}).encode(), "application/json", "__CURSOR"),
        (json.dumps({"MESSAGE": "x", "__CURSOR": "c"}).encode(), "application/json", "__REALTIME_TIMESTAMP"),
        (json_lines([entry(1, message=[300])]), "application/json", "not bytes"),
        (json_lines([entry(1, message={"a": 1})]), "application/json", "unexpected type"),
    ],
)
def test_malformed_bodies_fail_only_their_query(body, content_type, message):
    snapshot = make_source(serve(body, content_type=content_type), PollPlan(logs=(LOG,))).poll()
    assert message in answer_problem(snapshot, LOG.key)


def test_a_server_that_is_not_a_journal_gateway_fails_the_source():
    with pytest.raises(BadResponse, match="not JSON"):
        make_source(serve(b"Jul 17 18:01:01 epsilon CROND[8278]: (root) CMD\n", content_type="text/plain"),
                    PollPlan(logs=(LOG,))).poll()


def test_oversized_body_is_refused():
    body = json_lines([entry(i) for i in range(1, 50)])
    snapshot = make_source(serve(body), PollPlan(logs=(LOG,)), max_response_mb=0.001).poll()
    assert "response too large" in snapshot.metrics[LOG.key].error
    assert any("no usable answer" in reason for reason in snapshot.degraded)


def test_metric_queries_are_query_errors():
    handler = serve(b"")
    snapshot = make_source(handler, PollPlan(metrics=(MetricQuery(key="m", expr="x"),))).poll()
    assert "log lines only" in snapshot.metrics["m"].error
    assert snapshot.logs is None
    assert handler.requests == []


def test_constructor_needs_a_url_and_close_is_idempotent():
    with pytest.raises(ValueError, match="needs a url"):
        JournaldSource(SourceConfig(id="j", kind="journald"), PollPlan())
    source = make_source(serve(b""), PollPlan(logs=(LOG,)))
    assert source.poll().logs == ()
    source.close()
    source.close()
