"""The demo source: an in-process simulated e-commerce service for the built-in wall.

It answers the seed's PromQL expressions (see demo.catalog), serves the seed's
alert rules evaluated on the simulation plus standing incidents (demo.alerts)
and a structured log stream (demo.logs).  Everything is a deterministic
function of time, the seed and the start epoch, which is the clock's reading
when the source is created: the first trouble episode starts 30-120 s later
(see demo.service for the schedule).  Same clock and seed, same wall.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping

import numpy as np

from noc_app.config.schema import SourceConfig
from noc_app.model import LogLine, QueryResult, Series, Snapshot, Target, freeze_labels
from noc_app.sources.base import MetricQuery, PollPlan
from noc_app.sources.deadman import read_deadman
from noc_app.sources.demo.alerts import simulated_alerts
from noc_app.sources.demo.catalog import Signal, SimulatedQuery, UnknownQuery, resolve
from noc_app.sources.demo.logs import DemoLogStream, LogFilter, LogQueryError, parse_log_query
from noc_app.sources.demo.service import (
    INSTANCE,
    JOB,
    SERIES_LABELS,
    DemoService,
    ServiceState,
)
from noc_app.sources.legend import METRIC_NAME_LABEL, format_legend, series_key

DEFAULT_SEED = 1
INFO = {"badge": "DEMO", "note": "simulated e-commerce service"}

_TARGET_LABELS = {"job": JOB, "instance": INSTANCE}
_OTHER_TARGETS = (
    ("node", "db-02.prod.example.com:9100"), ("node", "cache-01.prod.example.com:9100"),
    ("checkout", "checkout-1:8080"), ("payments", "payments-1:8080"), ("prometheus", "127.0.0.1:9090"),
)
# prometheus_client's default histogram buckets (seconds)
LATENCY_BUCKETS_S = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, math.inf)
_Z95 = 1.6448536269514722
_erf = np.vectorize(math.erf, otypes=[float])
_IS_5XX = tuple(status.startswith("5") for _, status in SERIES_LABELS)


class DemoSource:
    """Simulated backend; `poll()` never raises for a valid plan."""

    kind = "demo"

    def __init__(
        self,
        config: SourceConfig,
        plan: PollPlan,
        *,
        clock: Callable[[], float] = time.time,
        seed: int | None = None,
    ) -> None:
        self.id = config.id
        self._plan = plan
        # The demo's Watchdog is its dead man's switch (declared in config/demo.yaml): health, not an incident.
        self._deadman = (config.deadman_alert or "").strip()
        self._clock = clock
        self.service = DemoService(
            start_epoch=float(clock()), seed=DEFAULT_SEED if seed is None else seed
        )
        self._log_stream = DemoLogStream(self.service)
        self._queries: dict[str, SimulatedQuery | str] = {}
        for query in plan.metrics:
            try:
                self._queries[query.key] = resolve(query.expr)
            except UnknownQuery as exc:
                self._queries[query.key] = str(exc)
        self._log_filters: list[LogFilter | str] = []
        for log_query in plan.logs:
            try:
                self._log_filters.append(parse_log_query(log_query.expr))
            except LogQueryError as exc:
                self._log_filters.append(f"log query {log_query.key}: {exc}")

    def poll(self) -> Snapshot:
        """Simulate everything the plan asks for at the clock's current time."""
        now = float(self._clock())
        states: dict[tuple[float, int, int], ServiceState] = {}  # shared grids within one poll
        metrics = {q.key: self._answer(q, now, states) for q in self._plan.metrics}
        degraded: list[str] = []
        alerts = None
        info = dict(INFO)
        if self._plan.alerts:
            try:
                alerts = simulated_alerts(self.service, self.id, now)
            except Exception as exc:  # a simulation bug must not take the wall down
                degraded.append(f"alert simulation failed: {exc!r}")
                alerts = ()
            deadman = read_deadman(alerts, self._deadman)
            alerts = deadman.alerts
            degraded.extend(deadman.degraded)
            info.update(deadman.info)
        logs = self._logs(now, degraded) if self._plan.logs else None
        targets = None
        if self._plan.targets:
            try:
                targets = self._targets(now)
            except Exception as exc:
                degraded.append(f"target simulation failed: {exc!r}")
                targets = ()
        return Snapshot.build(
            self.id, now, metrics=metrics, alerts=alerts, logs=logs, targets=targets,
            degraded=degraded, info=info,
        )

    def close(self) -> None:
        """Nothing to release."""

    # --- metrics ---------------------------------------------------------------

    def _answer(self, query: MetricQuery, now: float,
                states: dict[tuple[float, int, int], ServiceState]) -> QueryResult:
        resolved = self._queries.get(query.key)
        if resolved is None:  # a query not in the plan given at construction
            try:
                resolved = resolve(query.expr)
            except UnknownQuery as exc:
                resolved = str(exc)
        if isinstance(resolved, str):
            return QueryResult.build(error=resolved)
        try:
            t, grid_key = _timestamps(query, now)
            if resolved.signal is Signal.AVAILABILITY_PERCENT:
                return self._result(query, [({}, self.service.availability_percent(t))], t)
            if resolved.signal is Signal.WINDOWED_RATE:
                rate = self.service.windowed_rate(t, resolved.window_s, resolved.part, resolved.threshold_s)
                return self._result(query, [({}, rate)], t)
            if resolved.signal is Signal.DEPLOYS:
                marks = deploy_changes(t, self.service.start_epoch)
                return self._result(query, [({"job": JOB, "instance": INSTANCE}, marks)], t)
            state = states.get(grid_key)
            if state is None:
                state = states[grid_key] = self.service.state(t)
            return self._result(query, _signal_series(resolved, state), t)
        except Exception as exc:  # a simulation bug shows as one panel's error, not a crash
            return QueryResult.build(error=f"demo simulation failed for {query.expr!r}: {exc!r}")

    def _result(self, query: MetricQuery,
                labelled: list[tuple[Mapping[str, str], np.ndarray]], t: np.ndarray) -> QueryResult:
        series = []
        for labels, values in labelled:
            name = format_legend(query.legend, labels) or query.expr.strip()
            shown = {k: v for k, v in labels.items() if k != METRIC_NAME_LABEL}
            series.append(Series(
                key=series_key(labels), name=name, labels=freeze_labels(shown),
                x=t.copy(), y=np.asarray(values, dtype=np.float64),
            ))
        return QueryResult.build(series)

    # --- logs and targets ------------------------------------------------------

    def _logs(self, now: float, degraded: list[str]) -> tuple[LogLine, ...]:
        merged: dict[str, LogLine] = {}
        for log_query, log_filter in zip(self._plan.logs, self._log_filters, strict=True):
            if isinstance(log_filter, str):
                degraded.append(log_filter)
                continue
            try:
                for line in self._log_stream.recent(now, log_query.limit, log_filter):
                    merged[line.cursor] = line
            except Exception as exc:  # never let a log bug raise from poll()
                degraded.append(f"log simulation failed: {exc!r}")
        return tuple(merged[c] for c in sorted(merged))

    def _targets(self, now: float) -> tuple[Target, ...]:
        up = float(self.service.state(np.array([math.floor(now)], dtype=np.float64)).up[0])
        return (
            Target(job=JOB, instance=INSTANCE, health="up" if up else "down",
                   last_error="" if up else "context deadline exceeded", last_scrape=now),
            Target(job="node", instance="db-02:9100", health="up", last_scrape=now),
            Target(job="node", instance="cache-01:9100", health="up", last_scrape=now),
        )


