"""The poller: per-source timers on the GUI thread, polls in a worker pool.

One poll in flight per source; results come back to the GUI thread through a
queued signal; the next poll is scheduled by `next_delay`, a pure policy
(interval on success, jittered exponential backoff on failure, Retry-After
honoured).  The poller never looks at the UI: widgets decide how to show data.
"""

from __future__ import annotations

import contextlib
import logging
import random
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypedDict

from PySide6.QtCore import QObject, QTimer, Signal

from noc_app.backoff import next_delay, start_phase
from noc_app.model import Snapshot
from noc_app.scrub import scrub_error, scrub_snapshot
from noc_app.sources.base import AuthFailed, BadResponse, RateLimited, Source, SourceError
from noc_app.worker_stop import stop_workers

log = logging.getLogger(__name__)

REFRESH_DEBOUNCE_S = 1.0
STOP_WAIT_S = 3.0  # at shutdown, how long in-flight polls may take to finish before clients close
MAX_TIMER_MS = 2**31 - 1  # QTimer takes a signed 32-bit millisecond count (24.8 days)


@dataclass(slots=True)
class _SourceSlot:
    source: Source
    interval: float
    timer: QTimer
    in_flight: bool = False
    failures: int = 0
    refresh_pending: bool = False
    last_started: float = 0.0


class PollerOptions(TypedDict, total=False):
    """The optional keyword arguments of Poller (tests pass a fake clock or executor)."""

    executor: Executor | None
    clock: Callable[[], float]
    rng: Callable[[], float]
    parent: QObject | None
    prepare: Callable[[str, Snapshot], Snapshot] | None


