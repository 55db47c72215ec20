"""The local-host source: this machine's CPU, memory, disk and network via psutil.

Queries are selectors, `name` or `name{label="value"}` (see KNOWN_METRICS).
Each poll takes one sample of every series the plan asks for and appends it to
a bounded history ring, so range queries show what was collected during the
window (a freshly started wall has a short history) and instant queries show
the newest sample.  Byte and CPU rates come from counter deltas between polls;
counters are primed at construction so the first poll already has a rate unless
it comes less than MIN_RATE_INTERVAL_S later.
"""

from __future__ import annotations

import math
import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import psutil

from noc_app.config.schema import SourceConfig
from noc_app.model import QueryResult, Series, Snapshot, freeze_labels
from noc_app.sources.base import MetricQuery, PollPlan
from noc_app.sources.legend import METRIC_NAME_LABEL, format_legend, series_key
from noc_app.sources.metric_selector import SelectorError, parse_selector

# metric name -> the one label it accepts (None: no labels)
KNOWN_METRICS: dict[str, str | None] = {
    "cpu_percent": None,
    "memory_percent": None,
    "swap_percent": None,
    "disk_used_percent": "mountpoint",
    "disk_read_bytes_per_second": None,
    "disk_write_bytes_per_second": None,
    "network_receive_bytes_per_second": "interface",
    "network_transmit_bytes_per_second": "interface",
    "load1": None,
    "load5": None,
    "load15": None,
}
_RATE_METRICS = {
    "disk_read_bytes_per_second", "disk_write_bytes_per_second",
    "network_receive_bytes_per_second", "network_transmit_bytes_per_second",
}
_LOOPBACK = "lo"
MIN_RATE_INTERVAL_S = 0.2  # shorter deltas give meaningless rates: wait for the next poll
MAX_HISTORY_POINTS = 20_000
HISTORY_S = 86_400.0


class ProbeError(Exception):
    """A series cannot be read on this machine; the message is shown on its panel."""


@dataclass(frozen=True, kw_only=True, slots=True)
class SeriesSpec:
    """One local series: a known metric with its (defaulted) label."""

    metric: str
    label: str | None = None  # mountpoint or interface, None for "all" / no label

    @property
    def labels(self) -> dict[str, str]:
        label_name = KNOWN_METRICS[self.metric]
        return {label_name: self.label} if label_name and self.label is not None else {}


def parse_local_query(expr: str) -> SeriesSpec:
    """Resolve a selector onto a known local metric, or raise ProbeError saying why not."""
    try:
        selector = parse_selector(expr)
    except SelectorError as exc:
        raise ProbeError(f"cannot parse {expr.strip()!r}: {exc}") from exc
    if selector.name not in KNOWN_METRICS:
        raise ProbeError(
            f"unknown local metric {selector.name or expr.strip()!r}; known metrics: "
            + ", ".join(KNOWN_METRICS)
            + ' (disk_used_percent takes {mountpoint="/"}, network_* take {interface="eth0"})'
        )
    allowed = KNOWN_METRICS[selector.name]
    extra = sorted(set(selector.labels) - ({allowed} if allowed else set()))
    if extra:
        accepts = f"only {allowed!r}" if allowed else "no labels"
        raise ProbeError(f"{selector.name} accepts {accepts}, not {', '.join(map(repr, extra))}")
    label = selector.labels.get(allowed) if allowed else None
    if selector.name == "disk_used_percent" and label is None:
        label = "/"
    return SeriesSpec(metric=selector.name, label=label)


def cpu_busy_total(times: Any) -> tuple[float, float]:
    """(busy, total) CPU seconds from psutil.cpu_times(); guest time is already in user."""
    total = float(sum(times))
    total -= getattr(times, "guest", 0.0) + getattr(times, "guest_nice", 0.0)
    idle = times.idle + getattr(times, "iowait", 0.0)
    return total - idle, total


def cpu_percent_between(before: Any, after: Any) -> float | None:
    """Whole-machine CPU use between two cpu_times() readings, None if no time passed."""
    busy0, total0 = cpu_busy_total(before)
    busy1, total1 = cpu_busy_total(after)
    if total1 <= total0:
        return None
    return min(100.0, max(0.0, 100.0 * (busy1 - busy0) / (total1 - total0)))


