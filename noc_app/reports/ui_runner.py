"""Reports from the operator UI: made in a worker thread, the result handed back on the GUI thread.

    runner = ReportRunner(config)                    # the composition root (noc_app.app) builds it
    runner("incident", IncidentKey(...), deliver)    # deliver(ok, text) later, on the GUI thread
    runner("handover", None, deliver)                # the last HANDOVER_HOURS
    runner.stop()

The window gets this as a plain callable (widgets never import noc_app.reports).  Each report
opens its own connection to the state database in the worker (a SQLite connection belongs to
its thread) and its own Prometheus readers, and closes them.  The text delivered is the PDF's
path and how many files were written beside it, or the error, redacted: it is shown on the board.
QTextDocument, QPdfWriter and painting on QImage are safe outside the GUI thread.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from noc_app.actions.model import IncidentKey
from noc_app.config.schema import AppConfig
from noc_app.redaction import redact

log = logging.getLogger(__name__)

HANDOVER_HOURS = 8.0
INCIDENT, HANDOVER = "incident", "handover"
ReportDone = Callable[[bool, str], None]
MakeReport = Callable[[AppConfig, str, IncidentKey | None, Path, float], list[Path]]


def default_reports_dir() -> Path:
    """<the user's documents folder>/noc-app reports: where an operator looks for a PDF to hand over."""
    import platformdirs

    return Path(platformdirs.user_documents_dir()) / "noc-app reports"


def reports_dir(config: AppConfig) -> Path:
    return Path(config.reports.dir) if config.reports.dir else default_reports_dir()


def make_report(config: AppConfig, kind: str, incident: IncidentKey | None, out: Path, now: float) -> list[Path]:
    """Write one report (the same documents as `noc-app report handover|incident`); returns the paths."""
    from noc_app.actions.wiring import open_state
    from noc_app.reports.data import RangeReader

    readers: dict[str, RangeReader] = {}

    def reader_for(source_id: str) -> RangeReader:
        if source_id not in readers:
            readers[source_id] = RangeReader(config.source(source_id))
        return readers[source_id]

    zone = config.sla.time_zone
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime(now))
    journal = open_state(config)
    try:
        if kind == HANDOVER:
            from noc_app.reports.handover import handover_document
            from noc_app.reports.timing import targets_from

            doc = handover_document(journal, since=now - HANDOVER_HOURS * 3600, now=now, title=config.title,
                                    time_zone=zone, targets=targets_from(config.severity_levels))
            return doc.write(out, f"handover-{stamp}")
        if kind == INCIDENT and incident is not None:
            from noc_app.reports.incident_report import incident_document

            doc = incident_document(config, journal, incident, reader_for=reader_for, now=now, time_zone=zone)
            safe = re.sub(r"[^A-Za-z0-9_.-]", "_", f"{incident.source_id}-{incident.fingerprint}")[:80]
            return doc.write(out, f"incident-{safe}-{stamp}")
        raise ValueError(f"unknown report {kind!r}")
    finally:
        for reader in readers.values():
            reader.close()
        journal.close()


def written_text(paths: list[Path]) -> str:
    """'/home/kim/Documents/noc-app reports/handover-….pdf (+ 4 files beside it)'."""
    if not paths:
        return "nothing written"
    more = len(paths) - 1
    return str(paths[0]) + (f" (+ {more} file{'s' if more != 1 else ''} beside it)" if more else "")


class ReportRunner(QObject):
    """Runs reports one at a time in its own worker thread; `deliver(ok, text)` runs on the GUI thread."""

    _finished = Signal(object, bool, str)  # deliver, ok, text: queued to this object's (the GUI) thread

    def __init__(self, config: AppConfig, *, out_dir: Path | None = None, make: MakeReport = make_report,
                 clock: Callable[[], float] = time.time, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._config = config
        self._out = out_dir if out_dir is not None else reports_dir(config)
        self._make = make
        self._clock = clock
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="noc-report")
        self._lock = threading.Lock()
        self._stopping = False
        self._finished.connect(self._hand_over)

    @property
    def out_dir(self) -> Path:
        return self._out

    def __call__(self, kind: str, incident: IncidentKey | None, deliver: ReportDone) -> None:
        now = self._clock()
        try:
            future = self._executor.submit(self._make, self._config, kind, incident, self._out, now)
        except RuntimeError:  # stopped
            return
        future.add_done_callback(lambda f: self._done(f, deliver))

    def _done(self, future: Future[list[Path]], deliver: ReportDone) -> None:
        """In the worker: turn the result into text and queue it to the GUI thread."""
        with self._lock:
            if self._stopping or future.cancelled():
                return
        exc = future.exception()
        if exc is None:
            self._finished.emit(deliver, True, written_text(future.result()))
            return
        message = redact(f"{type(exc).__name__}: {exc}") if not isinstance(exc, LookupError) else redact(str(exc))
        log.warning("report failed: %s", message)
        self._finished.emit(deliver, False, message)

    def _hand_over(self, deliver: ReportDone, ok: bool, text: str) -> None:
        if not self._stopping:
            deliver(ok, text)

    def stop(self, wait: bool = True) -> None:
        with self._lock:
            self._stopping = True
        self._executor.shutdown(wait=wait, cancel_futures=True)
