"""Arms the heartbeat from the GUI thread: a wall whose GUI thread hangs stops pushing (see noc_app.heartbeat).

A QTimer on the GUI thread takes the time and hands one push to a single worker thread;
the HTTP request never runs on the GUI thread.  While a push is still in flight (a slow
backend) the next tick is skipped rather than queued, so a dead target never piles up work.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

from PySide6.QtCore import QCoreApplication, QObject, QTimer, SignalInstance

from noc_app.config.schema import HeartbeatConfig
from noc_app.heartbeat import HeartbeatSender

log = logging.getLogger(__name__)


class HeartbeatTimer(QObject):
    def __init__(self, sender: HeartbeatSender, interval_s: float, parent: QObject | None = None, *,
                 clock: Callable[[], float] = time.time) -> None:
        super().__init__(parent)
        self.heartbeat_sender = sender
        self._clock = clock
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="noc-heartbeat")
        self._in_flight: Future[bool] | None = None
        self.armed = 0  # ticks that handed a push to the worker
        self.skipped = 0  # ticks that found the previous push still running
        self._timer = QTimer(self)
        self._timer.setInterval(max(1, int(interval_s * 1000)))
        self._timer.timeout.connect(self.tick)

    def start(self) -> None:
        self._timer.start()
        self.tick()

    def tick(self) -> None:
        """On the GUI thread: hand one push, stamped with the time now, to the worker."""
        if self._in_flight is not None and not self._in_flight.done():
            self.skipped += 1
            return
        self.armed += 1
        self._in_flight = self._pool.submit(self.heartbeat_sender.push, self._clock())

    def stop(self) -> None:
        """No push after this; a push in flight finishes (bounded by the target's timeout), then the clients close."""
        self._timer.stop()
        self._pool.submit(self.heartbeat_sender.close)
        self._pool.shutdown(wait=False, cancel_futures=False)


def start_heartbeat(heartbeat: HeartbeatConfig | None, app: QCoreApplication,
                    first_paint: SignalInstance | None = None) -> None:
    """Push `heartbeat:` from the wall's first paint until the app quits (nothing without the section)."""
    if heartbeat is None:
        return
    timer = HeartbeatTimer(HeartbeatSender(heartbeat), heartbeat.interval_s, app)
    app.aboutToQuit.connect(timer.stop)
    if first_paint is None:
        timer.start()
    else:
        first_paint.connect(timer.start)
    log.info("heartbeat to %s every %g s", heartbeat.kind, heartbeat.interval_s)
