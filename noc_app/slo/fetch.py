"""Compute SLOs once, outside the wall: poll each SLO's source with its panel queries.

Used by `noc-app slo status` and the integration tests; the wall itself gets the same
queries through its poll plans (noc_app.plans) on the pollers' worker threads.
"""

from __future__ import annotations

from collections.abc import Iterator

from noc_app.config.schema import AppConfig, SloConfig
from noc_app.slo.budget import Buckets, SloStatus
from noc_app.slo.panel_queries import SloDataError, slo_queries, status_from_results
from noc_app.sources.base import MetricQuery, PollPlan
from noc_app.sources.registry import create_source


def plan_for(slo: SloConfig) -> PollPlan:
    return PollPlan(metrics=tuple(
        MetricQuery(key=f"slo/{slo.id}/{i}", expr=q.expr, instant=q.instant, window_s=q.window_s,
                    max_points=q.max_points)
        for i, q in enumerate(slo_queries(slo))
    ))


def fetch_status(config: AppConfig, slo: SloConfig, *, now: float) -> tuple[SloStatus, Buckets] | str:
    """The SLO's figures, or why there are none (a plain-text reason)."""
    plan = plan_for(slo)
    source = create_source(config.source(slo.source), plan)
    try:
        snapshot = source.poll()
    except Exception as exc:  # SourceError and friends: reported as text, never raised to the CLI
        from noc_app.redaction import redact

        return f"source {slo.source} failed: {redact(str(exc))}"
    finally:
        source.close()
    results = [snapshot.metrics.get(q.key) for q in plan.metrics]
    try:
        return status_from_results(slo, results, now)
    except SloDataError as exc:
        return str(exc)


def fetch_all(config: AppConfig, *, now: float) -> Iterator[tuple[SloConfig, tuple[SloStatus, Buckets] | str]]:
    for slo in config.slos:
        outcome = fetch_status(config, slo, now=now)
        yield slo, outcome
