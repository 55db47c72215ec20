"""The data behind a panel opened large: one source adapter, one poller, one store of its own.

The zoomed panel's range queries go through the same machinery as the wall's (an adapter
built from the source's config, the Poller's worker pool, the Store's data states), but
in a feed of their own, so the wall keeps polling its own plan untouched and a slow week-
long query never delays a wall panel.  A new range is a new feed (its view starts at
LOADING); the old one is retired: its poller stops at once and its adapter is closed
in a thread once its last poll has returned, never on the GUI thread.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from PySide6.QtCore import QObject

from noc_app.config.schema import AppConfig, DashboardConfig, PanelConfig
from noc_app.polling import Poller
from noc_app.redaction import redact
from noc_app.sources.base import PollPlan, Source, SourceError
from noc_app.sources.registry import create_source
from noc_app.sources.variable_resolver import with_variable_resolution
from noc_app.store import Store
from noc_app.zoom_plan import ZoomRange, zoom_interval_s, zoom_plan

log = logging.getLogger(__name__)

ZoomSourceFactory = Callable[[str, PollPlan], Source]  # (source id, plan) -> adapter


def zoom_source_factory(
    config: AppConfig, factory: Callable[..., Source] | None = None,
) -> ZoomSourceFactory:
    """Adapters for zoom plans, built like the runtime's (query variables resolved; a build error becomes
    a source whose polls fail with it, so the zoom says what is wrong)."""
    from noc_app.runtime import UnavailableSource  # the runtime's stand-in (imported late: a heavier module)

    make = with_variable_resolution(config, factory or (lambda sc, plan: create_source(sc, plan)))
    by_id = {sc.id: sc for sc in config.sources}

    def build(source_id: str, plan: PollPlan) -> Source:
        sc = by_id[source_id]
        try:
            return make(sc, plan)
        except SourceError as exc:
            return UnavailableSource(sc, exc)
        except Exception as exc:  # an adapter bug: the zoom fails, not the wall
            return UnavailableSource(sc, SourceError(redact(f"cannot be built: {type(exc).__name__}: {exc}")))

    return build


class ZoomFeed(QObject):
    """Polls one plan of one source into a store of its own until retired."""

    def __init__(
        self,
        source: Source,
        interval_s: float,
        *,
        wall_clock: Callable[[], float] = time.time,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.source = source
        self.store = Store(self)
        self.store.register(source.id, source.kind, interval_s)
        self._wall_clock = wall_clock
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="zoom")
        # No start phase (rng 0): the operator is waiting for this one.
        self.poller = Poller({source.id: source}, {source.id: interval_s}, executor=self._executor,
                             rng=lambda: 0.0, parent=self)
        self.poller.succeeded.connect(lambda sid, snap, ms: self.store.apply(sid, snap, self._wall_clock(), ms))
        self.poller.failed.connect(lambda sid, err, ms: self.store.mark_failed(sid, err, self._wall_clock(), ms))
        self.poller.scheduled.connect(self.store.set_next_poll)
        self.polls_done = 0
        self.poller.succeeded.connect(self._count)
        self.poller.failed.connect(self._count)

    def _count(self, *_args: object) -> None:
        self.polls_done += 1

    def start(self) -> None:
        self.poller.start()

    def retire(self) -> threading.Thread:
        """Stop polling now; close the adapter once its running poll (if any) returned (off the GUI thread)."""
        self.poller.stop(wait_s=0.0)
        executor, source = self._executor, self.source

        def close() -> None:
            executor.shutdown(wait=True)
            try:
                source.close()
            except Exception:
                log.exception("closing the zoom's source %s failed", source.id)

        closer = threading.Thread(target=close, name="zoom-close", daemon=True)
        closer.start()
        return closer


ZoomFeedFactory = Callable[[DashboardConfig, PanelConfig, ZoomRange], ZoomFeed]


def zoom_feeds(
    config: AppConfig,
    factory: Callable[..., Source] | None = None,
    *,
    wall_clock: Callable[[], float] = time.time,
) -> ZoomFeedFactory:
    """What the window calls to open a panel's zoom over a range: a started feed of its range queries."""
    build = zoom_source_factory(config, factory)
    intervals = {sc.id: sc.interval_s for sc in config.sources}

    def open_feed(dashboard: DashboardConfig, panel: PanelConfig, zoom_range: ZoomRange) -> ZoomFeed:
        source_id = panel.source or ""
        source = build(source_id, zoom_plan(dashboard, panel, zoom_range))
        feed = ZoomFeed(source, zoom_interval_s(intervals[source_id], zoom_range), wall_clock=wall_clock)
        feed.start()
        return feed

    return open_feed
