"""The journal in a PostgreSQL database shared by a room's workstations (psycopg 3).

Same rows and lifecycle as the SQLite journal (see journal.py); what differs is
how a lease stays exclusive when several processes on several machines replay
one outbox: `lease_due` picks rows with SELECT ... FOR UPDATE SKIP LOCKED inside
the UPDATE that leases them, so concurrent deliverers skip each other's rows
instead of waiting or taking them twice, and `lease` is one conditional UPDATE.

Tables are prefixed `noc_` so the room may share a database with other tools.
psycopg is an optional dependency (`pip install noc-app[postgres]`); importing
this module without it raises ImportError naming the extra.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

try:
    import psycopg
    from psycopg.types.json import Jsonb
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError("the PostgreSQL state database needs psycopg: pip install 'noc-app[postgres]'") from exc

from noc_app.state.journal import DEFAULT_LEASE_S
from noc_app.state.records import (
    HISTORY_COLUMNS,
    ActionRecord,
    ActionState,
    AuditEntry,
    IncidentHistory,
    IncidentMark,
    Lease,
    NewAction,
    RaisedRow,
    history_from_row,
    history_values,
    merge_mark,
)

SCHEMA_VERSION = 2  # 2: noc_incidents.severity and .service (for MTTA/MTTR per priority)
_SCHEMA_LOCK = 0x6E6F6361  # pg_advisory_xact_lock key: one workstation creates the tables at a time

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS noc_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS noc_actions (
        request_id      TEXT PRIMARY KEY,
        kind            TEXT NOT NULL,
        source_id       TEXT NOT NULL,
        payload         JSONB NOT NULL,
        state           TEXT NOT NULL CHECK (state IN ('pending', 'done', 'failed', 'cancelled')),
        attempts        INTEGER NOT NULL DEFAULT 0,
        next_attempt_at DOUBLE PRECISION NOT NULL,
        outcome         JSONB,
        lease_owner     TEXT,
        lease_token     TEXT,
        lease_until     DOUBLE PRECISION,
        created_at      DOUBLE PRECISION NOT NULL,
        updated_at      DOUBLE PRECISION NOT NULL
    )""",
    """CREATE INDEX IF NOT EXISTS noc_actions_due ON noc_actions (state, next_attempt_at)""",
    """CREATE TABLE IF NOT EXISTS noc_audit (
        id         BIGSERIAL PRIMARY KEY,
        at         DOUBLE PRECISION NOT NULL,
        actor      TEXT NOT NULL,
        os_user    TEXT NOT NULL,
        host       TEXT NOT NULL,
        action     TEXT NOT NULL,
        request_id TEXT NOT NULL,
        subject    TEXT NOT NULL,
        outcome    TEXT NOT NULL,
        detail     TEXT NOT NULL
    )""",
    """CREATE INDEX IF NOT EXISTS noc_audit_request ON noc_audit (request_id)""",
    """CREATE INDEX IF NOT EXISTS noc_audit_subject ON noc_audit (subject)""",
    """CREATE TABLE IF NOT EXISTS noc_incidents (
        source_id     TEXT NOT NULL,
        fingerprint   TEXT NOT NULL,
        name          TEXT NOT NULL,
        first_seen_at DOUBLE PRECISION,
        shown_at      DOUBLE PRECISION,
        acked_at      DOUBLE PRECISION,
        acked_by      TEXT NOT NULL,
        resolved_at   DOUBLE PRECISION,
        updated_at    DOUBLE PRECISION NOT NULL,
        PRIMARY KEY (source_id, fingerprint)
    )""",
    """CREATE INDEX IF NOT EXISTS noc_incidents_updated ON noc_incidents (updated_at)""",
    """ALTER TABLE noc_incidents ADD COLUMN IF NOT EXISTS severity TEXT NOT NULL DEFAULT ''""",
    """ALTER TABLE noc_incidents ADD COLUMN IF NOT EXISTS service TEXT NOT NULL DEFAULT ''""",
    """CREATE TABLE IF NOT EXISTS noc_raised (
        fingerprint TEXT PRIMARY KEY,
        body        JSONB NOT NULL,
        version     INTEGER NOT NULL,
        updated_at  DOUBLE PRECISION NOT NULL
    )""",
    """CREATE OR REPLACE FUNCTION noc_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'audit is append-only'; END $$""",
    """DROP TRIGGER IF EXISTS noc_audit_append_only ON noc_audit""",
    """CREATE TRIGGER noc_audit_append_only BEFORE UPDATE OR DELETE ON noc_audit
       FOR EACH STATEMENT EXECUTE FUNCTION noc_audit_append_only()""",
)

