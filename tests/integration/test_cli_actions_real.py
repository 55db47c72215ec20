"""`noc-app incidents` and `noc-app outbox` in a subprocess against a REAL Alertmanager."""

from __future__ import annotations

import getpass
import json
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import raw_api
import servers

from noc_app.sources.silences import iso_time
from noc_app.state.sqlite import SqliteJournal

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
REQUEST_ID = re.compile(r"\(request ([0-9a-f]{32})\)")


def post_alert(url: str, run: str, name: str) -> dict[str, str]:
    now = time.time()
    # A name of this run's own: an ack matches alertname + service/instance by default, and
    # the Alertmanager is shared with other tests.
    labels = {"alertname": f"{name}-{run}", "severity": "critical", "service": "checkout", "test_run": run}
    alert = {"labels": labels, "annotations": {"summary": f"{name} for the CLI test"},
             "startsAt": iso_time(now - 30), "endsAt": iso_time(now + 600)}
    response = httpx.post(f"{url}/api/v2/alerts", json=[alert], timeout=5)
    assert response.status_code == 200, response.text
    return labels


def tagged_silences(url: str, request_id: str) -> list[dict]:
    response = httpx.get(f"{url}/api/v2/silences", timeout=5)
    response.raise_for_status()
    return [s for s in response.json() if f"[noc-app request {request_id}]" in s["comment"]]


def write_config(tmp_path: Path, url: str) -> Path:
    path = tmp_path / "wall.yaml"
    path.write_text(
        "mode: wall\n"  # the command line acts whatever the wall's mode
        "sources:\n"
        f"  - {{id: am, kind: alertmanager, url: '{url}', timeout: 3s}}\n"
        "dashboards:\n"
        "  - id: main\n"
        "    panels:\n"
        "      - {id: inc, kind: incidents, title: Incidents, source: am}\n"
        f"state: {{url: 'sqlite://{tmp_path}/state.db'}}\n",
        encoding="utf-8",
    )
    return path


def noc_app(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "noc_app", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=120, check=False)


def key_of(config: Path, run: str) -> str:
    def listed() -> str | None:
        result = noc_app("incidents", "list", "--json", "--config", str(config))
        assert result.returncode == 0, result.stderr
        found = [i for i in json.loads(result.stdout) if i["labels"].get("test_run") == run]
        return found[0]["key"] if found else None

    return servers.wait_for(listed, timeout_s=30, what="the alert in `incidents list`")


@pytest.fixture
def run_id() -> str:
    return uuid.uuid4().hex[:12]


@pytest.fixture
def lone_alertmanager(tmp_path: Path) -> Iterator[servers.Server]:
    """An Alertmanager of this test's own: the test kills and restarts it."""
    server = servers.start_on_free_ports(lambda: servers.alertmanager(tmp_path / "am"), lambda s: s.start())
    try:
        yield server
    finally:
        server.stop()


def test_ack_and_unack_from_the_command_line(alertmanager, run_id, tmp_path):
    url = alertmanager.base_url
    labels = post_alert(url, run_id, "CheckoutErrors")
    config = write_config(tmp_path, url)
    key = key_of(config, run_id)
    assert key.startswith("am/")

    acked = noc_app("incidents", "ack", key, "--reason", "INC-7 on it", "--as", "alice", "--config", str(config))
    assert acked.returncode == 0, acked.stderr
    request_id = REQUEST_ID.search(acked.stdout).group(1)
    (silence,) = tagged_silences(url, request_id)
    assert silence["status"]["state"] == "active" and silence["createdBy"] == "alice"
    assert silence["comment"] == f"ack by alice (claimed) (until resolved): INC-7 on it [noc-app request {request_id}]"
    # the default stable labels: alertname and service (the alert has no instance)
    assert {m["name"]: m["value"] for m in silence["matchers"]} == {
        "alertname": labels["alertname"], "service": "checkout"}

    again = noc_app("incidents", "ack", key, "--as", "bob", "--config", str(config))
    assert again.returncode == 2 and "already acknowledged by alice" in again.stderr

    unacked = noc_app("incidents", "unack", key, "--as", "alice", "--config", str(config))
    assert unacked.returncode == 0, unacked.stderr
    assert [s["status"]["state"] for s in tagged_silences(url, request_id)] == ["expired"]
    servers.wait_for(lambda: (a := raw_api.am_alerts(url, filter=f'test_run="{run_id}"')) and
                     a[0]["status"]["state"] == "active", timeout_s=20, what="the alert to fire again")

    journal = SqliteJournal(tmp_path / "state.db")
    try:
        audit = journal.audit(request_id=request_id)
        assert [e.action for e in audit] == ["ack requested", "ack"]
        assert {(e.actor, e.os_user) for e in audit} == {("alice (claimed)", getpass.getuser())}
    finally:
        journal.close()


