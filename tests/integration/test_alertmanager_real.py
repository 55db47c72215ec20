"""AlertmanagerSource against a real two-peer Alertmanager cluster (and the single one Prometheus feeds)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import httpx
import pytest
import raw_api
import servers

from noc_app.actions.backends.alertmanager_silences import create_silence, expire_silence
from noc_app.config.schema import SourceConfig
from noc_app.model import Alert, AlertState, Severity, Snapshot
from noc_app.sources.alertmanager import AlertmanagerSource
from noc_app.sources.alertmanager_parse import SilenceMatcher
from noc_app.sources.base import PollPlan, Unreachable
from noc_app.sources.silences import get_silence, iso_time

pytestmark = pytest.mark.integration


def am_source(urls: tuple[str, ...], **overrides: object) -> AlertmanagerSource:
    config = SourceConfig(**{"id": "am", "kind": "alertmanager", "url": urls[0], "urls": tuple(urls[1:]),
                             "timeout_s": 3.0, **overrides})
    return AlertmanagerSource(config, PollPlan(alerts=True))


def post_alerts(peer_url: str, alerts: list[dict]) -> None:
    response = httpx.post(f"{peer_url}/api/v2/alerts", json=alerts, timeout=5)
    assert response.status_code == 200, response.text


def make_alert(run: str, name: str, severity: str, **labels: str) -> dict:
    now = time.time()
    return {
        "labels": {"alertname": name, "severity": severity, "test_run": run, **labels},
        "annotations": {"summary": f"{name} summary", "description": f"{name} for the integration test"},
        "startsAt": iso_time(now - 30),
        "endsAt": iso_time(now + 600),
        "generatorURL": f"http://prometheus.example/graph?g0.expr={name}",
    }


def ours(snapshot: Snapshot, run: str) -> list[Alert]:
    return [a for a in snapshot.alerts if a.labels.get("test_run") == run]


@pytest.fixture
def run_id() -> str:
    return uuid.uuid4().hex[:12]


def test_alerts_from_both_peers_are_merged_once(alertmanager_cluster, run_id):
    a, b = alertmanager_cluster.urls
    shared = [make_alert(run_id, "OrderQueueBacklog", "critical", instance="orders-1"),
              make_alert(run_id, "CartLatency", "warning", instance="cart-1")]
    post_alerts(a, shared)  # Prometheus in HA sends every alert to every peer
    post_alerts(b, shared)
    post_alerts(a, [make_alert(run_id, "OnlyOnA", "info")])
    post_alerts(b, [make_alert(run_id, "OnlyOnB", "high")])
    source = am_source((a, b))
    try:
        snapshot = source.poll()
    finally:
        source.close()
    alerts = ours(snapshot, run_id)
    assert sorted(al.name for al in alerts) == ["CartLatency", "OnlyOnA", "OnlyOnB", "OrderQueueBacklog"]
    assert len({al.fingerprint for al in alerts}) == 4
    by_name = {al.name: al for al in alerts}
    assert by_name["OrderQueueBacklog"].severity is Severity.CRITICAL
    assert by_name["OnlyOnB"].severity is Severity.HIGH
    assert by_name["CartLatency"].summary == "CartLatency summary"
    assert all(al.state is AlertState.FIRING for al in alerts)
    # sorted by severity first
    ranks = [al.severity.rank for al in alerts]
    assert ranks == sorted(ranks)
    assert snapshot.info["reachable"] == "2/2 peers"
    assert snapshot.info["cluster"] == "ready (2 peers)"
    assert snapshot.info["version"] == "0.25.0"
    assert snapshot.degraded == ()


def test_silence_create_and_expire_round_trip(alertmanager_cluster, run_id):
    a, b = alertmanager_cluster.urls
    alert = make_alert(run_id, "PaymentGatewayErrors", "critical", service="payments")
    post_alerts(a, [alert])
    post_alerts(b, [alert])
    source = am_source((a, b))
    now = time.time()
    with httpx.Client(timeout=5) as client:
        silence_id = create_silence(
            client, [SilenceMatcher(name="test_run", value=run_id),
                     SilenceMatcher(name="alertname", value="PaymentGatewayErrors")],
            now - 5, now + 3600, "alice", "vendor incident INC-42", request_id="req-7", peer=a,
        )
        try:
            def silenced() -> Alert | None:
                (only,) = ours(source.poll(), run_id)
                return only if only.state is AlertState.SILENCED else None

            muted = servers.wait_for(silenced, timeout_s=20, what="the alert to show as silenced on both peers")
            assert muted.silenced_by == (silence_id,)
            assert muted.mute_reason.startswith("silenced by alice: vendor incident INC-42 [noc-app request req-7]")
            assert "(expires in " in muted.mute_reason and silence_id[:8] not in muted.mute_reason
            # the silence gossiped to B as well
            on_b = httpx.get(f"{b}/api/v2/silence/{silence_id}", timeout=5)
            assert on_b.status_code == 200 and on_b.json()["createdBy"] == "alice"
        finally:
            assert expire_silence(client, silence_id, peer=a) is True
        # Retrying is safe: 0.25 accepts expiring an expired silence again (200 -> True),
        # newer releases refuse it (-> False); nothing raises and the silence stays expired.
        expire_silence(client, silence_id, peer=a)
        assert get_silence(client, silence_id, peer=a).state == "expired"
        assert expire_silence(client, str(uuid.uuid4()), peer=a) is False  # unknown id: already gone

    def firing_again() -> Alert | None:
        (only,) = ours(source.poll(), run_id)
        return only if only.state is AlertState.FIRING else None

    try:
        back = servers.wait_for(firing_again, timeout_s=20, what="the alert to fire again after expiry")
    finally:
        source.close()
    assert back.silenced_by == () and back.mute_reason == ""


def test_dead_mans_switch_from_the_prometheus_fed_alertmanager(prometheus, alertmanager):
    servers.wait_for(lambda: raw_api.am_alerts(alertmanager.base_url, filter='alertname="Watchdog"'),
                     timeout_s=30, what="Watchdog to reach Alertmanager")
    healthy = am_source((alertmanager.base_url,), deadman_alert="Watchdog")
    broken = am_source((alertmanager.base_url,), deadman_alert="NoSuchHeartbeat")
    try:
        ok, missing = healthy.poll(), broken.poll()
    finally:
        healthy.close()
        broken.close()
    assert ok.degraded == ()
    assert all(a.name != "Watchdog" for a in ok.alerts)
    assert missing.degraded == (
        "dead man's switch 'NoSuchHeartbeat' missing: the alerting pipeline may be broken",)
    assert any(a.name == "Watchdog" for a in missing.alerts)
    assert ok.info["cluster"] == "disabled (0 peers)"


@pytest.fixture
def private_cluster(tmp_path) -> Iterator[tuple[servers.Server, servers.Server]]:
    """A cluster of this test's own: the test kills its peers."""
    def start_pair(pair: tuple[servers.Server, servers.Server]) -> None:
        pair[0].start()
        try:
            pair[1].start()
        except BaseException:
            pair[0].stop()
            raise

    a, b = servers.start_on_free_ports(lambda: servers.alertmanager_pair(tmp_path), start_pair)
    try:
        for node in (a, b):
            servers.wait_for(lambda node=node: raw_api.am_cluster_ready(node.base_url, peers=2),
                             timeout_s=30, what=f"{node.name} to join the cluster")
        yield a, b
    finally:
        a.stop()
        b.stop()


def test_one_peer_down_degrades_all_peers_down_is_unreachable(private_cluster, run_id):
    a, b = private_cluster
    post_alerts(a.base_url, [make_alert(run_id, "InventorySyncStalled", "warning")])
    post_alerts(b.base_url, [make_alert(run_id, "InventorySyncStalled", "warning")])
    source = am_source((a.base_url, b.base_url))
    try:
        assert source.poll().degraded == ()

        b.kill()
        snapshot = source.poll()
        assert [al.name for al in ours(snapshot, run_id)] == ["InventorySyncStalled"]
        (reason,) = snapshot.degraded
        assert reason.startswith(f"peer {b.base_url}: connection refused")
        assert snapshot.info["reachable"] == "1/2 peers"

        a.kill()
        with pytest.raises(Unreachable, match=r"^connection refused: "):
            source.poll()
    finally:
        source.close()
