"""The executive MTTR tile's feed: a Source polling this month's incident history off the GUI thread.

Each poll reads the history rows resolved this month from the state database
(noc_app.reports.kpi_inputs.month_histories) and answers the tile's one query with
the month's MTTR as a single value; its labels say whether 99 % were resolved within
their priority's target.  Honest states: no state database, or nothing resolved yet
this month, is NO DATA with the reason; a database that cannot be read is UNREACHABLE.
Added by the composition root (app.build_runtime) only when a dashboard shows the tile.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import numpy as np

from noc_app.config.schema import AppConfig
from noc_app.executive import EXECUTIVE_ID, HISTORY_SOURCE_ID
from noc_app.model import QueryResult, Series, Snapshot
from noc_app.panel_keys import query_key
from noc_app.reports.kpis import compute_kpis
from noc_app.reports.timing import targets_from
from noc_app.sources.base import Unreachable
from noc_app.state.records import IncidentHistory

HISTORY_POLL_S = 60.0
NO_DATABASE = "no state database"

HistoryReader = Callable[[float], tuple[Sequence[IncidentHistory] | None, str]]


class HistorySource:
    id = HISTORY_SOURCE_ID
    kind = "incident-history"

    def __init__(self, config: AppConfig, *, dashboard_id: str = EXECUTIVE_ID, panel_id: str = "mttr_month",
                 read: HistoryReader | None = None, clock: Callable[[], float] = time.time) -> None:
        from noc_app.reports.kpi_inputs import month_histories

        self._config = config
        self._key = query_key(dashboard_id, panel_id, 0)
        self._read = read or (lambda now: month_histories(config, now))
        self._clock = clock

    def poll(self) -> Snapshot:
        now = self._clock()
        histories, why = self._read(now)
        if histories is None and why != NO_DATABASE:
            raise Unreachable(why or "the state database cannot be read")
        kpi = compute_kpis((), {}, (), histories, now=now, time_zone=self._config.sla.time_zone,
                           targets=targets_from(self._config.severity_levels)).mttr_month
        if kpi.value is None:
            result = QueryResult.build(warnings=(why or kpi.note,))
        else:
            met = "" if kpi.met is None else str(kpi.met).lower()
            labels = {"met": met, "note": kpi.note, "period": kpi.label}
            series = Series(key="mttr", name="MTTR", labels=labels, x=np.array([now]), y=np.array([kpi.value]))
            result = QueryResult.build((series,))
        return Snapshot.build(self.id, now, metrics={self._key: result})

    def close(self) -> None:
        """Each poll opens and closes the database itself."""
