"""The operator room end to end on the REAL stack (issue 9, "Tests:" and "Done means").

Prometheus scrapes the sample service with the fast seed rules and alerts to a
two-peer Alertmanager cluster of THIS module (the session's `alertmanager_cluster`
is shared with other tests, and these tests stop and restart the whole cluster).
noc-app runs as it does in a room: the command line in subprocesses, operator
apps as processes that are killed with SIGKILL and started again, and the state
database in SQLite or in one PostgreSQL shared by two workstations.

Besides asserting, the module MEASURES (never asserts) end-to-end timings and
writes them to <pytest basetemp>/room_timings.json (and prints them with -s):
  firing_to_board_s   Alertmanager's startsAt (Prometheus' FiredAt) -> the alert in the
                      app's wall state (in-process Runtime, Alertmanager polled every 1 s)
  ack_to_both_peers_s `incidents ack` started -> the silence on BOTH peers
  drain_after_return_s the cluster back (both peers ready) -> the queued ack's silence on
                      both peers, delivered by an operator app process
"""

from __future__ import annotations

import json
import os
import re
import signal
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest
import raw_api
import servers
from servers import LOOPBACK, Server

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
REQUEST_ID = re.compile(r"\(request ([0-9a-f]{32})\)")
OPERATOR = "ada"
PG_PASSWORD_ENV = "NOC_ROOM_PG_PASSWORD"
ERROR_RATIO = 0.6
# Each test acts on its own HighErrorRate series (one alert per method/status), so no
# test's ack stands in the way of another's.  GET and POST only: their 5xx series
# grow steadily at ERROR_RATIO (>= 1.5/s), so their alerts do not flap.
SERIES = {
    "ack-1": ("GET", "500"), "ack-2": ("GET", "502"), "ack-3": ("GET", "503"),
    "outbox-sqlite": ("POST", "500"), "outbox-postgres": ("POST", "502"), "two-workstations": ("POST", "503"),
}
APP_RUN_S = 150  # --exit-after for operator apps: a safety net, the tests kill them sooner

TIMINGS: dict[str, list[float]] = {}
DETAILS: dict[str, Any] = {}


def measured(name: str, value: float) -> None:
    TIMINGS.setdefault(name, []).append(round(value, 3))
    print(f"[timing] {name}: {value:.3f} s")


# ---------------------------------------------------------------- helpers


def wait_until(probe, *, timeout_s: float, what: str, interval_s: float = 0.1) -> Any:
    return servers.wait_for(probe, timeout_s=timeout_s, what=what, interval_s=interval_s)


def parse_ts(text: str) -> float:
    """Alertmanager's RFC 3339 time (nanoseconds allowed) -> epoch seconds."""
    text = text.replace("Z", "+00:00")
    m = re.match(r"^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?(.*)$", text)
    assert m, text
    base, frac, tz = m.groups()
    stamp = datetime.fromisoformat(base + (tz or "+00:00"))
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=timezone.utc)
    return stamp.timestamp() + (float(f"0.{frac}") if frac else 0.0)


def tagged_silences(url: str, request_id: str) -> list[dict]:
    response = httpx.get(f"{url}/api/v2/silences", timeout=5)
    response.raise_for_status()
    return [s for s in response.json() if f"[noc-app request {request_id}]" in s["comment"]]


def active_tagged(url: str, request_id: str) -> list[dict]:
    return [s for s in tagged_silences(url, request_id) if s["status"]["state"] == "active"]


def app_env() -> dict[str, str]:
    return {**os.environ, "QT_QPA_PLATFORM": "offscreen", PG_PASSWORD_ENV: "room-pg-secret-91c2"}


def noc_app(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "noc_app", *args], capture_output=True, text=True, cwd=ROOT,
                          env=app_env(), timeout=timeout, check=False)


