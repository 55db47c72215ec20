"""systemd-journal-gatewayd adapter: journal entries as log lines over GET /entries.

Entries come as one JSON object per line (`Accept: application/json`), paged
with the `Range: entries=<cursor>[[:<num_skip>]:<num_entries>]` header.  As
gatewayd's reader implements it, the first entry read after seeking to a
cursor is the entry *at* the cursor (num_skip 0), and a negative num_skip from
the tail steps back one entry more than asked.  So:

- first poll: `entries=:-N:N+1` reads the newest N+1 entries (the window keeps N);
- later polls: `entries=<cursor>:0:N+1` reads the entry at the cursor (dropped:
  we hold it) and up to N after it.  A full page means more arrived than the
  window can hold, so the newest entries are read with the tail range instead:
  the lines skipped over could never be shown.

Asking for the cursor's own entry instead of `:1:` (which skips it server-side)
also avoids losing an entry when the cursor's entry itself is gone.

The panel's query text is space-separated `FIELD=value` matches sent as URL
parameters (`_SYSTEMD_UNIT=nginx.service PRIORITY=3`); matches on one field
are ORed, on different fields ANDed, as sd_journal_add_match() does.
"""

from __future__ import annotations

import re
import shlex
import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from noc_app.config.schema import SourceConfig
from noc_app.model import LogLevel, LogLine, Snapshot
from noc_app.sources.base import BadAnswer, BadResponse, LogQuery, PollPlan, dropped_note
from noc_app.sources.http import LazyClient, SourceClient, decode_json, max_bytes_of, request_bytes
from noc_app.sources.log_poll import LogRead, poll_logs
from noc_app.sources.log_window import (
    LogBook,
    QueryFailed,
    line_labels,
)
from noc_app.sources.options import required_url

ENTRIES = "/entries"
OVERSIZE_TEXT = "[message not shown: larger than the journal gateway's JSON field limit]"
_FIELD_NAME = re.compile(r"[A-Z_][A-Z0-9_]*\Z")
_LABEL_FIELDS = ("_HOSTNAME", "_SYSTEMD_UNIT", "SYSLOG_IDENTIFIER", "_PID", "_COMM", "_TRANSPORT", "PRIORITY")
_SERVICE_FIELDS = ("SYSLOG_IDENTIFIER", "_SYSTEMD_UNIT", "_COMM")


