"""Node Exporter Full, imported with `noc-app import-grafana`, against the real node_exporter + Prometheus.

The wall's snapshot JSON (what `noc-app snapshot` prints) says which panels are
OK with data; the $job/$node variables are resolved from Prometheus by label_values().
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import raw_api
import servers
from servers import LOOPBACK, Server

from noc_app.app import print_snapshot
from noc_app.cli_grafana import run_import_grafana
from noc_app.config.loader import load_config

pytestmark = pytest.mark.integration

GRAFANA = Path(__file__).resolve().parents[1] / "fixtures" / "grafana"


@pytest.fixture(scope="module")
def full_node_exporter(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """node_exporter with its default collectors, as a dashboard user runs it.

    The session `node_exporter` fixture enables only the five collectors the seed's rules use;
    Node Exporter Full reads many more (vmstat, netstat, sockstat, uname, ...).  All vmstat and
    netstat fields are exported, as node_exporter did before 0.16 (what the old dashboard was
    written against); today's default exports a subset.
    """
    workdir = tmp_path_factory.mktemp("full-node")

    def build() -> Server:
        port = servers.free_port()
        return Server(name="node_exporter (default collectors)",
                      argv=[servers.require(servers.NODE_EXPORTER), f"--web.listen-address={LOOPBACK}:{port}",
                            "--collector.vmstat.fields=.*", "--collector.netstat.fields=.*"],
                      port=port, workdir=workdir, ready_path="/metrics")

    server = servers.start_on_free_ports(build, lambda s: s.start())
    yield server
    server.stop()


@pytest.fixture(scope="module")
def node_prometheus(tmp_path_factory: pytest.TempPathFactory, full_node_exporter: Server) -> Iterator[Server]:
    """A real Prometheus scraping it as job "node" every second."""
    workdir = tmp_path_factory.mktemp("full-node-prom")
    server = servers.start_on_free_ports(
        lambda: servers.prometheus(workdir, scrape={"node": [f"{LOOPBACK}:{full_node_exporter.port}"]},
                                   rule_files=()),
        lambda s: s.start(),
    )
    try:
        servers.wait_for(lambda: raw_api.prom_query(server.base_url, 'up{job="node"} == 1'),
                         timeout_s=30, what="Prometheus to scrape node_exporter")
        # Range panels end on a step boundary a few seconds back; rate() there needs two samples.
        servers.wait_for(
            lambda: raw_api.prom_query(server.base_url, "rate(node_cpu_seconds_total[1m])", at=time.time() - 15),
            timeout_s=60, what="CPU rates to be computable 15 s in the past",
        )
    except BaseException:
        server.stop()
        raise
    yield server
    server.stop()


def _snapshot(tmp_path: Path, capsys, name: str, prometheus_url: str, after_s: float) -> dict:
    out = tmp_path / f"{name}.yaml"
    assert run_import_grafana([str(GRAFANA / name), "--out", str(out), "--source-url", prometheus_url]) == 0
    capsys.readouterr()
    assert print_snapshot(load_config(out), after_s=after_s) == 0
    return json.loads(capsys.readouterr().out)


def _node_panels(state: dict) -> list[dict]:
    return [p for dash in state["dashboards"] for p in dash["panels"] if p["kind"] != "text"]


def _ok_with_data(panel: dict) -> bool:
    return panel["state"] == "OK" and any(s["points"] > 0 for s in panel["series"])


def _ratio(state: dict, name: str) -> float:
    panels = _node_panels(state)
    ok = [p for p in panels if _ok_with_data(p)]
    ratio = len(ok) / len(panels)
    print(f"\n{name}: {len(ok)}/{len(panels)} panels OK with data ({ratio:.0%})")
    for panel in panels:
        if not _ok_with_data(panel):
            print(f"  {panel['state']:<12} {panel['kind']:<10} {panel['title']}: {panel['message']}")
    return ratio


def test_node_exporter_full_shows_data_from_the_real_node_exporter(tmp_path, capsys, qapp, node_prometheus):
    state = _snapshot(tmp_path, capsys, "node-exporter-full.json", node_prometheus.base_url, after_s=8)
    assert len(_node_panels(state)) == 125
    with capsys.disabled():
        ratio = _ratio(state, "Node Exporter Full")
    assert ratio >= 0.8


def test_old_node_exporter_full_shows_data_after_the_metric_renames(tmp_path, capsys, qapp, node_prometheus):
    # Written for node_exporter <= 0.16 (node_cpu, node_boot_time, ...): the import renames the
    # metrics, and its $node/$port variables split `instance` with Grafana variable regexes.
    state = _snapshot(tmp_path, capsys, "node-exporter-full-old.json", node_prometheus.base_url, after_s=8)
    assert len(_node_panels(state)) == 172
    with capsys.disabled():
        ratio = _ratio(state, "Node Exporter Full (old schema)")
    assert ratio >= 0.8
