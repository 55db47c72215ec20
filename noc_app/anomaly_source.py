"""The wall's own anomaly incidents as an in-process source, and its wiring into a runtime.

`attach_anomaly` wraps the sources of anomaly-enabled panels with their scorers
(noc_app.anomaly_scoring) and, when some panel has `raise: true`, returns an
`AnomalySource`: the poller polls it like any source (every ANOMALY_POLL_S, a local
read), its snapshot lists the open anomaly incidents as Alerts, and
`with_anomaly_boards` puts its id on every incidents board, so they go through the
same incidents selector, noise reduction and policy as a backend's alerts.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable

from noc_app.anomaly_incidents import ANOMALY_SOURCE_ID, AnomalyIncidents
from noc_app.anomaly_scoring import wrap_scored_sources
from noc_app.config.schema import AppConfig, PanelConfig, PanelKind
from noc_app.model import Snapshot
from noc_app.sources.base import Source

log = logging.getLogger(__name__)

ANOMALY_KIND = "anomaly"
ANOMALY_POLL_S = 1.0  # a read of a dict under a lock: cheap, and an incident shows within a second


class AnomalySource:
    """Source protocol over the open anomaly incidents (read-only, in-process)."""

    id = ANOMALY_SOURCE_ID
    kind = ANOMALY_KIND

    def __init__(self, incidents: AnomalyIncidents, *, clock: Callable[[], float] = time.time) -> None:
        self.incidents = incidents
        self._clock = clock

    def poll(self) -> Snapshot:
        now = self._clock()
        return Snapshot.build(ANOMALY_SOURCE_ID, now, alerts=self.incidents.alerts(now))

    def close(self) -> None:
        """Nothing to release."""


def raises_incidents(config: AppConfig) -> bool:
    return any(p.anomaly.enabled and p.anomaly.raise_incident for d in config.dashboards for p in d.panels)


def attach_anomaly(
    config: AppConfig, sources: dict[str, Source], clock: Callable[[], float] = time.time
) -> AnomalySource | None:
    """Score anomaly-enabled panels in their sources' workers; the incidents source when some panel raises."""
    raising = raises_incidents(config)
    if raising and any(sc.id == ANOMALY_SOURCE_ID for sc in config.sources):
        log.error("anomaly incidents are off: a configured source is already called %r", ANOMALY_SOURCE_ID)
        raising = False
    incidents = AnomalyIncidents() if raising else None
    wrap_scored_sources(config, sources, incidents, clock)
    return AnomalySource(incidents, clock=clock) if incidents is not None else None


def with_anomaly_boards(config: AppConfig) -> AppConfig:
    """The config with the anomaly source among the sources of every incidents board."""
    def widen(panel: PanelConfig) -> PanelConfig:
        if panel.kind != PanelKind.INCIDENTS:
            return panel
        ids = list(panel.sources) or ([panel.source] if panel.source else [])
        if ANOMALY_SOURCE_ID in ids:
            return panel
        return dataclasses.replace(panel, sources=(*ids, ANOMALY_SOURCE_ID))

    dashboards = tuple(dataclasses.replace(d, panels=tuple(widen(p) for p in d.panels)) for d in config.dashboards)
    return dataclasses.replace(config, dashboards=dashboards)
