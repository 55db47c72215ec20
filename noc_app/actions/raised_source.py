"""Raised incidents kept in the state database, as a read-only source the wall polls.

With no writable Alertmanager, the incidents the app raises itself live in the state
database (`backends.state_raised`).  `RaisedSource` puts them on the boards and in
`noc-app incidents list`: each poll reads them (`raised_alerts`) into a Snapshot of
source id RAISED_SOURCE_ID, acknowledged ones ACKNOWLEDGED with who.  It writes
nothing; acks go through the ActionService to `StateBackend`, which re-polls it.

It lives under actions (not sources) because it reads the state database, which the
read side does not know.  `with_raised_boards` adds its id to every incidents board.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable

from noc_app.actions.backends.state_raised import raised_alerts
from noc_app.actions.raised import RAISED_SOURCE_ID
from noc_app.config.schema import AppConfig, PanelConfig, PanelKind
from noc_app.model import Snapshot
from noc_app.sources.base import Unreachable
from noc_app.state.journal import Journal

RAISED_KIND = "noc-app"
RAISED_POLL_S = 5.0  # a local read; acks re-poll it at once


class RaisedSource:
    """Source protocol over the state database's raised incidents (read-only)."""

    id = RAISED_SOURCE_ID
    kind = RAISED_KIND

    def __init__(self, journal: Journal, *, clock: Callable[[], float] = time.time) -> None:
        self._journal = journal
        self._clock = clock

    def poll(self) -> Snapshot:
        try:
            alerts = raised_alerts(self._journal)
        except Exception as exc:  # the database is down or closed: this source is unreachable, not the wall
            raise Unreachable(f"state database: {type(exc).__name__}: {exc}") from exc
        return Snapshot.build(RAISED_SOURCE_ID, self._clock(), alerts=alerts)

    def close(self) -> None:
        """The journal belongs to the composition root."""


def with_raised_boards(config: AppConfig) -> AppConfig:
    """The config with RAISED_SOURCE_ID among the sources of every incidents board.

    Raised incidents are the app's own (SLO burn, detection), not one team's feed:
    every board that lists incidents lists them, as it would when they go to an
    Alertmanager it reads.
    """
    def widen(panel: PanelConfig) -> PanelConfig:
        if panel.kind != PanelKind.INCIDENTS:
            return panel
        ids = list(panel.sources) or ([panel.source] if panel.source else [])
        if RAISED_SOURCE_ID in ids:
            return panel
        return dataclasses.replace(panel, sources=(*ids, RAISED_SOURCE_ID))

    dashboards = tuple(dataclasses.replace(d, panels=tuple(widen(p) for p in d.panels)) for d in config.dashboards)
    return dataclasses.replace(config, dashboards=dashboards)
