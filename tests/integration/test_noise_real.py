"""Correlation on the real stack: the sample service's latency and error episodes, alerted by a real
Prometheus into the real Alertmanager, and node and database alerts posted to that Alertmanager, are
one problem whose probable cause is the database host, read through the app's own Alertmanager source.

The seed's HighErrorRate divides per series and fires once per 5xx status at any error rate: this
test's Prometheus uses a corrected copy (tests/fixtures/noise/alerts_corrected.yml, summed per service).
The shared Alertmanager holds other tests' alerts too: everything here carries a unique `noise_run`
label and only those alerts are selected.
"""

from __future__ import annotations

import dataclasses
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import raw_api
import servers
import yaml

from noc_app.config.loader import load_config_text
from noc_app.config.schema import SourceConfig
from noc_app.model import DataState, Snapshot
from noc_app.selectors_incidents import select_incident_board
from noc_app.selectors_board_rows import board_rows
from noc_app.selectors_noise import NoiseMemo, NoisePreparer
from noc_app.sources.alertmanager import AlertmanagerSource
from noc_app.sources.base import PollPlan
from noc_app.sources.silences import iso_time

pytestmark = pytest.mark.integration

CORRECTED_RULES = Path(__file__).resolve().parents[1] / "fixtures" / "noise" / "alerts_corrected.yml"
CONFIG = """\
sources:
  - {id: am, kind: alertmanager, url: "http://127.0.0.1:9"}
dashboards:
  - id: main
    panels:
      - {id: board, kind: incidents, title: Incidents, source: am}
noise:
  correlation: {window: 10m}
topology:
  ecommerce-api: [orders-db]
  orders-db: [db-host-1]
"""


@pytest.fixture
def run_id() -> str:
    return uuid.uuid4().hex[:12]


@pytest.fixture
def corrected_prometheus(tmp_path: Path, sample_service, alertmanager, run_id: str) -> Iterator[servers.Server]:
    """A Prometheus of this test's own: the corrected rules, each alert labelled with this run's id."""
    rules = yaml.safe_load(CORRECTED_RULES.read_text(encoding="utf-8"))
    for rule in rules["groups"][0]["rules"]:
        rule["labels"]["noise_run"] = run_id
    rule_file = servers.write_yaml(tmp_path / "rules.yml", rules)
    server = servers.start_on_free_ports(
        lambda: servers.prometheus(tmp_path / "prometheus", rule_files=(rule_file,),
                                   scrape={"ecommerce-api": [f"{servers.LOOPBACK}:{sample_service.port}"]},
                                   alertmanagers=[f"{servers.LOOPBACK}:{alertmanager.port}"]),
        lambda s: s.start())
    yield server
    server.stop()


def _post(alertmanager_url: str, run_id: str, name: str, starts_ago_s: float, **labels: str) -> None:
    now = time.time()
    alert = {"labels": {"alertname": name, "noise_run": run_id, **labels},
             "annotations": {"summary": f"{name} (posted by the noise test)"},
             "startsAt": iso_time(now - starts_ago_s), "endsAt": iso_time(now + 900)}
    response = httpx.post(f"{alertmanager_url}/api/v2/alerts", json=[alert], timeout=5)
    assert response.status_code == 200, response.text


def _ours(snapshot: Snapshot, run_id: str) -> Snapshot:
    return dataclasses.replace(snapshot, alerts=tuple(a for a in snapshot.alerts or ()
                                                      if a.labels.get("noise_run") == run_id))


