"""The local-host source: real psutil readings of this machine."""

from __future__ import annotations

import socket
from collections import namedtuple

import numpy as np
import psutil
import pytest

from noc_app.config.schema import SourceConfig
from noc_app.sources.base import MetricQuery, PollPlan
from noc_app.sources.localhost import (
    KNOWN_METRICS,
    HistoryRing,
    LocalHostSource,
    cpu_percent_between,
    parse_local_query,
    peak_downsample,
)
from noc_app.sources.metric_selector import SelectorError, parse_selector
from noc_app.sources.registry import create_source

CONFIG = SourceConfig(id="host", kind="localhost", interval_s=2.0)
START = 1_750_000_000.0


class StepClock:
    """A clock that advances a fixed step on every poll (set by the test)."""

    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def make_source(*exprs: str, instant: bool = False, window_s: float = 600.0,
                clock: StepClock | None = None, **query_kwargs) -> tuple[LocalHostSource, StepClock]:
    clock = clock or StepClock()
    queries = tuple(
        MetricQuery(key=expr, expr=expr, instant=instant, window_s=window_s, **query_kwargs)
        for expr in exprs
    )
    return LocalHostSource(CONFIG, PollPlan(metrics=queries), clock=clock), clock


def poll_n(source: LocalHostSource, clock: StepClock, n: int, step: float = 2.0):
    snapshot = None
    for _ in range(n):
        clock.now += step
        snapshot = source.poll()
    return snapshot


def wait_for_cpu_ticks() -> None:
    """Burn CPU until the kernel's CPU-time counters move (they tick every 10 ms)."""
    before = sum(psutil.cpu_times())
    for _ in range(50_000_000):
        if sum(psutil.cpu_times()) > before:
            return
    pytest.fail("CPU time counters never advanced")


# --- readings ----------------------------------------------------------------------


def test_percentages_are_sane_and_labelled():
    exprs = ("memory_percent", "swap_percent", 'disk_used_percent{mountpoint="/"}', "cpu_percent")
    source, clock = make_source(*exprs, instant=True)
    wait_for_cpu_ticks()
    snapshot = poll_n(source, clock, 1)
    hostname = socket.gethostname()
    assert snapshot.info["host"] == hostname
    for expr in exprs:
        result = snapshot.metrics[expr]
        assert result.error is None, result.error
        (series,) = result.series
        assert 0.0 <= series.last_value <= 100.0
        assert series.labels["host"] == hostname
        assert series.x.tolist() == [clock.now]
    assert snapshot.metrics['disk_used_percent{mountpoint="/"}'].series[0].labels["mountpoint"] == "/"
    assert snapshot.metrics["memory_percent"].series[0].name == f'memory_percent{{host="{hostname}"}}'


def test_memory_and_disk_match_psutil():
    source, clock = make_source("memory_percent", "disk_used_percent", instant=True)
    snapshot = poll_n(source, clock, 1)
    assert snapshot.metrics["memory_percent"].series[0].last_value == pytest.approx(
        psutil.virtual_memory().percent, abs=5.0)
    assert snapshot.metrics["disk_used_percent"].series[0].last_value == pytest.approx(
        psutil.disk_usage("/").percent, abs=1.0)


def test_load_averages_match_psutil():
    source, clock = make_source("load1", "load5", "load15", instant=True)
    snapshot = poll_n(source, clock, 1)
    expected = psutil.getloadavg()
    for expr, value in zip(("load1", "load5", "load15"), expected):
        assert snapshot.metrics[expr].series[0].last_value == pytest.approx(value, abs=2.0)
        assert snapshot.metrics[expr].series[0].last_value >= 0


def test_rates_are_non_negative_after_two_polls():
    exprs = ("network_receive_bytes_per_second", "network_transmit_bytes_per_second",
             "disk_read_bytes_per_second", "disk_write_bytes_per_second")
    source, clock = make_source(*exprs)
    snapshot = poll_n(source, clock, 2)
    for expr in exprs:
        result = snapshot.metrics[expr]
        if expr.startswith("disk_") and psutil.disk_io_counters() is None:
            assert "not available" in result.error
            continue
        assert result.error is None, result.error
        (series,) = result.series
        assert series.x.size == 2  # counters primed at construction: both polls have a rate
        assert (series.y >= 0).all() and np.isfinite(series.y).all()