_ACTION_COLUMNS = (
    "request_id, kind, source_id, payload, state, attempts, next_attempt_at, outcome, "
    "lease_owner, lease_until, created_at, updated_at"
)
_NEW_TOKEN = "replace(gen_random_uuid()::text, '-', '')"


class PostgresJournal:
    """The Journal protocol on PostgreSQL; one connection per instance, shared by threads under a lock."""

    def __init__(self, url: str, *, password: str | None = None, connect_timeout_s: float = 10.0) -> None:
        """password: from the config's password_env/password_keyring; never part of `url`."""
        self._url = url
        self._password = password
        self._timeout = max(1, int(connect_timeout_s))
        self._lock = threading.Lock()
        self._conn: psycopg.Connection[Any] | None = None
        with self._tx() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
            for statement in _SCHEMA:
                cur.execute(statement)
            cur.execute("SELECT value FROM noc_meta WHERE key = 'schema_version'")
            row = cur.fetchone()
            if row is not None and int(row[0]) > SCHEMA_VERSION:
                raise psycopg.DatabaseError(
                    f"state database schema version {row[0]} is newer than this app's {SCHEMA_VERSION}"
                )
            cur.execute(
                "INSERT INTO noc_meta (key, value) VALUES ('schema_version', %s) ON CONFLICT (key) DO UPDATE"
                " SET value = EXCLUDED.value WHERE noc_meta.value::int < EXCLUDED.value::int",
                (str(SCHEMA_VERSION),),
            )

    # -- connection and transactions --------------------------------------------------

    def _connection(self) -> psycopg.Connection[Any]:
        if self._conn is None or self._conn.closed or self._conn.broken:
            if self._password is None:
                self._conn = psycopg.connect(self._url, autocommit=True, connect_timeout=self._timeout)
            else:
                self._conn = psycopg.connect(
                    self._url, autocommit=True, connect_timeout=self._timeout, password=self._password
                )
        return self._conn

    @contextmanager
    def _tx(self) -> Iterator[psycopg.Cursor[Any]]:
        with self._lock:
            conn = self._connection()
            with conn.transaction(), conn.cursor() as cur:
                yield cur

    # -- actions ---------------------------------------------------------------------

    def record(self, action: NewAction) -> bool:
        with self._tx() as cur:
            cur.execute(
                "INSERT INTO noc_actions (request_id, kind, source_id, payload, state, attempts, next_attempt_at,"
                " created_at, updated_at) VALUES (%s, %s, %s, %s, 'pending', 0, %s, %s, %s)"
                " ON CONFLICT (request_id) DO NOTHING",
                (action.request_id, action.kind, action.source_id, Jsonb(dict(action.payload)),
                 action.first_attempt_at, action.created_at, action.created_at),
            )
            return cur.rowcount == 1

    def get(self, request_id: str) -> ActionRecord | None:
        with self._tx() as cur:
            cur.execute(f"SELECT {_ACTION_COLUMNS} FROM noc_actions WHERE request_id = %s", (request_id,))
            row = cur.fetchone()
        return None if row is None else _action(row)

    def lease(self, request_id: str, *, owner: str, now: float, lease_s: float = DEFAULT_LEASE_S) -> Lease | None:
        until = now + max(1.0, lease_s)
        with self._tx() as cur:
            cur.execute(
                f"UPDATE noc_actions SET lease_owner = %s, lease_token = {_NEW_TOKEN}, lease_until = %s,"
                " updated_at = %s WHERE request_id = %s AND state = 'pending'"
                " AND (lease_until IS NULL OR lease_until <= %s) RETURNING attempts, lease_token",
                (owner, until, now, request_id, now),
            )
            row = cur.fetchone()
        if row is None:
            return None
        return Lease(request_id=request_id, token=row[1], until=until, attempts=int(row[0]))

    def lease_due(
        self, *, owner: str, now: float, lease_s: float = DEFAULT_LEASE_S, limit: int = 20
    ) -> Sequence[Lease]:
        until = now + max(1.0, lease_s)
        with self._tx() as cur:
            cur.execute(
                "WITH due AS (SELECT request_id FROM noc_actions WHERE state = 'pending'"
                " AND next_attempt_at <= %s AND (lease_until IS NULL OR lease_until <= %s)"
                " ORDER BY created_at, request_id LIMIT %s FOR UPDATE SKIP LOCKED)"
                f" UPDATE noc_actions a SET lease_owner = %s, lease_token = {_NEW_TOKEN}, lease_until = %s,"
                " updated_at = %s FROM due WHERE a.request_id = due.request_id"
                " RETURNING a.request_id, a.attempts, a.lease_token, a.created_at",
                (now, now, max(0, limit), owner, until, now),
            )
            rows = sorted(cur.fetchall(), key=lambda r: (r[3], r[0]))
        return [Lease(request_id=r[0], token=r[2], until=until, attempts=int(r[1])) for r in rows]

    def complete(self, lease: Lease, *, done: bool, outcome: Mapping[str, Any], now: float) -> bool:
        state = ActionState.DONE if done else ActionState.FAILED
        with self._tx() as cur:
            cur.execute(
                "UPDATE noc_actions SET state = %s, outcome = %s, attempts = attempts + 1, updated_at = %s,"
                " lease_owner = NULL, lease_token = NULL, lease_until = NULL"
                " WHERE request_id = %s AND state = 'pending' AND lease_token = %s",
                (state.value, Jsonb(dict(outcome)), now, lease.request_id, lease.token),
            )
            return cur.rowcount == 1

    def defer(self, lease: Lease, *, next_attempt_at: float, outcome: Mapping[str, Any], now: float) -> bool:
        with self._tx() as cur:
            cur.execute(
                "UPDATE noc_actions SET outcome = %s, attempts = attempts + 1, next_attempt_at = %s,"
                " updated_at = %s, lease_owner = NULL, lease_token = NULL, lease_until = NULL"
                " WHERE request_id = %s AND state = 'pending' AND lease_token = %s",
                (Jsonb(dict(outcome)), next_attempt_at, now, lease.request_id, lease.token),
            )
            return cur.rowcount == 1

    def cancel(self, request_id: str, *, now: float) -> bool:
        with self._tx() as cur:
            cur.execute(
                "UPDATE noc_actions SET state = 'cancelled', updated_at = %s WHERE request_id = %s"
                " AND state = 'pending' AND (lease_until IS NULL OR lease_until <= %s)",
                (now, request_id, now),
            )
            return cur.rowcount == 1

    def pending(self) -> Sequence[ActionRecord]:
        with self._tx() as cur:
            cur.execute(
                f"SELECT {_ACTION_COLUMNS} FROM noc_actions WHERE state = 'pending' ORDER BY created_at, request_id"
            )
            return [_action(r) for r in cur.fetchall()]

    # -- audit -------------------------------------------------------------------------

    def append_audit(self, entry: AuditEntry) -> None:
        with self._tx() as cur:
            cur.execute(
                "INSERT INTO noc_audit (at, actor, os_user, host, action, request_id, subject, outcome, detail)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
                (entry.at, entry.actor, entry.os_user, entry.host, entry.action, entry.request_id,
                 entry.subject, entry.outcome, entry.detail),
            )

    def audit(
        self, *, request_id: str | None = None, subject: str | None = None, limit: int = 1000
    ) -> Sequence[AuditEntry]:
        terms = [(col, value) for col, value in (("request_id", request_id), ("subject", subject)) if value is not None]
        where = ("WHERE " + " AND ".join(f"{col} = %s" for col, _ in terms)) if terms else ""
        params: tuple[Any, ...] = (*(value for _, value in terms), max(0, limit))
        with self._tx() as cur:
            cur.execute(
                "SELECT at, actor, os_user, host, action, request_id, subject, outcome, detail FROM noc_audit "
                f"{where} ORDER BY id LIMIT %s",
                params,
            )
            rows = cur.fetchall()
        return [
            AuditEntry(at=r[0], actor=r[1], os_user=r[2], host=r[3], action=r[4], request_id=r[5],
                       subject=r[6], outcome=r[7], detail=r[8])
            for r in rows
        ]

    # -- incident history ----------------------------------------------------------------

    def mark_incidents(self, marks: Sequence[IncidentMark], *, now: float) -> None:
        """Each row is created if missing, then locked (FOR UPDATE) while it is merged: workstations never clash."""
        if not marks:
            return
        with self._tx() as cur:
            for mark in marks:
                cur.execute(
                    f"INSERT INTO noc_incidents ({HISTORY_COLUMNS}) VALUES (%s, %s, '', NULL, NULL, NULL, '', NULL,"
                    " %s, '', '') ON CONFLICT (source_id, fingerprint) DO NOTHING RETURNING source_id",
                    (mark.source_id, mark.fingerprint, now),
                )
                created = cur.fetchone() is not None
                cur.execute(
                    f"SELECT {HISTORY_COLUMNS} FROM noc_incidents WHERE source_id = %s AND fingerprint = %s"
                    " FOR UPDATE",
                    (mark.source_id, mark.fingerprint),
                )
                found = cur.fetchone()
                row = merge_mark(None if created or found is None else history_from_row(found), mark, now=now)
                cur.execute(
                    "UPDATE noc_incidents SET name = %s, first_seen_at = %s, shown_at = %s, acked_at = %s,"
                    " acked_by = %s, resolved_at = %s, updated_at = %s, severity = %s, service = %s"
                    " WHERE source_id = %s AND fingerprint = %s",
                    (*history_values(row)[2:], row.source_id, row.fingerprint),
                )

    def incident_history(self, source_id: str, fingerprint: str) -> IncidentHistory | None:
        with self._tx() as cur:
            cur.execute(
                f"SELECT {HISTORY_COLUMNS} FROM noc_incidents WHERE source_id = %s AND fingerprint = %s",
                (source_id, fingerprint),
            )
            row = cur.fetchone()
        return None if row is None else history_from_row(row)

    def incident_histories(self, *, since: float | None = None, limit: int = 1000) -> Sequence[IncidentHistory]:
        with self._tx() as cur:
            cur.execute(
                f"SELECT {HISTORY_COLUMNS} FROM noc_incidents WHERE updated_at >= %s"
                " ORDER BY updated_at DESC, source_id, fingerprint LIMIT %s",
                (-1e300 if since is None else since, max(0, limit)),
            )
            return [history_from_row(r) for r in cur.fetchall()]

    # -- raised incidents (no Alertmanager) ------------------------------------------------

    def raised_get(self, fingerprint: str) -> RaisedRow | None:
        with self._tx() as cur:
            cur.execute("SELECT fingerprint, body, version, updated_at FROM noc_raised WHERE fingerprint = %s",
                        (fingerprint,))
            row = cur.fetchone()
        return None if row is None else _raised(row)

    def raised_all(self) -> Sequence[RaisedRow]:
        with self._tx() as cur:
            cur.execute(
                "SELECT fingerprint, body, version, updated_at FROM noc_raised ORDER BY updated_at, fingerprint"
            )
            return [_raised(r) for r in cur.fetchall()]

    def raised_put(self, fingerprint: str, body: Mapping[str, Any], *, version: int, now: float) -> bool:
        with self._tx() as cur:
            if version == 0:
                cur.execute("INSERT INTO noc_raised (fingerprint, body, version, updated_at) VALUES (%s, %s, 1, %s)"
                            " ON CONFLICT (fingerprint) DO NOTHING", (fingerprint, Jsonb(dict(body)), now))
            else:
                cur.execute("UPDATE noc_raised SET body = %s, version = version + 1, updated_at = %s"
                            " WHERE fingerprint = %s AND version = %s", (Jsonb(dict(body)), now, fingerprint, version))
            return cur.rowcount == 1

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None


def _raised(row: Sequence[Any]) -> RaisedRow:
    return RaisedRow(fingerprint=row[0], body=row[1], version=int(row[2]), updated_at=float(row[3]))


def _action(row: Sequence[Any]) -> ActionRecord:
    (request_id, kind, source_id, payload, state, attempts, next_attempt_at, outcome,
     lease_owner, lease_until, created_at, updated_at) = row
    return ActionRecord(
        request_id=request_id, kind=kind, source_id=source_id, payload=payload, state=ActionState(state),
        attempts=int(attempts), next_attempt_at=float(next_attempt_at), outcome=outcome,
        lease_owner=lease_owner, lease_until=None if lease_until is None else float(lease_until),
        created_at=float(created_at), updated_at=float(updated_at),
    )
