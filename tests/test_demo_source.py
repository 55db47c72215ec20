"""The demo source: the simulated e-commerce service behind the built-in wall."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

from noc_app.config.schema import SourceConfig
from noc_app.model import AlertState, LogLevel, Severity, Snapshot
from noc_app.sources.base import LogQuery, MetricQuery, PollPlan
from noc_app.sources.demo import DemoSource
from noc_app.sources.demo.catalog import Signal, normalise, resolve
from noc_app.sources.demo.service import EpisodeKind
from noc_app.sources.legend import format_legend, label_text, series_key
from noc_app.sources.registry import create_source

DEMO_YAML = Path(__file__).resolve().parents[1] / "config" / "demo.yaml"
START = 1_750_000_000.0  # a fixed start epoch: every test here is deterministic
CONFIG = SourceConfig(id="demo", kind="demo", interval_s=2.0)

REQUESTS = "rate(http_requests_total[5m])"
ERROR_PERCENT = 'rate(http_requests_total{status=~"5.*"}[5m]) / rate(http_requests_total[5m]) * 100'
# the form the demo wall uses (one ratio for the service; see config/demo.yaml)
ERROR_PERCENT_SUM = 'sum(rate(http_requests_total{status=~"5.*"}[5m])) / sum(rate(http_requests_total[5m])) * 100'
ERROR_RATIO = 'rate(http_requests_total{status=~"5.*"}[5m]) / rate(http_requests_total[5m])'
P50 = "histogram_quantile(0.50, rate(http_request_duration_seconds_bucket[5m]))"
P95 = "histogram_quantile(0.95, rate(http_request_duration_seconds_bucket[5m]))"
P99 = "histogram_quantile(0.99, rate(http_request_duration_seconds_bucket[5m]))"
AVAILABILITY = 'sum(rate(http_requests_total{status!~"5.*"}[5m])) / sum(rate(http_requests_total[5m])) * 100'
UP = 'up{job="ecommerce-api"}'


class FakeClock:
    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def _seconds(text: str) -> float:
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    return float(text[:-1]) * units[text[-1]]


def demo_wall_queries() -> list[tuple[str, dict, dict]]:
    """(panel id, panel, query) for every metric query of the demo wall's demo panels."""
    config = yaml.safe_load(DEMO_YAML.read_text(encoding="utf-8"))
    found = []
    for dashboard in config["dashboards"]:
        for panel in dashboard["panels"]:
            if panel.get("source") == "demo" and panel["kind"] not in ("logs", "incidents"):
                for query in panel.get("queries", []):
                    found.append((panel["id"], panel, query))
    return found


def metric(key: str, expr: str, *, instant: bool = False, window_s: float = 1800.0,
           max_points: int = 720, legend: str = "") -> MetricQuery:
    return MetricQuery(key=key, expr=expr, legend=legend, instant=instant, window_s=window_s,
                       max_points=max_points)


def poll_at(now: float, *queries: MetricQuery, alerts: bool = False, logs: tuple[LogQuery, ...] = (),
            start: float = START, seed: int | None = None) -> Snapshot:
    clock = FakeClock(start)
    source = DemoSource(CONFIG, PollPlan(metrics=queries, alerts=alerts, logs=logs), clock=clock, seed=seed)
    clock.now = now
    return source.poll()


# --- the demo wall is fully answered -------------------------------------------------


def test_demo_wall_has_demo_queries():
    exprs = {normalise(q["expr"]) for _, _, q in demo_wall_queries()}
    assert {normalise(e) for e in (REQUESTS, P50, P95, P99, ERROR_PERCENT_SUM, AVAILABILITY)} <= exprs


