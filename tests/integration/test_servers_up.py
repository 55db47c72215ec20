"""Each fixture's server is really up and answering, and wired the way the other tests assume."""

from __future__ import annotations

import json
import re
import time

import httpx
import pytest

import journal
import raw_api
import servers

pytestmark = pytest.mark.integration

SEED_ALERTS = {"HighErrorRate", "HighLatency", "ServiceDown", "HighCPUUsage", "HighMemoryUsage", "DiskSpaceLow"}


def _counter_total(metrics_text: str) -> float:
    return sum(
        float(m.group(1))
        for m in re.finditer(r'^http_requests_total\{[^}]*\} (\S+)$', metrics_text, re.MULTILINE)
    )


def test_sample_service_exposes_seed_metrics_and_generates_traffic(sample_service):
    first = httpx.get(f"{sample_service.base_url}/metrics", timeout=5).text
    assert 'http_requests_total{method="GET",status="200"}' in first
    assert 'http_request_duration_seconds_bucket{le="0.3"}' in first
    assert "http_request_duration_seconds_count" in first
    assert "job=" not in first  # the job label comes from the scrape config
    before = _counter_total(first)
    servers.wait_for(
        lambda: _counter_total(httpx.get(f"{sample_service.base_url}/metrics", timeout=5).text) > before + 10,
        timeout_s=20, what="the simulated traffic to count more requests",
    )


def test_sample_service_control_validates_and_applies(sample_service, sample_behaviour):
    bad = httpx.post(f"{sample_service.base_url}/control", params={"error_ratio": "1.5"}, timeout=5)
    assert bad.status_code == 400
    assert "error_ratio must be between 0 and 1" in bad.json()["error"]
    unknown = httpx.get(f"{sample_service.base_url}/control", params={"eror_ratio": "0.1"}, timeout=5)
    assert unknown.status_code == 400 and "unknown parameter 'eror_ratio'" in unknown.json()["error"]
    assert sample_behaviour(error_ratio=0.25, latency=1.5) == {"error_ratio": 0.25, "latency": 1.5, "rate": 50.0}
    # a form body works as well as the query string
    form = httpx.post(f"{sample_service.base_url}/control", data={"latency": "0.5"}, timeout=5).json()
    assert form["latency"] == 0.5 and form["error_ratio"] == 0.25


def test_node_exporter_serves_the_infra_metrics(node_exporter):
    text = httpx.get(f"{node_exporter.base_url}/metrics", timeout=10).text
    for name in ("node_cpu_seconds_total", "node_memory_MemAvailable_bytes", "node_filesystem_size_bytes"):
        assert f"\n{name}{{" in text or f"\n{name} " in text, name


def test_prometheus_scrapes_every_target(prometheus):
    up = {r["metric"]["job"]: r["value"][1] for r in raw_api.prom_query(prometheus.base_url, "up")}
    assert up == {"ecommerce-api": "1", "node": "1", "prometheus": "1"}
    servers.wait_for(
        lambda: (raw_api.prom_scalar(prometheus.base_url, "sum(rate(http_requests_total[30s]))") or 0.0) > 0,
        timeout_s=20, what="a non-zero request rate from the sample service",
    )
    cpu = servers.wait_for(
        lambda: raw_api.prom_query(
            prometheus.base_url, '100 - (avg(irate(node_cpu_seconds_total{mode="idle"}[30s])) * 100)'
        ),
        timeout_s=20, what="a CPU usage value from node_exporter",
    )
    assert 0.0 <= float(cpu[0]["value"][1]) <= 100.0


def test_prometheus_loaded_the_fast_seed_rules_and_watchdog(prometheus):
    def evaluated_rules() -> dict[str, dict]:
        groups = httpx.get(f"{prometheus.base_url}/api/v1/rules", timeout=5).json()["data"]["groups"]
        rules = {r["name"]: r for g in groups for r in g["rules"]}
        return rules if all(r["health"] != "unknown" for r in rules.values()) else {}

    rules = servers.wait_for(evaluated_rules, timeout_s=20, what="every rule to be evaluated once")
    assert SEED_ALERTS | {"Watchdog"} == set(rules)
    assert {name: r["health"] for name, r in rules.items()} == dict.fromkeys(rules, "ok")
    assert rules["HighErrorRate"]["duration"] == 5
    assert "[30s]" in rules["HighErrorRate"]["query"]
    servers.wait_for(
        lambda: any(a["labels"]["alertname"] == "Watchdog" for a in raw_api.firing_alerts(prometheus.base_url)),
        timeout_s=20, what="Watchdog to fire in Prometheus",
    )


def test_prometheus_delivers_alerts_to_alertmanager(prometheus, alertmanager):
    alerts = servers.wait_for(
        lambda: raw_api.am_alerts(alertmanager.base_url, filter='alertname="Watchdog"'),
        timeout_s=30, what="Watchdog to reach Alertmanager",
    )
    assert alerts[0]["labels"]["severity"] == "none"
    assert alerts[0]["status"]["state"] == "active"