def start_operator_app(config: Path, log: Path, *, exit_after_s: float = APP_RUN_S) -> subprocess.Popen[bytes]:
    out = open(log, "ab")  # noqa: SIM115 - closed with the process (the child holds it)
    try:
        return subprocess.Popen(
            [sys.executable, "-m", "noc_app", "--mode", "operator", "--config", str(config),
             "--exit-after", str(exit_after_s)],
            cwd=ROOT, env=app_env(), stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
    finally:
        out.close()


def kill9(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)


# The sample service's HighErrorRate fires once per method and status: each is its own problem here
# (it has no service label: the ack falls to the ones it has).
ACK_LABELS = ("alertname", "instance", "method", "status")


def write_config(path: Path, cluster: tuple[str, str], state_url: str, *, password_env: bool = False) -> Path:
    a, b = cluster
    state = f"{{url: '{state_url}', password_env: {PG_PASSWORD_ENV}}}" if password_env else f"{{url: '{state_url}'}}"
    path.write_text(
        "mode: wall\n"
        f"operator: {{name: {OPERATOR}, email: ada@example.net}}\n"
        f"actions: {{ack_labels: [{', '.join(ACK_LABELS)}]}}\n"
        "sources:\n"
        f"  - {{id: am, kind: alertmanager, url: '{a}', urls: ['{b}'], interval: 1s, timeout: 2s}}\n"
        "dashboards:\n"
        "  - id: main\n"
        "    panels:\n"
        "      - {id: inc, kind: incidents, title: Incidents, source: am}\n"
        f"state: {state}\n",
        encoding="utf-8",
    )
    return path


def listed_incidents(config: Path) -> list[dict]:
    result = noc_app("incidents", "list", "--json", "--config", str(config))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def find_incident(config: Path, method: str, status: str) -> dict | None:
    found = [i for i in listed_incidents(config)
             if i["name"] == "HighErrorRate" and i["labels"].get("method") == method
             and i["labels"].get("status") == status]
    return found[0] if found else None


def cluster_up(cluster: "RoomCluster") -> None:
    for peer in cluster.peers:
        wait_until(lambda peer=peer: raw_api.am_cluster_ready(peer.base_url, peers=2), timeout_s=30,
                   what=f"{peer.name} to see 2 cluster peers and settle")


# ---------------------------------------------------------------- fixtures


class RoomCluster:
    def __init__(self, a: Server, b: Server) -> None:
        self.a, self.b = a, b

    @property
    def peers(self) -> tuple[Server, Server]:
        return (self.a, self.b)

    @property
    def urls(self) -> tuple[str, str]:
        return (self.a.base_url, self.b.base_url)

    def stop(self) -> None:
        for peer in self.peers:
            peer.stop()  # SIGTERM: Alertmanager snapshots silences to its storage

    def start(self) -> None:
        for peer in self.peers:
            peer.start()
        cluster_up(self)


@pytest.fixture(scope="module")
def room_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RoomCluster]:
    base = tmp_path_factory.mktemp("room-am")
    counter = iter(range(100))

    def start_pair(pair: tuple[Server, Server]) -> None:
        first, second = pair
        first.start()
        try:
            second.start()
        except BaseException:
            first.stop()
            raise

    a, b = servers.start_on_free_ports(lambda: servers.alertmanager_pair(base / f"pair-{next(counter)}"), start_pair)
    cluster = RoomCluster(a, b)
    try:
        cluster_up(cluster)
        yield cluster
    finally:
        a.stop()
        b.stop()


@pytest.fixture(scope="module")
def room_prometheus(tmp_path_factory: pytest.TempPathFactory, sample_service: Server,
                    room_cluster: RoomCluster) -> Iterator[Server]:
    base = tmp_path_factory.mktemp("room-prom")
    counter = iter(range(100))
    targets = [f"{LOOPBACK}:{p.port}" for p in room_cluster.peers]  # HA: every alert to every peer

    def build() -> Server:
        return servers.prometheus(base / f"p-{next(counter)}",
                                  scrape={"ecommerce-api": [f"{LOOPBACK}:{sample_service.port}"]},
                                  alertmanagers=targets)

    server = servers.start_on_free_ports(build, lambda s: s.start())
    try:
        wait_until(lambda: raw_api.prom_scalar(server.base_url, 'up{job="ecommerce-api"}') == 1.0,
                   timeout_s=30, what="Prometheus to scrape the sample service")
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def erroring(sample_service: Server, room_prometheus: Server) -> Iterator[None]:
    """The sample service failing ERROR_RATIO of its requests for the whole module (the session
    fixture `sample_behaviour` is per test; this is the same call, restored to healthy at the end)."""
    yield None  # started by the first test, which measures how fast the alert reaches the board
    raw_api.set_behaviour(sample_service.base_url, error_ratio=0.0, latency=0.0)


@pytest.fixture(scope="module")
def room_postgres() -> Iterator[Any]:
    from postgres_server import start_postgres

    server = start_postgres()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module", autouse=True)