@pytest.mark.parametrize("instant", [True, False])
def test_every_demo_wall_query_is_answered(instant):
    queries = []
    for index, (panel_id, panel, query) in enumerate(demo_wall_queries()):
        window = _seconds(panel["window"]) if "window" in panel else 3600.0
        queries.append(metric(f"wall/{panel_id}/{index}", query["expr"], instant=instant,
                              window_s=window, legend=query.get("legend", "")))
    now = START + 600.0
    snapshot = poll_at(now, *queries)
    assert set(snapshot.metrics) == {q.key for q in queries}
    for query in queries:
        result = snapshot.metrics[query.key]
        assert result.error is None, (query.expr, result.error)
        assert result.series, query.expr
        for series in result.series:
            assert series.x.size == (1 if instant else pytest.approx(query.max_points, abs=1))
            assert np.isfinite(series.y).all(), query.expr
            assert series.x[-1] <= now
            if query.legend and "{{" not in query.legend:
                assert series.name == query.legend
    assert snapshot.info["badge"] == "DEMO"
    assert snapshot.alerts is None and snapshot.logs is None  # not asked for


def test_registry_builds_the_demo_source():
    source = create_source(CONFIG, PollPlan(), clock=FakeClock(), seed=3)
    assert isinstance(source, DemoSource)
    assert (source.id, source.kind) == ("demo", "demo")
    assert source.poll().metrics == {}
    source.close()
    source.close()  # idempotent


def test_request_rate_series_and_legend():
    snapshot = poll_at(START + 300, metric("rps", REQUESTS, legend="{{method}} {{status}}"))
    series = snapshot.metrics["rps"].series
    pairs = {(s.labels["method"], s.labels["status"]) for s in series}
    assert {m for m, _ in pairs} == {"GET", "POST", "PUT", "DELETE"}
    assert {st for _, st in pairs} == {"200", "201", "404", "500", "503"}
    assert len(series) == len(pairs) == len({s.key for s in series})
    for s in series:
        assert s.name == f"{s.labels['method']} {s.labels['status']}"
        assert s.labels["job"] == "ecommerce-api" and s.labels["instance"] == "api-1:8080"
        assert (s.y >= 0).all()
    total = np.sum([s.y for s in series], axis=0)
    assert 250 < np.median(total) < 700
    get_200 = next(s for s in series if (s.labels["method"], s.labels["status"]) == ("GET", "200"))
    assert np.median(get_200.y / total) > 0.5  # a realistic mix: mostly successful reads


def test_range_points_are_step_aligned_and_instant_is_now():
    now = START + 1234.567
    snapshot = poll_at(now, metric("range", P95, window_s=1800, max_points=720),
                       metric("instant", P95, instant=True))
    x = snapshot.metrics["range"].series[0].x
    step = 1800 / 720
    assert np.allclose(x / step, np.round(x / step))
    assert np.allclose(np.diff(x), step)
    assert x[0] >= now - 1800 and x[-1] <= now and now - x[-1] < step
    assert snapshot.metrics["instant"].series[0].x.tolist() == [now]
    # the step never drops below one second
    fine = poll_at(now, metric("fine", P95, window_s=60, max_points=720)).metrics["fine"].series[0].x
    assert np.allclose(np.diff(fine), 1.0)


def test_values_are_in_sane_ranges():
    queries = [metric(n, e, window_s=7200, max_points=7200) for n, e in
               (("p50", P50), ("p95", P95), ("p99", P99), ("apdex", "apdex_score"),
                ("avail", AVAILABILITY), ("up", UP), ("err", ERROR_PERCENT))]
    snapshot = poll_at(START + 7200, *queries)
    y = {q.key: snapshot.metrics[q.key].series[0].y for q in queries}
    assert (y["p50"] <= y["p95"]).all() and (y["p95"] <= y["p99"]).all()
    assert 0.05 < np.median(y["p50"]) < 0.12
    assert 0.18 < np.median(y["p95"]) < 0.35
    assert 0.35 < np.median(y["p99"]) < 0.7
    assert ((y["apdex"] >= 0) & (y["apdex"] <= 1)).all() and np.median(y["apdex"]) > 0.9
    assert ((y["avail"] > 90) & (y["avail"] <= 100)).all()
    assert set(np.unique(y["up"])) <= {0.0, 1.0} and np.mean(y["up"]) > 0.95
    assert 0.02 < np.median(y["err"]) < 0.1  # ~0.04 % between episodes
    assert np.median(y["avail"]) > 99.0  # dips below the SLO after episodes, recovers