def test_error_ratio_switch_changes_the_5xx_rate(prometheus, sample_behaviour):
    url = prometheus.base_url
    recent_5xx = 'sum(rate(http_requests_total{status=~"5.."}[5s]))'
    window_5xx = 'sum(rate(http_requests_total{status=~"5.."}[30s]))'
    recent_ratio = f'{recent_5xx} / sum(rate(http_requests_total[5s]))'
    # Another test may have had errors on a moment ago: start from 5 s without any.
    servers.wait_for(lambda: raw_api.prom_scalar(url, recent_5xx) == 0.0,
                     timeout_s=45, what="no 5xx in the last 5 s before the switch")
    sample_behaviour(error_ratio=0.5)
    servers.wait_for(lambda: (raw_api.prom_scalar(url, window_5xx) or 0.0) > 5.0,
                     timeout_s=45, what="rate(5xx[30s]) to rise above 5/s after error_ratio=0.5")
    # 0.5 requested, ~250 requests per 5 s window: the measured share settles near it.
    servers.wait_for(lambda: 0.3 < (raw_api.prom_scalar(url, recent_ratio) or 0.0) < 0.7,
                     timeout_s=20, what="the 5 s error share to settle near 0.5")


def test_latency_switch_moves_p95_past_the_seed_threshold(prometheus, sample_behaviour):
    url = prometheus.base_url
    p95 = "histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket[5s])))"
    servers.wait_for(lambda: (raw_api.prom_scalar(url, p95) or 99.0) < 1.0,
                     timeout_s=30, what="P95 under 1 s before the switch")
    sample_behaviour(latency=2.5)
    servers.wait_for(lambda: (raw_api.prom_scalar(url, p95) or 0.0) > 2.0,
                     timeout_s=30, what="P95 above HighLatency's 2 s after latency=2.5")


def test_victoria_metrics_answers_prometheus_queries(victoria_metrics):
    assert raw_api.prom_scalar(victoria_metrics.base_url, 'up{job="ecommerce-api"}') == 1.0
    total = servers.wait_for(
        lambda: raw_api.prom_scalar(victoria_metrics.base_url, 'sum(http_requests_total{job="ecommerce-api"})'),
        timeout_s=20, what="request counters in VictoriaMetrics",
    )
    assert total > 0
    bad = httpx.get(f"{victoria_metrics.base_url}/api/v1/query", params={"query": "sum(("}, timeout=5)
    assert bad.status_code in (400, 422) and bad.json()["status"] == "error"


def test_single_alertmanager_runs_without_cluster(alertmanager):
    status = httpx.get(f"{alertmanager.base_url}/api/v2/status", timeout=5).json()
    assert status["cluster"]["status"] == "disabled"
    assert "blackhole" in status["config"]["original"]


def test_alertmanager_cluster_gossips_between_two_peers(alertmanager_cluster):
    a, b = alertmanager_cluster.peers
    for node in (a, b):
        status = httpx.get(f"{node.base_url}/api/v2/status", timeout=5).json()
        assert status["cluster"]["status"] == "ready"
        assert len(status["cluster"]["peers"]) == 2
    # Silences are replicated by gossip: one created on A shows up on B.
    now = time.time()
    silence = {
        "matchers": [{"name": "alertname", "value": "GossipProbe", "isRegex": False, "isEqual": True}],
        "startsAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now - 5)),
        "endsAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now + 600)),
        "createdBy": "noc-app integration test",
        "comment": "gossip probe",
    }
    created = httpx.post(f"{a.base_url}/api/v2/silences", json=silence, timeout=5)
    assert created.status_code == 200, created.text
    silence_id = created.json()["silenceID"]
    try:
        servers.wait_for(
            lambda: any(s["id"] == silence_id for s in httpx.get(f"{b.base_url}/api/v2/silences", timeout=5).json()),
            timeout_s=20, what="the silence to replicate from peer A to peer B",
        )
    finally:
        httpx.delete(f"{a.base_url}/api/v2/silence/{silence_id}", timeout=5)


def test_journal_gatewayd_serves_the_written_entries(journal_gatewayd):
    url = journal_gatewayd.base_url
    response = httpx.get(f"{url}/entries", headers={"Accept": "application/json"}, timeout=10)
    assert response.status_code == 200
    lines = [json.loads(line) for line in response.content.splitlines() if line.strip()]
    written = journal_gatewayd.entries
    assert [e["MESSAGE"] for e in lines] == [e.message for e in written]
    assert [int(e["PRIORITY"]) for e in lines] == [e.priority for e in written]
    assert [int(e["__REALTIME_TIMESTAMP"]) for e in lines] == [e.realtime_us for e in written]
    assert all(e["__CURSOR"] for e in lines)
    errors = httpx.get(f"{url}/entries", params={"PRIORITY": "3"},
                       headers={"Accept": "application/json"}, timeout=10)
    assert len(errors.content.splitlines()) == sum(1 for e in written if e.priority == 3)
    assert httpx.get(f"{url}/machine", timeout=5).json()["machine_id"]


def test_journal_gatewayd_serves_an_appended_journal_file(journal_gatewayd):
    url = journal_gatewayd.base_url
    newest = max(e.realtime_us for e in journal_gatewayd.entries)
    journal_gatewayd.append([
        journal.JournalEntry(message="appended after start", priority=4, unit="nginx.service",
                             realtime_us=newest + 1_000_000),
    ])
    response = httpx.get(f"{url}/entries", headers={"Accept": "application/json"}, timeout=10)
    messages = [json.loads(line)["MESSAGE"] for line in response.content.splitlines() if line.strip()]
    assert messages[-1] == "appended after start"
    assert len(messages) == len(journal_gatewayd.entries)
