"""The app's real wall under measurement: real Runtime (poller + store), real WallWindow.

`TimedRuntime` times every store change on the GUI thread, from the moment the
poller hands a snapshot to the GUI thread (store.apply) until every panel that
changed has painted: after the app's own handlers run, it drains the event
queue (the dashboard's 0 ms coalescing timer, then the posted repaint) so the
paint happens inside the measured span, and counts panel-body paint events to
prove every changed panel painted once.  Parsing and snapshot building stay in
the poller's worker thread, as in the app; they count in CPU, not in GUI time.
"""

from __future__ import annotations

import cProfile
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QCoreApplication, QEventLoop, QObject

from noc_app.bench.measure import PaintCounter
from noc_app.config.schema import AppConfig
from noc_app.model import Snapshot
from noc_app.runtime import Runtime, SourceFactory
from noc_app.widgets.line_layer import layers_pending

DRAIN_ROUNDS = 3  # the coalescing timer fires, the panels update(), the repaint is delivered
MAX_DRAIN_ROUNDS = 500  # bounds the wait for line images drawn in slices


def drain_gui_events() -> None:
    """Deliver due timers and posted events now, so pending repaints happen synchronously.

    A heavy chart draws its new lines over several event-loop turns (widgets/line_layer.py):
    the update counts as painted only once those are drawn and shown, so keep draining until then.
    """
    flags = QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents
    rounds = 0
    while rounds < DRAIN_ROUNDS or (layers_pending() and rounds < MAX_DRAIN_ROUNDS):
        QCoreApplication.processEvents(flags)
        QCoreApplication.sendPostedEvents()
        rounds += 1
    if rounds > DRAIN_ROUNDS:  # the last slice asked for a repaint: deliver it
        QCoreApplication.processEvents(flags)
        QCoreApplication.sendPostedEvents()


@dataclass(frozen=True, kw_only=True, slots=True)
class UpdateRecord:
    """One poll result as the GUI thread handled it."""

    source_id: str
    changed: bool  # the snapshot's fingerprint differed: panels had to redraw
    gui_ms: float  # apply -> every changed panel painted (wall time)
    gui_cpu_ms: float  # CPU time of the GUI thread in that span (robust to a busy machine)
    paints: int  # panel-body paints inside the span
    ended_at: float  # perf_counter() when painting was done


class TimedRuntime(Runtime):
    """A Runtime whose successful polls are timed through to the painted panels."""

    def __init__(
        self, config: AppConfig, *, source_factory: SourceFactory | None = None, profile: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(config, source_factory=source_factory, **kwargs)
        # cProfile of the timed spans only (GUI thread), for `noc-app bench --profile DIR`
        self.profiler = cProfile.Profile() if profile else None
        self.paints = PaintCounter()
        self.records: list[UpdateRecord] = []
        self.listeners: list[Callable[[UpdateRecord], None]] = []
        self.failures = 0
        self._in_update = False

    def _on_succeeded(self, source_id: str, snapshot: Snapshot, latency_ms: float) -> None:
        if self._in_update:  # a second result delivered while draining: part of this span
            super()._on_succeeded(source_id, snapshot, latency_ms)
            return
        self._in_update = True
        try:
            previous = self.store.snapshot(source_id)
            changed = previous is None or previous.fingerprint != snapshot.fingerprint
            p0 = self.paints.count
            if self.profiler is not None:
                self.profiler.enable()
            c0, t0 = time.thread_time(), time.perf_counter()
            super()._on_succeeded(source_id, snapshot, latency_ms)
            drain_gui_events()
            c1, t1 = time.thread_time(), time.perf_counter()
            if self.profiler is not None:
                self.profiler.disable()
        finally:
            self._in_update = False
        record = UpdateRecord(
            source_id=source_id, changed=changed, gui_ms=(t1 - t0) * 1000.0, gui_cpu_ms=(c1 - c0) * 1000.0,
            paints=self.paints.count - p0, ended_at=t1,
        )
        self.records.append(record)
        for listener in self.listeners:
            listener(record)

    def _on_failed(self, source_id, error, latency_ms) -> None:
        self.failures += 1
        super()._on_failed(source_id, error, latency_ms)


def panel_bodies(window: Any) -> list[QObject]:
    """The widgets that receive a panel's data paints (a scroll area paints its viewport)."""
    bodies: list[QObject] = []
    for frame in window.panel_frames():
        body = frame.body
        viewport = getattr(body, "viewport", None)
        bodies.append(viewport() if callable(viewport) else body)
    return bodies


@dataclass(kw_only=True, slots=True)
class AppWall:
    """A built, shown wall and its runtime."""

    runtime: TimedRuntime
    windows: list
    config: AppConfig

    @property
    def window(self) -> Any:
        return self.windows[0]

    def start(self) -> None:
        self.runtime.start()

    def stop(self) -> None:
        self.runtime.stop()
        for window in self.windows:
            window.close()


def build_app_wall(
    config: AppConfig,
    *,
    size: tuple[int, int],
    source_factory: SourceFactory | None = None,
    runtime_kwargs: Mapping[str, Any] | None = None,
) -> AppWall:
    """Build the real wall for a config (first screen only) and show it at `size`."""
    from noc_app.app import LaunchOptions, build_windows, settle_heap

    runtime = TimedRuntime(config, source_factory=source_factory, **dict(runtime_kwargs or {}))
    windows = build_windows(config, runtime, LaunchOptions(), size=size)[:1]
    window = windows[0]
    window.show()
    window.resize(*size)  # a window manager may have clamped it to the screen
    runtime.paints.watch(panel_bodies(window))
    drain_gui_events()
    settle_heap()  # as the real app does once its wall is built
    return AppWall(runtime=runtime, windows=windows, config=config)


def save_profile(runtime: TimedRuntime, out_dir: str | None, name: str) -> str | None:
    """Write the spans' cProfile stats to out_dir/name.pstats (read with `python -m pstats`)."""
    if runtime.profiler is None or not out_dir:
        return None
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, f"{name}.pstats")
    runtime.profiler.dump_stats(path)
    return path


def save_screenshot(window: Any, out_dir: str | None, name: str) -> str | None:
    """Grab the window into out_dir/name.png (after the measured window, so it is not counted)."""
    if not out_dir:
        return None
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, f"{name}.png")
    window.grab().save(path, "PNG")
    return path


def changed_records(records: list[UpdateRecord], since: int) -> list[UpdateRecord]:
    return [r for r in records[since:] if r.changed]
