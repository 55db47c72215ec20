"""The journal in one SQLite file (stdlib sqlite3, WAL, synchronous=FULL).

Every write is its own `BEGIN IMMEDIATE` transaction: SQLite's single writer lock
is what makes a lease exclusive, across threads and across processes sharing the
file.  `synchronous=FULL` makes a committed `record()` survive a power cut, which
is the point of writing it before the network call.

One connection per instance, guarded by a lock, so an instance may be shared by
a small worker pool; other processes open their own instance on the same path.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import platformdirs

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

APP_NAME = "noc-app"
DB_FILENAME = "state.db"
BUSY_TIMEOUT_MS = 30_000
SCHEMA_VERSION = 2  # 2: incidents.severity and incidents.service (for MTTA/MTTR per priority)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS actions (
    request_id      TEXT PRIMARY KEY,
    kind            TEXT NOT NULL,
    source_id       TEXT NOT NULL,
    payload         TEXT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('pending', 'done', 'failed', 'cancelled')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL,
    outcome         TEXT,
    lease_owner     TEXT,
    lease_token     TEXT,
    lease_until     REAL,
    created_at      REAL NOT NULL,
    updated_at      REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS actions_due ON actions (state, next_attempt_at);
CREATE TABLE IF NOT EXISTS audit (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    at         REAL NOT NULL,
    actor      TEXT NOT NULL,
    os_user    TEXT NOT NULL,
    host       TEXT NOT NULL,
    action     TEXT NOT NULL,
    request_id TEXT NOT NULL,
    subject    TEXT NOT NULL,
    outcome    TEXT NOT NULL,
    detail     TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_request ON audit (request_id);
CREATE INDEX IF NOT EXISTS audit_subject ON audit (subject);
CREATE TABLE IF NOT EXISTS incidents (
    source_id     TEXT NOT NULL,
    fingerprint   TEXT NOT NULL,
    name          TEXT NOT NULL,
    first_seen_at REAL,
    shown_at      REAL,
    acked_at      REAL,
    acked_by      TEXT NOT NULL,
    resolved_at   REAL,
    updated_at    REAL NOT NULL,
    severity      TEXT NOT NULL DEFAULT '',
    service       TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (source_id, fingerprint)
);
CREATE INDEX IF NOT EXISTS incidents_updated ON incidents (updated_at);
CREATE TABLE IF NOT EXISTS raised (
    fingerprint TEXT PRIMARY KEY,
    body        TEXT NOT NULL,
    version     INTEGER NOT NULL,
    updated_at  REAL NOT NULL
);
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
"""

_ACTION_COLUMNS = (
    "request_id, kind, source_id, payload, state, attempts, next_attempt_at, outcome, "
    "lease_owner, lease_until, created_at, updated_at"
)


def default_path() -> Path:
    """state.db in the user's state dir (e.g. ~/.local/state/noc-app/state.db)."""
    return Path(platformdirs.user_state_dir(APP_NAME)) / DB_FILENAME