class HistoryRing:
    """A fixed-capacity ring of (time, value) samples in numpy arrays."""

    def __init__(self, capacity: int) -> None:
        self._x = np.empty(capacity)
        self._y = np.empty(capacity)
        self._start = 0
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def append(self, t: float, value: float) -> None:
        """Add a sample; a repeated time replaces, a clock stepped back starts afresh."""
        capacity = self._x.size
        if self._size:
            last = (self._start + self._size - 1) % capacity
            if t == self._x[last]:
                self._y[last] = value
                return
            if t < self._x[last]:
                self._start = self._size = 0
        index = (self._start + self._size) % capacity
        self._x[index], self._y[index] = t, value
        if self._size < capacity:
            self._size += 1
        else:
            self._start = (self._start + 1) % capacity

    def since(self, t0: float) -> tuple[np.ndarray, np.ndarray]:
        """Copies of the samples with time >= t0, oldest first."""
        order = (self._start + np.arange(self._size)) % self._x.size
        x, y = self._x[order], self._y[order]
        keep = x >= t0
        return x[keep], y[keep]

    def latest(self) -> tuple[np.ndarray, np.ndarray]:
        if not self._size:
            return np.empty(0), np.empty(0)
        index = (self._start + self._size - 1) % self._x.size
        return self._x[index:index + 1].copy(), self._y[index:index + 1].copy()


def peak_downsample(x: np.ndarray, y: np.ndarray, max_points: int) -> tuple[np.ndarray, np.ndarray]:
    """At most max_points samples: each bucket keeps its maximum, so no spike is hidden."""
    if x.size <= max_points or max_points < 1:
        return x, y
    starts = np.unique(np.linspace(0, x.size, max_points, endpoint=False).astype(np.int64))
    ends = np.append(starts[1:], x.size)
    return x[ends - 1], np.maximum.reduceat(y, starts)


