"""The PostgreSQL journal against a REAL PostgreSQL: the shared Journal contract plus Postgres specifics."""

from __future__ import annotations

import sys
import uuid
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "actions"))  # the contract lives with the unit tests

from journal_contract import *
from journal_contract import T0, rid
from postgres_server import PostgresServer, start_postgres

pytestmark = pytest.mark.integration


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    server = start_postgres()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def database_url(postgres: PostgresServer) -> str:
    """A fresh database per test: no test sees another's rows."""
    return postgres.create_database(f"noc_{uuid.uuid4().hex[:16]}")


@pytest.fixture
def open_journal(database_url: str):
    from noc_app.state.postgres import PostgresJournal

    return partial(PostgresJournal, database_url)


@pytest.fixture
def journal(open_journal):
    j = open_journal()
    yield j
    j.close()


def test_audit_is_append_only_in_postgres(journal, database_url):
    import psycopg

    from noc_app.state.records import AuditEntry

    journal.append_audit(AuditEntry(at=T0, actor="alice", os_user="alice", host="ws", action="ack requested",
                                    request_id=rid(1), subject="am/f", outcome="pending"))
    with psycopg.connect(database_url, autocommit=True) as conn:
        with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
            conn.execute("UPDATE noc_audit SET actor = 'mallory'")
        with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
            conn.execute("DELETE FROM noc_audit")
    assert journal.audit()[0].actor == "alice"


def test_schema_creation_is_safe_when_workstations_start_together(open_journal):
    import threading

    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def open_one() -> None:
        start.wait()
        try:
            open_journal().close()
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=open_one) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_the_journal_reconnects_after_the_connection_is_lost(journal, database_url):
    import psycopg
    from journal_contract import new

    journal.record(new(rid(1)))
    with psycopg.connect(database_url, autocommit=True) as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid()"
        )
    with pytest.raises(psycopg.OperationalError):
        journal.get(rid(1))  # the call in flight when the server dropped us fails...
    assert journal.get(rid(1)) is not None  # ...the next one reconnects


def test_a_config_state_url_with_a_password_reference_opens_the_room_database(database_url, monkeypatch, tmp_path):
    """state: {url: postgresql://..., password_env: VAR} -> the journal; the password reaches no row."""
    import psycopg

    from noc_app.actions.wiring import open_state
    from noc_app.config.loader import load_config_text
    from noc_app.state.postgres import PostgresJournal
    from noc_app.state.records import NewAction

    config = load_config_text(
        "sources: [{id: demo, kind: demo}]\n"
        "dashboards: [{id: main, panels: [{id: t, kind: text, title: T, text: hi}]}]\n"
        f"state: {{url: '{database_url}', password_env: NOC_TEST_PG_PASSWORD}}\n",
        filename="wall.yaml",
    )
    monkeypatch.setenv("NOC_TEST_PG_PASSWORD", "pg-secret-7f3a")  # trust auth: accepted, never stored
    journal = open_state(config)
    try:
        assert isinstance(journal, PostgresJournal)
        assert journal.record(NewAction(request_id=rid(1), kind="note", source_id="demo", payload={"x": 1},
                                        created_at=T0))
        assert journal.get(rid(1)).payload == {"x": 1}
    finally:
        journal.close()
    with psycopg.connect(database_url) as conn:
        dumped = " ".join(str(row) for table in ("noc_actions", "noc_audit", "noc_meta")
                          for row in conn.execute(f"SELECT * FROM {table}").fetchall())
    assert dumped and "pg-secret-7f3a" not in dumped


def test_a_version_1_database_gains_severity_and_service_and_keeps_its_rows(database_url):
    import psycopg

    from noc_app.state.postgres import PostgresJournal
    from noc_app.state.records import IncidentMark

    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE noc_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        conn.execute("INSERT INTO noc_meta VALUES ('schema_version', '1')")
        conn.execute("CREATE TABLE noc_incidents (source_id TEXT NOT NULL, fingerprint TEXT NOT NULL,"
                     " name TEXT NOT NULL, first_seen_at DOUBLE PRECISION, shown_at DOUBLE PRECISION,"
                     " acked_at DOUBLE PRECISION, acked_by TEXT NOT NULL, resolved_at DOUBLE PRECISION,"
                     " updated_at DOUBLE PRECISION NOT NULL, PRIMARY KEY (source_id, fingerprint))")
        conn.execute("INSERT INTO noc_incidents VALUES ('am', 'old', 'Old', 1, 2, 3, 'bob', NULL, 3)")
    journal = PostgresJournal(database_url)
    try:
        row = journal.incident_history("am", "old")
        assert (row.name, row.acked_by, row.severity, row.service) == ("Old", "bob", "", "")
        journal.mark_incidents([IncidentMark(source_id="am", fingerprint="new", severity="high", service="api")],
                               now=T0)
        assert (journal.incident_history("am", "new").severity, journal.incident_history("am", "new").service) == (
            "high", "api")
    finally:
        journal.close()
    with psycopg.connect(database_url) as conn:
        assert conn.execute("SELECT value FROM noc_meta WHERE key = 'schema_version'").fetchone()[0] == "2"