class SqliteJournal:
    """The Journal protocol on SQLite."""

    def __init__(self, path: Path | str | None = None) -> None:
        self.path = Path(path) if path is not None else default_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(
            self.path, isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000
        )
        self._db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        mode = self._switch_to_wal()
        if str(mode).lower() != "wal":
            raise sqlite3.OperationalError(f"{self.path}: cannot switch to WAL (journal_mode is {mode})")
        self._db.execute("PRAGMA synchronous = FULL")
        with self._write() as db:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise sqlite3.DatabaseError(
                    f"{self.path}: schema version {version} is newer than this app's {SCHEMA_VERSION}"
                )
            for statement in _split(_SCHEMA):
                db.execute(statement)
            if 0 < version < 2:  # a version-1 file: its incidents table lacks the columns added in 2
                for column in ("severity", "service"):
                    db.execute(f"ALTER TABLE incidents ADD COLUMN {column} TEXT NOT NULL DEFAULT ''")
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def _switch_to_wal(self) -> str:
        """WAL mode (persistent in the file once set); retried while another opener holds the file.

        SQLite answers "database is locked" at once, without its busy handler, when two
        connections switch the journal mode of a new file together (several workstation
        processes starting at the same moment), so the wait is done here, bounded.
        """
        deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
        while True:
            try:
                current = str(self._db.execute("PRAGMA journal_mode").fetchone()[0])
                if current.lower() == "wal":
                    return current
                return str(self._db.execute("PRAGMA journal_mode = WAL").fetchone()[0])
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.02)

    # -- transactions ------------------------------------------------------------

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One IMMEDIATE transaction: takes SQLite's writer lock up front, so reads inside it are current."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    # -- actions -----------------------------------------------------------------

    def record(self, action: NewAction) -> bool:
        payload = _dumps(action.payload)
        with self._write() as db:
            cursor = db.execute(
                "INSERT OR IGNORE INTO actions (request_id, kind, source_id, payload, state, attempts,"
                " next_attempt_at, created_at, updated_at) VALUES (?, ?, ?, ?, 'pending', 0, ?, ?, ?)",
                (action.request_id, action.kind, action.source_id, payload,
                 action.first_attempt_at, action.created_at, action.created_at),
            )
            return cursor.rowcount == 1

    def get(self, request_id: str) -> ActionRecord | None:
        rows = self._read(f"SELECT {_ACTION_COLUMNS} FROM actions WHERE request_id = ?", (request_id,))
        return _action(rows[0]) if rows else None

    def lease(self, request_id: str, *, owner: str, now: float, lease_s: float = DEFAULT_LEASE_S) -> Lease | None:
        with self._write() as db:
            row = db.execute(
                "SELECT attempts FROM actions WHERE request_id = ? AND state = 'pending'"
                " AND (lease_until IS NULL OR lease_until <= ?)",
                (request_id, now),
            ).fetchone()
            if row is None:
                return None
            return _take(db, request_id, int(row[0]), owner, now, lease_s)

    def lease_due(
        self, *, owner: str, now: float, lease_s: float = DEFAULT_LEASE_S, limit: int = 20
    ) -> Sequence[Lease]:
        with self._write() as db:
            rows = db.execute(
                "SELECT request_id, attempts FROM actions WHERE state = 'pending' AND next_attempt_at <= ?"
                " AND (lease_until IS NULL OR lease_until <= ?) ORDER BY created_at, request_id LIMIT ?",
                (now, now, max(0, limit)),
            ).fetchall()
            return [_take(db, str(rid), int(attempts), owner, now, lease_s) for rid, attempts in rows]

    def complete(self, lease: Lease, *, done: bool, outcome: Mapping[str, Any], now: float) -> bool:
        state = ActionState.DONE if done else ActionState.FAILED
        with self._write() as db:
            cursor = db.execute(
                "UPDATE actions SET state = ?, outcome = ?, attempts = attempts + 1, updated_at = ?,"
                " lease_owner = NULL, lease_token = NULL, lease_until = NULL"
                " WHERE request_id = ? AND state = 'pending' AND lease_token = ?",
                (state.value, _dumps(outcome), now, lease.request_id, lease.token),
            )
            return cursor.rowcount == 1

    def defer(self, lease: Lease, *, next_attempt_at: float, outcome: Mapping[str, Any], now: float) -> bool:
        with self._write() as db:
            cursor = db.execute(
                "UPDATE actions SET outcome = ?, attempts = attempts + 1, next_attempt_at = ?, updated_at = ?,"
                " lease_owner = NULL, lease_token = NULL, lease_until = NULL"
                " WHERE request_id = ? AND state = 'pending' AND lease_token = ?",
                (_dumps(outcome), next_attempt_at, now, lease.request_id, lease.token),
            )
            return cursor.rowcount == 1

    def cancel(self, request_id: str, *, now: float) -> bool:
        with self._write() as db:
            cursor = db.execute(
                "UPDATE actions SET state = 'cancelled', updated_at = ?"
                " WHERE request_id = ? AND state = 'pending' AND (lease_until IS NULL OR lease_until <= ?)",
                (now, request_id, now),
            )
            return cursor.rowcount == 1

    def pending(self) -> Sequence[ActionRecord]:
        rows = self._read(
            f"SELECT {_ACTION_COLUMNS} FROM actions WHERE state = 'pending' ORDER BY created_at, request_id"
        )
        return [_action(r) for r in rows]

    # -- audit -------------------------------------------------------------------

    def append_audit(self, entry: AuditEntry) -> None:
        with self._write() as db:
            db.execute(
                "INSERT INTO audit (at, actor, os_user, host, action, request_id, subject, outcome, detail)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (entry.at, entry.actor, entry.os_user, entry.host, entry.action, entry.request_id,
                 entry.subject, entry.outcome, entry.detail),
            )

    def audit(
        self, *, request_id: str | None = None, subject: str | None = None, limit: int = 1000
    ) -> Sequence[AuditEntry]:
        terms = [(col, value) for col, value in (("request_id", request_id), ("subject", subject)) if value is not None]
        where = ("WHERE " + " AND ".join(f"{col} = ?" for col, _ in terms)) if terms else ""
        params = [value for _, value in terms]
        rows = self._read(
            "SELECT at, actor, os_user, host, action, request_id, subject, outcome, detail FROM audit "
            f"{where} ORDER BY id LIMIT ?",
            (*params, max(0, limit)),
        )
        return [
            AuditEntry(at=r[0], actor=r[1], os_user=r[2], host=r[3], action=r[4], request_id=r[5],
                       subject=r[6], outcome=r[7], detail=r[8])
            for r in rows
        ]

    # -- incident history ------------------------------------------------------------

    def mark_incidents(self, marks: Sequence[IncidentMark], *, now: float) -> None:
        if not marks:
            return
        with self._write() as db:
            for mark in marks:
                rows = db.execute(
                    f"SELECT {HISTORY_COLUMNS} FROM incidents WHERE source_id = ? AND fingerprint = ?",
                    (mark.source_id, mark.fingerprint),
                ).fetchall()
                row = merge_mark(history_from_row(rows[0]) if rows else None, mark, now=now)
                db.execute(
                    f"INSERT OR REPLACE INTO incidents ({HISTORY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    history_values(row),
                )

    def incident_history(self, source_id: str, fingerprint: str) -> IncidentHistory | None:
        rows = self._read(
            f"SELECT {HISTORY_COLUMNS} FROM incidents WHERE source_id = ? AND fingerprint = ?",
            (source_id, fingerprint),
        )
        return history_from_row(rows[0]) if rows else None

    def incident_histories(self, *, since: float | None = None, limit: int = 1000) -> Sequence[IncidentHistory]:
        rows = self._read(
            f"SELECT {HISTORY_COLUMNS} FROM incidents WHERE updated_at >= ?"
            " ORDER BY updated_at DESC, source_id, fingerprint LIMIT ?",
            (-1e300 if since is None else since, max(0, limit)),
        )
        return [history_from_row(r) for r in rows]

    # -- raised incidents (no Alertmanager) ------------------------------------------------

    def raised_get(self, fingerprint: str) -> RaisedRow | None:
        rows = self._read("SELECT fingerprint, body, version, updated_at FROM raised WHERE fingerprint = ?",
                          (fingerprint,))
        return _raised(rows[0]) if rows else None

    def raised_all(self) -> Sequence[RaisedRow]:
        rows = self._read("SELECT fingerprint, body, version, updated_at FROM raised ORDER BY updated_at, fingerprint")
        return [_raised(r) for r in rows]

    def raised_put(self, fingerprint: str, body: Mapping[str, Any], *, version: int, now: float) -> bool:
        with self._write() as db:
            if version == 0:
                cursor = db.execute("INSERT OR IGNORE INTO raised (fingerprint, body, version, updated_at)"
                                    " VALUES (?, ?, 1, ?)", (fingerprint, _dumps(body), now))
            else:
                cursor = db.execute("UPDATE raised SET body = ?, version = version + 1, updated_at = ?"
                                    " WHERE fingerprint = ? AND version = ?", (_dumps(body), now, fingerprint, version))
            return cursor.rowcount == 1

    def close(self) -> None:
        with self._lock:
            self._db.close()


