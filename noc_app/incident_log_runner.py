"""Runs incident log queries off the GUI thread; each answer is handed back on the GUI thread.

    runner(source_id, query, deliver)   deliver(IncidentLogs) runs later on the thread that made the runner
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor

from PySide6.QtCore import QObject, Signal

from noc_app.config.schema import SourceConfig
from noc_app.incident_detail import IncidentLogs
from noc_app.incident_log_fetch import fetch_incident_logs
from noc_app.redaction import redact

log = logging.getLogger(__name__)

Deliver = Callable[[IncidentLogs], None]
Fetch = Callable[[SourceConfig, str], IncidentLogs]


class IncidentLogRunner(QObject):
    _finished = Signal(object, object)  # deliver, IncidentLogs: queued to the GUI thread

    def __init__(self, sources: Sequence[SourceConfig], *, fetch: Fetch = fetch_incident_logs,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._sources = {s.id: s for s in sources}
        self._fetch = fetch
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="noc-incident-logs")
        self._lock = threading.Lock()
        self._stopping = False
        self._finished.connect(self._hand_over)

    def __call__(self, source_id: str, query: str, deliver: Deliver) -> None:
        source = self._sources.get(source_id)
        if source is None:
            deliver(IncidentLogs(source_id=source_id, query=query, error=f"no source {source_id!r} configured"))
            return
        try:
            future = self._executor.submit(self._fetch, source, query)
        except RuntimeError:  # stopped
            return
        future.add_done_callback(lambda f: self._done(f, source_id, query, deliver))

    def _done(self, future: Future[IncidentLogs], source_id: str, query: str, deliver: Deliver) -> None:
        with self._lock:
            if self._stopping or future.cancelled():
                return
        exc = future.exception()
        if exc is None:
            self._finished.emit(deliver, future.result())
            return
        message = redact(f"{type(exc).__name__}: {exc}")
        log.warning("incident log query failed: %s", message)
        self._finished.emit(deliver, IncidentLogs(source_id=source_id, query=query, error=message))

    def _hand_over(self, deliver: Deliver, logs: IncidentLogs) -> None:
        if not self._stopping:
            deliver(logs)

    def stop(self, wait: bool = True) -> None:
        with self._lock:
            self._stopping = True
        self._executor.shutdown(wait=wait, cancel_futures=True)