# --- determinism ---------------------------------------------------------------------


def test_same_clock_and_seed_give_identical_series():
    queries = [metric("rps", REQUESTS), metric("p99", P99), metric("err", ERROR_PERCENT, instant=True)]
    first = poll_at(START + 900, *queries)
    second = poll_at(START + 900, *queries)
    assert first.fingerprint == second.fingerprint
    for key in ("rps", "p99", "err"):
        for a, b in zip(first.metrics[key].series, second.metrics[key].series, strict=True):
            assert a.key == b.key
            np.testing.assert_array_equal(a.x, b.x)
            np.testing.assert_array_equal(a.y, b.y)
    other_seed = poll_at(START + 900, *queries, seed=99)
    assert other_seed.metrics["rps"].fingerprint != first.metrics["rps"].fingerprint


def test_history_never_changes_between_polls():
    clock = FakeClock()
    plan = PollPlan(metrics=(metric("rps", REQUESTS), metric("p95", P95), metric("avail", AVAILABILITY)))
    source = DemoSource(CONFIG, plan, clock=clock)
    clock.now = START + 1000.0
    earlier = source.poll()
    clock.now = START + 1437.3
    later = source.poll()
    for key in ("rps", "p95", "avail"):
        for a, b in zip(earlier.metrics[key].series, later.metrics[key].series, strict=True):
            shared, ia, ib = np.intersect1d(a.x, b.x, return_indices=True)
            assert shared.size > 500
            np.testing.assert_array_equal(a.y[ia], b.y[ib])


# --- internal consistency ------------------------------------------------------------


def test_error_percent_is_5xx_over_total_of_the_request_series():
    now = START + 3 * 3600
    snapshot = poll_at(now, metric("rps", REQUESTS, window_s=3600), metric("err", ERROR_PERCENT, window_s=3600),
                       metric("ratio", ERROR_RATIO, window_s=3600))
    rps = snapshot.metrics["rps"].series
    total = np.sum([s.y for s in rps], axis=0)
    errors = np.sum([s.y for s in rps if s.labels["status"].startswith("5")], axis=0)
    err = snapshot.metrics["err"].series[0]
    np.testing.assert_array_equal(err.x, rps[0].x)
    np.testing.assert_allclose(err.y, 100 * errors / total, rtol=1e-12)
    np.testing.assert_allclose(snapshot.metrics["ratio"].series[0].y * 100, err.y, rtol=1e-12)
    assert err.y.max() > 5  # an episode inside this hour


def test_availability_is_the_five_minute_non_5xx_share():
    now = START + 5000
    snapshot = poll_at(now, metric("avail", AVAILABILITY, instant=True),
                       metric("rps", REQUESTS, window_s=300, max_points=30))
    avail = snapshot.metrics["avail"].series[0].last_value
    rps = snapshot.metrics["rps"].series
    total = np.sum([s.y for s in rps], axis=0)
    good = np.sum([s.y for s in rps if not s.labels["status"].startswith("5")], axis=0)
    assert avail == pytest.approx(100 * good.sum() / total.sum(), abs=0.05)


# --- episodes and alerts ---------------------------------------------------------------


def test_first_episode_starts_within_two_minutes_of_creation():
    source = DemoSource(CONFIG, PollPlan(), clock=FakeClock())
    first = source.service.episode(0)
    assert START < first.start <= START + 120
    assert 60 <= first.end - first.start <= 150
    starts = [source.service.episode(i).start for i in range(40)]
    assert all(300 <= b - a <= 540 for a, b in zip(starts, starts[1:]))