# Deploys of the simulated service: one 17 min before the start (on the wall from the first
# poll), then every 23 min.
DEPLOY_OFFSET_S = -17 * 60.0
DEPLOY_EVERY_S = 23 * 60.0


def deploy_changes(t: np.ndarray, start_epoch: float) -> np.ndarray:
    """`changes(deploy_timestamp[1m]) > 0`: 1 within a minute after a deploy, else NaN (no sample)."""
    since = np.mod(t - start_epoch - DEPLOY_OFFSET_S, DEPLOY_EVERY_S)
    return np.where(since < 60.0, 1.0, np.nan)


def status_rates(state: ServiceState) -> list[tuple[Mapping[str, str], np.ndarray]]:
    """`sum by (status) (rate(http_requests_total[5m]))`: the per-(method, status) rates summed per status."""
    totals: dict[str, np.ndarray] = {}
    for row, (_, status) in enumerate(SERIES_LABELS):
        totals[status] = totals[status] + state.rates[row] if status in totals else state.rates[row].copy()
    return [({"status": status}, totals[status]) for status in sorted(totals)]


def latency_buckets(state: ServiceState) -> list[tuple[Mapping[str, str], np.ndarray]]:
    """Cumulative request rates per `le` bound from the log-normal fit of P50/P95."""
    mu = np.log(state.p50)
    sigma = np.maximum(np.log(state.p95 / state.p50) / _Z95, 1e-6)
    total = state.total_rate
    out: list[tuple[Mapping[str, str], np.ndarray]] = []
    for bound in LATENCY_BUCKETS_S:
        if math.isinf(bound):
            share = np.ones_like(total)
        else:
            share = 0.5 * (1.0 + _erf((math.log(bound) - mu) / (sigma * math.sqrt(2.0))))
        out.append(({"le": "+Inf" if math.isinf(bound) else f"{bound:g}"}, total * share))
    return out


