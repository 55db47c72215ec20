"""Shared pieces of the drill-down tests: the wall-shell builders and a real Prometheus."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parents[1]
for folder in ("widgets", "integration"):
    if str(TESTS / folder) not in sys.path:
        sys.path.insert(0, str(TESTS / folder))

import raw_api  # noqa: E402
import servers  # noqa: E402


@pytest.fixture(scope="module")
def drill_prometheus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[servers.Server]:
    """A real Prometheus scraping itself every second (its own `up` and `prometheus_*` series)."""
    base = tmp_path_factory.mktemp("drill-prom")
    counter = iter(range(100))
    server = servers.start_on_free_ports(
        lambda: servers.prometheus(base / f"p{next(counter)}", scrape={}, rule_files=()),
        lambda s: s.start(),
    )
    try:
        servers.wait_for(lambda: len(raw_api.prom_query(server.base_url, "up == 1")) == 1,
                         timeout_s=30, what="Prometheus to scrape itself")
    except BaseException:
        server.stop()
        raise
    yield server
    server.stop()