class Poller(QObject):
    """Schedules polls of every source and reports results on the GUI thread."""

    succeeded = Signal(str, object, float)  # source_id, Snapshot, latency ms
    failed = Signal(str, object, float)  # source_id, SourceError, latency ms
    scheduled = Signal(str, float)  # source_id, seconds until next poll
    _done = Signal(str, object, float)  # from worker threads; queued to the GUI thread

    def __init__(
        self,
        sources: Mapping[str, Source],
        intervals: Mapping[str, float],
        *,
        executor: Executor | None = None,
        clock: Callable[[], float] = time.monotonic,
        rng: Callable[[], float] = random.random,
        parent: QObject | None = None,
        prepare: Callable[[str, Snapshot], Snapshot] | None = None,
    ) -> None:
        super().__init__(parent)
        self._own_executor = executor is None
        self._executor = executor or ThreadPoolExecutor(
            max_workers=max(2, min(8, len(sources) + 1)), thread_name_prefix="poll"
        )
        self._clock = clock
        self._rng = rng
        # Worker-side work on each successful snapshot (e.g. the flap tracker, noc_app.noise.flapping).
        self._prepare = prepare
        self._running = False
        self._stopping = False
        self._in_flight: set[Future[Snapshot]] = set()
        self._in_flight_lock = threading.Lock()
        self._slots: dict[str, _SourceSlot] = {}
        for source_id, source in sources.items():
            timer = QTimer(self)
            timer.setSingleShot(True)
            timer.timeout.connect(lambda sid=source_id: self._start_poll(sid))
            self._slots[source_id] = _SourceSlot(source, intervals[source_id], timer)
        self._done.connect(self._on_done)

    def add_source(self, source_id: str, source: Source, interval_s: float) -> None:
        """Poll one more source (before start(); e.g. the raised incidents of the state database)."""
        if source_id in self._slots:
            raise ValueError(f"source {source_id!r} is already polled")
        timer = QTimer(self)
        timer.setSingleShot(True)
        timer.timeout.connect(lambda sid=source_id: self._start_poll(sid))
        self._slots[source_id] = _SourceSlot(source, interval_s, timer)
        if self._running:
            self._schedule(source_id, 0.0)

    def start(self) -> None:
        """Start polling every source after a small random phase."""
        self._running = True
        for source_id, slot in self._slots.items():
            self._schedule(source_id, start_phase(slot.interval, self._rng))

    def stop(self, wait_s: float = STOP_WAIT_S) -> bool:
        """Stop accepting polls, cancel queued ones, wait up to wait_s for running ones.

        Returns True when no poll is left running, so the caller may close the
        sources' clients without pulling them from under a worker.  Whatever a poll
        still delivers after this is dropped silently: the wall is going away.
        """
        self._running = False
        self._stopping = True
        for slot in self._slots.values():
            slot.timer.stop()
        return stop_workers(
            self._in_flight, self._in_flight_lock, self._executor, own_executor=self._own_executor, wait_s=wait_s
        )

    def refresh_now(self, source_id: str | None = None) -> None:
        """Poll now (debounced); with no id, every source."""
        for sid in [source_id] if source_id else list(self._slots):
            slot = self._slots[sid]
            if slot.in_flight:
                slot.refresh_pending = True
            elif self._clock() - slot.last_started >= REFRESH_DEBOUNCE_S:
                slot.timer.stop()
                self._start_poll(sid)

    def in_flight(self, source_id: str) -> bool:
        return self._slots[source_id].in_flight

    def _schedule(self, source_id: str, delay_s: float) -> None:
        if not self._running:
            return
        slot = self._slots[source_id]
        slot.timer.start(min(MAX_TIMER_MS, max(0, int(delay_s * 1000))))
        self.scheduled.emit(source_id, delay_s)

    def _start_poll(self, source_id: str) -> None:
        slot = self._slots[source_id]
        if slot.in_flight or not self._running:
            return  # one poll in flight per source: the finishing poll reschedules
        slot.in_flight = True
        slot.last_started = self._clock()
        started = slot.last_started
        try:
            future = self._executor.submit(self._poll_job(source_id, slot.source))
        except RuntimeError:  # executor already shut down
            slot.in_flight = False
            return
        with self._in_flight_lock:
            self._in_flight.add(future)

        def delivered(done: Future[Snapshot]) -> None:
            self._deliver(source_id, done, started)

        future.add_done_callback(delivered)

    def _poll_job(self, source_id: str, source: Source) -> Callable[[], Snapshot]:
        """The work a poll thread does: the poll, then (masked first: masking rebuilds the snapshot and
        would drop what the hook attached) the prepare hook, on the same worker thread; a done-callback
        may run on the GUI thread when the future finished before it was added."""
        prepare = self._prepare
        if prepare is None:
            return source.poll
        return lambda: prepare(source_id, scrub_snapshot(source.poll()))

    def _deliver(self, source_id: str, future: Future[Snapshot], started: float) -> None:
        """Runs in the worker thread: mask secrets, then hand the outcome to the GUI thread."""
        latency_ms = (self._clock() - started) * 1000.0
        with self._in_flight_lock:
            self._in_flight.discard(future)
        if future.cancelled() or self._stopping:
            return  # shutting down: a poll cut short by closing clients is not an error
        exc = future.exception()
        outcome: Snapshot | SourceError
        if exc is None:
            result = future.result()
            outcome = result if self._prepare is not None else scrub_snapshot(result)  # masked in the job
        elif isinstance(exc, SourceError):
            outcome = scrub_error(exc)
        else:
            log.error("poll of %s raised an unexpected error", source_id, exc_info=exc)
            outcome = scrub_error(BadResponse(f"internal error: {type(exc).__name__}: {exc}"))
        with contextlib.suppress(RuntimeError):  # poller deleted during shutdown
            self._done.emit(source_id, outcome, latency_ms)

    def _on_done(self, source_id: str, outcome: object, latency_ms: float) -> None:
        slot = self._slots.get(source_id)
        if slot is None:
            return
        slot.in_flight = False
        if isinstance(outcome, Snapshot):
            if slot.failures:  # the store logs the health change an operator reads; this is detail
                log.debug("source=%s recovered after %d failures", source_id, slot.failures)
            slot.failures = 0
            delay = next_delay(slot.interval, 0, rng=self._rng)
            self.succeeded.emit(source_id, outcome, latency_ms)
        else:
            assert isinstance(outcome, SourceError)
            if slot.failures == 0:  # the store logs "now STALE/UNREACHABLE"; one line per transition
                log.debug("source=%s poll failed: %s", source_id, outcome)
            slot.failures += 1
            delay = next_delay(
                slot.interval,
                slot.failures,
                retry_after=outcome.retry_after if isinstance(outcome, RateLimited) else None,
                auth_failed=isinstance(outcome, AuthFailed),
                rng=self._rng,
            )
            self.failed.emit(source_id, outcome, latency_ms)
        if slot.refresh_pending:
            slot.refresh_pending = False
            delay = 0.0
        self._schedule(source_id, delay)
