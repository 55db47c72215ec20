"""A Source that simulates a busy backend without a network: rolling latency series,
a churning set of alerts and a stream of log lines.

It implements the real `Source` protocol, so the benchmark drives it through the
real Runtime (poller worker thread -> store -> wall).  Metric queries name what
they want in the expression (`bench_latency{panel="3",quantile="0.95"}`), so a
plain AppConfig built in code is all a scenario needs.
"""

from __future__ import annotations

import re
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from noc_app.bench.synthetic_data import LANE_NAMES, LatencyRings
from noc_app.config.schema import SourceConfig
from noc_app.model import Alert, AlertState, LogLevel, LogLine, QueryResult, Series, Severity, Snapshot
from noc_app.sources.base import MetricQuery, PollPlan

QUANTILES = ("0.5", "0.95", "0.99")
_EXPR = re.compile(r'bench_latency\{panel="(\d+)",quantile="([0-9.]+)"\}')
_ALERT_NAMES = (
    "HighErrorRate", "HighLatencyP99", "DiskWillFillIn4h", "TargetDown", "CertificateExpiry",
    "PodCrashLooping", "QueueBacklog", "ReplicationLag", "NodeMemoryPressure", "SLOBurnRateFast",
)
_SEVERITIES = (Severity.CRITICAL, Severity.HIGH, Severity.WARNING, Severity.WARNING, Severity.INFO)
_LOG_LEVELS = (LogLevel.INFO, LogLevel.INFO, LogLevel.INFO, LogLevel.WARNING, LogLevel.ERROR, LogLevel.DEBUG)


def latency_expr(panel: int, lane: int) -> str:
    """The expression a bench panel uses for one of its three series."""
    return f'bench_latency{{panel="{panel}",quantile="{QUANTILES[lane]}"}}'


def parse_latency_expr(expr: str) -> tuple[int, int]:
    """(panel, lane) of a bench expression; ValueError for anything else."""
    match = _EXPR.fullmatch(expr.replace(" ", ""))
    if not match or match.group(2) not in QUANTILES:
        raise ValueError(f"not a bench expression: {expr!r}")
    return int(match.group(1)), QUANTILES.index(match.group(2))


@dataclass(frozen=True, kw_only=True, slots=True)
class SyntheticProfile:
    """How much data the simulated backend serves and how fast it changes."""

    points: int = 3600  # points per range series
    step_s: float = 1.0  # data seconds between points
    alerts: int = 200  # alerts held at any time
    alert_churn_every: int = 5  # polls between alert changes (0: never)
    alert_churn_count: int = 1  # alerts replaced per change
    log_lines_per_poll: int = 5
    log_keep: int = 200


