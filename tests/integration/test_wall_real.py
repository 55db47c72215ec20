"""The whole app against real servers: real runtime, real widgets, config/ecommerce.yaml.

What an operator would see: an alert raised in Prometheus reaches the incident
board; a Prometheus that dies turns exactly its panels STALE (data kept, greyed,
with the error) while the rest of the wall keeps updating; when it comes back the
panels return to OK without restarting the app.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest

import servers
from noc_app.app import LaunchOptions, build_windows
from noc_app.config.loader import load_config
from noc_app.model import DataState
from noc_app.runtime import Runtime
from servers import REPO_ROOT

pytestmark = pytest.mark.integration


@pytest.fixture
def own_prometheus(tmp_path, sample_service, node_exporter, alertmanager) -> Iterator[servers.Server]:
    """A Prometheus of this test's own (it gets killed), alerting to the shared Alertmanager."""
    server = servers.start_on_free_ports(
        lambda: servers.prometheus(
            tmp_path / "prometheus",
            scrape={"ecommerce-api": [f"{servers.LOOPBACK}:{sample_service.port}"],
                    "node": [f"{servers.LOOPBACK}:{node_exporter.port}"]},
            alertmanagers=[f"{servers.LOOPBACK}:{alertmanager.port}"],
        ),
        servers.Server.start,
    )
    yield server
    server.stop()


@pytest.fixture
def wall(qtbot, own_prometheus, alertmanager):
    config = load_config(REPO_ROOT / "config" / "ecommerce.yaml")
    fast = {"interval_s": 1.0, "timeout_s": 2.0}
    config = dataclasses.replace(config, sources=tuple(
        dataclasses.replace(sc, url=own_prometheus.base_url, **fast) if sc.id == "prom"
        else dataclasses.replace(sc, url=alertmanager.base_url, **fast) if sc.id == "am"
        else sc
        for sc in config.sources
    ))
    runtime = Runtime(config)
    (window,) = build_windows(config, runtime, LaunchOptions(), size=(1920, 1080))
    qtbot.addWidget(window)
    window.show()
    runtime.start()
    yield runtime, window
    runtime.stop()


def _frames(window):
    return {f.panel.id: f for f in window.panel_frames()}


def _board_names(window) -> set[str]:
    return {row.name for row in _frames(window)["incidents"].body.visible_rows}


def test_an_alert_fired_in_prometheus_appears_on_the_board(wall, qtbot, sample_behaviour):
    _, window = wall
    frames = _frames(window)
    qtbot.waitUntil(lambda: frames["request_rate"].state is DataState.OK, timeout=30_000)
    qtbot.waitUntil(lambda: frames["incidents"].state is DataState.OK, timeout=30_000)  # Watchdog present
    sample_behaviour(error_ratio=0.5)
    qtbot.waitUntil(lambda: "HighErrorRate" in _board_names(window), timeout=90_000)
    row = next(r for r in frames["incidents"].body.visible_rows if r.name == "HighErrorRate")
    assert row.severity.priority == "P0"
    # The error-rate tile shows the same trouble, in words as well as colour.
    qtbot.waitUntil(lambda: frames["error_rate"].body.severity_text.startswith("CRITICAL"), timeout=30_000)


def test_a_dead_prometheus_turns_its_panels_stale_and_they_recover(wall, qtbot, own_prometheus):
    runtime, window = wall
    frames = _frames(window)
    prom_panels = [pid for pid, f in frames.items() if f.panel.source == "prom"]
    qtbot.waitUntil(lambda: all(frames[p].state is DataState.OK for p in ("request_rate", "error_rate", "latency")),
                    timeout=30_000)
    own_prometheus.kill()
    qtbot.waitUntil(lambda: all(frames[p].state is DataState.STALE for p in prom_panels), timeout=30_000)
    for pid in prom_panels:
        assert frames[pid].dimmed
        assert "connection refused" in frames[pid].message_text
    # The rest of the wall is unaffected: the host gauges and the board stay live.
    assert frames["cpu_history"].state is DataState.OK  # fed by the local-host source
    assert frames["incidents"].state is not DataState.STALE
    before = runtime.poll_counts["host"]
    qtbot.waitUntil(lambda: runtime.poll_counts["host"] > before + 1, timeout=10_000)

    own_prometheus.start()  # same port, same data
    qtbot.waitUntil(lambda: all(frames[p].state in (DataState.OK, DataState.NO_DATA) for p in prom_panels),
                    timeout=60_000)
    assert frames["request_rate"].state is DataState.OK
    assert not frames["request_rate"].dimmed