class JournaldSource:
    """Reads journal entries from one systemd-journal-gatewayd."""

    kind = "journald"

    def __init__(
        self,
        config: SourceConfig,
        plan: PollPlan,
        *,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.id = config.id
        required_url(config)
        self._config = config
        self._plan = plan
        self._clock = clock
        self._max_bytes = max_bytes_of(config)
        self._book = LogBook(plan.logs)
        self._cursors: dict[str, str] = {}  # query key -> __CURSOR of the newest entry read
        self._client = LazyClient(config, transport=transport, extra_headers={"Accept": "application/json"})

    def poll(self) -> Snapshot:
        """Read every log query of the plan; blocking."""
        client = self._http()
        now = self._clock()
        return poll_logs(
            self.id, now, self._plan, self._book, client,
            lambda query: LogRead(self._read_logs(client, query)),
            metrics_refused="a journald source serves log lines only: use a logs panel",
        )

    def close(self) -> None:
        """Close the HTTP client; idempotent."""
        self._client.close()

    def _read_logs(self, client: SourceClient, query: LogQuery) -> tuple[str, ...]:
        """Merge the newest entries; return the query's warnings (entries dropped)."""
        dropped: list[str] = []
        self._merge_newest(client, query, dropped)
        note = dropped_note(dropped, "journal entry")
        return (note,) if note else ()

    def _merge_newest(self, client: SourceClient, query: LogQuery, dropped: list[str]) -> None:
        matches = parse_matches(query.expr)
        limit = max(1, query.limit)
        cursor = self._cursors.get(query.key)
        entries: list[LogLine] | None = None
        if cursor is not None:
            try:
                page = self._fetch(client, matches, f"entries={cursor}:0:{limit + 1}", query.key, dropped)
            except QueryFailed:
                # The gateway could not seek to our cursor (journal replaced): start over at the tail.
                del self._cursors[query.key]
            else:
                fresh = [line for line in page if line.cursor != cursor]
                if len(fresh) < limit:
                    entries = fresh
        if entries is None:
            entries = self._fetch(client, matches, f"entries=:-{limit}:{limit + 1}", query.key, dropped)
        self._book.merge(query.key, entries)
        if entries:
            self._cursors[query.key] = entries[-1].cursor

    def _fetch(
        self,
        client: SourceClient,
        matches: list[tuple[str, str]],
        entry_range: str,
        query_key: str,
        dropped: list[str],
    ) -> list[LogLine]:
        status, body, headers = request_bytes(
            client,
            "GET",
            ENTRIES,
            max_bytes=self._max_bytes,
            accept_status=(400,),
            params=matches,
            headers={"Range": entry_range},
        )
        if status == 400:
            text = " ".join(body.decode("utf-8", "replace").split())[:300]
            raise QueryFailed(text or "HTTP 400 with an empty body")
        content_type = headers.get("content-type", "")
        if content_type and "json" not in content_type:
            raise BadResponse(
                f"journal gateway answered {content_type!r}, not JSON: is {self._config.url} "
                "a systemd-journal-gatewayd?"
            )
        return parse_entries(body, query_key, dropped)

    def _http(self) -> SourceClient:
        return self._client.get()


def parse_matches(expr: str) -> list[tuple[str, str]]:
    """`FIELD=value ...` (shell-style quoting allowed) as URL parameters for gatewayd."""
    try:
        tokens = shlex.split(expr)
    except ValueError as exc:
        raise QueryFailed(f"journald matches {expr!r}: {exc}") from exc
    matches = []
    for token in tokens:
        name, sep, value = token.partition("=")
        if not sep or not _FIELD_NAME.match(name):
            raise QueryFailed(
                f"journald match {token!r} is not FIELD=value with an upper-case field name "
                "(e.g. _SYSTEMD_UNIT=nginx.service PRIORITY=3)"
            )
        matches.append((name, value))
    return matches


def parse_entries(body: bytes, query_key: str, dropped: list[str] | None = None) -> list[LogLine]:
    """LogLines from gatewayd's JSON output: one entry object per line, in journal order.

    An entry we cannot read is dropped (its reason appended to `dropped`); the rest is kept.
    """
    lines = []
    reasons = dropped if dropped is not None else []
    for number, raw in enumerate(body.split(b"\n"), start=1):
        if not raw.strip():
            continue
        try:
            entry = decode_json(raw, what=f"journal entry on line {number}")
            if not isinstance(entry, dict):
                raise BadAnswer(f"journal entry on line {number} is not a JSON object")
            lines.append(entry_line(entry, query_key, number))
        except BadAnswer as exc:
            reasons.append(re.sub(r"^journal entry on line \d+:? ?", "", str(exc)) or str(exc))
    return lines


def entry_line(entry: Mapping[str, Any], query_key: str, number: int = 0) -> LogLine:
    """One journal entry as a LogLine; the cursor is the entry's __CURSOR."""
    cursor = entry.get("__CURSOR")
    realtime = entry.get("__REALTIME_TIMESTAMP")
    if not isinstance(cursor, str) or not cursor:
        raise BadAnswer(f"journal entry on line {number} has no __CURSOR")
    if not isinstance(realtime, str) or not realtime.isdigit():
        raise BadAnswer(f"journal entry on line {number} has no __REALTIME_TIMESTAMP (µs)")
    labels = {name: text for name in _LABEL_FIELDS if (text := _field_text(entry.get(name)))}
    priority = _field_text(entry.get("PRIORITY"))
    return LogLine(
        ts=int(realtime) / 1_000_000,
        level=LogLevel.parse(priority or None),
        text=message_text(entry.get("MESSAGE", "")),
        cursor=cursor,
        service=next((text for name in _SERVICE_FIELDS if (text := _field_text(entry.get(name)))), ""),
        labels=line_labels(labels, query_key),
    )


def message_text(value: Any) -> str:
    """MESSAGE as text: a string, null (too large to export), bytes as numbers, or repeated values."""
    if value is None:
        return OVERSIZE_TEXT
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        if all(isinstance(b, int) and not isinstance(b, bool) for b in value):
            try:
                return bytes(value).decode("utf-8", "replace")
            except ValueError as exc:
                raise BadAnswer("journal MESSAGE holds numbers that are not bytes") from exc
        return " ".join(message_text(item) for item in value)  # a field repeated in one entry
    raise BadAnswer(f"journal MESSAGE has an unexpected type: {type(value).__name__}")


def _field_text(value: Any) -> str:
    """A plain-text field value; the first one of a repeated field; '' for binary or missing."""
    if isinstance(value, list) and value and isinstance(value[0], str):
        value = value[0]
    return value if isinstance(value, str) else ""