class SyntheticSource:
    """Answers its poll plan from deterministic generators; safe in one worker at a time."""

    def __init__(
        self,
        config: SourceConfig,
        plan: PollPlan,
        *,
        profile: SyntheticProfile,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.id = config.id
        self.kind = config.kind
        self._plan = plan
        self._profile = profile
        self._clock = clock
        self._lock = threading.Lock()  # the poller guarantees one poll in flight; be safe anyway
        self._wanted = [(q, parse_latency_expr(q.expr)) for q in plan.metrics]
        panels = 1 + max((panel for _, (panel, _) in self._wanted), default=0)
        # One step in the past: the first poll adds the point for "now".
        self._rings = LatencyRings(
            n=profile.points, panels=panels, step_s=profile.step_s, end_time=clock() - profile.step_s
        )
        self._polls = 0
        self._alert_serials: deque[int] = deque(range(profile.alerts))
        self._next_serial = profile.alerts
        self._alert_cache: dict[int, Alert] = {}
        self._logs: deque[LogLine] = deque(maxlen=profile.log_keep)
        self._log_serial = 0
        self.polls_done = 0

    def poll(self) -> Snapshot:
        """One poll: roll the series to now, churn alerts, append log lines."""
        with self._lock:
            now = self._clock()
            self._polls += 1
            metrics: dict[str, QueryResult] | None = None
            alerts: tuple[Alert, ...] | None = None
            logs: tuple[LogLine, ...] | None = None
            if self._wanted:
                self._roll_to(now)
                metrics = {q.key: self._answer(q, panel, lane) for q, (panel, lane) in self._wanted}
            if self._plan.alerts:
                alerts = self._alerts(now)
            if self._plan.logs:
                logs = self._log_lines(now)
            snapshot = Snapshot.build(self.id, now, metrics=metrics, alerts=alerts, logs=logs)
            self.polls_done += 1
            return snapshot

    def close(self) -> None:
        pass

    def _roll_to(self, now: float) -> None:
        rings = self._rings
        due = int((now - rings.last_time) // rings.step_s)
        if due > rings.n:  # far behind (a suspended process): start a fresh window
            self._rings = LatencyRings(n=rings.n, panels=rings.panels, step_s=rings.step_s, end_time=now)
            return
        for _ in range(max(1, due)):
            rings.push()

    def _answer(self, query: MetricQuery, panel: int, lane: int) -> QueryResult:
        rings = self._rings
        # Copies: a snapshot is immutable, the ring is overwritten by the next poll.
        if query.instant:
            x = np.array([rings.last_time])
            y = np.array([rings.y_view(panel, lane)[-1]])
        else:
            x = rings.x_view().copy()
            y = rings.y_view(panel, lane).copy()
        name = LANE_NAMES[lane]
        labels = {"panel": str(panel), "quantile": QUANTILES[lane]}
        key = f"panel={panel},quantile={QUANTILES[lane]}"
        return QueryResult.build([Series(key=key, name=name, labels=labels, x=x, y=y)])

    def _alerts(self, now: float) -> tuple[Alert, ...]:
        p = self._profile
        if p.alert_churn_every and self._polls % p.alert_churn_every == 0:
            for _ in range(min(p.alert_churn_count, len(self._alert_serials))):
                gone = self._alert_serials.popleft()
                self._alert_cache.pop(gone, None)
                self._alert_serials.append(self._next_serial)
                self._next_serial += 1
        return tuple(self._alert(serial, now) for serial in self._alert_serials)

    def _alert(self, serial: int, now: float) -> Alert:
        cached = self._alert_cache.get(serial)
        if cached is not None:
            return cached
        name = _ALERT_NAMES[serial % len(_ALERT_NAMES)]
        instance = f"node-{serial % 97:02d}:9100"
        state = AlertState.SILENCED if serial % 11 == 0 else AlertState.FIRING
        alert = Alert(
            fingerprint=f"{serial:016x}",
            source_id=self.id,
            name=name,
            severity=_SEVERITIES[serial % len(_SEVERITIES)],
            state=state,
            summary=f"{name} on {instance} (bench incident #{serial})",
            labels={"alertname": name, "instance": instance, "job": "bench", "serial": str(serial)},
            starts_at=now - (serial % 3600),
            silenced_by=("bench-silence",) if state is AlertState.SILENCED else (),
        )
        self._alert_cache[serial] = alert
        return alert

    def _log_lines(self, now: float) -> tuple[LogLine, ...]:
        for i in range(self._profile.log_lines_per_poll):
            self._log_serial += 1
            s = self._log_serial
            level = _LOG_LEVELS[s % len(_LOG_LEVELS)]
            self._logs.append(
                LogLine(
                    ts=now - (self._profile.log_lines_per_poll - i) * 0.01,
                    level=level,
                    text=f"request id={s:08d} path=/api/orders/{s % 977} "
                    f"status={500 if level <= LogLevel.ERROR else 200} latency_ms={(s * 37) % 900}",
                    cursor=f"bench-{s}",
                    service=f"svc-{s % 7}",
                    labels={"service": f"svc-{s % 7}"},
                )
            )
        return tuple(self._logs)


def synthetic_factory(profile: SyntheticProfile, clock: Callable[[], float] = time.time):
    """A Runtime source_factory that builds SyntheticSources with one profile."""

    def make(config: SourceConfig, plan: PollPlan) -> SyntheticSource:
        return SyntheticSource(config, plan, profile=profile, clock=clock)

    return make
