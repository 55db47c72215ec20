"""The store: last good snapshot and status per source, on the GUI thread.

A failed poll never wipes data: the last good snapshot stays and the status
says how stale it is (a wall must show "data 4m12s old", not a blank panel and
never the old value as if it were current).  `changed` fires only when a
snapshot's fingerprint differs, so unchanged data is not redrawn.
"""

from __future__ import annotations

import dataclasses
import logging

from PySide6.QtCore import QObject, Signal

from noc_app.model import Snapshot, SourceHealth, SourceStatus
from noc_app.sources.base import AuthFailed, SourceError

log = logging.getLogger(__name__)


class Store(QObject):
    """Holds what the wall shows; widgets read it through noc_app.selectors."""

    changed = Signal(str)  # source_id: new data (fingerprint differs)
    status_changed = Signal(str)  # source_id: health, latency or error changed

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._snapshots: dict[str, Snapshot] = {}
        self._status: dict[str, SourceStatus] = {}

    def register(self, source_id: str, kind: str, interval_s: float, *, used: bool = True) -> None:
        """Declare a source before its first poll (its panels show LOADING); an unused one is never polled."""
        status = SourceStatus(source_id=source_id, kind=kind, interval_s=interval_s)
        if not used:
            status = dataclasses.replace(status, health=SourceHealth.UNUSED)
        self._status[source_id] = status

    def source_ids(self) -> tuple[str, ...]:
        return tuple(self._status)

    def snapshot(self, source_id: str) -> Snapshot | None:
        return self._snapshots.get(source_id)

    def status(self, source_id: str) -> SourceStatus:
        return self._status[source_id]

    def apply(self, source_id: str, snapshot: Snapshot, at: float, latency_ms: float) -> None:
        """Record a successful poll."""
        old = self._status[source_id]
        health = SourceHealth.DEGRADED if snapshot.degraded else SourceHealth.OK
        _log_transition(source_id, old.health, health, "; ".join(snapshot.degraded))
        self._status[source_id] = dataclasses.replace(
            old,
            health=health,
            last_success_at=at,
            last_attempt_at=at,
            last_error=None,
            consecutive_failures=0,
            latency_ms=latency_ms,
            degraded=snapshot.degraded,
        )
        previous = self._snapshots.get(source_id)
        self._snapshots[source_id] = snapshot
        self.status_changed.emit(source_id)
        if previous is None or previous.fingerprint != snapshot.fingerprint:
            self.changed.emit(source_id)

    def mark_failed(self, source_id: str, error: SourceError, at: float, latency_ms: float) -> None:
        """Record a failed poll; the last good snapshot is kept."""
        old = self._status[source_id]
        if isinstance(error, AuthFailed):
            health = SourceHealth.AUTH_FAILED
        elif source_id in self._snapshots:
            health = SourceHealth.STALE
        else:
            health = SourceHealth.UNREACHABLE
        _log_transition(source_id, old.health, health, str(error))
        self._status[source_id] = dataclasses.replace(
            old,
            health=health,
            last_attempt_at=at,
            last_error=f"{_error_label(error)}: {error}",
            consecutive_failures=old.consecutive_failures + 1,
            latency_ms=latency_ms,
        )
        self.status_changed.emit(source_id)

    def set_next_poll(self, source_id: str, seconds: float) -> None:
        """Remember when the next poll is due (shown on the feed-health strip)."""
        old = self._status[source_id]
        self._status[source_id] = dataclasses.replace(old, next_poll_in_s=seconds)


def _log_transition(source_id: str, old: SourceHealth, new: SourceHealth, why: str) -> None:
    """One line per change of health, none per poll: what an operator reads in the log.

    Going bad (STALE, UNREACHABLE, AUTH FAILED, DEGRADED) is a warning with its reason;
    coming back to OK is INFO.  The first OK after start-up is not news.
    """
    if old is new or (old is SourceHealth.LOADING and new is SourceHealth.OK):
        return
    label = new.name.replace("_", " ")
    if new is SourceHealth.OK:
        log.info("source=%s back to OK (was %s)", source_id, old.name.replace("_", " "))
    else:
        log.warning("source=%s now %s: %s", source_id, label, why)


def _error_label(error: SourceError) -> str:
    names = {
        "Unreachable": "unreachable",
        "AuthFailed": "auth failed",
        "RateLimited": "rate limited",
        "BadResponse": "bad response",
        "ResponseTooLarge": "response too large",
    }
    return names.get(type(error).__name__, type(error).__name__)
