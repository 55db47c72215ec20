"""SLOs against a real Prometheus: exported rules pass promtool and fire; 30 days of
backfilled history are computed through the app's own Prometheus source."""

from __future__ import annotations

import math
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import raw_api
import servers

from noc_app.config.loader import load_config, load_config_text
from noc_app.config.schema import SliConfig, SloConfig
from noc_app.slo.budget import DAY_S, HOUR_S, coverage_text
from noc_app.slo.burn_alerts import BurnWindow, Urgency
from noc_app.slo.fetch import fetch_status
from noc_app.slo.rules import rules_yaml

pytestmark = pytest.mark.integration

PROMTOOL = servers.Binary(path="/usr/bin/promtool", package="prometheus")
ECOMMERCE = servers.REPO_ROOT / "config" / "ecommerce.yaml"
SLI = SliConfig(good='sum(rate(http_requests_total{status!~"5.."}[{{window}}]))',
                total="sum(rate(http_requests_total[{{window}}]))")


def _promtool_check(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([servers.require(PROMTOOL), "check", "rules", str(path)],
                          capture_output=True, text=True, timeout=60, check=False)


def test_exported_rules_pass_promtool(tmp_path: Path) -> None:
    config = load_config(ECOMMERCE)
    path = tmp_path / "slo.yml"
    path.write_text(rules_yaml(config.slos))
    result = _promtool_check(path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS: 24 rules found" in result.stdout  # 3 SLOs x (5 recordings + 3 alerts)


def test_promtool_rejects_a_broken_rule_file(tmp_path: Path) -> None:
    """Negative control: the check above can fail."""
    path = tmp_path / "bad.yml"
    path.write_text(rules_yaml(load_config(ECOMMERCE).slos).replace("> 0.0144", "> > 0.0144", 1))
    assert _promtool_check(path).returncode != 0


# ------------------------------------------------------------- burn alert fires

# Shortened windows: the workbook's 14.4x page over 20 s and 5 s instead of 1 h and 5 m.
FAST_WINDOWS = (BurnWindow(long_s=20.0, short_s=5.0, factor=14.4, urgency=Urgency.PAGE),)


@pytest.fixture
def slo_prometheus(backends_dir: Path, sample_service: servers.Server) -> Iterator[servers.Server]:
    """A Prometheus scraping the sample service every second with the exported (shortened) SLO rules."""
    slo = SloConfig(id="availability", name="Availability", source="prom", sli=SLI, target=0.999,
                    labels={"service": "ecommerce-api"})
    workdir = backends_dir / f"slo-prometheus-{time.monotonic_ns()}"
    workdir.mkdir(parents=True)
    rules = workdir / "slo_rules.yml"
    rules.write_text(rules_yaml([slo], FAST_WINDOWS))
    assert _promtool_check(rules).returncode == 0
    server = servers.start_on_free_ports(
        lambda: servers.prometheus(workdir, scrape={"ecommerce-api": [f"{servers.LOOPBACK}:{sample_service.port}"]},
                                   rule_files=[rules]),
        lambda s: s.start(),
    )
    yield server
    server.stop()


def _burn_alerts(base_url: str) -> list[dict]:
    return [a for a in raw_api.firing_alerts(base_url) if a["labels"].get("alertname") == "SLOErrorBudgetBurn"]


def test_burn_rate_alert_fires_when_the_error_ratio_rises(slo_prometheus: servers.Server, sample_behaviour) -> None:
    url = slo_prometheus.base_url
    servers.wait_for(lambda: raw_api.prom_query(url, 'slo:sli_error:ratio_rate20s{slo="availability"}'),
                     timeout_s=40, what="the 20 s error ratio to be recorded")
    assert _burn_alerts(url) == []  # healthy: nothing burns
    sample_behaviour(error_ratio=0.3)
    alerts = servers.wait_for(lambda: _burn_alerts(url), timeout_s=60, what="SLOErrorBudgetBurn to fire")
    (alert,) = alerts
    assert alert["labels"]["slo"] == "availability" and alert["labels"]["severity"] == "critical"
    assert alert["labels"]["urgency"] == "page" and alert["labels"]["burn_window"] == "20s/5s"


# ------------------------------------------------------------- 30 days of history

STEP_S = 60
RATE = 10.0  # requests per second
INCIDENT_ERRORS = 0.1  # error ratio for the two incident hours
GAP_DAYS = (5.0, 6.0)  # no samples at all: the scrape target was gone
RESET_DAY = 20.0  # both counters restart from 0 (a process restart)
INCIDENT_DAYS = (10.0, 10.0 + 2 / 24)


def _openmetrics(end: float) -> str:
    """30 days of http_requests_total for status 200 and 500, one sample a minute."""
    start = end - 30 * DAY_S
    ok = bad = 0.0
    lines = ["# TYPE http_requests counter"]
    samples: list[tuple[float, float, float]] = []
    t = start
    reset_done = False
    while t <= end:
        day = (t - start) / DAY_S
        errors = INCIDENT_ERRORS if INCIDENT_DAYS[0] < day <= INCIDENT_DAYS[1] else 0.0
        ok += RATE * STEP_S * (1 - errors)
        bad += RATE * STEP_S * errors
        if not reset_done and day >= RESET_DAY:
            ok, bad, reset_done = RATE * STEP_S, 0.0, True
        if not GAP_DAYS[0] <= day < GAP_DAYS[1]:
            samples.append((t, ok, bad))
        t += STEP_S
    for status, index in (("200", 1), ("500", 2)):
        for sample in samples:
            labels = f'job="ecommerce-api",status="{status}"'
            lines.append(f"http_requests_total{{{labels}}} {sample[index]} {int(sample[0])}")
    lines.append("# EOF")
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def backfilled_prometheus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[servers.Server, float]]:
    """Prometheus on a fresh data dir holding 30 days created by promtool, with 60 days' retention."""
    promtool = servers.require(PROMTOOL)
    workdir = tmp_path_factory.mktemp("slo-backfill")
    end = math.floor(time.time() / HOUR_S) * HOUR_S - 2 * HOUR_S  # clear of the head block
    source = workdir / "history.om"
    source.write_text(_openmetrics(end))
    data = workdir / "data"
    created = subprocess.run([promtool, "tsdb", "create-blocks-from", "openmetrics", "--max-block-duration=240h",
                              str(source), str(data)], capture_output=True, text=True, timeout=300, check=False)
    assert created.returncode == 0, created.stdout[-2000:] + created.stderr[-2000:]

    def build() -> servers.Server:
        port = servers.free_port()
        config = servers.write_yaml(workdir / "prometheus.yml", {"global": {"scrape_interval": "15s"}})
        return servers.Server(
            name="prometheus-backfill",
            argv=[servers.require(servers.PROMETHEUS), f"--config.file={config}", f"--storage.tsdb.path={data}",
                  f"--web.listen-address={servers.LOOPBACK}:{port}", "--storage.tsdb.retention.time=60d"],
            port=port, workdir=workdir, ready_path="/-/ready",
        )

    server = servers.start_on_free_ports(build, lambda s: s.start())
    yield server, end
    server.stop()


def test_thirty_days_of_backfilled_history(backfilled_prometheus: tuple[servers.Server, float]) -> None:
    server, end = backfilled_prometheus
    oldest = raw_api.prom_scalar(server.base_url, "min_over_time(timestamp(http_requests_total)[31d:1h])")
    assert oldest is not None and oldest < end - 29 * DAY_S  # the whole month is there
    config = load_config_text(f"""
sources: [{{id: prom, kind: prometheus, url: "{server.base_url}", timeout: 30s}}]
dashboards: [{{id: d, title: D, panels: [{{id: availability, kind: slo, title: A}}]}}]
slos:
  - id: availability
    source: prom
    target: 99.9
    sli:
      good: sum(rate(http_requests_total{{status!~"5.."}}[{{{{window}}}}]))
      total: sum(rate(http_requests_total[{{{{window}}}}]))
""", filename="backfill.yaml")
    now = end + 0.5 * HOUR_S  # the window (now - 30 d, now] holds the whole history
    outcome = fetch_status(config, config.slos[0], now=now)
    assert not isinstance(outcome, str), outcome
    status, buckets = outcome
    # Coverage: 30 d minus the 1-day gap, minus the first hour (its bucket starts before the data)
    # and the half hour after the data ends; rate() over [1h] fills the gap's first hour.
    assert 28.9 * DAY_S <= status.coverage_s <= 29.05 * DAY_S, coverage_text(status)
    assert coverage_text(status).startswith("based on 2") and coverage_text(status).endswith("of 30 d")
    # Hand-computed: 7,200 errors (10 % of 10 req/s for 2 h) among ~10 req/s over the covered time;
    # the counter reset on day 20 must not count as traffic or errors.
    expected_total = RATE * status.coverage_s
    assert status.attainment == pytest.approx(1 - 7200 / expected_total, abs=2e-5)
    assert status.budget_remaining == pytest.approx(1 - (7200 / expected_total) / 0.001, abs=0.02)
    assert status.budget_total_min == pytest.approx(43.2)
    assert status.burn_rate is None or status.burn_rate == pytest.approx(0.0, abs=1e-9)
    assert buckets.t.size <= 744  # one point per hour: far under Prometheus' 11,000


# ------------------------------------------------------------- app-evaluated alerts


def test_app_evaluated_burn_alert_is_raised_once_through_the_seam(prometheus: servers.Server, sample_behaviour,
                                                                   tmp_path: Path) -> None:
    from noc_app.actions.backends.state_raised import StateIncidentSink, raised_alerts
    from noc_app.slo.app_alerts import BurnAlertEvaluator
    from noc_app.slo.app_runner import SloAlertRunner
    from noc_app.state.sqlite import SqliteJournal

    config = load_config_text(f"""
sources: [{{id: prom, kind: prometheus, url: "{prometheus.base_url}"}}]
dashboards: [{{id: d, title: D, panels: [{{id: checkout, kind: slo, title: C}}]}}]
slos:
  - id: checkout
    source: prom
    target: 99.9
    alerting: app
    sli:
      good: sum(rate(http_requests_total{{status!~"5.."}}[{{{{window}}}}]))
      total: sum(rate(http_requests_total[{{{{window}}}}]))
""", filename="app.yaml")
    # The session's sample service and Prometheus are shared: wait until no earlier test's errors are
    # left in the alert's windows (20 s), so "healthy: nothing raised" holds.
    sample_behaviour(error_ratio=0.0)
    servers.wait_for(
        lambda: raw_api.prom_scalar(prometheus.base_url, 'sum(increase(http_requests_total{status=~"5.."}[25s]))')
        in (None, 0.0), timeout_s=90, what="the last 25 s to be free of errors")
    journal = SqliteJournal(tmp_path / "state.db")
    try:
        runner = SloAlertRunner(config, BurnAlertEvaluator(StateIncidentSink(journal), FAST_WINDOWS))
        assert runner.run_once(now=time.time()) == {}
        assert raised_alerts(journal) == ()  # healthy: nothing raised
        sample_behaviour(error_ratio=0.3)

        def raised() -> tuple:
            problems = runner.run_once(now=time.time())
            assert problems == {}, problems
            return raised_alerts(journal)

        (alert,) = servers.wait_for(raised, timeout_s=60, what="the app to raise the burn alert")
        for _ in range(3):  # further cycles while it burns: the same one incident
            runner.run_once(now=time.time())
        (again,) = raised_alerts(journal)
        assert again.fingerprint == alert.fingerprint and again.name == "SLOErrorBudgetBurn"
        assert again.labels["slo"] == "checkout" and again.labels["generator"] == "noc-app"
        # Prometheus evaluates no alert for this SLO: never both
        assert not [a for a in raw_api.firing_alerts(prometheus.base_url) if a["labels"].get("slo") == "checkout"]
    finally:
        journal.close()
