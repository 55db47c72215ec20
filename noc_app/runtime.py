"""The running data side of the app: sources, poller and store, wired together.

Qt-core only (no widgets), so the `snapshot` command and tests can run it
without a screen.  Built by the composition root; nothing here runs at import.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence

from noc_app.actions.service import ActionService
from noc_app.anomaly_source import ANOMALY_POLL_S, attach_anomaly, with_anomaly_boards
from noc_app.config.schema import AppConfig, SourceConfig
from noc_app.model import Snapshot
from noc_app.plans import build_plans, unused_sources
from noc_app.polling import Poller, PollerOptions
from noc_app.redaction import redact
from noc_app.selectors_noise import NoisePreparer
from noc_app.sources.base import PollPlan, Source, SourceError
from noc_app.sources.registry import create_source
from noc_app.sources.variable_resolver import with_variable_resolution
from noc_app.store import Store

log = logging.getLogger(__name__)


class UnavailableSource:
    """Stands in for a source that could not be built (e.g. its secret is not set).

    Every poll raises the construction error, so the affected panels say exactly
    what is wrong (AUTH FAILED: environment variable X is not set) while the rest
    of the wall runs.
    """

    def __init__(self, config: SourceConfig, error: SourceError) -> None:
        self.id = config.id
        self.kind = config.kind
        self._error = error

    def poll(self) -> Snapshot:
        raise self._error

    def close(self) -> None:
        pass


SourceFactory = Callable[[SourceConfig, PollPlan], Source]


def build_sources(
    config: AppConfig, plans: Mapping[str, PollPlan], factory: SourceFactory | None = None
) -> dict[str, Source]:
    """One adapter per configured source; a source that cannot be built degrades to an error."""
    make = with_variable_resolution(config, factory or (lambda sc, plan: create_source(sc, plan)))
    sources: dict[str, Source] = {}
    for sc in config.sources:
        try:
            sources[sc.id] = make(sc, plans[sc.id])
        except SourceError as exc:
            log.error("source=%s cannot be built: %s", sc.id, exc)
            sources[sc.id] = UnavailableSource(sc, exc)
        except Exception as exc:  # an adapter bug or a bad option it alone checks: that source fails, not the wall
            error = SourceError(redact(f"cannot be built: {type(exc).__name__}: {exc}"))
            log.error("source=%s %s", sc.id, error)
            sources[sc.id] = UnavailableSource(sc, error)
    return sources


class Runtime:
    """Sources + poller + store for one config."""

    def __init__(
        self,
        config: AppConfig,
        *,
        source_factory: SourceFactory | None = None,
        wall_clock: Callable[[], float] = time.time,
        poller_kwargs: PollerOptions | None = None,
    ) -> None:
        self.config = config
        self.wall_clock = wall_clock
        self.plans = build_plans(config)
        self.unused = unused_sources(config, self.plans)  # not polled: a poll asking nothing proves nothing
        self.sources = build_sources(config, self.plans, source_factory)
        for sid in self.unused:
            self.sources.pop(sid).close()
        self.anomaly = attach_anomaly(config, self.sources, wall_clock)  # scores `anomaly:` panels in poll workers
        self.store = Store()
        for sc in config.sources:
            self.store.register(sc.id, sc.kind, sc.interval_s, used=sc.id not in self.unused)
        # On the poll workers: each alert's fire/resolve history (flapping) and the boards' noisy selections.
        self.noise = NoisePreparer(config.noise, clock=wall_clock)
        options: PollerOptions = {"prepare": self.noise.prepare}
        options.update(poller_kwargs or {})
        self.poller = Poller(
            self.sources,
            {sc.id: sc.interval_s for sc in config.sources if sc.id not in self.unused},
            **options,
        )
        self.poller.succeeded.connect(self._on_succeeded)
        self.poller.failed.connect(self._on_failed)
        self.poller.scheduled.connect(self.store.set_next_poll)
        self.poll_counts: dict[str, int] = {sc.id: 0 for sc in config.sources}
        # Operator actions (None when the mode cannot act); set by attach_actions from the composition root.
        self.actions: ActionService | None = None
        self._action_closers: list[Callable[[], None]] = []
        self._close_journal: Callable[[], None] | None = None
        if self.anomaly is not None:  # wall-local anomaly incidents, on every incidents board
            self.add_source(self.anomaly, ANOMALY_POLL_S, config=with_anomaly_boards(self.config))

    def attach_actions(
        self,
        service: ActionService,
        *,
        close_backends: Sequence[Callable[[], None]] = (),
        close_journal: Callable[[], None] | None = None,
    ) -> None:
        """Run `service` with this runtime: it sees every successful poll, starts and stops with it.

        close_backends, close_journal: called once the service has stopped.
        """
        self.actions = service
        self._action_closers = list(close_backends)
        self._close_journal = close_journal
        self.poller.succeeded.connect(service.on_poll_succeeded)
        self.poller.failed.connect(service.on_poll_failed)

    def add_source(self, source: Source, interval_s: float, *, config: AppConfig | None = None) -> None:
        """Poll one more source that is not in the config (the raised incidents of the state database).

        config: the config the wall is built from from now on (its boards name the new source).
        """
        self.sources[source.id] = source
        self.store.register(source.id, source.kind, interval_s)
        self.poll_counts[source.id] = 0
        self.poller.add_source(source.id, source, interval_s)
        if config is not None:
            self.config = config

    def repoll(self, source_id: str) -> None:
        """Poll one source now (after an action changed it); unknown ids are ignored."""
        if source_id in self.sources:
            self.poller.refresh_now(source_id)

    def start(self) -> None:
        self.poller.start()
        if self.actions is not None:
            self.actions.start()

    def stop(self) -> None:
        """Stop polling and actions, let in-flight work finish (bounded), then release every connection."""
        if not self.poller.stop():
            log.info("closing connections with polls still running (they end without being shown)")
        if self.actions is not None:
            closers = list(self._action_closers)
            if self.actions.stop():
                if self._close_journal is not None:
                    closers.append(self._close_journal)
            else:  # a delivery is still running: keep the journal open under it; its row stays pending
                log.warning("an action was still being delivered at exit; it is sent again at the next start")
            for close in closers:
                try:
                    close()
                except Exception:
                    log.exception("closing an action backend or the state database failed")
            self._action_closers, self._close_journal = [], None
        for source in self.sources.values():
            try:
                source.close()
            except Exception:  # closing must never block shutdown
                log.exception("closing source %s failed", source.id)

    def _on_succeeded(self, source_id: str, snapshot: Snapshot, latency_ms: float) -> None:
        self.poll_counts[source_id] += 1
        self.store.apply(source_id, snapshot, self.wall_clock(), latency_ms)

    def _on_failed(self, source_id: str, error: SourceError, latency_ms: float) -> None:
        self.poll_counts[source_id] += 1
        self.store.mark_failed(source_id, error, self.wall_clock(), latency_ms)