def test_one_interface_can_be_selected():
    nic = next(name for name in psutil.net_io_counters(pernic=True))
    expr = f'network_receive_bytes_per_second{{interface="{nic}"}}'
    source, clock = make_source(expr, legend="rx {{interface}}")
    snapshot = poll_n(source, clock, 2)
    (series,) = snapshot.metrics[expr].series
    assert series.labels["interface"] == nic and series.name == f"rx {nic}"


def test_counter_reset_gives_no_negative_rate(monkeypatch):
    Counters = namedtuple("Counters", "bytes_recv bytes_sent")
    values = iter([10_000, 30_000, 5_000, 9_000])  # prime, poll, reset, poll

    def fake_counters(pernic=False):
        value = next(values)
        return {"eth0": Counters(value, value), "lo": Counters(10**9, 10**9)}

    monkeypatch.setattr(psutil, "net_io_counters", fake_counters)
    source, clock = make_source("network_receive_bytes_per_second")
    snapshot = poll_n(source, clock, 3)
    series = snapshot.metrics["network_receive_bytes_per_second"].series[0]
    assert series.y.tolist() == [10_000.0, 2_000.0]  # 20 kB / 2 s, reset skipped, 4 kB / 2 s


def test_too_short_interval_waits_for_a_meaningful_delta(monkeypatch):
    Counters = namedtuple("Counters", "bytes_recv bytes_sent")
    values = iter([0, 100, 4_000])

    def fake_counters(pernic=False):
        value = next(values)
        return {"eth0": Counters(value, value)}

    monkeypatch.setattr(psutil, "net_io_counters", fake_counters)
    source, clock = make_source("network_transmit_bytes_per_second", instant=True)
    first = poll_n(source, clock, 1, step=0.05)
    assert first.metrics["network_transmit_bytes_per_second"].series == ()  # NO DATA
    second = poll_n(source, clock, 1, step=1.95)
    assert second.metrics["network_transmit_bytes_per_second"].series[0].last_value == 2_000.0


# --- history ------------------------------------------------------------------------


def test_range_history_grows_across_polls_and_respects_the_window():
    source, clock = make_source("memory_percent", window_s=10.0)
    sizes = []
    for _ in range(8):
        clock.now += 2.0
        sizes.append(source.poll().metrics["memory_percent"].series[0].x.size)
    assert sizes == [1, 2, 3, 4, 5, 6, 6, 6]  # window 10 s at 2 s: 6 samples kept in view
    x = source.poll().metrics["memory_percent"].series[0].x  # same time: replaced, not added
    assert np.all(np.diff(x) == 2.0) and x[-1] == clock.now and x.size == 6


def test_history_ring_replaces_repeats_and_restarts_when_the_clock_steps_back():
    ring = HistoryRing(4)
    for t, v in ((1.0, 1.0), (2.0, 2.0), (2.0, 5.0)):
        ring.append(t, v)
    assert ring.since(0)[1].tolist() == [1.0, 5.0]
    ring.append(0.5, 7.0)
    assert ring.since(0)[0].tolist() == [0.5]


def test_instant_query_returns_the_latest_sample():
    source, clock = make_source("swap_percent", instant=True)
    snapshot = poll_n(source, clock, 3)
    assert snapshot.metrics["swap_percent"].series[0].x.tolist() == [clock.now]


def test_history_ring_is_bounded_and_ordered():
    ring = HistoryRing(5)
    for i in range(8):
        ring.append(float(i), float(i * 10))
    assert len(ring) == 5
    x, y = ring.since(-np.inf)
    assert x.tolist() == [3.0, 4.0, 5.0, 6.0, 7.0] and y.tolist() == [30, 40, 50, 60, 70]
    assert ring.since(6.0)[0].tolist() == [6.0, 7.0]
    assert ring.latest()[1].tolist() == [70.0]
    assert HistoryRing(3).latest()[0].size == 0


def test_history_capacity_is_capped():
    source, _ = make_source("memory_percent")
    ring = next(iter(source._rings.values()))
    assert ring._x.size == 20_000  # 24 h at 2 s would be 43 200


