"""One evaluation cycle of the app-evaluated burn-rate alerts (blocking: run it off the GUI thread).

For every SLO with `alerting: app`, query the error ratio over each alert window
from the SLO's source (instant queries, the same expressions the exported recording
rules hold) and hand them to a BurnAlertEvaluator, which raises at most one incident
per SLO through the actions seam (actions.wiring.raised_sink).  `noc-app slo evaluate`
runs this in a loop.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from noc_app.actions.errors import ActionError
from noc_app.config.schema import AppConfig, SloAlerting, SloConfig
from noc_app.model import QueryResult
from noc_app.slo.app_alerts import BurnAlertEvaluator, instant_queries
from noc_app.sources.base import MetricQuery, PollPlan, Source
from noc_app.sources.registry import create_source

SourceMaker = Callable[[AppConfig, str, PollPlan], Source]


def _make_source(config: AppConfig, source_id: str, plan: PollPlan) -> Source:
    return create_source(config.source(source_id), plan)


def _ratio(result: QueryResult | None) -> float | None:
    """One finite value, or None (no traffic, no data, an error: never fires)."""
    if result is None or result.error or len(result.series) != 1:
        return None
    values = result.series[0].y
    if not values.size or not math.isfinite(float(values[-1])):
        return None
    return float(values[-1])


class SloAlertRunner:
    def __init__(self, config: AppConfig, evaluator: BurnAlertEvaluator,
                 make_source: SourceMaker = _make_source) -> None:
        self.slos: Sequence[SloConfig] = tuple(s for s in config.slos if s.alerting is SloAlerting.APP)
        self._config = config
        self._evaluator = evaluator
        self._make_source = make_source
        self.last_ratios: dict[str, dict[float, float | None]] = {}  # slo id -> range -> error ratio
        self.last_errors: dict[str, tuple[str, ...]] = {}  # slo id -> query errors of the last cycle

    def run_once(self, *, now: float) -> dict[str, str]:
        """Evaluate every app-evaluated SLO; returns slo id -> problem for those that could not be."""
        problems: dict[str, str] = {}
        for slo in self.slos:
            exprs = instant_queries(slo, self._evaluator.windows)
            plan = PollPlan(metrics=tuple(
                MetricQuery(key=f"slo-alert/{slo.id}/{seconds:g}", expr=expr, instant=True, window_s=seconds)
                for seconds, expr in exprs.items()
            ))
            source = self._make_source(self._config, slo.source, plan)
            try:
                snapshot = source.poll()
            except Exception as exc:  # a down source: report, keep the incident as it is
                from noc_app.redaction import redact

                problems[slo.id] = redact(str(exc))
                continue
            finally:
                source.close()
            self.last_errors[slo.id] = tuple(r.error for r in snapshot.metrics.values() if r.error)
            ratios = {seconds: _ratio(snapshot.metrics.get(q.key)) for seconds, q in zip(exprs, plan.metrics,
                                                                                          strict=True)}
            self.last_ratios[slo.id] = ratios
            try:
                self._evaluator.update(slo, ratios, now=now)
            except ActionError as exc:  # the sink refused or is down: posted again next cycle
                problems[slo.id] = f"raising the burn alert failed: {exc}"
        return problems
