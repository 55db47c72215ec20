"""JournaldSource against a real systemd-journal-gatewayd serving a journal we wrote."""

from __future__ import annotations

import pytest

import journal
from noc_app.config.schema import SourceConfig
from noc_app.model import LogLevel, Snapshot
from noc_app.sources.base import LogQuery, PollPlan
from noc_app.sources.journald import JournaldSource
from noc_app.sources.log_window import QUERY_LABEL

pytestmark = pytest.mark.integration

KEY = "wall/logs/0"


def journald(url: str, *queries: LogQuery) -> JournaldSource:
    config = SourceConfig(id="journal", kind="journald", url=url, timeout_s=5.0)
    return JournaldSource(config, PollPlan(logs=queries or (LogQuery(key=KEY, limit=50),)))


def poll_once(url: str, *queries: LogQuery) -> Snapshot:
    source = journald(url, *queries)
    try:
        return source.poll()
    finally:
        source.close()


def test_reads_every_written_entry_with_its_level(journal_gatewayd):
    snapshot = poll_once(journal_gatewayd.base_url)
    written = journal_gatewayd.entries
    lines = snapshot.logs
    assert [ln.text for ln in lines] == [e.message for e in written]
    assert [ln.level for ln in lines] == [LogLevel(e.priority) for e in written]
    assert [ln.ts for ln in lines] == [e.realtime_us / 1e6 for e in written]
    assert [ln.service for ln in lines] == [e.syslog_identifier for e in written]
    assert [ln.labels["_SYSTEMD_UNIT"] for ln in lines] == [e.unit for e in written]
    assert len({ln.cursor for ln in lines}) == len(written)
    traceback = lines[-1]
    assert traceback.text.splitlines()[-1] == "ValueError: bad cart"  # multi-line message kept whole
    assert snapshot.metrics[KEY].error is None and snapshot.degraded == ()


def test_field_matches_filter_on_the_server(journal_gatewayd):
    url = journal_gatewayd.base_url
    snapshot = poll_once(
        url,
        LogQuery(key="wall/pg/0", expr="_SYSTEMD_UNIT=postgresql.service"),
        LogQuery(key="wall/worst/0", expr="PRIORITY=0 PRIORITY=1"),  # one field twice: OR
        LogQuery(key="wall/api-errors/0", expr="_SYSTEMD_UNIT=ecommerce-api.service PRIORITY=3"),  # AND
    )
    per_query: dict[str, list[str]] = {}
    for line in snapshot.logs:
        per_query.setdefault(line.labels[QUERY_LABEL], []).append(line.text)
    written = journal_gatewayd.entries
    assert per_query == {
        "wall/pg/0": [e.message for e in written if e.unit == "postgresql.service"],
        "wall/worst/0": [e.message for e in written if e.priority in (0, 1)],
        "wall/api-errors/0": [e.message for e in written if e.unit == "ecommerce-api.service" and e.priority == 3],
    }
    assert all(snapshot.metrics[k].error is None for k in ("wall/pg/0", "wall/worst/0", "wall/api-errors/0"))


def test_limit_keeps_the_newest_entries(journal_gatewayd):
    snapshot = poll_once(journal_gatewayd.base_url, LogQuery(key=KEY, limit=3))
    assert [ln.text for ln in snapshot.logs] == [e.message for e in journal_gatewayd.entries[-3:]]


def test_incremental_read_after_a_journal_file_is_added(journal_gatewayd):
    source = journald(journal_gatewayd.base_url)
    try:
        first = source.poll()
        unchanged = source.poll()
        newest = max(e.realtime_us for e in journal_gatewayd.entries)
        journal_gatewayd.append([
            journal.JournalEntry(message="checkout recovered", priority=5, unit="ecommerce-api.service",
                                 realtime_us=newest + 1_000_000),
            journal.JournalEntry(message="disk almost full on /var", priority=4, unit="postgresql.service",
                                 realtime_us=newest + 2_000_000),
        ])
        second = source.poll()
    finally:
        source.close()
    assert unchanged.fingerprint == first.fingerprint  # nothing new, nothing changed
    texts = [ln.text for ln in second.logs]
    assert texts == [e.message for e in journal_gatewayd.entries]
    assert texts[-2:] == ["checkout recovered", "disk almost full on /var"]
    assert [ln.level for ln in second.logs[-2:]] == [LogLevel.NOTICE, LogLevel.WARNING]
    assert len({ln.cursor for ln in second.logs}) == len(texts)  # no line read twice


def test_a_malformed_match_fails_only_its_query(journal_gatewayd):
    snapshot = poll_once(
        journal_gatewayd.base_url,
        LogQuery(key="wall/bad/0", expr="nginx"),
        LogQuery(key="wall/good/0", expr="_SYSTEMD_UNIT=nginx.service"),
    )
    bad = snapshot.metrics["wall/bad/0"]
    assert bad.error is not None and "'nginx' is not FIELD=value" in bad.error
    assert snapshot.metrics["wall/good/0"].error is None
    assert {ln.text for ln in snapshot.logs} == {
        e.message for e in journal_gatewayd.entries if e.unit == "nginx.service"}
