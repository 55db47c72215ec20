"""Open the state database a config names: SQLite by default, PostgreSQL for a room.

    None or ""               -> SQLite at the default path (the user's state dir)
    sqlite:///abs/path.db    -> SQLite at that path
    postgresql://... (or postgres://...) -> PostgreSQL (psycopg 3; `pip install noc-app[postgres]`)

The URL may carry a password: it is never put into an error message here; use
`shown_url` to print where the database is.
"""

from __future__ import annotations

import urllib.parse
from pathlib import Path

from noc_app.state.journal import Journal
from noc_app.state.sqlite import SqliteJournal, default_path


class StateUrlError(ValueError):
    """The state URL is not one this app can open; the message never contains the password."""


def open_journal(url: str | None = None, *, password: str | None = None) -> Journal:
    """password: PostgreSQL only, given apart from the URL (the config keeps it out of the file)."""
    if not url:
        return SqliteJournal(default_path())
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "sqlite":
        if parts.netloc or not parts.path:
            raise StateUrlError(f"{shown_url(url)}: write sqlite:///absolute/path.db")
        return SqliteJournal(Path(urllib.parse.unquote(parts.path)))
    if scheme in ("postgresql", "postgres"):
        from noc_app.state.postgres import PostgresJournal  # psycopg is optional

        return PostgresJournal(url, password=password)
    raise StateUrlError(f"{shown_url(url)}: the state database must be sqlite:/// or postgresql://")


def shown_url(url: str) -> str:
    """The URL with any password replaced by ***."""
    parts = urllib.parse.urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port is not None:
        host += f":{parts.port}"
    netloc = f"{parts.username or ''}:***@{host}"
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