def test_trouble_episodes_make_the_seed_alerts_fire():
    now = START + 2 * 3600
    window = dict(window_s=2 * 3600, max_points=7200)
    snapshot = poll_at(now, metric("err", ERROR_PERCENT, **window), metric("p95", P95, **window),
                       metric("up", UP, **window))
    err, p95, up = (snapshot.metrics[k].series[0] for k in ("err", "p95", "up"))
    assert err.y.max() > 5 and p95.y.max() > 2 and up.y.min() == 0
    assert 6 <= err.y.max() <= 40

    at_worst_errors = float(err.x[np.argmax(err.y)])
    alerts = {a.name: a for a in poll_at(at_worst_errors, alerts=True).alerts}
    high_error = alerts["HighErrorRate"]
    assert high_error.severity is Severity.CRITICAL and high_error.state is AlertState.FIRING
    assert high_error.labels["service"] == "ecommerce-api"
    assert high_error.starts_at <= at_worst_errors and high_error.summary == "High error rate detected"
    assert "runbook" in high_error.annotations

    at_worst_latency = float(p95.x[np.argmax(p95.y)])
    alerts = {a.name: a for a in poll_at(at_worst_latency, alerts=True).alerts}
    assert alerts["HighLatency"].severity is Severity.WARNING
    assert "95th percentile response time is" in alerts["HighLatency"].description

    down_at = float(up.x[np.flatnonzero(up.y == 0)[0]])
    alerts = {a.name: a for a in poll_at(down_at + 1, alerts=True).alerts}
    assert alerts["ServiceDown"].severity is Severity.CRITICAL


def test_every_episode_kind_occurs_within_two_hours():
    source = DemoSource(CONFIG, PollPlan(), clock=FakeClock())
    kinds = {ep.kind for ep in source.service.episodes_between(START, START + 7200)}
    assert kinds == set(EpisodeKind)


def test_quiet_time_has_only_standing_alerts():
    service = DemoSource(CONFIG, PollPlan(), clock=FakeClock()).service
    quiet = START + 10  # before the first episode
    assert service.episode_at(quiet) is None
    names = {a.name for a in poll_at(quiet, alerts=True).alerts}
    assert names == {"Watchdog", "DiskSpaceLow", "SSLCertificateExpiry", "PaymentGatewayLatency",
                     "HighMemoryUsage"}


def test_standing_alerts_cover_severities_and_lifecycle_states():
    alerts = poll_at(START + 60, alerts=True).alerts
    by_name = {a.name: a for a in alerts}
    assert by_name["Watchdog"].state is AlertState.FIRING
    assert len({a.severity for a in alerts}) >= 4
    silenced = by_name["PaymentGatewayLatency"]
    assert silenced.state is AlertState.SILENCED and silenced.severity is Severity.HIGH
    # Who and why, never the silence's id.
    assert silenced.silenced_by and silenced.mute_reason == "silenced by ops-bot: vendor maintenance (expires in 39m)"
    acked = by_name["HighMemoryUsage"]
    assert acked.state is AlertState.ACKNOWLEDGED and acked.acknowledged_by == "kim"
    disk = by_name["DiskSpaceLow"]
    assert disk.labels["instance"] == "db-02:9100" and disk.labels["mountpoint"] == "/var/lib/postgresql"
    assert "expires in 6 days" in by_name["SSLCertificateExpiry"].summary
    assert len({a.fingerprint for a in alerts}) == len(alerts)
    for alert in alerts:
        assert alert.labels["alertname"] == alert.name and "severity" in alert.labels
        assert alert.starts_at < START + 60 and alert.source_id == "demo"