class LocalHostSource:
    """Real readings of this machine; `poll()` never raises for a valid plan."""

    kind = "localhost"

    def __init__(
        self,
        config: SourceConfig,
        plan: PollPlan,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.id = config.id
        self._plan = plan
        self._clock = clock
        self.hostname = socket.gethostname()
        capacity = int(min(MAX_HISTORY_POINTS, max(16, math.ceil(HISTORY_S / max(config.interval_s, 0.1)))))
        self._specs: dict[str, SeriesSpec | str] = {}
        for query in plan.metrics:
            try:
                self._specs[query.key] = parse_local_query(query.expr)
            except ProbeError as exc:
                self._specs[query.key] = str(exc)
        wanted = {spec for spec in self._specs.values() if isinstance(spec, SeriesSpec)}
        self._rings = {spec: HistoryRing(capacity) for spec in wanted}
        self._errors: dict[SeriesSpec, str] = {}
        self._counters: dict[SeriesSpec, tuple[float, float]] = {}  # spec -> (time, counter)
        self._cpu_before: tuple[float, Any] | None = None
        self._prime()

    def poll(self) -> Snapshot:
        """Sample every requested series once and answer the plan's queries."""
        now = float(self._clock())
        self._sample(now)
        metrics = {query.key: self._answer(query, now) for query in self._plan.metrics}
        return Snapshot.build(self.id, now, metrics=metrics, info={"host": self.hostname})

    def close(self) -> None:
        """Nothing to release."""

    # --- sampling ----------------------------------------------------------------

    def _prime(self) -> None:
        now = float(self._clock())
        for spec in self._rings:
            try:  # a failure here is reported by the first poll, which reads the same thing
                if spec.metric == "cpu_percent":
                    self._cpu_before = (now, psutil.cpu_times())
                elif spec.metric in _RATE_METRICS:
                    self._counters[spec] = (now, self._read_counter(spec))
            except Exception:
                continue

    def _sample(self, now: float) -> None:
        readings: dict[str, Any] = {}  # one psutil call per kind of reading per poll
        for spec, ring in self._rings.items():
            try:
                value = self._read(spec, now, readings)
            except ProbeError as exc:
                self._errors[spec] = str(exc)
                continue
            except Exception as exc:  # psutil's own errors on odd platforms: one panel, not the wall
                self._errors[spec] = f"could not read {spec.metric}: {exc!r}"
                continue
            self._errors.pop(spec, None)
            if value is not None and math.isfinite(value):
                ring.append(now, value)

    def _read(self, spec: SeriesSpec, now: float, readings: dict[str, Any]) -> float | None:
        metric = spec.metric
        if metric == "cpu_percent":
            return self._cpu_percent(now, readings)
        if metric == "memory_percent":
            return float(_cached(readings, "memory", psutil.virtual_memory).percent)
        if metric == "swap_percent":
            return float(_cached(readings, "swap", psutil.swap_memory).percent)
        if metric == "disk_used_percent":
            mountpoint = spec.label or "/"
            if not os.path.ismount(mountpoint):
                raise ProbeError(f"no filesystem mounted at {mountpoint}")
            return float(psutil.disk_usage(mountpoint).percent)
        if metric in ("load1", "load5", "load15"):
            load = _cached(readings, "load", psutil.getloadavg)
            return float(load[("load1", "load5", "load15").index(metric)])
        return self._rate(spec, now, self._read_counter(spec, readings))

    def _cpu_percent(self, now: float, readings: dict[str, Any]) -> float | None:
        after = _cached(readings, "cpu", psutil.cpu_times)
        if self._cpu_before is None or now - self._cpu_before[0] < MIN_RATE_INTERVAL_S:
            self._cpu_before = self._cpu_before or (now, after)
            return None
        percent = cpu_percent_between(self._cpu_before[1], after)
        if percent is not None:
            self._cpu_before = (now, after)
        return percent

    def _rate(self, spec: SeriesSpec, now: float, counter: float) -> float | None:
        before = self._counters.get(spec)
        if before is not None and now - before[0] < MIN_RATE_INTERVAL_S:
            return None  # keep the older baseline for a meaningful delta next time
        self._counters[spec] = (now, counter)
        if before is None or counter < before[1]:
            return None  # first reading, or the counter was reset
        return (counter - before[1]) / (now - before[0])

    def _read_counter(self, spec: SeriesSpec, readings: dict[str, Any] | None = None) -> float:
        readings = {} if readings is None else readings
        if spec.metric.startswith("disk_"):
            io = _cached(readings, "disk_io", psutil.disk_io_counters)
            if io is None:
                raise ProbeError("disk I/O counters are not available on this machine")
            return float(io.read_bytes if spec.metric == "disk_read_bytes_per_second" else io.write_bytes)
        nics = _cached(readings, "net_io", lambda: psutil.net_io_counters(pernic=True))
        field = "bytes_recv" if spec.metric == "network_receive_bytes_per_second" else "bytes_sent"
        if spec.label is not None:
            if spec.label not in nics:
                raise ProbeError(
                    f"no network interface named {spec.label}; this machine has: {', '.join(sorted(nics))}"
                )
            return float(getattr(nics[spec.label], field))
        return float(sum(getattr(c, field) for name, c in nics.items() if name != _LOOPBACK))

    # --- answering ---------------------------------------------------------------

    def _answer(self, query: MetricQuery, now: float) -> QueryResult:
        spec = self._specs.get(query.key)
        if spec is None:
            try:
                spec = parse_local_query(query.expr)
            except ProbeError as exc:
                return QueryResult.build(error=str(exc))
        if isinstance(spec, str):
            return QueryResult.build(error=spec)
        if spec in self._errors:
            return QueryResult.build(error=self._errors[spec])
        ring = self._rings.get(spec)
        if ring is None or not len(ring):
            return QueryResult.build()  # no sample yet (first rate): NO DATA
        if query.instant:
            x, y = ring.latest()
        else:
            x, y = ring.since(now - query.window_s)
            x, y = peak_downsample(x, y, query.max_points)
        if not x.size:
            return QueryResult.build()
        labels = {"host": self.hostname, **spec.labels}
        name = format_legend(query.legend, {METRIC_NAME_LABEL: spec.metric, **labels})
        series = Series(
            key=series_key({METRIC_NAME_LABEL: spec.metric, **labels}), name=name,
            labels=freeze_labels(labels), x=x, y=y,
        )
        return QueryResult.build([series])


def _cached(readings: dict[str, Any], key: str, read: Callable[[], Any]) -> Any:
    if key not in readings:
        readings[key] = read()
    return readings[key]
