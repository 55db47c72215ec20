"""Two `noc-app automation` processes on one room database: exactly one works, the other takes over.

A real Alertmanager holds an alert that started 20 minutes ago with severity=high (P1: ack due in
15 minutes, so its escalation is due at once); a threaded HTTP server stands in for Slack's incoming
webhook.  Both processes run against ONE PostgreSQL (advisory lock) or ONE SQLite file (flock):
exactly one escalates, exactly one "new" and one "escalated" message reach the webhook.  Then the
holder is killed with SIGKILL and the standby takes over (the takeover time is printed, not asserted).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
import servers
from servers import LOOPBACK, Server

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
HOOK_ENV = "NOC_TEST_AUTOMATION_SLACK"


class FakeSlack:
    """Slack's incoming webhook, as far as the app can tell: POST JSON {"text": ...}, answer 200 "ok"."""

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.lock = threading.Lock()
        slack = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
                with slack.lock:
                    slack.texts.append(str(body.get("text", "")))
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer((LOOPBACK, 0), Handler)
        self.url = f"http://{LOOPBACK}:{self.server.server_address[1]}/services/T1/B2/notasecret"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def with_subject(self, marker: str) -> list[str]:
        with self.lock:
            return [t for t in self.texts if t.startswith(marker)]


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    fake = FakeSlack()
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


@pytest.fixture(scope="module")
def room_postgres() -> Iterator[Any]:
    from postgres_server import require_postgres, start_postgres

    require_postgres()
    server = start_postgres()
    try:
        yield server
    finally:
        server.stop()


def post_alert(am: Server, run: str, name: str, *, started_s_ago: float) -> None:
    starts = datetime.fromtimestamp(time.time() - started_s_ago, tz=UTC).isoformat()
    response = httpx.post(f"{am.base_url}/api/v2/alerts", json=[{
        "labels": {"alertname": name, "severity": "high", "service": "checkout", "test_run": run},
        "annotations": {"summary": "checkout 5xx above 5%"}, "startsAt": starts,
    }], timeout=5)
    response.raise_for_status()


def write_config(path: Path, am: Server, state_url: str, run: str) -> Path:
    path.write_text(
        "mode: wall\n"
        "sources:\n"
        f"  - {{id: am, kind: alertmanager, url: '{am.base_url}', interval: 1s, timeout: 2s}}\n"
        "dashboards:\n"
        "  - id: main\n"
        "    panels:\n"
        "      - {id: inc, kind: incidents, title: Incidents, source: am}\n"
        f"state: {{url: '{state_url}'}}\n"
        "severity_policy:\n"
        f"  - {{id: P1, name: High, match: {{severity: high, test_run: {run}}}, response_time: 15m,"
        " resolution_target: 4h, escalation: [Engineering Manager], channels: [slack]}\n"
        "notifications:\n"
        f"  channels: [{{id: slack, kind: slack, webhook_url_env: {HOOK_ENV}}}]\n"
        "automation: {enabled: true, interval: 1s, lease_retry: 1s}\n",
        encoding="utf-8",
    )
    return path


def start_automation(config: Path, log: Path, hook: str) -> subprocess.Popen[bytes]:
    out = open(log, "ab")  # noqa: SIM115 - the child holds it
    try:
        return subprocess.Popen(
            [sys.executable, "-m", "noc_app", "automation", "--config", str(config)],
            cwd=ROOT, env={**os.environ, HOOK_ENV: hook}, stdin=subprocess.DEVNULL, stdout=out,
            stderr=subprocess.STDOUT)
    finally:
        out.close()


def log_text(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def run_room(tmp_path: Path, am: Server, slack: FakeSlack, state_url: str, what: str) -> None:
    run = uuid.uuid4().hex[:12]
    first, second = f"AutomationFirst{run}", f"AutomationSecond{run}"
    post_alert(am, run, first, started_s_ago=20 * 60)
    config = write_config(tmp_path / "room.yaml", am, state_url, run)
    logs = [tmp_path / "automation-a.log", tmp_path / "automation-b.log"]
    procs = [start_automation(config, logs[0], slack.url)]
    procs.append(start_automation(config, logs[1], slack.url))
    try:
        servers.wait_for(lambda: len(slack.with_subject(f"[P1 ESCALATED] {first}")) >= 1, timeout_s=60,
                         what="the escalation notice at the fake Slack webhook")
        time.sleep(4)  # several more ticks of both processes: nothing more may arrive
        assert len(slack.with_subject(f"[P1 NEW] {first}")) == 1, slack.texts
        assert len(slack.with_subject(f"[P1 ESCALATED] {first}")) == 1, slack.texts
        escalators = [i for i, log in enumerate(logs) if "escalated am/" in log_text(log)]
        holders = [i for i, log in enumerate(logs) if "lease taken" in log_text(log)]
        assert len(holders) == 1, [log_text(log) for log in logs]
        assert escalators == holders
        holder, standby = holders[0], 1 - holders[0]
        assert all(p.poll() is None for p in procs)

        killed_at = time.monotonic()
        os.kill(procs[holder].pid, signal.SIGKILL)
        procs[holder].wait(timeout=30)
        servers.wait_for(lambda: "lease taken" in log_text(logs[standby]), timeout_s=90,
                         what="the standby to take the lease over")
        takeover = time.monotonic() - killed_at
        print(f"[timing] automation takeover after kill -9 ({what}): {takeover:.1f} s")

        post_alert(am, run, second, started_s_ago=60)  # a new incident: the new holder tells Slack once
        servers.wait_for(lambda: slack.with_subject(f"[P1 NEW] {second}"), timeout_s=60,
                         what="the new holder's notice")
        time.sleep(3)
        assert len(slack.with_subject(f"[P1 NEW] {second}")) == 1, slack.texts
        assert len(slack.with_subject(f"[P1 NEW] {first}")) == 1  # the takeover did not repeat the old one
        assert len(slack.with_subject(f"[P1 ESCALATED] {first}")) == 1
        assert "s3cr" not in "".join(slack.texts) and "notasecret" not in "".join(slack.texts)
    finally:
        for proc in procs:
            stop(proc)


def test_two_automation_processes_on_one_postgres(
    tmp_path: Path, alertmanager: Server, slack: FakeSlack, room_postgres: Any
) -> None:
    url = room_postgres.create_database(f"auto_{uuid.uuid4().hex[:8]}")
    run_room(tmp_path, alertmanager, slack, url, "postgres")
    from noc_app.state.postgres import PostgresJournal

    journal = PostgresJournal(url)
    try:
        escalations = [a for a in journal.audit() if a.action == "escalate"]
        assert len(escalations) == 1 and escalations[0].actor == "noc-app automation"
    finally:
        journal.close()


def test_two_automation_processes_on_one_sqlite_file(tmp_path: Path, alertmanager: Server, slack: FakeSlack) -> None:
    db = tmp_path / "room.db"
    run_room(tmp_path, alertmanager, slack, f"sqlite:///{db}", "sqlite")
    assert (tmp_path / "room.db.automation.lock").exists()
