"""Fixtures that run REAL backend servers on free loopback ports for the integration tests.

Servers are session-scoped (started once, on first use) except the journal
gateway, which is cheap and whose journal a test may append to.  A missing
binary skips the test naming the Debian package, or fails it when
NOC_REQUIRE_BACKENDS=1 (CI).  Every server is stopped at the end, also when
tests fail or the run is interrupted (see servers.Server.stop and stop_all).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import journal
import raw_api
import servers
from journal import JournalGateway
from servers import LOOPBACK, Server


def _host_port(server: Server) -> str:
    return f"{LOOPBACK}:{server.port}"


def _start(server: Server) -> None:
    server.start()


@pytest.fixture(scope="session")
def backends_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("backends")


@pytest.fixture(scope="session")
def sample_service(backends_dir: Path) -> Iterator[Server]:
    """The instrumented sample service, simulating 50 req/s with no errors."""
    servers.require_prometheus_client()
    server = servers.start_on_free_ports(lambda: servers.sample_service(backends_dir / "sample"), _start)
    yield server
    server.stop()


@pytest.fixture
def sample_behaviour(sample_service: Server) -> Iterator[Callable[..., dict]]:
    """Change the sample service's error_ratio/latency; restored to healthy after the test."""
    yield lambda **params: raw_api.set_behaviour(sample_service.base_url, **params)
    raw_api.set_behaviour(sample_service.base_url, error_ratio=0.0, latency=0.0)


@pytest.fixture(scope="session")
def node_exporter(backends_dir: Path) -> Iterator[Server]:
    server = servers.start_on_free_ports(lambda: servers.node_exporter(backends_dir / "node"), _start)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def alertmanager(backends_dir: Path) -> Iterator[Server]:
    """A single Alertmanager (no gossip) with a null receiver; the `prometheus` fixture alerts to it."""
    server = servers.start_on_free_ports(lambda: servers.alertmanager(backends_dir / "am"), _start)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def pushgateway(backends_dir: Path) -> Iterator[Server]:
    """A Prometheus Pushgateway (the wall's heartbeat target)."""
    server = servers.start_on_free_ports(lambda: servers.pushgateway(backends_dir / "pushgateway"), _start)
    yield server
    server.stop()


@dataclass(frozen=True, kw_only=True, slots=True)
class AlertmanagerCluster:
    """Two gossiping Alertmanager peers."""

    a: Server
    b: Server

    @property
    def peers(self) -> tuple[Server, Server]:
        return (self.a, self.b)

    @property
    def urls(self) -> tuple[str, str]:
        return (self.a.base_url, self.b.base_url)


def _start_pair(pair: tuple[Server, Server]) -> None:
    first, second = pair
    first.start()
    try:
        second.start()
    except BaseException:
        first.stop()
        raise


@pytest.fixture(scope="session")
def alertmanager_cluster(backends_dir: Path) -> Iterator[AlertmanagerCluster]:
    """Two Alertmanagers gossiping on loopback; ready once each sees both peers and has settled."""
    counter = iter(range(100))

    def build() -> tuple[Server, Server]:
        return servers.alertmanager_pair(backends_dir / f"am-cluster-{next(counter)}")

    a, b = servers.start_on_free_ports(build, _start_pair)
    try:
        for node in (a, b):
            servers.wait_for(
                lambda node=node: raw_api.am_cluster_ready(node.base_url, peers=2),
                timeout_s=30, what=f"{node.name} to see 2 cluster peers and settle",
            )
    except BaseException:
        a.stop()
        b.stop()
        raise
    yield AlertmanagerCluster(a=a, b=b)
    a.stop()
    b.stop()


@pytest.fixture(scope="session")
def prometheus(backends_dir: Path, sample_service: Server, node_exporter: Server,
               alertmanager: Server) -> Iterator[Server]:
    """Prometheus: 1 s scrape/eval, fast seed rules + Watchdog, alerting to `alertmanager`.

    Jobs: "ecommerce-api" (sample service), "node" (node_exporter), "prometheus"
    (itself).  Ready once all three targets are up and request rates exist.
    """
    counter = iter(range(100))

    def build() -> Server:
        return servers.prometheus(
            backends_dir / f"prometheus-{next(counter)}",
            scrape={"ecommerce-api": [_host_port(sample_service)], "node": [_host_port(node_exporter)]},
            alertmanagers=[_host_port(alertmanager)],
        )

    server = servers.start_on_free_ports(build, _start)
    try:
        servers.wait_for(
            lambda: len(raw_api.prom_query(server.base_url, "up == 1")) == 3,
            timeout_s=30, what="Prometheus to scrape the sample service, node_exporter and itself",
        )
        # Tests query a few seconds in the past; rate() there needs two samples.
        servers.wait_for(
            lambda: raw_api.prom_query(server.base_url, "sum(rate(http_requests_total[30s]))", at=time.time() - 5),
            timeout_s=30, what="request rates to be computable 5 s in the past",
        )
    except BaseException:
        server.stop()
        raise
    yield server
    server.stop()


@pytest.fixture(scope="session")
def victoria_metrics(backends_dir: Path, sample_service: Server) -> Iterator[Server]:
    """VictoriaMetrics scraping the sample service as job "ecommerce-api" every second."""
    counter = iter(range(100))

    def build() -> Server:
        return servers.victoria_metrics(
            backends_dir / f"vm-{next(counter)}",
            scrape={"ecommerce-api": [_host_port(sample_service)]},
        )

    server = servers.start_on_free_ports(build, _start)
    try:
        servers.wait_for(
            lambda: raw_api.prom_scalar(server.base_url, 'up{job="ecommerce-api"}') == 1.0,
            timeout_s=30, what="VictoriaMetrics to scrape the sample service",
        )
    except BaseException:
        server.stop()
        raise
    yield server
    server.stop()


@pytest.fixture
def journal_gatewayd(tmp_path: Path) -> Iterator[JournalGateway]:
    """gatewayd serving a fresh journal of journal.default_journal_entries() (function scope: tests append)."""
    gateway = journal.journal_gateway(tmp_path / "gatewayd", journal.default_journal_entries())
    try:
        gateway.server.start()
        yield gateway
    finally:
        gateway.server.close()
