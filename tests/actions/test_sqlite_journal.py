"""The SQLite journal: WAL, schema, append-only audit, plus the shared Journal contract."""

from __future__ import annotations

import multiprocessing
import sqlite3
from functools import partial

import pytest
from journal_contract import *
from journal_contract import T0, rid

from noc_app.state.records import AuditEntry, IncidentMark
from noc_app.state.sqlite import SqliteJournal, default_path


@pytest.fixture
def open_journal(db_path):
    return partial(SqliteJournal, db_path)


def test_wal_mode_and_schema(db_path):
    j = SqliteJournal(db_path)
    j.close()
    with sqlite3.connect(db_path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("PRAGMA user_version").fetchone()[0] == 2


def test_default_path_is_in_the_user_state_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg-state"))
    assert default_path() == tmp_path / "xdg-state" / "noc-app" / "state.db"


def test_audit_is_append_only(journal, db_path):
    journal.append_audit(AuditEntry(at=T0, actor="alice", os_user="alice", host="ws", action="ack requested",
                                    request_id=rid(1), subject="am/f", outcome="pending"))
    (entry,) = journal.audit(request_id=rid(1))
    assert entry.actor == "alice" and entry.action == "ack requested"
    with sqlite3.connect(db_path) as db:
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            db.execute("UPDATE audit SET actor = 'mallory'")
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            db.execute("DELETE FROM audit")
    assert journal.audit()[0].actor == "alice"


def test_a_version_1_file_gains_severity_and_service_and_keeps_its_rows(db_path):
    with sqlite3.connect(db_path) as db:
        db.execute("CREATE TABLE incidents (source_id TEXT NOT NULL, fingerprint TEXT NOT NULL, name TEXT NOT NULL,"
                   " first_seen_at REAL, shown_at REAL, acked_at REAL, acked_by TEXT NOT NULL, resolved_at REAL,"
                   " updated_at REAL NOT NULL, PRIMARY KEY (source_id, fingerprint))")
        db.execute("INSERT INTO incidents VALUES ('am', 'old', 'Old', 1.0, 2.0, 3.0, 'bob', NULL, 3.0)")
        db.execute("PRAGMA user_version = 1")
    j = SqliteJournal(db_path)
    row = j.incident_history("am", "old")
    assert (row.name, row.acked_by, row.severity, row.service) == ("Old", "bob", "", "")
    j.mark_incidents([IncidentMark(source_id="am", fingerprint="new", severity="high", service="api")], now=T0)
    assert j.incident_history("am", "new").severity == "high"
    j.close()
    with sqlite3.connect(db_path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 2


def test_a_newer_schema_is_refused(db_path):
    SqliteJournal(db_path).close()
    with sqlite3.connect(db_path) as db:
        db.execute("PRAGMA user_version = 99")
    with pytest.raises(sqlite3.DatabaseError, match="newer"):
        SqliteJournal(db_path)


def _open_at_barrier(path: str, barrier, results) -> None:
    barrier.wait()
    try:
        SqliteJournal(path).close()
        results.put("ok")
    except Exception as exc:  # reported to the test, not lost in the child
        results.put(f"{type(exc).__name__}: {exc}")


def test_workstations_opening_a_new_database_at_the_same_moment_all_get_in(tmp_path):
    """Switching a new file to WAL from several processes at once answers 'database is locked' at once
    (no busy handler): the journal waits for the other opener instead of failing the app's start."""
    ctx = multiprocessing.get_context("spawn")
    openers = 6
    for attempt in range(6):  # the race needs the openers to meet on a brand-new file
        path = str(tmp_path / f"room-{attempt}.db")
        barrier, results = ctx.Barrier(openers), ctx.Queue()
        children = [ctx.Process(target=_open_at_barrier, args=(path, barrier, results)) for _ in range(openers)]
        for child in children:
            child.start()
        outcomes = [results.get(timeout=60) for _ in children]
        for child in children:
            child.join(timeout=30)
        assert outcomes == ["ok"] * openers, outcomes