def _take(db: sqlite3.Connection, request_id: str, attempts: int, owner: str, now: float, lease_s: float) -> Lease:
    token = uuid.uuid4().hex
    until = now + max(1.0, lease_s)
    db.execute(
        "UPDATE actions SET lease_owner = ?, lease_token = ?, lease_until = ?, updated_at = ? WHERE request_id = ?",
        (owner, token, until, now, request_id),
    )
    return Lease(request_id=request_id, token=token, until=until, attempts=attempts)


def _action(row: tuple[Any, ...]) -> ActionRecord:
    (request_id, kind, source_id, payload, state, attempts, next_attempt_at, outcome,
     lease_owner, lease_until, created_at, updated_at) = row
    return ActionRecord(
        request_id=request_id, kind=kind, source_id=source_id, payload=json.loads(payload),
        state=ActionState(state), attempts=int(attempts), next_attempt_at=float(next_attempt_at),
        outcome=None if outcome is None else json.loads(outcome), lease_owner=lease_owner,
        lease_until=lease_until, created_at=float(created_at), updated_at=float(updated_at),
    )


def _raised(row: Sequence[Any]) -> RaisedRow:
    return RaisedRow(fingerprint=row[0], body=json.loads(row[1]), version=int(row[2]), updated_at=float(row[3]))


def _dumps(value: Mapping[str, Any]) -> str:
    return json.dumps(value, sort_keys=True, allow_nan=False, separators=(",", ":"))


def _split(script: str) -> list[str]:
    """Statements of _SCHEMA; triggers contain ';' inside BEGIN ... END, so split on the outer ones only."""
    statements, current = [], ""
    for part in script.split(";"):
        current += part + ";"
        if sqlite3.complete_statement(current):
            if current.strip(" \n;"):
                statements.append(current.strip())
            current = ""
    return statements
