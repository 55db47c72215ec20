"""`noc-app bench`: the harness, its output shape, and a 3-second smoke run of every scenario.

No timing assertions: the numbers depend on the machine.  What is checked is
that every scenario runs, that its JSON has the documented shape, that the
measurements count what they claim (every panel painted inside its timed span),
and that the synthetic data is the documented, deterministic formula.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import time

import httpx
import numpy as np
import pytest

from noc_app.bench import cli as bench_cli
from noc_app.bench import runner
from noc_app.bench.report import JSON_KEYS, Goal, Metric, json_lines, table
from noc_app.bench.scenario import SCENARIOS, ChildRun, RunOptions
from noc_app.bench.synthetic_data import LatencyRings, latency_sample
from noc_app.bench.synthetic_source import SyntheticProfile, SyntheticSource, latency_expr, parse_latency_expr
from noc_app.config.schema import SourceConfig
from noc_app.sources.base import LogQuery, MetricQuery, PollPlan

PEER_KEYS = ("peer", "panels", "n", "hz", "cpu_s", "cpu_pct_of_one_core", "rss_mb_peak", "updates", "duration_s",
             "js_update_ms_median")


# ---------------------------------------------------------------- report


def test_goal_checks_value_and_ratio_limits():
    goal = Goal(text="<=5% & <=0.3x", max_value=5.0, max_ratio=0.3)
    assert goal.check(4.0, 0.2) is True
    assert goal.check(6.0, 0.2) is False
    assert goal.check(4.0, 0.5) is False
    assert goal.check(4.0, None) is None  # no baseline: cannot judge the ratio part
    assert goal.check(None, 0.2) is None


def test_metric_json_has_the_documented_keys_and_ratio():
    row = Metric(scenario="wall-24", metric="cpu_pct", value=3.0, unit="%", baseline="pyqtgraph-tuned",
                 baseline_value=12.0, goal=Goal(text="<=0.3x", max_ratio=0.3))
    obj = json.loads(json_lines([row])[0])
    assert tuple(obj) == JSON_KEYS
    assert obj["ratio"] == 0.25 and obj["pass"] is True and obj["goal"] == "<=0.3x"
    lone = json.loads(json_lines([Metric(scenario="s", metric="m", value=math.inf, unit="h")])[0])
    assert lone["value"] is None and lone["baseline"] is None and lone["ratio"] is None and lone["pass"] is None


def test_table_shows_every_metric_with_its_verdict():
    rows = [
        Metric(scenario="a", metric="fast", value=1.0, unit="ms", goal=Goal(text="<=2", max_value=2.0)),
        Metric(scenario="a", metric="slow", value=3.0, unit="ms", goal=Goal(text="<=2", max_value=2.0), note="why"),
        Metric(scenario="b", metric="info", value=None, unit="ms"),
    ]
    text = table(rows)
    lines = text.splitlines()
    assert lines[0].split() == ["scenario", "metric", "app", "unit", "baseline", "ratio", "goal", "result"]
    assert any("fast" in ln and ln.endswith("PASS") for ln in lines)
    assert any("slow" in ln and ln.endswith("FAIL") for ln in lines)
    assert "goals: 1 passed, 1 failed, 1 informational" in text
    assert "a/slow: why" in text


# ---------------------------------------------------------------- runner and CLI


def test_result_line_is_found_among_other_output():
    out = "Qt warning\nNOC_BENCH_RESULT {\"side\": \"app\", \"x\": 1}\nlater noise\n"
    assert runner.parse_result(out) == {"side": "app", "x": 1}
    assert runner.parse_result("no result here\n") is None


def test_sides_alternate_and_repetitions_give_medians():
    order = []

    def fake_child(name: str, run: ChildRun, opts: RunOptions) -> dict:
        order.append(run.side)
        n = order.count(run.side)
        return {"side": run.side, "panels": 24, "cpu_pct": 10.0 * n if run.side == "baseline" else 1.0 * n,
                "gui_ms_median": 5.0, "gui_ms_p95": 6.0, "gui_cpu_ms_median": 4.0, "rss_mb_peak": 100.0,
                "cpu_ms_per_update": 10.0, "updates": 60, "paints_per_update": 24.0, "paints_outside_updates": 0}

    outcome = runner.run_scenario("wall-24", RunOptions(smoke=True, repeat=3), run_child=fake_child)
    assert outcome.error is None
    assert order == ["app", "baseline"] * 3
    cpu = next(m for m in outcome.metrics if m.metric == "cpu_pct")
    assert (cpu.value, cpu.baseline_value) == (2.0, 20.0)  # medians of 1,2,3 and 10,20,30
    assert cpu.ratio == pytest.approx(0.1)


def test_a_failed_child_is_reported_not_raised():
    def failing(name: str, run: ChildRun, opts: RunOptions) -> dict:
        raise runner.ChildFailed(f"{name}:{run.side} exited with status 1")

    outcome = runner.run_scenario("startup", RunOptions(smoke=True), run_child=failing)
    assert outcome.error == "startup:app exited with status 1" and outcome.metrics == []


def _forced_failure(monkeypatch, code: str) -> None:
    """Children run `python -c CODE` instead of the scenario: a child that fails as we choose."""
    monkeypatch.setattr(runner, "child_command", lambda scenario, run: [sys.executable, "-c", code])


def test_a_child_that_dies_shows_its_error_tail(monkeypatch):
    _forced_failure(monkeypatch, "import sys; print('line one', file=sys.stderr); "
                                 "raise ModuleNotFoundError(\"No module named 'noc_app.themes'\")")
    with pytest.raises(runner.ChildFailed) as failed:
        runner.run_child_process("startup", ChildRun(side="app", timeout_s=60), RunOptions(smoke=True))
    first, *rest = str(failed.value).splitlines()
    assert first.startswith("startup:app exited with status 1 and no result: ")
    assert first.endswith("ModuleNotFoundError: No module named 'noc_app.themes'"), first
    assert "line one" in rest and "Traceback (most recent call last):" in rest


def test_a_silent_child_is_said_to_be_silent(monkeypatch):
    _forced_failure(monkeypatch, "raise SystemExit(4)")
    with pytest.raises(runner.ChildFailed) as failed:
        runner.run_child_process("startup", ChildRun(side="app", timeout_s=60), RunOptions(smoke=True))
    assert str(failed.value).splitlines()[0].endswith("no result: (the child wrote nothing on stderr or stdout)")


def test_a_real_child_that_raises_reports_the_exception():
    with pytest.raises(runner.ChildFailed) as failed:
        runner.run_child_process("wall-24", ChildRun(side="sideways", timeout_s=120), RunOptions(smoke=True))
    text = str(failed.value)
    assert text.startswith("wall-24:sideways failed: ValueError: wall-24 has no side 'sideways'"), text
    assert "Traceback" in text  # the child's stderr tail follows


def test_the_bench_summary_names_the_childs_error(monkeypatch, capsys):
    _forced_failure(monkeypatch, "raise RuntimeError('the real reason')")
    status = bench_cli._run_all(["startup"], RunOptions(smoke=True), as_json=False, check=False)
    assert status == bench_cli.EXIT_CHILD_FAILED
    summary = capsys.readouterr().out.split("failed scenarios:")[1]
    assert "RuntimeError: the real reason" in summary


def test_bench_options_validate_input():
    parser = bench_cli.build_bench_parser()
    assert parser.prog == "noc-app bench"
    with pytest.raises(SystemExit):
        parser.parse_args(["--size", "huge"])
    with pytest.raises(SystemExit):
        parser.parse_args(["--scenario", "no-such-scenario"])
    args = parser.parse_args(["--scenario", "wall-24", "--size", "1920x1080", "--hz", "2", "--smoke"])
    assert (args.scenario, args.size, args.hz, args.smoke) == (["wall-24"], (1920, 1080), 2.0, True)


def test_config_scenario_needs_a_config_file(capsys):
    args = bench_cli.build_bench_parser().parse_args(["--scenario", "config"])
    assert bench_cli.run_bench(args) == bench_cli.EXIT_USAGE
    assert "--config FILE" in capsys.readouterr().err


def test_peer_json_reads_the_peer_bench_environment(monkeypatch):
    monkeypatch.setenv("N", "360")
    monkeypatch.setenv("HZ", "2")
    monkeypatch.setenv("PANELS", "12")
    monkeypatch.setenv("WARMUP", "1")
    monkeypatch.setenv("DURATION", "5")
    args = bench_cli.build_bench_parser().parse_args(["--scenario", "wall-24", "--peer-json", "--panels", "6"])
    opts = bench_cli._options(args)
    assert (opts.points, opts.hz, opts.panels, opts.warmup_s, opts.duration_s) == (360, 2.0, 6, 1.0, 5.0)


# ---------------------------------------------------------------- synthetic data


class FakeClock:
    def __init__(self, t: float) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


def _source(plan: PollPlan, clock: FakeClock, **profile: object) -> SyntheticSource:
    config = SourceConfig(id="bench", kind="prometheus", url="http://bench.invalid")
    return SyntheticSource(config, plan, profile=SyntheticProfile(**profile), clock=clock)  # type: ignore[arg-type]


def test_bench_expressions_round_trip():
    assert parse_latency_expr(latency_expr(7, 2)) == (7, 2)
    with pytest.raises(ValueError):
        parse_latency_expr("rate(http_requests_total[5m])")


def test_synthetic_series_roll_one_point_per_step_with_the_peer_formula():
    clock = FakeClock(1_000_000.0)
    queries = [MetricQuery(key=f"d/p{p}/{lane}", expr=latency_expr(p, lane)) for p in range(2) for lane in range(3)]
    plan = PollPlan(metrics=tuple(queries))
    source = _source(plan, clock, points=100, step_s=1.0)
    first = source.poll()
    clock.t += 1.0
    second = source.poll()
    a, b = first.metrics["d/p1/2"].series[0], second.metrics["d/p1/2"].series[0]
    assert a.x.size == b.x.size == 100
    assert b.x[-1] == a.x[-1] + 1.0 and np.array_equal(b.x[:-1], a.x[1:])  # one new point, the oldest dropped
    assert b.x[-1] == clock.t  # the newest point is "now", never ahead of the clock
    k = np.arange(102)  # samples 0..99 at start, one new sample per poll
    assert np.allclose(b.y, latency_sample(k, 1)[2][2:])  # P99 of panel 1, same formula as the peer bench
    assert second.fingerprint != first.fingerprint
    assert set(second.metrics) == {q.key for q in plan.metrics}


def test_rings_keep_the_last_n_points_contiguous():
    rings = LatencyRings(n=5, panels=1, step_s=2.0, end_time=100.0)
    for _ in range(7):
        rings.push()
    assert list(rings.x_view()) == [106.0, 108.0, 110.0, 112.0, 114.0]  # samples 7..11 of t0=92, step 2
    assert rings.y_view(0, 0).flags["C_CONTIGUOUS"]


def test_synthetic_alerts_churn_and_logs_roll():
    clock = FakeClock(1_000_000.0)
    plan = PollPlan(alerts=True, logs=(LogQuery(key="d/logs/0"),))
    source = _source(
        plan, clock, alerts=20, alert_churn_every=1, alert_churn_count=3, log_lines_per_poll=4, log_keep=10
    )
    first = source.poll()
    second = source.poll()
    assert len(first.alerts) == len(second.alerts) == 20
    gone = {a.fingerprint for a in first.alerts} - {a.fingerprint for a in second.alerts}
    assert len(gone) == 3
    assert len(second.logs) == 8 and second.logs[-1].cursor != first.logs[-1].cursor


def test_bench_payloads_parse_with_the_real_parsers():
    from noc_app.bench.payloads import alertmanager_alerts, prometheus_matrix
    from noc_app.sources.alertmanager_parse import parse_alert_list
    from noc_app.sources.prometheus_parse import parse_envelope, parse_query_data

    envelope = parse_envelope(json.loads(prometheus_matrix(series=3, points=10, step_s=5.0, end=time.time())), what="q")
    result = parse_query_data(envelope.data, legend="{{instance}}", warnings=(), max_series=1000, what="q")
    assert result.error is None and len(result.series) == 3 and all(s.y.size == 10 for s in result.series)
    alerts = parse_alert_list(json.loads(alertmanager_alerts(count=25, now=time.time())))
    assert len(alerts) == 25 and len({a.fingerprint for a in alerts}) == 25


def test_fake_alertmanager_lists_posted_alerts_until_they_end():
    from noc_app.bench.alertmanager_backend import FakeAlertmanager
    from noc_app.bench.payloads import rfc3339

    backend = FakeAlertmanager()
    try:
        with httpx.Client(base_url=backend.url, timeout=5.0) as client:
            labels = {"alertname": "Probe", "severity": "critical"}
            client.post("/api/v2/alerts", json=[{"labels": labels}]).raise_for_status()
            assert [a["labels"]["alertname"] for a in client.get("/api/v2/alerts").json()] == ["Probe"]
            ended = {"labels": labels, "endsAt": rfc3339(time.time() - 1)}
            client.post("/api/v2/alerts", json=[ended]).raise_for_status()
            assert client.get("/api/v2/alerts").json() == []
            assert client.get("/api/v2/nothing").status_code == 404
    finally:
        backend.stop()


# ---------------------------------------------------------------- measurement on real widgets


def test_timed_runtime_counts_every_changed_panel_painted_inside_the_span(qtbot):
    from noc_app.bench import walls
    from noc_app.bench.app_wall import build_app_wall
    from noc_app.bench.synthetic_source import synthetic_factory

    config = walls.timeseries_wall(panels=3, points=60, hz=1.0)
    wall = build_app_wall(config, size=(900, 600), source_factory=synthetic_factory(SyntheticProfile(points=60)))
    qtbot.addWidget(wall.window)
    try:
        assert wall.runtime.paints.watched == 3
        wall.start()
        qtbot.waitUntil(lambda: sum(r.changed for r in wall.runtime.records) >= 2, timeout=10_000)
        changed = [r for r in wall.runtime.records if r.changed]
        assert [r.paints for r in changed[:2]] == [3, 3]  # each update painted every panel once, in its span
    finally:
        wall.stop()


def test_reference_wall_paints_every_curve_once_per_update(qtbot):
    from noc_app.bench.baseline_wall import CURVE_PAINTS, BaselineWall

    wall = BaselineWall(panels=2, points=120, hz=1.0, size=(900, 600))
    qtbot.addWidget(wall.window)
    shown = CURVE_PAINTS["count"]
    wall.window.show()
    qtbot.waitUntil(lambda: CURVE_PAINTS["count"] >= shown + 6, timeout=10_000)  # the window's first paint
    before = wall.stats.curve_paints_in_updates
    for _ in range(3):
        wall.update()
    assert wall.stats.curve_paints_in_updates - before == 3 * 2 * 3  # 3 updates x 2 panels x 3 curves
    assert wall.stats.forced_repaints == 0
    assert wall.drawn_points_per_series is not None


def test_qt_object_count_sees_new_children(qtbot):
    from PySide6.QtCore import QObject
    from PySide6.QtWidgets import QWidget

    from noc_app.bench.measure import qt_object_count

    root = QWidget()
    qtbot.addWidget(root)
    before = qt_object_count()
    QObject(root)
    QWidget(root)
    after = qt_object_count()
    assert after["qobjects"] - before["qobjects"] == 2 and after["widgets"] - before["widgets"] == 1


# ---------------------------------------------------------------- the smoke run (subprocesses)


def _bench(args: list[str], home: str, extra_env: dict[str, str] | None = None, timeout: float = 280.0):
    env = dict(os.environ, HOME=home, QT_QPA_PLATFORM="offscreen", **(extra_env or {}))
    return subprocess.run([sys.executable, "-m", "noc_app", "bench", *args], check=False, capture_output=True,
                          text=True,
                          env=env, timeout=timeout)


@pytest.fixture(scope="module")
def smoke(tmp_path_factory):
    home = tmp_path_factory.mktemp("bench-home")
    return _bench(["--smoke", "--json"], str(home))


@pytest.mark.slow
def test_smoke_runs_every_scenario(smoke):
    assert smoke.returncode == 0, smoke.stderr[-3000:]
    scenarios = {json.loads(line)["scenario"] for line in smoke.stdout.splitlines()}
    assert scenarios == set(SCENARIOS)


@pytest.mark.slow
def test_smoke_json_has_the_documented_shape(smoke):
    lines = smoke.stdout.splitlines()
    assert lines, smoke.stderr[-3000:]
    number = (int, float, type(None))
    for line in lines:
        obj = json.loads(line)
        assert tuple(obj) == JSON_KEYS, line
        assert isinstance(obj["scenario"], str) and isinstance(obj["metric"], str) and isinstance(obj["unit"], str)
        assert isinstance(obj["value"], number) and isinstance(obj["baseline_value"], number)
        assert isinstance(obj["ratio"], number)
        assert isinstance(obj["baseline"], (str, type(None))) and isinstance(obj["goal"], (str, type(None)))
        assert isinstance(obj["pass"], (bool, type(None)))
        if obj["baseline_value"] is None:
            assert obj["ratio"] is None
    # the headline numbers were really measured, not left empty
    measured = {(o["scenario"], o["metric"]): o for o in map(json.loads, lines)}
    for key in [("wall-24", "cpu_pct"), ("wall-24", "rss_mb_peak"), ("ingest", "max_stall_ms"),
                ("startup", "first_paint_ms"), ("soak", "qobjects_end")]:
        assert measured[key]["value"] is not None and measured[key]["baseline_value"] is not None, key


@pytest.mark.slow
def test_smoke_prints_the_human_table(smoke):
    assert "scenario" in smoke.stderr and "result" in smoke.stderr
    for name in SCENARIOS:
        assert f"\n{name} " in smoke.stderr
    assert "goals:" in smoke.stderr


@pytest.mark.slow
def test_peer_json_prints_the_line_peer_bench_expects(tmp_path):
    done = _bench(["--scenario", "wall-24", "--peer-json"], str(tmp_path),
                  {"N": "360", "HZ": "2", "PANELS": "6", "WARMUP": "0.5", "DURATION": "2"}, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    lines = [ln for ln in done.stdout.splitlines() if ln.startswith("{")]
    assert len(lines) == 1
    line = json.loads(lines[0])
    assert all(key in line for key in PEER_KEYS)
    assert (line["peer"], line["n"], line["hz"], line["panels"]) == ("noc-app", 360, 2.0, 6)
