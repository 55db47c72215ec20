"""Burn-rate alerts evaluated by the app (SLOs with `alerting: app`).

The same multi-window rule as the exported Prometheus rules (slo.burn_alerts), raised
as incidents through the actions seam (actions.raised.IncidentSink: an Alertmanager
when one is configured, else the state database), so they are acked and shared like
any other incident.  One incident per SLO while it burns: re-posted before its TTL
runs out (raised.refresh_due), replaced when its urgency changes (severity is part of
its identity), resolved once it stops.
SLOs with `alerting: prometheus` are skipped: Prometheus evaluates those (never both).

    evaluator = BurnAlertEvaluator(sink)
    evaluator.update(slo, {3600.0: 0.02, 300.0: 0.03, ...}, now=time.time())
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from noc_app.actions.raised import IncidentSink, RaisedIncident, refresh_due
from noc_app.config.schema import SloAlerting, SloConfig
from noc_app.slo.burn_alerts import SEVERITY_FOR, WORKBOOK_WINDOWS, BurnWindow, firing, worst_urgency
from noc_app.slo.promql import error_ratio_expr

ALERT_NAME = "SLOErrorBudgetBurn"


@dataclass(frozen=True, kw_only=True, slots=True)
class _Held:
    incident: RaisedIncident
    posted_at: float


def burn_incident(slo: SloConfig, windows: tuple[BurnWindow, ...], *, starts_at: float) -> RaisedIncident:
    urgency = worst_urgency(windows)
    assert urgency is not None
    worst = max(windows, key=lambda w: w.factor)
    return RaisedIncident(
        name=ALERT_NAME,
        severity=SEVERITY_FOR[urgency],
        labels={**dict(slo.labels), "slo": slo.id},
        summary=f"{slo.name}: error budget burning at over {worst.factor:g}x",
        description=(f"Error ratio over {worst.name} above {worst.factor:g} x (1 - {slo.target * 100:g} %); "
                     f"windows burning: {', '.join(w.name for w in windows)}."),
        starts_at=starts_at,
    )


def instant_queries(slo: SloConfig, windows: tuple[BurnWindow, ...] = WORKBOOK_WINDOWS) -> dict[float, str]:
    """The error-ratio expression per range that `update` needs (for a poll plan)."""
    from noc_app.slo.burn_alerts import windows_needed

    return {seconds: error_ratio_expr(slo, seconds) for seconds in windows_needed(windows)}


class BurnAlertEvaluator:
    """Turns measured error ratios into at most one raised incident per SLO."""

    def __init__(self, sink: IncidentSink, windows: tuple[BurnWindow, ...] = WORKBOOK_WINDOWS) -> None:
        self._sink = sink
        self._windows = windows
        self._held: dict[str, _Held] = {}

    @property
    def windows(self) -> tuple[BurnWindow, ...]:
        return self._windows

    @property
    def firing_ids(self) -> tuple[str, ...]:
        return tuple(self._held)

    def update(self, slo: SloConfig, error_ratios: Mapping[float, float | None], *, now: float) -> None:
        """One evaluation; publishes only when something changed or a re-post is due.

        Raises what the sink raises (ActionError): the caller retries on its next cycle,
        and since nothing was recorded as posted, the post is simply repeated.
        """
        if slo.alerting is not SloAlerting.APP:
            return
        burning = firing(slo, error_ratios, self._windows)
        held = self._held.get(slo.id)
        if not burning:
            if held is not None:
                self._sink.publish((), (held.incident,))
                del self._held[slo.id]
            return
        starts_at = held.incident.starts_at if held is not None else now
        incident = burn_incident(slo, burning, starts_at=starts_at)
        if held is not None and held.incident == incident and not refresh_due(held.posted_at, now=now):
            return
        replaced = (held.incident,) if held is not None and held.incident.severity != incident.severity else ()
        self._sink.publish((incident,), replaced)
        self._held[slo.id] = _Held(incident=incident, posted_at=now)