def test_peak_downsample_keeps_spikes():
    x = np.arange(1000, dtype=float)
    y = np.zeros(1000)
    y[517] = 99.0
    dx, dy = peak_downsample(x, y, 100)
    assert dx.size == 100 and dy.max() == 99.0 and dx[-1] == 999.0
    assert peak_downsample(x[:10], y[:10], 100)[0].size == 10


def test_range_query_is_capped_at_max_points():
    source, clock = make_source("memory_percent", max_points=4)
    snapshot = poll_n(source, clock, 9)
    assert snapshot.metrics["memory_percent"].series[0].x.size == 4


# --- errors -------------------------------------------------------------------------


def test_unknown_metric_lists_the_known_ones():
    source, clock = make_source("node_cpu_seconds_total", "memory_percent")
    snapshot = poll_n(source, clock, 1)
    error = snapshot.metrics["node_cpu_seconds_total"].error
    assert error.startswith("unknown local metric 'node_cpu_seconds_total'; known metrics: ")
    assert all(name in error for name in KNOWN_METRICS)
    assert snapshot.metrics["memory_percent"].error is None


def test_bad_mountpoint_and_interface_are_query_errors():
    bad_mount = 'disk_used_percent{mountpoint="/no/such/mount"}'
    bad_nic = 'network_receive_bytes_per_second{interface="nosuchnic0"}'
    source, clock = make_source(bad_mount, bad_nic, "memory_percent")
    snapshot = poll_n(source, clock, 2)
    assert snapshot.metrics[bad_mount].error == "no filesystem mounted at /no/such/mount"
    assert snapshot.metrics[bad_nic].error.startswith("no network interface named nosuchnic0; this machine has: ")
    assert snapshot.metrics["memory_percent"].series


@pytest.mark.parametrize(
    ("expr", "message"),
    [
        ('cpu_percent{mountpoint="/"}', "cpu_percent accepts no labels, not 'mountpoint'"),
        ('disk_used_percent{device="sda"}', "disk_used_percent accepts only 'mountpoint', not 'device'"),
        ('memory_percent{host=~"a.*"}', "only exact matches"),
        ("memory_percent{", "cannot parse"),
        ("rate(x[5m])", "cannot parse"),
    ],
)
def test_bad_selectors_are_explained(expr, message):
    source, clock = make_source(expr)
    assert message in poll_n(source, clock, 1).metrics[expr].error


def test_registry_builds_the_localhost_source():
    source = create_source(CONFIG, PollPlan(), clock=StepClock())
    assert isinstance(source, LocalHostSource) and source.kind == "localhost"
    assert source.poll().metrics == {}
    source.close()


# --- pure helpers ---------------------------------------------------------------------


CpuTimes = namedtuple("CpuTimes", "user nice system idle iowait irq softirq steal guest guest_nice")


def test_cpu_percent_between_counts_busy_over_total():
    before = CpuTimes(100, 0, 50, 800, 50, 0, 0, 0, 0, 0)
    after = CpuTimes(130, 0, 60, 850, 60, 0, 0, 0, 5, 0)  # guest is already counted in user
    # busy +40 of total +100 (the 5 s of guest time is not counted twice)
    assert cpu_percent_between(before, after) == pytest.approx(40.0)
    assert cpu_percent_between(before, before) is None


def test_parse_local_query_defaults_the_mountpoint():
    assert parse_local_query("disk_used_percent").label == "/"
    assert parse_local_query(' network_transmit_bytes_per_second { interface = "eth0" } ').label == "eth0"


@pytest.mark.parametrize(
    ("text", "name", "labels"),
    [
        ("cpu_percent", "cpu_percent", {}),
        ("cpu_percent{}", "cpu_percent", {}),
        ('disk{mountpoint="/var/lib", x=\'y\'}', "disk", {"mountpoint": "/var/lib", "x": "y"}),
        ('{service="ecommerce-api"}', "", {"service": "ecommerce-api"}),
        ('m{a="q\\"uote",}', "m", {"a": 'q"uote'}),
    ],
)
def test_parse_selector(text, name, labels):
    selector = parse_selector(text)
    assert selector.name == name and dict(selector.labels) == labels


@pytest.mark.parametrize("text", ["", "{}", "m{a}", 'm{a="b"', 'm{a="b"} extra', 'm{a="1", a="2"}', "m x"])
def test_parse_selector_rejects(text):
    with pytest.raises(SelectorError):
        parse_selector(text)