def test_the_declared_dead_mans_switch_is_health_not_an_incident():
    from dataclasses import replace

    from noc_app.config.loader import load_builtin

    demo = next(src for src in load_builtin().sources if src.kind == "demo")
    assert demo.deadman_alert == "Watchdog"  # the built-in wall declares it
    source = DemoSource(replace(CONFIG, deadman_alert="Watchdog"), PollPlan(alerts=True), clock=FakeClock(START + 60))
    snap = source.poll()
    assert "Watchdog" not in {a.name for a in snap.alerts}
    assert snap.info["deadman"] == "Watchdog firing" and not snap.degraded


def test_alert_identity_and_start_are_stable_across_polls():
    clock = FakeClock()
    source = DemoSource(CONFIG, PollPlan(alerts=True), clock=clock)
    burst = next(ep for ep in source.service.episodes_between(START, START + 7200)
                 if ep.kind is EpisodeKind.ERROR_BURST)
    middle = (burst.start + burst.end) / 2
    seen = []
    for offset in (-4.0, -2.0, 0.0, 2.0):
        clock.now = middle + offset
        seen.append({a.name: a for a in source.poll().alerts})
    firing = [s["HighErrorRate"] for s in seen]
    assert len({a.fingerprint for a in firing}) == 1
    assert len({a.starts_at for a in firing}) == 1
    assert burst.start <= firing[0].starts_at <= middle - 4
    assert len({s["Watchdog"].fingerprint for s in seen}) == 1


# --- logs -----------------------------------------------------------------------------


LOGS = (LogQuery(key="wall/logs/0", expr='{service="ecommerce-api"}', limit=200),)


def test_logs_have_unique_ordered_cursors_and_repeat_identically():
    clock = FakeClock()
    source = DemoSource(CONFIG, PollPlan(logs=LOGS), clock=clock)
    clock.now = START + 500.25
    first = source.poll().logs
    clock.now = START + 530.75
    second = source.poll().logs
    for lines in (first, second):
        assert len(lines) == 200
        cursors = [ln.cursor for ln in lines]
        assert len(set(cursors)) == len(cursors) and cursors == sorted(cursors)
        assert [ln.ts for ln in lines] == sorted(ln.ts for ln in lines)
        assert lines[-1].ts <= clock.now
        assert all(ln.service == "ecommerce-api" and len(ln.labels["trace_id"]) == 32 for ln in lines)
    shared = {ln.cursor: ln for ln in first} & {ln.cursor: ln for ln in second}.keys()
    assert len(shared) > 50
    later = {ln.cursor: ln for ln in second}
    for cursor in shared:
        assert {ln.cursor: ln for ln in first}[cursor] == later[cursor]
    assert second[-1].ts > first[-1].ts


def test_error_bursts_flood_the_log_with_errors():
    service = DemoSource(CONFIG, PollPlan(), clock=FakeClock()).service
    burst = next(ep for ep in service.episodes_between(START, START + 7200)
                 if ep.kind is EpisodeKind.ERROR_BURST)
    during = poll_at(burst.end - 5, logs=LOGS).logs
    quiet = poll_at(START + 25, logs=LOGS).logs  # before the first episode
    burst_errors = [ln for ln in during if ln.ts >= burst.start and ln.level <= LogLevel.ERROR]
    quiet_errors = [ln for ln in quiet if ln.level <= LogLevel.ERROR]
    assert len(burst_errors) >= 10 > len(quiet_errors)
    assert any(" 500 " in ln.text or " 503 " in ln.text for ln in burst_errors)
    assert all(f"trace_id={ln.labels['trace_id']}" in ln.text for ln in burst_errors if " 50" in ln.text)
    assert any(ln.text.startswith(("GET /api/v1/", "POST /api/v1/")) for ln in quiet)


