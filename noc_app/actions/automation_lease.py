"""Who runs the room's automation: the one process holding a lease that the OS or the database frees
when the holder dies (no expiry to tune, no clock to trust).

    SQLite     -> an exclusive flock on `<state.db>.automation.lock` next to the database
                  (the kernel drops it when the holder's process dies); the file names the holder.
    PostgreSQL -> pg_try_advisory_lock(AUTOMATION_LOCK_KEY) on a dedicated connection (the server drops
                  it when that session ends); the session's application_name names the holder.

Everyone else calls try_acquire() every ~15 s.  `holder()` says who holds it (for `noc-app automation
--status` and the logs).  Nothing here blocks: every attempt answers at once.
"""

from __future__ import annotations

import fcntl
import logging
import os
import socket
import time
import urllib.parse
from pathlib import Path
from typing import Any, Protocol

from noc_app.state.sqlite import default_path

log = logging.getLogger(__name__)

AUTOMATION_LOCK_KEY = 0x6E6F_6361_7574_6F  # "nocauto": one fixed advisory lock id for the room
LOCK_SUFFIX = ".automation.lock"
MAX_HOLDER_TEXT = 200


def holder_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class RoomLease(Protocol):
    def try_acquire(self) -> bool:
        """Take the lease if free (or keep it); True while this process holds it."""
        ...

    def still_held(self) -> bool:
        """Whether the lease is still ours (a PostgreSQL session can be lost)."""
        ...

    def holder(self) -> str:
        """Who holds it, as far as can be seen ("" when nobody)."""
        ...

    def release(self) -> None: ...


def lease_for(state_url: str | None, *, password: str | None = None, name: str | None = None) -> RoomLease:
    """The lease that fits the state database a config names."""
    if not state_url:
        return FileLease(default_path(), name=name)
    parts = urllib.parse.urlsplit(state_url)
    if parts.scheme.lower() == "sqlite":
        return FileLease(Path(urllib.parse.unquote(parts.path)), name=name)
    return PostgresLease(state_url, password=password, name=name)


class FileLease:
    """An exclusive flock on a file next to the SQLite database; the OS releases it with the process."""

    def __init__(self, db_path: Path, *, name: str | None = None) -> None:
        self.path = Path(str(db_path) + LOCK_SUFFIX)
        self._name = name or holder_name()
        self._fd: int | None = None

    def try_acquire(self) -> bool:
        if self._fd is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        except OSError:
            os.close(fd)
            raise
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{self._name} since {time.strftime('%Y-%m-%dT%H:%M:%S%z')}\n".encode(), 0)
        self._fd = fd
        return True

    def still_held(self) -> bool:
        return self._fd is not None

    def holder(self) -> str:
        if self._fd is not None:
            return self._name
        try:
            fd = os.open(self.path, os.O_RDONLY)
        except FileNotFoundError:
            return ""
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:  # held: the file says by whom
                return os.pread(fd, MAX_HOLDER_TEXT, 0).decode("utf-8", "replace").strip()
            fcntl.flock(fd, fcntl.LOCK_UN)
            return ""  # nobody holds it (the text left in the file is a former holder's)
        finally:
            os.close(fd)

    def release(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            try:
                os.ftruncate(fd, 0)
            finally:
                os.close(fd)  # closing drops the flock


class PostgresLease:
    """pg_try_advisory_lock on a connection of its own; the server frees it when that session ends."""

    def __init__(self, url: str, *, password: str | None = None, name: str | None = None,
                 connect_timeout_s: int = 10) -> None:
        self._url = url
        self._password = password
        self._name = name or holder_name()
        self._timeout = connect_timeout_s
        self._conn: Any = None
        self._held = False

    def _connect(self) -> Any:
        import psycopg

        if self._conn is None or self._conn.closed or self._conn.broken:
            self._held = False
            kwargs: dict[str, Any] = {
                "autocommit": True, "connect_timeout": self._timeout,
                "application_name": f"noc-app automation {self._name}"[:63],
            }
            if self._password is not None:
                kwargs["password"] = self._password
            self._conn = psycopg.connect(self._url, **kwargs)
        return self._conn

    def try_acquire(self) -> bool:
        if self._held and self.still_held():
            return True
        try:
            conn = self._connect()
            row = conn.execute("SELECT pg_try_advisory_lock(%s)", (AUTOMATION_LOCK_KEY,)).fetchone()
        except Exception as exc:  # the database is down: nobody here holds the lease
            log.warning("automation lease: cannot reach the state database (%s)", type(exc).__name__)
            self._drop()
            return False
        self._held = bool(row and row[0])
        return self._held

    def still_held(self) -> bool:
        if not self._held or self._conn is None:
            return False
        try:  # the lock lives as long as the session: a query proves the session is alive
            row = self._conn.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted "
                "AND ((classid::bigint << 32) | objid::bigint) = %s", (AUTOMATION_LOCK_KEY,)
            ).fetchone()
        except Exception:
            self._drop()
            return False
        self._held = bool(row and row[0])
        return self._held

    def holder(self) -> str:
        try:
            conn = self._connect()
            row = conn.execute(
                "SELECT a.application_name, a.client_addr::text, a.backend_start FROM pg_locks l "
                "JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted "
                "AND ((l.classid::bigint << 32) | l.objid::bigint) = %s", (AUTOMATION_LOCK_KEY,)
            ).fetchone()
        except Exception as exc:
            return f"unknown ({type(exc).__name__})"
        if row is None:
            return ""
        name = str(row[0] or "").removeprefix("noc-app automation ")
        return f"{name} since {row[2]:%Y-%m-%dT%H:%M:%S%z}" if row[2] is not None else name

    def release(self) -> None:
        if self._conn is not None and self._held:
            try:
                self._conn.execute("SELECT pg_advisory_unlock(%s)", (AUTOMATION_LOCK_KEY,))
            except Exception:
                log.debug("automation lease: unlock failed (the session ends anyway)")
        self._drop()

    def _drop(self) -> None:
        self._held = False
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.close()
            except Exception:
                log.debug("automation lease: close failed")
