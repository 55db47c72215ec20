"""App-evaluated SLO burn alerts inside the wall: a Source the poller runs off the GUI thread.

Each poll is one SloAlertRunner cycle (query the error ratios, raise/refresh/resolve the
incidents through actions.wiring.raised_sink).  It serves no panel data; it shows in the
feed-health bar as `slo-alerts`, DEGRADED when an SLO could not be evaluated, so a
silent evaluator is visible.  Added by the composition root (app.attach_actions) only
when some SLO has `alerting: app`.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from noc_app.config.schema import AppConfig, SloAlerting
from noc_app.model import Snapshot
from noc_app.slo.app_alerts import BurnAlertEvaluator
from noc_app.slo.app_runner import SloAlertRunner
from noc_app.sources.base import Unreachable
from noc_app.state.journal import Journal

SLO_ALERTS_SOURCE_ID = "slo-alerts"
SLO_ALERT_POLL_S = 30.0  # the shortest alert window is 5 m; Prometheus evaluates rules every 15-60 s


def wants_app_alerts(config: AppConfig) -> bool:
    return any(slo.alerting is SloAlerting.APP for slo in config.slos)


class SloAlertSource:
    id = SLO_ALERTS_SOURCE_ID
    kind = "slo-alerts"

    def __init__(self, runner: SloAlertRunner, *, clock: Callable[[], float] = time.time) -> None:
        self._runner = runner
        self._clock = clock

    def poll(self) -> Snapshot:
        now = self._clock()
        problems = self._runner.run_once(now=now)
        if problems and len(problems) == len(self._runner.slos):
            raise Unreachable("no SLO could be evaluated: " + "; ".join(f"{k}: {v}" for k, v in problems.items()))
        return Snapshot.build(self.id, now, degraded=tuple(f"SLO {k}: {v}" for k, v in problems.items()),
                              info={"slos": ", ".join(s.id for s in self._runner.slos)})

    def close(self) -> None:
        """The journal and the sink belong to the composition root."""


def slo_alert_source(config: AppConfig, journal: Journal) -> SloAlertSource:
    from noc_app.actions.wiring import raised_sink

    return SloAlertSource(SloAlertRunner(config, BurnAlertEvaluator(raised_sink(config, journal))))