def test_log_query_filters_and_bad_log_query():
    errors_only = (LogQuery(key="e", expr='{service="ecommerce-api", level="error"} |= "checkout"', limit=20),)
    lines = poll_at(START + 1800, logs=errors_only).logs
    assert lines and all(ln.level is LogLevel.ERROR and "checkout" in ln.text for ln in lines)
    other = (LogQuery(key="o", expr='{service="billing"}'),)
    assert poll_at(START + 1800, logs=other).logs == ()
    bad = poll_at(START + 1800, logs=(LogQuery(key="b", expr="rate(x[5m])"),))
    assert bad.logs == () and "stream selector" in bad.degraded[0]


# --- errors ---------------------------------------------------------------------------


def test_unknown_query_is_a_query_error_listing_what_is_simulated():
    snapshot = poll_at(START + 100, metric("bad", "node_load1"), metric("ok", REQUESTS))
    error = snapshot.metrics["bad"].error
    assert error.startswith("the demo source does not simulate this query: node_load1; it answers: ")
    assert "apdex_score" in error and "histogram_quantile" in error
    assert snapshot.metrics["ok"].error is None


def test_odd_plans_do_not_raise():
    snapshot = poll_at(
        START + 100,
        metric("zero", P95, window_s=0), metric("nopoints", P95, max_points=0),
        metric("q", "histogram_quantile(1.5, rate(http_request_duration_seconds_bucket[5m]))"),
    )
    assert snapshot.metrics["zero"].series[0].x.size == 1
    assert snapshot.metrics["nopoints"].series[0].x.size > 0
    assert "between 0 and 1" in snapshot.metrics["q"].error


@pytest.mark.parametrize(
    ("expr", "signal"),
    [
        ("rate( http_requests_total [5m] )", Signal.REQUEST_RATE),
        ("rate(http_requests_total{status=~'5.*'}[5m])/rate(http_requests_total[5m])*100", Signal.ERROR_PERCENT),
        ("  apdex_score\n", Signal.APDEX),
        ("histogram_quantile(.9, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))",
         Signal.LATENCY_QUANTILE),
        ('up{job = "ecommerce-api"}', Signal.UP),
    ],
)
def test_catalog_ignores_whitespace_and_quote_style(expr, signal):
    assert resolve(expr).signal is signal


def test_normalise_keeps_spaces_inside_strings():
    assert normalise('x{a="b c"} / y') == 'x{a="b c"}/y'


# --- legend formatting ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("template", "labels", "expected"),
    [
        ("{{method}} {{status}}", {"method": "GET", "status": "200"}, "GET 200"),
        ("{{ method }}/{{status}}", {"method": "PUT", "status": "404"}, "PUT/404"),
        ("P95", {"job": "api"}, "P95"),
        ("{{missing}} x", {"a": "b"}, " x"),
        ("", {"b": "2", "a": "1"}, '{a="1", b="2"}'),
        ("", {"__name__": "up", "job": "api"}, 'up{job="api"}'),
        ("", {"__name__": "up"}, "up"),
        ("", {}, ""),
        ("  ", {"a": 'say "hi"'}, '{a="say \\"hi\\""}'),
        ("{{__name__}}: {{job}}", {"__name__": "up", "job": "api"}, "up: api"),
    ],
)
def test_format_legend(template, labels, expected):
    assert format_legend(template, labels) == expected


def test_series_key_is_name_plus_sorted_labels():
    assert series_key({"z": "1", "__name__": "up", "a": "2"}) == 'up{a="2", z="1"}'
    assert series_key({}) == "{}"
    assert label_text({"__name__": "up"}) == ""


def test_availability_is_healthy_between_episodes_and_drops_in_trouble():
    source = DemoSource(CONFIG, PollPlan(), clock=FakeClock())
    t = np.arange(START + 600, START + 4 * 3600, 10.0)
    availability = source.service.availability_percent(t)
    assert (availability >= 99.9).mean() > 0.5  # green most of the time: a healthy service
    assert (availability < 99.5).any()  # and error bursts and outages show
    # the first look, seconds after start, shows the healthy service
    assert source.service.availability_percent(np.array([START + 8.0]))[0] >= 99.9