def test_episodes_and_node_alerts_are_one_problem_caused_by_the_db_host(
    alertmanager, corrected_prometheus, sample_behaviour, run_id
):
    am = alertmanager.base_url
    # The injected causes started minutes before the service's episodes (explicit start times: the
    # ranking never depends on how fast this machine gets the rules to fire).
    _post(am, run_id, "NodeDiskSaturated", 240, severity="critical", node="db-host-1", instance="db-host-1:9100")
    _post(am, run_id, "DatabaseSlowQueries", 180, severity="high", service="orders-db")
    _post(am, run_id, "MailQueueHigh", 200, severity="warning", service="mail")  # unrelated
    sample_behaviour(latency=3.0, error_ratio=0.5)

    def both_episodes() -> bool:
        names = [a["labels"]["alertname"] for a in raw_api.am_alerts(am, filter=f'noise_run="{run_id}"')]
        return "HighErrorRate" in names and "HighLatency" in names

    servers.wait_for(both_episodes, timeout_s=120, what="the corrected rules to fire into Alertmanager")
    config = load_config_text(CONFIG, filename="noise.yaml")
    source = AlertmanagerSource(SourceConfig(id="am", kind="alertmanager", url=am, timeout_s=5.0),
                                PollPlan(alerts=True))
    try:
        snapshot = _ours(source.poll(), run_id)
    finally:
        source.close()
    names = sorted(a.name for a in snapshot.alerts or ())
    # One alert per episode: the corrected rule does not fire once per 5xx status.
    assert names == ["DatabaseSlowQueries", "HighErrorRate", "HighLatency", "MailQueueHigh", "NodeDiskSaturated"]

    panel = config.dashboards[0].panels[0]
    memo = NoiseMemo(noise=config.noise)
    board = select_incident_board(panel, {"am": snapshot}, DataState.OK, memo)
    (problem,) = board.noise.problems
    assert sorted(a.name for a in problem.members) == [
        "DatabaseSlowQueries", "HighErrorRate", "HighLatency", "NodeDiskSaturated"]
    assert problem.ranking == ("db-host-1", "orders-db", "ecommerce-api")
    assert problem.hint == "probable cause: db-host-1 (started first, orders-db and ecommerce-api depend on it)"
    assert board.noise.hints == (f"4 incidents · {problem.hint}",)
    notes = {row.name: row.detail for row in board_rows(board, time.time(), 20, {})}
    assert notes["NodeDiskSaturated"].startswith("probable cause")
    assert notes["HighErrorRate"].startswith("linked to db-host-1")
    assert not notes["MailQueueHigh"].startswith(("probable", "linked"))


def test_an_alert_resolved_and_refired_in_the_real_alertmanager_is_one_flapping_row(alertmanager, run_id):
    """Fire/resolve cycles as Alertmanager shows them (a resolved alert is gone from the next poll), fed
    to the tracker as the poll workers do; the flap times are injected, the cycles are real."""
    am = alertmanager.base_url
    config = load_config_text(CONFIG.replace("noise:\n", "noise:\n  flapping: {changes: 2, window: 10m}\n"),
                              filename="noise.yaml")
    clock = [time.time()]
    preparer = NoisePreparer(config.noise, clock=lambda: clock[0])
    source = AlertmanagerSource(SourceConfig(id="am", kind="alertmanager", url=am, timeout_s=5.0),
                                PollPlan(alerts=True))
    labels = {"alertname": "LinkFlaps", "noise_run": run_id, "severity": "warning", "service": "edge"}

    def send(ends_in_s: float) -> None:
        now = time.time()
        alert = {"labels": labels, "startsAt": iso_time(now - 5), "endsAt": iso_time(now + ends_in_s)}
        response = httpx.post(f"{am}/api/v2/alerts", json=[alert], timeout=5)
        assert response.status_code == 200, response.text

    def listed() -> bool:
        return bool(raw_api.am_alerts(am, filter=f'noise_run="{run_id}"'))

    snapshot = None
    try:
        for _ in range(3):
            send(600)
            servers.wait_for(listed, timeout_s=30, what="the alert to be listed")
            clock[0] += 30
            snapshot = preparer.prepare("am", _ours(source.poll(), run_id))
            send(-1)  # resolved now: Alertmanager stops listing it
            servers.wait_for(lambda: not listed(), timeout_s=30, what="the resolved alert to go")
            clock[0] += 30
            snapshot = preparer.prepare("am", _ours(source.poll(), run_id))
            assert snapshot.alerts == ()
    finally:
        source.close()
    panel = config.dashboards[0].panels[0]
    board = select_incident_board(panel, {"am": snapshot}, DataState.OK,
                                  NoiseMemo(noise=config.noise, clock=lambda: clock[0]))
    (row,) = board_rows(board, clock[0], 10, {})
    assert row.name == "LinkFlaps" and row.state_tag == "FLAPPING ×3 in 10m"  # held while gone, shown once
    assert [t for t, _ in board.counts] == ["0 active", "1 flapping"]