def test_an_ack_while_alertmanager_is_down_is_queued_and_flushed_once_it_is_back(lone_alertmanager, run_id,
                                                                                 tmp_path):
    url = lone_alertmanager.base_url
    post_alert(url, run_id, "PaymentGatewayDown")
    config = write_config(tmp_path, url)
    key = key_of(config, run_id)

    lone_alertmanager.kill()
    unlabelled = noc_app("incidents", "ack", key, "--config", str(config))
    assert unlabelled.returncode == 2 and "--match alertname=NAME" in unlabelled.stderr
    queued = noc_app("incidents", "ack", key, "--match", f"alertname=PaymentGatewayDown-{run_id}",
                     "--match", f"test_run={run_id}", "--reason", "queued while down", "--config", str(config))
    assert queued.returncode == 3, queued.stderr
    assert "no Alertmanager peer reachable" in queued.stderr
    request_id = REQUEST_ID.search(queued.stderr).group(1)
    listed = noc_app("outbox", "list", "--json", "--config", str(config))
    assert [item["id"] for item in json.loads(listed.stdout)] == [request_id]
    still_down = noc_app("outbox", "flush", "--config", str(config))
    assert still_down.returncode == 3, still_down.stderr

    lone_alertmanager.start()  # same port, same storage
    flushed = noc_app("outbox", "flush", "--config", str(config))
    assert flushed.returncode == 0, flushed.stderr
    (silence,) = tagged_silences(url, request_id)
    assert silence["status"]["state"] == "active"
    # --match gave alertname and test_run; of the default stable labels only alertname is among them
    assert {m["name"]: m["value"] for m in silence["matchers"]} == {"alertname": f"PaymentGatewayDown-{run_id}"}
    assert noc_app("outbox", "list", "--config", str(config)).stdout.strip() == "outbox empty"
    again = noc_app("outbox", "flush", "--config", str(config))
    assert again.returncode == 0 and "nothing to deliver" in again.stdout
    assert len(tagged_silences(url, request_id)) == 1


def test_a_running_operator_app_delivers_what_the_command_line_queued(lone_alertmanager, run_id, tmp_path):
    """The room's outbox: an ack queued by `incidents ack` while Alertmanager is down is delivered, once,
    by an operator app that is running when it comes back (no `outbox flush`)."""
    import os

    url = lone_alertmanager.base_url
    post_alert(url, run_id, "InventorySyncStalled")
    config = write_config(tmp_path, url)
    key = key_of(config, run_id)
    lone_alertmanager.kill()
    queued = noc_app("incidents", "ack", key, "--match", "alertname=InventorySyncStalled",
                     "--match", f"test_run={run_id}", "--config", str(config))
    assert queued.returncode == 3, queued.stderr
    request_id = REQUEST_ID.search(queued.stderr).group(1)

    lone_alertmanager.start()
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    app = subprocess.Popen([sys.executable, "-m", "noc_app", "--mode", "operator", "--config", str(config)],
                           cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        (silence,) = servers.wait_for(lambda: tagged_silences(url, request_id), timeout_s=90,
                                      what="the operator app to deliver the queued ack")
        assert silence["status"]["state"] == "active"
        servers.wait_for(lambda: noc_app("outbox", "list", "--config", str(config)).stdout.strip()
                         == "outbox empty", timeout_s=30, what="the outbox to be empty")
    finally:
        app.kill()
        app.wait(timeout=30)
    assert len(tagged_silences(url, request_id)) == 1
    journal = SqliteJournal(tmp_path / "state.db")
    try:
        row = journal.get(request_id)
        assert row.state.value == "done" and row.attempts == 2
    finally:
        journal.close()