def timings_file(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    yield None
    summary = {name: {"samples": values, "median": statistics.median(values)}
               for name, values in TIMINGS.items() if values}
    path = tmp_path_factory.getbasetemp() / "room_timings.json"
    path.write_text(json.dumps({"timings_s": summary, "details": DETAILS}, indent=2))
    print(f"\n[timing] written to {path}:\n{json.dumps(summary, indent=2)}")


# ---------------------------------------------------------------- (a) fire, board, ack


def test_alert_reaches_the_board_and_a_cli_ack_is_a_silence_on_both_peers(
        qapp, room_cluster, room_prometheus, erroring, sample_service, tmp_path):
    from noc_app.app import build_runtime, run_for
    from noc_app.config.loader import load_config
    from noc_app.wall_state import wall_state

    a, b = room_cluster.urls
    config_path = write_config(tmp_path / "wall.yaml", room_cluster.urls, f"sqlite://{tmp_path}/state.db")
    config = load_config(str(config_path))

    # The board (the app's store -> wall state, as `noc-app snapshot` prints it) runs BEFORE
    # the errors start, so the first poll that can see the alert does.
    runtime = build_runtime(config)
    runtime.start()
    on_board: dict[str, float] = {}
    in_am: dict[str, tuple[float, float]] = {}  # fingerprint -> (seen by the test, startsAt)
    wanted = {SERIES[k] for k in ("ack-1", "ack-2", "ack-3")}
    try:
        raw_api.set_behaviour(sample_service.base_url, error_ratio=ERROR_RATIO)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            run_for(qapp, 0.05)
            store = runtime.store
            state = wall_state(config, {sid: store.snapshot(sid) for sid in store.source_ids()},
                               {sid: store.status(sid) for sid in store.source_ids()}, runtime.wall_clock())
            now = time.time()
            for inc in state["incidents"]:
                if inc["name"] == "HighErrorRate":
                    on_board.setdefault(inc["fingerprint"], now)
            for alert in raw_api.am_alerts(a, filter='alertname="HighErrorRate"'):
                in_am.setdefault(alert["fingerprint"], (now, parse_ts(alert["startsAt"])))
            seen = {(i["labels"].get("method"), i["labels"].get("status")) for i in state["incidents"]
                    if i["name"] == "HighErrorRate"}
            if wanted <= seen:
                break
    finally:
        runtime.stop()
    assert wanted <= seen, f"HighErrorRate series on the board: {sorted(seen)}"

    prom_alerts = {al["labels"].get("method", "") + al["labels"].get("status", ""): al
                   for al in raw_api.firing_alerts(room_prometheus.base_url)
                   if al["labels"]["alertname"] == "HighErrorRate"}
    samples = []
    for fp, shown in on_board.items():
        if fp in in_am:
            seen_am, starts = in_am[fp]
            samples.append({"fingerprint": fp, "startsAt": starts, "startsAt_to_board_s": round(shown - starts, 3),
                            "startsAt_to_test_sees_am_s": round(seen_am - starts, 3)})
    DETAILS["firing_to_board"] = {"source_interval_s": 1.0, "per_alert": samples,
                                  "prometheus_activeAt": {k: v.get("activeAt") for k, v in prom_alerts.items()}}
    # Alerts that fired in the same rule evaluation share one startsAt and one poll: one sample each group.
    for starts in sorted({s["startsAt"] for s in samples}):
        measured("firing_to_board_s", statistics.median(
            s["startsAt_to_board_s"] for s in samples if s["startsAt"] == starts))

    # Ack three series from the command line; each silence must show on BOTH peers.
    for name in ("ack-1", "ack-2", "ack-3"):
        method, status = SERIES[name]
        incident = wait_until(lambda: find_incident(config_path, method, status), timeout_s=30,
                              what=f"HighErrorRate {method} {status} in `incidents list`")
        key = f"{incident['source']}/{incident['fingerprint']}"
        reason = f"room test {name} {uuid.uuid4().hex[:6]}"
        started = time.time()
        acked = noc_app("incidents", "ack", key, "--reason", reason, "--config", str(config_path))
        exited = time.time()
        assert acked.returncode == 0, acked.stdout + acked.stderr
        request_id = REQUEST_ID.search(acked.stdout).group(1)
        on_both = []
        for url in (a, b):
            on_both.append(wait_until(lambda url=url: active_tagged(url, request_id), timeout_s=30,
                                      what=f"the ack silence on {url}", interval_s=0.02))
        both_at = time.time()
        measured("ack_to_both_peers_s", both_at - started)
        measured("ack_exit_to_both_peers_s", both_at - exited)
        for (silence,) in on_both:
            assert silence["createdBy"] == OPERATOR
            assert f"[noc-app request {request_id}]" in silence["comment"] and reason in silence["comment"]
            assert {m["name"]: m["value"] for m in silence["matchers"]}["method"] == method
        assert on_both[0][0]["id"] == on_both[1][0]["id"]

        def acknowledged() -> dict | None:
            inc = find_incident(config_path, method, status)
            return inc if inc and inc["acknowledged"] else None

        listed = wait_until(acknowledged, timeout_s=30, what=f"{key} to list as acknowledged")
        assert listed["acknowledged_by"] == OPERATOR and listed["state"] == "acknowledged"


# ---------------------------------------------------------------- (b)/(d) outbox, kill -9


def _queue_ack_while_cluster_down(cluster: RoomCluster, config: Path, series: str) -> tuple[str, dict[str, str]]:
    method, status = SERIES[series]
    incident = wait_until(lambda: find_incident(config, method, status), timeout_s=60,
                          what=f"HighErrorRate {method} {status} in `incidents list`")
    key = f"{incident['source']}/{incident['fingerprint']}"
    labels = incident["labels"]
    cluster.stop()
    matches = [arg for name, value in sorted(labels.items()) for arg in ("--match", f"{name}={value}")]
    queued = noc_app("incidents", "ack", key, *matches, "--reason", f"queued in {series}", "--config", str(config))
    assert queued.returncode == 3, queued.stdout + queued.stderr
    assert "no Alertmanager peer reachable" in queued.stderr
    return REQUEST_ID.search(queued.stderr).group(1), labels


def _open_journal(state_url: str):
    if state_url.startswith("postgresql://"):
        from noc_app.state.postgres import PostgresJournal

        return PostgresJournal(state_url)
    from noc_app.state.sqlite import SqliteJournal

    return SqliteJournal(Path(state_url.removeprefix("sqlite://")))


def _row(state_url: str, request_id: str):
    journal = _open_journal(state_url)
    try:
        return journal.get(request_id), journal.audit(request_id=request_id)
    finally:
        journal.close()


def drained(kind: str, request_id: str, state_url: str, back_at: float, delivered_at: float, due_at: float) -> None:
    """Measure the drain; record how much of it was the outbox's backoff (the row not due yet)."""
    measured("drain_after_return_s", delivered_at - back_at)
    DETAILS.setdefault("drain", []).append({
        "test": kind, "back_to_both_peers_s": round(delivered_at - back_at, 3),
        "row_due_after_return_s": round(due_at - back_at, 3),
        "due_to_both_peers_s": round(delivered_at - max(due_at, back_at), 3),
    })


def _attempts(state_url: str, request_id: str) -> int:
    journal = _open_journal(state_url)
    try:
        row = journal.get(request_id)
        return row.attempts if row is not None else -1
    finally:
        journal.close()


def _delivered_once(cluster: RoomCluster, request_id: str, labels: dict[str, str]) -> str:
    ids = set()
    for url in cluster.urls:
        found = tagged_silences(url, request_id)
        assert len(found) == 1, f"{url}: {len(found)} silences tagged {request_id}"
        assert found[0]["status"]["state"] == "active" and found[0]["createdBy"] == OPERATOR
        # the configured ack_labels of the alert, nothing else (job and severity are left out)
        assert {m["name"]: m["value"] for m in found[0]["matchers"]} == {k: labels[k] for k in ACK_LABELS}
        ids.add(found[0]["id"])
    assert len(ids) == 1
    return ids.pop()


@pytest.fixture(params=["sqlite", "postgres"])
def state_url(request, tmp_path) -> tuple[str, bool]:
    if request.param == "sqlite":
        return f"sqlite://{tmp_path}/room-state.db", False
    pg = request.getfixturevalue("room_postgres")
    return pg.create_database(f"noc_room_{uuid.uuid4().hex[:12]}"), True


def test_outbox_holds_the_ack_while_the_cluster_is_down_and_a_killed_app_delivers_it_once(
        room_cluster, room_prometheus, erroring, state_url, tmp_path):
    url, is_pg = state_url
    series = "outbox-postgres" if is_pg else "outbox-sqlite"
    config = write_config(tmp_path / "wall.yaml", room_cluster.urls, url, password_env=is_pg)
    request_id, labels = _queue_ack_while_cluster_down(room_cluster, config, series)
    apps: list[subprocess.Popen[bytes]] = []
    try:
        # An operator app starts while the cluster is still down, tries once, fails: then kill -9.
        apps.append(start_operator_app(config, tmp_path / "app-1.log"))
        wait_until(lambda: _attempts(url, request_id) >= 2, timeout_s=60,
                   what="the operator app's first (failing) delivery attempt", interval_s=0.25)
        kill9(apps[0])

        due_at = _row(url, request_id)[0].next_attempt_at
        room_cluster.start()
        back_at = time.time()
        apps.append(start_operator_app(config, tmp_path / "app-2.log"))
        wait_until(lambda: all(active_tagged(u, request_id) for u in room_cluster.urls), timeout_s=90,
                   what="the restarted operator app to deliver the queued ack to both peers", interval_s=0.05)
        drained(series, request_id, url, back_at, time.time(), due_at)
        silence_id = _delivered_once(room_cluster, request_id, labels)

        # kill -9 again after delivery; a third start replays the outbox and must not deliver twice
        kill9(apps[1])
        # it replays the outbox at start, then quits by itself
        third = start_operator_app(config, tmp_path / "app-3.log", exit_after_s=5)
        apps.append(third)
        assert third.wait(timeout=90) == 0, (tmp_path / "app-3.log").read_text(errors="replace")[-2000:]
        assert _delivered_once(room_cluster, request_id, labels) == silence_id
    finally:
        for app in apps:
            kill9(app)
        if not all(p.alive for p in room_cluster.peers):
            room_cluster.start()
    row, audit = _row(url, request_id)
    print(f"[audit] {series}: {[(e.action, e.outcome, e.host) for e in audit]}; attempts {row.attempts}")
    assert row.state.value == "done"
    assert [e.outcome for e in audit if e.action == "ack"].count("done") == 1  # delivered once, audited once
    listed = noc_app("outbox", "list", "--config", str(config))
    assert listed.stdout.strip() == "outbox empty", listed.stdout + listed.stderr


# ---------------------------------------------------------------- (c) two workstations, one PostgreSQL


def test_two_workstations_sharing_postgres_deliver_the_queued_ack_exactly_once(
        room_cluster, room_prometheus, erroring, room_postgres, tmp_path):
    url = room_postgres.create_database(f"noc_room_{uuid.uuid4().hex[:12]}")
    ws1 = write_config(tmp_path / "ws1.yaml", room_cluster.urls, url, password_env=True)
    ws2 = write_config(tmp_path / "ws2.yaml", tuple(reversed(room_cluster.urls)), url, password_env=True)
    request_id, labels = _queue_ack_while_cluster_down(room_cluster, ws1, "two-workstations")
    apps: list[subprocess.Popen[bytes]] = []
    try:
        due_at = _row(url, request_id)[0].next_attempt_at
        room_cluster.start()
        back_at = time.time()
        apps.append(start_operator_app(ws1, tmp_path / "ws1.log"))
        apps.append(start_operator_app(ws2, tmp_path / "ws2.log"))
        wait_until(lambda: all(active_tagged(u, request_id) for u in room_cluster.urls), timeout_s=90,
                   what="one of the two workstations to deliver the queued ack", interval_s=0.05)
        drained("two-workstations", request_id, url, back_at, time.time(), due_at)
        silence_id = _delivered_once(room_cluster, request_id, labels)
        time.sleep(5)  # both keep replaying; still exactly one silence afterwards
        assert _delivered_once(room_cluster, request_id, labels) == silence_id
    finally:
        for app in apps:
            kill9(app)
        if not all(p.alive for p in room_cluster.peers):
            room_cluster.start()
    secret = app_env()[PG_PASSWORD_ENV]
    for log in (tmp_path / "ws1.log", tmp_path / "ws2.log"):
        assert secret not in log.read_text(errors="replace")
    row, audit = _row(url, request_id)
    print(f"[audit] two-workstations: {[(e.action, e.outcome, e.host) for e in audit]}; attempts {row.attempts},"
          f" lease owner {row.lease_owner}")
    assert row.state.value == "done"
    assert [e.outcome for e in audit if e.action == "ack"].count("done") == 1  # one workstation delivered it