def _timestamps(query: MetricQuery, now: float) -> tuple[np.ndarray, tuple[float, int, int]]:
    """Sample times: `now` for instant queries, else a step-aligned grid over the window."""
    if query.instant or query.window_s <= 0:
        return np.array([now]), (now, -1, -1)
    step = max(query.window_s / max(query.max_points, 1), 1.0)
    first = math.ceil((now - query.window_s) / step)
    last = math.floor(now / step)
    return np.arange(first, last + 1, dtype=np.float64) * step, (step, first, last)


def _signal_series(query: SimulatedQuery,
                   state: ServiceState) -> list[tuple[Mapping[str, str], np.ndarray]]:
    """Label sets and values of one simulated signal."""
    target = dict(_TARGET_LABELS)
    signal = query.signal
    if signal in (Signal.REQUEST_RATE, Signal.ERROR_REQUEST_RATE):
        return [
            ({"method": method, "status": status, **target}, state.rates[row])
            for row, (method, status) in enumerate(SERIES_LABELS)
            if signal is Signal.REQUEST_RATE or _IS_5XX[row]
        ]
    if signal is Signal.TOTAL_REQUEST_RATE:
        return [({}, state.total_rate)]
    if signal is Signal.ERROR_PERCENT:
        return [(target, 100.0 * state.error_ratio)]
    if signal is Signal.ERROR_RATIO:
        return [(target, state.error_ratio)]
    if signal is Signal.LATENCY_QUANTILE:
        return [(target, state.quantile(query.quantile))]
    if signal is Signal.APDEX:
        return [({METRIC_NAME_LABEL: "apdex_score", **target}, state.apdex)]
    if signal is Signal.UP:
        return [({METRIC_NAME_LABEL: "up", **target}, state.up)]
    if signal is Signal.UP_TARGETS:
        always = np.ones_like(state.up)
        return [({"job": JOB, "instance": INSTANCE}, state.up)] + [
            ({"job": job, "instance": instance}, always) for job, instance in _OTHER_TARGETS
        ]
    if signal is Signal.LATENCY_BUCKETS:
        return latency_buckets(state)
    if signal is Signal.STATUS_RATE:
        return status_rates(state)
    raise AssertionError(f"unhandled signal {signal}")
